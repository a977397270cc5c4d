// The lock's users (A-USERS): names, credentials (never secrets), remote passwords.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, el, t, label, errorText, requestId, commandText, confirmDialog, toast } = window.SL;
  const path = "/devices/" + encodeURIComponent(document.body.dataset.deviceId);
  const list = document.getElementById("user-list");
  const message = document.getElementById("users-message");
  const device = await window.SL.device;
  const manage = device.ok && (device.data.role === "owner" || device.data.role === "admin");

  function field(id, text, input) {
    return [el("label", { for: id, text }), input];
  }

  function userCard(u) {
    const n = u.number;
    const title = (u.name ? u.name + " — " : "") + t("users.number", { number: n }) + " · " + label("users.type.", u.user_type);
    const card = el("li", { class: "card", "data-user": n, "data-testid": "user-" + n }, el("h3", { text: title }));
    if (manage) {
      const nameInput = el("input", { id: "user-" + n + "-name", value: u.name, maxlength: "100" });
      const rename = el("form", { class: "rename", novalidate: true },
        ...field("user-" + n + "-name", t("users.name"), nameInput),
        el("button", { type: "submit", id: "user-" + n + "-rename", text: t("users.rename") }));
      rename.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const r = await api("PATCH", path + "/users/" + n, { name: nameInput.value.trim() });
        message.textContent = r.ok ? t("common.saved") : errorText(r);
        if (r.ok) load();
      });
      card.append(rename);
    }
    card.append(el("h4", { text: t("users.credentials") }));
    const creds = el("ul", { class: "list" });
    if (!u.credentials.length) creds.append(el("li", { class: "empty", text: t("users.no_credentials") }));
    for (const c of u.credentials) {
      const text = label("cred.", c.type) + (c.duress ? " (" + t("users.duress") + ")" : "");
      const item = el("li", { class: "cred", "data-cred": c.id }, el("span", { text }));
      if (manage) {
        item.append(el("button", {
          type: "button", class: "danger", id: "cred-" + n + "-" + c.id + "-delete",
          "aria-label": t("users.delete_cred") + ": " + text + ", " + t("users.number", { number: n }),
          text: t("users.delete_cred"),
          onclick: async () => {
            if (!(await confirmDialog(t("users.delete_cred_confirm")))) return;
            const r = await api("DELETE", path + "/users/" + n + "/credentials/" + c.id + "?request_id=" + requestId());
            message.textContent = r.ok ? commandText(r.data) : errorText(r);
            toast(message.textContent);
          },
        }));
      }
      creds.append(item);
    }
    card.append(creds);
    if (manage) card.append(passwordForm(u), fingerprintForm(u));
    return card;
  }

  // D-FINGER-ENROL: the lock guides the person at the door; the credential shows up
  // here by itself (credential_added) once the module has stored the finger.
  function fingerprintForm(u) {
    const n = u.number;
    const has = (duress) => u.credentials.some((c) => c.type === "fingerprint" && c.duress === duress);
    const duress = el("input", { id: "user-" + n + "-fp-duress", type: "checkbox" });
    const note = el("p", { class: "hint", id: "user-" + n + "-fp-hint", text: t("users.fingerprint_hint") });
    const error = el("p", { class: "error", role: "alert", "data-testid": "user-" + n + "-fp-error" });
    const form = el("form", { novalidate: true, class: "fp", "aria-describedby": note.id },
      el("h4", { text: t("users.fingerprint") }),
      note,
      el("div", { class: "check" }, duress, el("label", { for: duress.id, text: t("users.fingerprint_duress") })),
      error,
      el("button", { type: "submit", id: "user-" + n + "-fp-enrol", text: t("users.enrol_fingerprint") }));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      if (has(duress.checked)) { error.textContent = t("users.has_fingerprint"); return; }
      const r = await api("POST", path + "/users/" + n + "/fingerprint", { request_id: requestId(), duress: duress.checked });
      if (!r.ok) { error.textContent = errorText(r); return; }
      message.textContent = commandText(r.data);
      toast(message.textContent);
    });
    return form;
  }

  function passwordForm(u) {
    const n = u.number;
    const hasPin = u.credentials.some((c) => c.type === "pin" && !c.duress);
    const pw = el("input", { id: "user-" + n + "-pw", type: "password", inputmode: "numeric", pattern: document.body.dataset.pinPattern, autocomplete: "new-password", required: true });
    const pw2 = el("input", { id: "user-" + n + "-pw2", type: "password", inputmode: "numeric", autocomplete: "new-password", required: true });
    const duress = el("input", { id: "user-" + n + "-duress", type: "checkbox" });
    const error = el("p", { class: "error", role: "alert", "data-testid": "user-" + n + "-pw-error" });
    const form = el("form", { novalidate: true, class: "pw" },
      el("h4", { text: hasPin ? t("users.change_password") : t("users.set_password") }),
      ...field("user-" + n + "-pw", t("users.new_password"), pw),
      ...field("user-" + n + "-pw2", t("users.new_password2"), pw2),
      el("div", { class: "check" }, duress, el("label", { for: "user-" + n + "-duress", text: t("users.duress_check") })),
      error,
      el("button", { type: "submit", class: "primary", id: "user-" + n + "-send", text: t("users.send") }));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      if (!new RegExp("^(?:" + document.body.dataset.pinPattern + ")$").test(pw.value)) { error.textContent = t("users.new_password"); return; }
      if (pw.value !== pw2.value) { error.textContent = t("users.pw_mismatch"); return; }
      const r = await api("PUT", path + "/users/" + n + "/password", { request_id: requestId(), password: pw.value, duress: duress.checked });
      pw.value = ""; pw2.value = "";
      if (!r.ok) { error.textContent = errorText(r); return; }
      message.textContent = commandText(r.data);
      toast(message.textContent);
    });
    return form;
  }

  async function load() {
    const r = await api("GET", path + "/users");
    list.replaceChildren();
    if (!r.ok) { message.textContent = errorText(r); return; }
    document.getElementById("users-empty").hidden = r.data.count > 0;
    r.data.data.forEach((u) => list.append(userCard(u)));
  }
  load();
  // Users added or changed at the lock's own menu arrive as journal events: the list
  // follows them live (a reload is not needed); typing in a form is not interrupted.
  const USER_KINDS = ["user_added", "user_deleted", "credential_added", "credential_deleted"];
  const source = new EventSource("/api/v1" + path + "/live");
  let pending = null;
  source.addEventListener("event", (m) => {
    const e = JSON.parse(m.data);
    if (e.kind === "fingerprint_enrol_failed" && e.user_number) {  // D-FINGER-ENROL
      const reason = label("finger_reason.", (e.data && e.data.reason) || "timeout");
      message.textContent = t("users.fingerprint_failed", { number: e.user_number, reason });
      toast(message.textContent);
      return;
    }
    if (!USER_KINDS.includes(e.kind) || !e.user_number) return;
    clearTimeout(pending);
    pending = setTimeout(function again() {
      const active = document.activeElement;
      if (active && active.tagName === "INPUT" && active.value && list.contains(active)) { pending = setTimeout(again, 1000); return; }
      load();
    }, 300);
  });
  window.addEventListener("pagehide", () => source.close());
});
