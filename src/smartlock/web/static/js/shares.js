// Sharing (A-SHARE): invite an existing account by email with a role; revoke.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, el, t, label, errorText, confirmDialog } = window.SL;
  const path = "/devices/" + encodeURIComponent(document.body.dataset.deviceId) + "/shares";
  const form = document.getElementById("share-form");
  const list = document.getElementById("share-list");
  const error = document.getElementById("share-error");

  async function load() {
    const r = await api("GET", path);
    list.replaceChildren();
    if (!r.ok) { error.textContent = errorText(r); return; }
    document.getElementById("shares-empty").hidden = r.data.count > 0;
    for (const s of r.data.data) {
      const text = s.email + " — " + label("role.", s.role) + (s.may_remote_unlock ? " · " + t("shares.may_unlock") : "");
      list.append(el("li", { class: "cred", "data-account": s.account_id }, el("span", { text }),
        el("button", {
          type: "button", class: "danger", "aria-label": t("shares.revoke") + ": " + s.email, text: t("shares.revoke"),
          onclick: async () => {
            if (!(await confirmDialog(t("shares.revoke") + ": " + s.email + "?"))) return;
            const d = await api("DELETE", path + "/" + s.account_id);
            if (!d.ok) error.textContent = errorText(d);
            load();
          },
        })));
    }
  }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const r = await api("POST", path, { email: form.email.value.trim(), role: form.role.value, may_remote_unlock: form.may_remote_unlock.checked });
    if (!r.ok) { error.textContent = errorText(r); return; }
    form.reset();
    load();
  });
  load();
});
