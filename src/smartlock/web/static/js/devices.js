// The account's locks with their live-ish summary (A-STATUS on the list).
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, el, t, label, errorText } = window.SL;
  const list = document.getElementById("device-list");
  const r = await api("GET", "/devices");
  document.getElementById("devices-loading").hidden = true;
  if (!r.ok) { list.replaceWith(el("p", { class: "error", role: "alert", text: errorText(r) })); return; }
  document.getElementById("devices-empty").hidden = r.data.count > 0;
  for (const d of r.data.data) {
    const s = d.status;
    const online = s.online ? t("status.is_online") : t("status.is_offline");
    list.append(el("li", { class: "card device", "data-device-id": d.id },
      el("a", { href: "/app/devices/" + encodeURIComponent(d.id), class: "device-link", "data-testid": "device-link" },
        el("strong", { text: d.name })),
      el("p", {},
        el("span", { class: "pill " + (s.online ? "ok" : "off"), text: online }), " ",
        el("span", { text: s.door ? label("door.", s.door) : t("status.unknown") }),
        s.battery === null ? null : el("span", { text: " · " + s.battery + " %" })),
      el("p", { class: "hint", text: t("devices.role", { role: label("role.", d.role) }) })));
  }
});
