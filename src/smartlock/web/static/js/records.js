// Records (A-RECORDS): filters by user, method, type and time; paged with a cursor.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, el, t, label, when, errorText } = window.SL;
  const path = "/devices/" + encodeURIComponent(document.body.dataset.deviceId);
  const form = document.getElementById("records-filter");
  const body = document.getElementById("records-body");
  const more = document.getElementById("records-more");
  const count = document.getElementById("records-count");
  let cursor = null;

  const users = await api("GET", path + "/users");
  if (users.ok) for (const u of users.data.data) {
    form.user.append(el("option", { value: u.number, text: u.number + (u.name ? " " + u.name : "") }));
  }

  function query() {
    const q = new URLSearchParams({ limit: "25" });
    for (const name of ["user", "method", "kind"]) if (form[name].value) q.set(name, form[name].value);
    for (const name of ["since", "until"]) if (form[name].value) q.set(name, new Date(form[name].value).toISOString());
    if (cursor) q.set("cursor", cursor);
    return q.toString();
  }

  async function load(append) {
    if (!append) cursor = null;
    const r = await api("GET", path + "/records?" + query());
    if (!append) body.replaceChildren();
    if (!r.ok) { count.textContent = errorText(r); more.hidden = true; return; }
    count.textContent = r.data.count ? t("records.count", { count: r.data.count }) : t("records.empty");
    for (const e of r.data.data) {
      const who = window.SL.whoText(e) || t("common.none");
      const detail = window.SL.detailText(e);
      const alarm = window.SL.isAlarm(e);
      body.append(el("tr", { "data-kind": e.kind, class: alarm ? "event alarm" : null },
        el("td", {}, el("time", { datetime: e.occurred_at, text: when(e.occurred_at) })),
        el("td", {}, alarm ? el("span", { class: "tag-alarm", text: t("alarm.tag") }) : null, label("kind.", e.kind) + (detail ? " · " + detail : "")),
        el("td", { text: who }),
        el("td", { text: e.method ? label("method.", e.method) : t("common.none") })));
    }
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(false); });
  // On a phone the filters fold away under one line, open once one is set.
  const box = document.getElementById("filters-box");
  if (window.matchMedia("(min-width: 700px)").matches) box.open = true;
  more.addEventListener("click", () => load(true));
  load(false);
});
