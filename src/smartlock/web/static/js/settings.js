// Settings (A-SETTINGS): the shadow's desired/reported values, saved one change at a
// time against its version; values the lock has not applied yet show as pending.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, t, when, errorText, confirmDialog, toast } = window.SL;
  const id = document.body.dataset.deviceId;
  const path = "/devices/" + encodeURIComponent(id);
  const $ = (x) => document.getElementById(x);
  const form = $("settings-form");
  const message = $("settings-message");
  let version = 0;

  const device = await window.SL.device;
  if (!device.ok) { message.textContent = errorText(device); return; }
  const d = device.data;
  const manage = d.role === "owner" || d.role === "admin";
  $("settings-offline").hidden = d.status.online;
  $("net-online").textContent = d.status.online ? t("status.is_online") : t("status.is_offline");
  $("net-online").className = "pill " + (d.status.online ? "ok" : "off");
  $("net-seen").textContent = d.status.last_seen_at ? t("status.last_seen", { time: when(d.status.last_seen_at) }) : "";
  $("info-serial").textContent = d.serial;
  $("info-firmware").textContent = d.firmware || t("status.unknown");
  $("info-bound").textContent = when(d.bound_at);
  $("rename-name").value = d.name;

  function control(name) { return form.elements.namedItem(name); }
  function read(input) {
    if (input.type === "checkbox") return input.checked;
    if (input.type === "number" || input.dataset.type === "int") return Number(input.value);
    return input.value;
  }
  // Modes (armed, anti-lock, ...) show what the lock reports now (its status), not only
  // the shadow: a scene or the lock's menu may have switched one meanwhile.
  let modes = d.status.modes || {};
  const modeOf = (name) => { const box = form.querySelector('[data-setting="' + name + '"]'); return box && box.dataset.mode; };
  // Switches the user just changed and whose save is in flight: a status arriving
  // meanwhile (the live channel reloads the settings) must not flip them back.
  const saving = new Set();
  function write(input, value) {
    if (saving.has(input.name)) return;
    if (input.type === "checkbox") input.checked = Boolean(value); else input.value = String(value);
  }

  async function load() {
    const r = await api("GET", path + "/settings");
    if (!r.ok) { message.textContent = errorText(r); return false; }
    version = r.data.version;
    for (const box of form.querySelectorAll("[data-setting]")) {
      const name = box.dataset.setting;
      const input = control(name);
      const mode = box.dataset.mode;
      let value = name in r.data.desired ? r.data.desired[name] : r.data.reported[name];
      if (mode && mode in modes) value = modes[mode];
      if (value !== undefined) write(input, value);
      if (input.tagName === "SELECT" && value !== undefined && !saving.has(name) && input.value !== String(value)) {
        input.append(new Option(window.SL.valueText(name, value), String(value)));  // an offset not in the list
        input.value = String(value);
      }
      input.disabled = !manage;
      const pending = name in r.data.pending && !(mode && mode in modes && modes[mode] === r.data.pending[name]);
      $("setting-" + name + "-pending").hidden = !pending;
      box.dataset.pending = String(pending);
    }
    return true;
  }

  form.addEventListener("change", async (ev) => {
    const input = ev.target;
    if (!input.name) return;
    if (input.type === "number" && (!input.checkValidity() || input.value === "")) { message.textContent = errorText({ status: 422, data: { code: "invalid_request" } }); return; }
    saving.add(input.name);
    try { await save(input); } finally { saving.delete(input.name); }
    await load();
  });

  // One change to the lock: a mode as a command, any other setting in the shadow.
  async function save(input) {
    const mode = modeOf(input.name);
    if (mode) {  // a command: the lock acts now (or says why not), the shadow follows
      input.disabled = true;
      message.textContent = t("remote.pending");
      const r = await api("POST", path + "/modes", { request_id: window.SL.requestId(), mode, on: input.checked });
      input.disabled = false;
      if (!(r.ok && r.data.status === "offline")) {
        const reason = r.ok && r.data.reason ? window.SL.label("reason.", r.data.reason) : "";
        message.textContent = !r.ok ? errorText(r) : r.data.status === "done" ? t("common.saved") : t("remote.refused", { reason });
        if (r.ok && r.data.status === "done") modes = { ...modes, [mode]: input.checked };
        return;
      }
      modes = { ...modes };
      delete modes[mode];  // offline: the shadow takes it, the lock applies it on reconnect
    }
    const r = await api("PATCH", path + "/settings", { version, changes: { [input.name]: read(input) } });
    if (r.status === 409) { saving.delete(input.name); await load(); message.textContent = t("settings.conflict"); return; }
    message.textContent = r.ok ? t("common.saved") : errorText(r);
  }
  form.addEventListener("submit", (ev) => ev.preventDefault());
  await load();
  // The time zone: offer the phone's own as a one-tap choice.
  const tz = control("tz_offset_min");
  const tzButton = $("tz-browser");
  if (tz && tzButton && manage) {
    const mine = -new Date().getTimezoneOffset();
    tzButton.textContent = t("settings.tz_browser", { tz: window.SL.tzText(mine) });
    tzButton.hidden = Number(tz.value) === mine;
    tzButton.addEventListener("click", () => {
      if (![...tz.options].some((o) => o.value === String(mine))) tz.append(new Option(window.SL.tzText(mine), String(mine)));
      tz.value = String(mine);
      tz.dispatchEvent(new Event("change", { bubbles: true }));
      tzButton.hidden = true;
    });
  }

  // Settings the lock applied arrive on the live channel as a fresh status.
  const source = new EventSource("/api/v1" + path + "/live");
  source.addEventListener("status", (m) => {
    const s = JSON.parse(m.data);
    modes = s.modes || modes;
    $("settings-offline").hidden = s.online;
    $("net-online").textContent = s.online ? t("status.is_online") : t("status.is_offline");
    $("net-online").className = "pill " + (s.online ? "ok" : "off");
    load();
  });
  window.addEventListener("pagehide", () => source.close());

  // Per-lock notification switches (A-NOTIFY); hidden if the server lacks them.
  const switches = await api("GET", path + "/notification-switches");
  if (!switches.ok) { $("notify-unavailable").hidden = false; $("notify-switches").hidden = true; }
  else {
    // A kind never switched is on (the server lists only the ones set).
    for (const box of $("notify-switches").querySelectorAll("input")) {
      box.checked = switches.data.kinds[box.name] !== false;
      box.disabled = false;
    }
    $("notify-switches").addEventListener("change", async (ev) => {
      const r = await api("PATCH", path + "/notification-switches", { kinds: { [ev.target.name]: ev.target.checked } });
      message.textContent = r.ok ? t("common.saved") : errorText(r);
    });
  }

  $("rename-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("PATCH", path, { name: $("rename-name").value.trim() });
    message.textContent = r.ok ? t("common.saved") : errorText(r);
    if (r.ok) { $("device-name").textContent = r.data.name; await load(); }  // the name moved the version
  });
  const del = $("delete-device");  // hidden in the page until this handler is attached
  del.addEventListener("click", async () => {
    if (!(await confirmDialog(t("settings.delete_confirm")))) return;
    const r = await api("DELETE", path);
    if (!r.ok) { message.textContent = errorText(r); return; }
    toast(t("common.saved"));
    location.href = "/app/";
  });
  del.hidden = d.role !== "owner";
});
