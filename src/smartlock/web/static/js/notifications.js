// Notification centre (A-NOTIFY): newest first, paged, live, mark as read.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, el, t, when } = window.SL;
  const list = document.getElementById("notes-list");
  const more = document.getElementById("notes-more");
  let lastId = null;

  // The cloud stores each notification's text in English (push channels get it so);
  // the centre says it in the page's language from its kind and event.
  const lang = document.body.dataset.lang;
  function texts(n) {
    if (lang === "en") return [n.title, n.body];
    const d = n.data || {};
    if (d.event_kind) {
      const parts = [];
      if (d.user) parts.push(t("users.number", { number: d.user }));
      if (d.method) parts.push(window.SL.label("method.", d.method));
      return [window.SL.label("kind.", d.event_kind), parts.join(" · ") || n.body];
    }
    return [window.SL.has("notify." + n.kind) ? t("notify." + n.kind) : n.title, n.body];
  }
  function item(n) {
    const [title, body] = texts(n);
    const li = el("li", { class: n.read_at ? "" : "unread", "data-kind": n.kind, "data-id": n.id },
      el("strong", { text: title }), el("p", { text: body }),
      el("time", { class: "hint", datetime: n.created_at, text: when(n.created_at) }));
    if (n.device_id) {  // to the lock's page; for a ring, its face-masked picture (A-LIVE)
      li.append(" ", el("a", {
        href: "/app/devices/" + encodeURIComponent(n.device_id), "data-testid": "note-device",
        text: t(n.kind === "doorbell" ? "notes.see_who" : "notes.open_lock"),
      }));
    }
    if (!n.read_at) {
      li.append(" ", el("button", {
        type: "button", class: "link", text: t("notes.mark_read"), "aria-label": t("notes.mark_read") + ": " + n.title,
        onclick: async (ev) => {
          const r = await api("POST", "/notifications/" + n.id + "/read");
          if (r.ok) { li.classList.remove("unread"); ev.target.remove(); }
        },
      }));
    }
    return li;
  }

  async function load() {
    const q = new URLSearchParams({ limit: "30" });
    if (lastId) q.set("before_id", String(lastId));
    const r = await api("GET", "/notifications?" + q);
    if (!r.ok) { document.getElementById("notes-unavailable").hidden = false; list.hidden = true; return; }
    r.data.data.forEach((n) => list.append(item(n)));
    if (r.data.data.length) lastId = r.data.data[r.data.data.length - 1].id;
    document.getElementById("notes-empty").hidden = list.children.length > 0;
    more.hidden = r.data.data.length < 30;
  }
  more.addEventListener("click", load);
  document.getElementById("notes-read-all").addEventListener("click", async () => {
    const r = await api("POST", "/notifications/read-all");
    if (r.ok) { list.replaceChildren(); lastId = null; load(); }
  });
  document.addEventListener("sl:notification", (ev) => {
    list.prepend(item(ev.detail));
    document.getElementById("notes-empty").hidden = true;
  });
  load();
});
