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
    if (!r.ok) {
      // No account with that email yet: offer the invitation link right there.
      if (r.data.code === "account_not_found") { error.textContent = t("shares.no_account"); document.getElementById("share-invite").focus(); return; }
      error.textContent = errorText(r); return;
    }
    form.reset();
    load();
  });
  const box = document.getElementById("invite-once");
  document.getElementById("share-invite").addEventListener("click", async () => {
    error.textContent = "";
    const email = form.email.value.trim();
    if (!email) { error.textContent = t("shares.email"); form.email.focus(); return; }
    const r = await api("POST", "/devices/" + encodeURIComponent(document.body.dataset.deviceId) + "/invitations",
      { email, role: form.role.value, may_remote_unlock: form.may_remote_unlock.checked });
    if (!r.ok) { error.textContent = errorText(r); return; }
    const link = location.origin + r.data.link;
    const text = t("shares.invite_message", { by: r.data.invited_by, lock: r.data.lock_name, role: label("role.", r.data.role), link, until: window.SL.when(r.data.expires_at) });
    document.getElementById("invite-explain").textContent = t("shares.invite_made", { email: r.data.email, until: window.SL.when(r.data.expires_at) });
    document.getElementById("invite-link").value = link;
    document.getElementById("invite-mail").href = "mailto:" + encodeURIComponent(r.data.email) + "?subject=" + encodeURIComponent(t("shares.invite_subject", { lock: r.data.lock_name })) + "&body=" + encodeURIComponent(text);
    const copy = async () => window.SL.toast((await window.SL.copyText(text)) ? t("share.copied") : t("share.copy_failed"));
    document.getElementById("invite-copy").onclick = copy;
    document.getElementById("invite-share").onclick = async () => {
      if (navigator.share) { try { await navigator.share({ title: t("shares.invite_subject", { lock: r.data.lock_name }), text }); return; } catch (e) { /* cancelled */ } }
      copy();
    };
    box.hidden = false;
    box.focus();
  });
  load();
});
