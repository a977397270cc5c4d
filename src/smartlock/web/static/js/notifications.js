// Notification centre (A-NOTIFY): newest first, paged, live, mark as read.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, el, t, when } = window.SL;
  const list = document.getElementById("notes-list");
  const more = document.getElementById("notes-more");
  let lastId = null;

  function item(n) {
    const li = el("li", { class: n.read_at ? "" : "unread", "data-kind": n.kind, "data-id": n.id },
      el("strong", { text: n.title }), el("p", { text: n.body }),
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
