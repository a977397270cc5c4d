// An invitation link (A-SHARE): what it offers, then sign up / sign in and accept.
// The token travels in the fragment (never in a server log) and waits in this tab's
// sessionStorage while the invitee signs up.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, t, label, when, errorText } = window.SL;
  const $ = (x) => document.getElementById(x);
  if (location.hash.length > 1) { sessionStorage.setItem("sl-invite", location.hash.slice(1)); history.replaceState(null, "", location.pathname); }
  const token = sessionStorage.getItem("sl-invite");
  if (!token) { $("invite-text").textContent = t("invite.none"); return; }
  const r = await api("GET", "/invitations/preview?token=" + encodeURIComponent(token), undefined, { noRedirect: true });
  if (!r.ok) { $("invite-text").textContent = ""; $("invite-error").textContent = errorText(r); return; }
  const i = r.data;
  $("invite-text").textContent = t("invite.offer", { by: i.invited_by, lock: i.lock_name, role: label("role.", i.role), email: i.email, until: when(i.expires_at) });
  $("invite-actions").hidden = false;
  const signup = $("invite-signup");
  if (signup) signup.href = "/app/signup?next=/app/invite&email=" + encodeURIComponent(i.email);
  const accept = $("invite-accept");
  if (accept) accept.addEventListener("click", async () => {
    const a = await api("POST", "/invitations/accept", { token });
    if (!a.ok) { $("invite-error").textContent = errorText(a); return; }
    sessionStorage.removeItem("sl-invite");
    location.href = "/app/devices/" + encodeURIComponent(a.data.device_id);
  });
});
