// The account page (A-ACCOUNT, A-NOTIFY): change the password, API tokens (secret shown
// once), outbound notification channels. Mutations carry the CSRF header (SL.api).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, el, t, when, errorText, confirmDialog } = window.SL;
  const $ = (x) => document.getElementById(x);
  let email = "";

  // The account password is re-checked by these forms: a wrong one is not "wrong email".
  function passwordError(r) {
    const code = r.data && r.data.code;
    if (code === "bad_credentials") return t("account.wrong_current");
    return errorText(r);
  }

  // Both lists (tokens, channels) load alike: emptied, then "unavailable" (a server
  // without the feature answers 404/405) or "empty" shown as the answer says.
  async function loadList(path, listId, prefix) {
    const r = await api("GET", path);
    const list = $(listId);
    list.replaceChildren();
    if (!r.ok) {
      $(prefix + "-unavailable").hidden = false;
      if (r.status !== 404 && r.status !== 405) $(prefix + "-unavailable").textContent = errorText(r);
    } else {
      $(prefix + "-empty").hidden = r.data.count > 0;
    }
    return { r, list };
  }

  // A row's danger button (revoke a token, remove a channel): ask, DELETE, say how it
  // went in the list's message line, load the list again.
  function deleteButton({ label, name, question, done, path, message, reload }) {
    return el("button", {
      type: "button", class: "danger", text: label, "aria-label": label + ": " + name,
      onclick: async () => {
        if (!(await confirmDialog(question))) return;
        const d = await api("DELETE", path);
        $(message).textContent = d.ok ? done : errorText(d);
        reload();
      },
    });
  }

  // The three forms submit alike: the error and status lines emptied, `check` may
  // refuse at once (the text it returns is shown), the submit button is off while
  // `send` runs, then the failure is shown, or the form is reset and `ok` runs.
  function onSubmit(prefix, status, { check, send, fail = errorText, ok }) {
    const form = $(prefix + "-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const error = $(prefix + "-error");
      error.textContent = "";
      $(status).textContent = "";
      const refused = check(form);
      if (refused) { error.textContent = refused; return; }
      $(prefix + "-submit").disabled = true;
      const r = await send(form);
      $(prefix + "-submit").disabled = false;
      if (!r.ok) { error.textContent = fail(r); return; }
      form.reset();
      ok(r);
    });
    return form;
  }

  async function loadAccount() {
    const r = await api("GET", "/account");
    if (r.ok) { email = r.data.email; $("account-email").textContent = email; }
  }

  // --- password -------------------------------------------------------------------------
  onSubmit("password", "password-done", {
    check: (f) => (!f.current.value || !f.new.value ? t("err.invalid_request")
      : f.new.value !== f.new2.value ? t("signup.mismatch") : ""),
    send: (f) => api("PUT", "/account/password", { current_password: f.current.value, new_password: f.new.value }),
    fail: passwordError,
    ok: () => {
      $("password-done").textContent = t("account.password_changed");
      loadTokens();  // the API ended every token too
    },
  });

  // --- API tokens -------------------------------------------------------------------------
  async function loadTokens() {
    const { r, list } = await loadList("/auth/tokens", "token-list", "tokens");
    if (!r.ok) return;
    for (const tok of r.data.data) {
      const name = tok.name || t("tokens.unnamed");
      const used = tok.last_used_at ? when(tok.last_used_at) : t("tokens.never");
      list.append(el("li", { class: "cred", "data-token": tok.id },
        el("span", {},
          el("strong", { text: name }), el("br"),
          el("span", { class: "hint", text: t("tokens.meta", { created: when(tok.created_at), used, expires: when(tok.expires_at) }) })),
        deleteButton({
          label: t("tokens.revoke"), name, question: t("tokens.revoke_confirm", { name }),
          done: t("tokens.revoked", { name }), path: "/auth/tokens/" + tok.id,
          message: "tokens-message", reload: loadTokens,
        })));
    }
  }

  const tokenForm = onSubmit("token", "tokens-message", {
    check: (f) => (!f.name.value.trim() || !f.password.value ? t("err.invalid_request") : ""),
    send: (f) => api("POST", "/auth/tokens", { email, password: f.password.value, name: f.name.value.trim() }, { noRedirect: true }),
    fail: passwordError,
    ok: (r) => {
      $("token-secret").value = r.data.access_token;
      $("token-copied").textContent = "";
      $("token-once").hidden = false;
      $("token-once").focus();
      loadTokens();
    },
  });

  $("token-copy").addEventListener("click", async () => {
    const input = $("token-secret");
    let done = false;
    try {
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(input.value); done = true; }
    } catch (e) { done = false; }
    if (!done) {
      input.focus();
      input.select();
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
    }
    $("token-copied").textContent = done ? t("common.copied") : t("tokens.copy_failed");
  });
  $("token-hide").addEventListener("click", () => {
    $("token-secret").value = "";
    $("token-once").hidden = true;
    tokenForm.name.focus();
  });

  // --- notification channels -------------------------------------------------------------
  async function loadChannels() {
    const { r, list } = await loadList("/notifications/channels", "channel-list", "channels");
    if (!r.ok) { $("channel-form").hidden = r.status === 404 || r.status === 405; return; }
    for (const ch of r.data.data) {
      const name = ch.label || ch.url_hint;
      list.append(el("li", { class: "cred", "data-channel": ch.id },
        el("span", {},
          el("strong", { text: name }), el("br"),
          el("span", { class: "hint", text: t("channels.meta", { hint: ch.url_hint, created: when(ch.created_at) }) })),
        el("span", {},
          el("button", {
            type: "button", text: t("channels.test"), "aria-label": t("channels.test") + ": " + name,
            onclick: async (ev) => {
              const button = ev.currentTarget;
              button.disabled = true;
              $("channels-message").textContent = t("channels.testing", { name });
              const r = await api("POST", "/notifications/channels/" + ch.id + "/test");
              button.disabled = false;
              if (r.ok) $("channels-message").textContent = t(r.data.delivered ? "channels.test_ok" : "channels.test_failed", { name });
              else if (r.status === 405 || (r.status === 404 && r.data.code !== "channel_not_found")) $("channels-message").textContent = t("common.unavailable");
              else $("channels-message").textContent = errorText(r);
            },
          }),
          deleteButton({
            label: t("channels.remove"), name, question: t("channels.remove_confirm", { name }),
            done: t("channels.removed", { name }), path: "/notifications/channels/" + ch.id,
            message: "channels-message", reload: loadChannels,
          }))));
    }
  }

  // The channel picker: a form per common service that builds its apprise URL, so
  // nobody has to learn apprise's syntax; "Other" takes any apprise URL as before.
  let service = "ntfy";
  const picker = $("channel-picker");
  picker.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-service]");
    if (!b) return;
    service = b.dataset.service;
    for (const x of picker.querySelectorAll("button")) x.setAttribute("aria-pressed", String(x === b));
    for (const box of document.querySelectorAll(".svc-fields")) box.hidden = box.dataset.fields !== service;
    const first = document.querySelector('.svc-fields[data-fields="' + service + '"] input');
    if (first) first.focus();
  });
  const enc = encodeURIComponent;
  function hostPath(raw) {  // "https://host:port/path" -> ["s", "host:port/path"]
    const m = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?/i.exec(raw.trim());
    return m ? [m[1].toLowerCase() === "https" ? "s" : "", m[2] + (m[3] || "").replace(/\/$/, "")] : null;
  }
  function buildUrl() {
    const v = (name) => { const i = document.querySelector('.svc-fields[data-fields="' + service + '"] [data-field="' + name + '"]'); return i ? i.value.trim() : ""; };
    if (service === "other") return $("channel-url").value.trim();
    if (service === "ntfy") { const hp = hostPath(v("server") || "https://ntfy.sh"); return hp && v("topic") ? "ntfy" + hp[0] + "://" + hp[1] + "/" + enc(v("topic")) : ""; }
    if (service === "telegram") return v("bot_token") && v("chat_id") ? "tgram://" + v("bot_token") + "/" + enc(v("chat_id")) : "";
    if (service === "discord") { const m = /discord(?:app)?\.com\/api\/webhooks\/(\d+)\/([A-Za-z0-9_-]+)/.exec(v("webhook")); return m ? "discord://" + m[1] + "/" + m[2] : ""; }
    if (service === "email") {
      const to = v("to"), user = v("smtp_user"), pass = v("smtp_password"), server = v("smtp_server");
      if (!to || !user || !pass || !server) return "";
      const [name, domain] = user.includes("@") ? user.split("@") : [user, server];
      return "mailtos://" + enc(name) + ":" + enc(pass) + "@" + domain + "?smtp=" + enc(server) + "&to=" + enc(to);
    }
    if (service === "gotify") { const hp = hostPath(v("server")); return hp && v("app_token") ? "gotify" + hp[0] + "://" + hp[1] + "/" + enc(v("app_token")) : ""; }
    if (service === "pushover") return v("user_key") && v("app_token") ? "pover://" + enc(v("user_key")) + "@" + enc(v("app_token")) : "";
    if (service === "webhook") { const hp = hostPath(v("webhook")); return hp ? "json" + hp[0] + "://" + hp[1] : ""; }
    return "";
  }

  onSubmit("channel", "channels-message", {
    check: () => (buildUrl() ? "" : t("channels.missing")),
    send: (f) => api("POST", "/notifications/channels", { url: buildUrl(), label: f.label.value.trim() }),
    ok: (r) => {
      $("channels-message").textContent = t("channels.added", { name: r.data.label || r.data.url_hint });
      loadChannels();
    },
  });

  loadAccount();
  loadTokens();
  loadChannels();
});
