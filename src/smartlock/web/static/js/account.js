// Sign in and sign up (A-ACCOUNT). Sign-up signs in straight away.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, errorText, t } = window.SL;

  async function signIn(email, password, errorBox, next) {
    const r = await api("POST", "/auth/session", { email, password }, { noRedirect: true });
    if (!r.ok) { errorBox.textContent = errorText(r); return; }
    location.href = next || "/app/";
  }

  const signin = document.getElementById("signin-form");
  if (signin) signin.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const box = document.getElementById("signin-error");
    box.textContent = "";
    signIn(signin.email.value.trim(), signin.password.value, box, signin.dataset.next);
  });

  const signup = document.getElementById("signup-form");
  // From an invitation link: the email it was sent to, ready to sign up with.
  const invited = new URLSearchParams(location.search).get("email");
  if (signup && invited) signup.email.value = invited;
  if (signup) signup.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const box = document.getElementById("signup-error");
    box.textContent = "";
    if (signup.password.value !== signup.password2.value) { box.textContent = t("signup.mismatch"); return; }
    const email = signup.email.value.trim();
    const r = await api("POST", "/auth/signup", { email, password: signup.password.value }, { noRedirect: true });
    if (!r.ok) { box.textContent = errorText(r); return; }
    signIn(email, signup.password.value, box, signup.dataset.next || "/app/");
  });
});
