// Visitor passwords (A-TEMP): online temp passwords sent to the lock (code shown once),
// and offline codes the lock checks by itself.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, el, t, label, when, errorText, requestId, confirmDialog, toast } = window.SL;
  const path = "/devices/" + encodeURIComponent(document.body.dataset.deviceId);
  const $ = (x) => document.getElementById(x);
  const form = $("temp-form");
  const pad = (n) => String(n).padStart(2, "0");
  const local = (d) => d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  const iso = (v) => new Date(v).toISOString();

  const now = new Date();
  form.valid_from.value = local(now);
  form.valid_until.value = local(new Date(now.getTime() + 24 * 3600 * 1000));
  form.uses.addEventListener("change", () => { $("temp-count-box").hidden = form.uses.value !== "n"; });

  // The code is shown once: share it now as a message with its validity (the phone's
  // share sheet where there is one, else copied), since the cloud does not keep it.
  const lockName = () => document.getElementById("device-name").textContent.trim();
  function shareText(info) {
    const uses = info.max_uses === null || info.max_uses === undefined ? t("share.uses_unlimited")
      : info.max_uses === 1 ? t("share.uses_once") : t("share.uses_n", { count: info.max_uses });
    return t(info.offline ? "share.message_offline" : "share.message", {
      name: info.name, lock: lockName(), code: info.code, from: when(info.valid_from), until: when(info.valid_until), uses,
    });
  }
  function showOnce(box, codeEl, code, info) {
    codeEl.textContent = code;
    box.hidden = false;
    const text = shareText({ ...info, code });
    const actions = box.querySelector(".share-box");
    const preview = box.querySelector(".share-text");
    preview.textContent = text;
    actions.replaceChildren(
      el("button", { type: "button", class: "primary", "data-testid": box.id + "-share", text: t("share.share"), onclick: async () => {
        if (navigator.share) { try { await navigator.share({ title: t("share.title"), text }); return; } catch (e) { /* cancelled */ } }
        toast((await window.SL.copyText(text)) ? t("share.copied") : t("share.copy_failed"));
      } }),
      el("button", { type: "button", "data-testid": box.id + "-copy", text: t("share.copy"), onclick: async () => {
        toast((await window.SL.copyText(text)) ? t("share.copied") : t("share.copy_failed"));
      } }),
      el("a", { class: "button", "data-testid": box.id + "-sms", href: "sms:?&body=" + encodeURIComponent(text), text: t("share.sms") }));
    box.focus();
  }

  function row(tp) {
    const max = tp.max_uses === null ? t("temp.unlimited") : tp.max_uses;
    const li = el("li", { class: "cred", "data-temp": tp.id, "data-state": tp.state },
      el("span", {},
        el("strong", { text: tp.name }), " · ",
        el("span", { text: t("temp.state", { state: label("tstate.", tp.state) }) }), " · ",
        el("span", { text: t("temp.used", { uses: tp.uses, max }) }), el("br"),
        el("span", { class: "hint", text: t("temp.window", { from: when(tp.valid_from), until: when(tp.valid_until) }) })));
    // A used-up, expired or revoked code has nothing left to edit or revoke.
    if (!["revoked", "revoking", "used_up", "expired", "failed"].includes(tp.state)) {
      li.append(el("span", {},
        el("button", { type: "button", text: t("temp.edit"), "aria-label": t("temp.edit") + ": " + tp.name, onclick: () => edit(tp) }),
        el("button", {
          type: "button", class: "danger", text: t("temp.revoke"), "aria-label": t("temp.revoke") + ": " + tp.name,
          onclick: async () => {
            if (!(await confirmDialog(t("temp.revoke") + ": " + tp.name + "?"))) return;
            const r = await api("DELETE", path + "/temp-passwords/" + tp.id + "?request_id=" + requestId());
            if (!r.ok) toast(errorText(r));
            load();
          },
        })));
    }
    return li;
  }

  async function load() {
    const r = await api("GET", path + "/temp-passwords");
    $("temp-list").replaceChildren();
    if (r.status === 404 && r.data.code !== "device_not_found") { $("temp-unavailable").hidden = false; }
    else if (!r.ok) { $("temp-unavailable").hidden = false; $("temp-unavailable").textContent = errorText(r); }
    else {
      $("temp-empty").hidden = r.data.count > 0;
      r.data.data.forEach((tp) => $("temp-list").append(row(tp)));
    }
    const o = await api("GET", path + "/offline-codes");
    $("offline-list").replaceChildren();
    if (o.ok) {
      $("offline-empty").hidden = o.data.count > 0;
      for (const c of o.data.data) {
        $("offline-list").append(el("li", { "data-offline": c.id },
          el("strong", { text: c.name }), " · ", label("offline.kind.", c.kind), el("br"),
          el("span", { class: "hint", text: t("temp.window", { from: when(c.valid_from), until: when(c.valid_until) }) })));
      }
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("temp-error").textContent = "";
    const body = {
      request_id: requestId(), name: form.name.value.trim(),
      valid_from: iso(form.valid_from.value), valid_until: iso(form.valid_until.value),
      max_uses: form.uses.value === "once" ? 1 : form.uses.value === "n" ? Number(form.count.value) : null,
    };
    if (form.code.value.trim()) body.code = form.code.value.trim();
    if (!body.name || !form.valid_from.value || !form.valid_until.value) { $("temp-error").textContent = t("err.invalid_request"); return; }
    const r = await api("POST", path + "/temp-passwords", body);
    if (!r.ok) { $("temp-error").textContent = errorText(r); return; }
    form.code.value = "";
    if (r.data.code) showOnce($("temp-once"), $("temp-once-code"), r.data.code, { name: body.name, valid_from: body.valid_from, valid_until: body.valid_until, max_uses: body.max_uses });
    if (r.data.reason) toast(t("remote.pending"));  // the lock's journal confirms it later
    load();
  });

  // Edit: the lock gets the password again; keep the code (type it) or draw a new one.
  const dialog = $("temp-edit-dialog");
  const editForm = $("temp-edit-form");
  let editing = null;
  function edit(tp) {
    editing = tp;
    editForm.name.value = tp.name;
    editForm.valid_until.value = local(new Date(tp.valid_until));
    editForm.count.value = tp.max_uses || "";
    editForm.unlimited.checked = tp.max_uses === null;
    editForm.code.value = ""; editForm.new_code.checked = false;
    $("edit-error").textContent = "";
    dialog.showModal();
  }
  $("edit-cancel").addEventListener("click", () => dialog.close());
  editForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { request_id: requestId(), name: editForm.name.value.trim(), valid_until: iso(editForm.valid_until.value), unlimited: editForm.unlimited.checked };
    if (!editForm.unlimited.checked && editForm.count.value) body.max_uses = Number(editForm.count.value);
    if (editForm.new_code.checked) body.new_code = true; else if (editForm.code.value.trim()) body.code = editForm.code.value.trim();
    const r = await api("PATCH", path + "/temp-passwords/" + editing.id, body);
    if (!r.ok) { $("edit-error").textContent = errorText(r); return; }
    dialog.close();
    if (r.data.code && body.new_code) showOnce($("temp-once"), $("temp-once-code"), r.data.code, { name: body.name, valid_from: editing.valid_from, valid_until: body.valid_until, max_uses: body.unlimited ? null : body.max_uses || editing.max_uses });
    load();
  });

  // Offline codes.
  const off = $("offline-form");
  off.kind.addEventListener("change", () => {
    $("offline-period").hidden = off.kind.value !== "period";
    $("offline-weekly").hidden = off.kind.value !== "weekly";
  });
  off.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("offline-error").textContent = "";
    const body = { name: off.name.value.trim(), kind: off.kind.value };
    if (body.kind === "period") body.hours = Number(off.hours.value);
    if (body.kind === "weekly") {
      body.days = Array.from(off.querySelectorAll("input[name=day]:checked"), (c) => Number(c.value));
      body.from_hour = Number(off.from_hour.value); body.to_hour = Number(off.to_hour.value);
      body.until = off.until.value ? new Date(off.until.value + "T23:59").toISOString() : null;
    }
    if (!body.name) { $("offline-error").textContent = t("err.invalid_request"); return; }
    const r = await api("POST", path + "/offline-codes", body);
    if (!r.ok) { $("offline-error").textContent = errorText(r); return; }
    if (r.data.code) showOnce($("offline-once"), $("offline-once-code"), r.data.code, { offline: true, name: body.name, valid_from: r.data.valid_from, valid_until: r.data.valid_until, max_uses: body.kind === "one_time" ? 1 : null });
    load();
  });
  load();
  // Uses come from the lock's journal: "used 2 of 2" without a reload.
  const source = new EventSource("/api/v1" + path + "/live");
  source.addEventListener("event", (m) => {
    const e = JSON.parse(m.data);
    const visitor = e.method === "temp_password" || e.method === "offline_code";
    if ((e.kind === "unlock" && visitor) || e.kind === "credential_added" || e.kind === "credential_deleted") load();
  });
  window.addEventListener("pagehide", () => source.close());
});
