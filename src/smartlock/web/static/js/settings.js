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
    if (input.type === "number") return Number(input.value);
    return input.value;
  }
  function write(input, value) {
    if (input.type === "checkbox") input.checked = Boolean(value); else input.value = String(value);
  }

  async function load() {
    const r = await api("GET", path + "/settings");
    if (!r.ok) { message.textContent = errorText(r); return false; }
    version = r.data.version;
    for (const box of form.querySelectorAll("[data-setting]")) {
      const name = box.dataset.setting;
      const input = control(name);
      const value = name in r.data.desired ? r.data.desired[name] : r.data.reported[name];
      if (value !== undefined) write(input, value);
      input.disabled = !manage;
      const pending = name in r.data.pending;
      $("setting-" + name + "-pending").hidden = !pending;
      box.dataset.pending = String(pending);
    }
    return true;
  }

  form.addEventListener("change", async (ev) => {
    const input = ev.target;
    if (!input.name) return;
    if (input.type === "number" && (!input.checkValidity() || input.value === "")) { message.textContent = errorText({ status: 422, data: { code: "invalid_request" } }); return; }
    const r = await api("PATCH", path + "/settings", { version, changes: { [input.name]: read(input) } });
    if (r.status === 409) { await load(); message.textContent = t("settings.conflict"); return; }
    if (!r.ok) { message.textContent = errorText(r); await load(); return; }
    message.textContent = t("common.saved");
    await load();
  });
  form.addEventListener("submit", (ev) => ev.preventDefault());
  load();

  // Settings the lock applied arrive on the live channel as a fresh status.
  const source = new EventSource("/api/v1" + path + "/live");
  source.addEventListener("status", (m) => {
    const s = JSON.parse(m.data);
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
