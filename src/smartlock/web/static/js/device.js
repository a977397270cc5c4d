// Device page: live status over server-sent events (A-STATUS), remote unlock with
// re-confirmation (A-REMOTE), the firmware version with a signed update (A-OTA), and
// the latest doorbell picture and the live view (A-LIVE: faces masked on the lock).
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, el, t, label, when, describeEvent, errorText, requestId } = window.SL;
  const id = document.body.dataset.deviceId;
  const path = "/devices/" + encodeURIComponent(id);
  const $ = (x) => document.getElementById(x);

  function render(s) {
    const online = $("status-online");
    online.textContent = s.online ? t("status.is_online") : t("status.is_offline");
    online.className = "pill " + (s.online ? "ok" : "off");
    online.dataset.online = String(s.online);
    $("status-last-seen").textContent = !s.online && s.last_seen_at ? t("status.last_seen", { time: when(s.last_seen_at) }) : "";
    const door = $("status-door");
    door.textContent = s.door ? label("door.", s.door) : t("status.unknown");
    door.dataset.door = s.door || "";
    door.className = "door door-" + (s.door || "unknown");
    $("status-battery").textContent = s.battery === null ? t("status.unknown") : s.battery + " %";
    $("battery-meter").value = s.battery || 0;
    for (const li of $("status-modes").children) {
      const on = Boolean(s.modes[li.dataset.mode]);
      li.dataset.on = String(on);
      const sw = li.querySelector("button");
      sw.setAttribute("aria-checked", String(on));
      sw.querySelector(".switch-state").textContent = on ? t("common.on") : t("common.off");
    }
    lastStatus = s;
    showAlarm();
    showRemote();
    $("status-last-event").textContent = s.last_event ? describeEvent(s.last_event) + " — " + when(s.last_event.occurred_at) : t("common.none");
    const lock = $("status-lockout");
    lock.hidden = !s.lockout_until;
    if (s.lockout_until) lock.textContent = t("status.lockout", { time: when(s.lockout_until) });
  }

  let lastStatus = null;
  const seen = [];  // events of this page, newest first (alarm banner, doorbell)
  // A settings change or an accepted command is bookkeeping: the change itself shows
  // (as "Setting changed · Armed: On"), so "Remote command" rows stay out of the list.
  const routine = (e) => e.kind === "remote_command" && e.data && e.data.ok !== false;
  function addEvent(e, atEnd) {
    if (atEnd) seen.push(e); else seen.unshift(e);
    if (routine(e)) return;
    const list = $("recent-events");
    const alarm = window.SL.isAlarm(e);
    const item = el("li", { "data-kind": e.kind, class: alarm ? "event alarm" : "event" },
      alarm ? el("span", { class: "tag-alarm", text: t("alarm.tag") }) : null,
      el("time", { datetime: e.occurred_at, text: when(e.occurred_at) }), " ", describeEvent(e));
    if (atEnd) list.append(item); else list.prepend(item);
    while (list.children.length > 10) list.lastChild.remove();
  }

  // The alarm banner (siren, tamper, duress, intrusion): the newest alarm of the last
  // hour that no disarm followed and this browser did not dismiss; a reported tamper
  // switch too. Disarm switches armed off on the lock, which stops the intrusion siren.
  const ALARM_KINDS = ["intrusion", "tamper", "duress"];
  const HOUR = 3600 * 1000;
  function dismissedKey() { return "sl-alarm-dismissed-" + id; }
  function currentAlarm() {
    for (const e of seen) {
      if (e.kind === "mode_changed" && e.data && e.data.name === "armed" && e.data.value === false) return null;
      if (ALARM_KINDS.includes(e.kind)) {
        if (Date.now() - Date.parse(e.occurred_at) > HOUR) return null;
        if (localStorage.getItem(dismissedKey()) === String(e.id)) return null;
        return e;
      }
    }
    if (lastStatus && lastStatus.tamper) return { kind: "tamper", id: "switch", occurred_at: lastStatus.state_at };
    return null;
  }
  function showAlarm() {
    const banner = $("alarm-banner");
    const a = currentAlarm();
    banner.hidden = !a;
    if (!a) return;
    banner.dataset.kind = a.kind;
    $("alarm-title").textContent = t("alarm.title." + a.kind);
    $("alarm-text").textContent = t("alarm.text." + a.kind, { time: when(a.occurred_at) });
    $("alarm-disarm").hidden = !(manage && lastStatus && lastStatus.modes.armed);
  }
  $("alarm-dismiss").addEventListener("click", () => {
    const a = currentAlarm();
    if (a) localStorage.setItem(dismissedKey(), String(a.id));
    $("alarm-banner").hidden = true;
    $("status-heading").focus();
  });

  const device = await window.SL.device;
  if (!device.ok) { $("status").replaceWith(el("p", { class: "error", role: "alert", text: errorText(device) })); return; }
  const manage = device.data.role === "owner" || device.data.role === "admin";
  const unlockButton = $("remote-unlock");  // shown once its click handler is attached
  // Remote unlock says before the password when it cannot work (switched off, anti-lock).
  let remoteEnabled = null;
  function showRemote() {
    if (!unlockButton || device.data.role === "viewer") return;
    const anti = lastStatus && lastStatus.modes.anti_lock;
    const off = remoteEnabled === false;
    const box = $("remote-off");
    unlockButton.classList.toggle("primary", !(off || anti));
    unlockButton.dataset.available = String(!(off || anti));
    box.hidden = !(off || anti);
    box.replaceChildren();
    if (off) {
      box.append(t("remote.off"), " ");
      if (manage) box.append(el("a", { href: "/app/devices/" + encodeURIComponent(id) + "/settings#setting-remote_unlock", text: t("remote.turn_on") }));
    } else if (anti) box.append(t("remote.anti_lock"));
  }
  const settingsRead = await api("GET", path + "/settings");
  if (settingsRead.ok) {
    const sr = settingsRead.data;
    remoteEnabled = Boolean("remote_unlock" in sr.reported ? sr.reported.remote_unlock : sr.desired.remote_unlock);
  }
  const recent = await api("GET", path + "/records?limit=30");
  if (recent.ok) recent.data.data.forEach((e) => addEvent(e, true));
  render(device.data.status);

  // Modes: switches for the owner and admins (a command each, answered by the lock).
  $("modes-hint").hidden = manage;
  for (const li of $("status-modes").children) {
    const sw = li.querySelector("button");
    sw.disabled = !manage;
    if (!manage) continue;
    sw.addEventListener("click", () => switchMode(li.dataset.mode, sw.getAttribute("aria-checked") !== "true", $("modes-result")));
  }
  async function switchMode(mode, on, out) {
    const sw = $("mode-" + mode);
    sw.disabled = true;
    out.textContent = t("remote.pending");
    const r = await api("POST", path + "/modes", { request_id: requestId(), mode, on });
    sw.disabled = false;
    if (!r.ok) { out.textContent = errorText(r); return r; }
    const reason = r.data.reason ? label("reason.", r.data.reason) : "";
    out.dataset.status = r.data.status;
    out.textContent = r.data.status === "done" ? t("status.mode_done", { mode: t("mode." + mode), state: on ? t("common.on") : t("common.off") })
      : r.data.status === "refused" ? t("remote.refused", { reason }) : t("remote.offline", { reason });
    return r;
  }
  $("alarm-disarm").addEventListener("click", async () => {
    const r = await switchMode("armed", false, $("alarm-result"));
    if (r.ok && r.data.status === "done") { $("alarm-banner").hidden = true; $("status-heading").focus(); }
  });

  // Live: EventSource reconnects by itself; the indicator says whether we are current.
  const live = $("live-indicator");
  const source = new EventSource("/api/v1" + path + "/live");
  source.addEventListener("open", () => { live.textContent = t("status.live"); live.className = "pill ok"; live.dataset.live = "true"; });
  source.addEventListener("error", () => { live.textContent = t("status.reconnecting"); live.className = "pill off"; live.dataset.live = "false"; });
  source.addEventListener("status", (m) => { render(JSON.parse(m.data)); loadFirmware(); });
  source.addEventListener("event", (m) => {
    const e = JSON.parse(m.data);
    addEvent(e, false);
    showAlarm();
    if (e.kind === "doorbell") { lastRing = e.occurred_at; loadSnapshot(); }
    if (e.kind === "setting_changed" && e.data && e.data.name === "remote_unlock") { remoteEnabled = Boolean(e.data.value); showRemote(); }
  });
  source.addEventListener("snapshot", (m) => { if (JSON.parse(m.data).kind === "doorbell") loadSnapshot(); });
  // A remote unlock the lock answered after the app stopped waiting ("sent, not
  // confirmed"): show what the lock did (faults 4).
  source.addEventListener("command", (m) => {
    const c = JSON.parse(m.data);
    if (c.id !== unconfirmedId) return;
    unconfirmedId = null;
    result.dataset.status = c.status;
    result.textContent = c.status === "done" ? t("remote.done_late") : t("remote.refused_late");
  });
  source.addEventListener("revoked", () => { source.close(); $("status-revoked").hidden = false; unlockButton.hidden = true; });
  window.addEventListener("pagehide", () => source.close());

  // Firmware (A-OTA): what runs, what the vendor signed that is newer, the last attempt.
  const mayUpdate = device.data.role === "owner" || device.data.role === "admin";
  const fwButton = $("firmware-update");
  let fwPoll = null;
  let fwBusy = false;
  function renderFirmware(f) {
    $("firmware-current").textContent = f.current || t("status.unknown");
    const avail = $("firmware-available");
    const notes = $("firmware-notes");
    avail.hidden = false;
    avail.dataset.version = f.available ? f.available.version : "";
    avail.textContent = f.available ? t("firmware.available", { version: f.available.version }) : t("firmware.up_to_date");
    notes.hidden = !(f.available && f.available.notes);
    notes.textContent = f.available && f.available.notes ? t("firmware.notes", { notes: f.available.notes }) : "";
    fwButton.hidden = !(mayUpdate && f.available);
    const state = $("firmware-state");
    const u = f.update;
    state.dataset.status = u ? u.status : "";
    state.dataset.stage = u && u.stage ? u.stage : "";
    progress(u && u.status === "installing" ? "installing" : null, u);
    if (!u) { state.textContent = ""; return; }
    const reason = u.reason ? label("reason.", u.reason) : "";
    // A-OTA-STATUS: while the lock works, say which step (bytes written, trial).
    const step = u.status === "installing" && ["writing", "verifying", "trial"].includes(u.stage) ? u.stage : u.status;
    const percent = u.size ? Math.floor((100 * (u.written || 0)) / u.size) : 0;
    state.textContent = t("firmware." + step, { version: u.version, reason, percent, from: u.from_version });
    state.className = u.status === "installed" ? "ok-text" : u.status === "installing" ? "" : "error";
    if (u.status === "installing") fwButton.hidden = true;
    if (u.status === "installing" && !fwPoll) fwPoll = setTimeout(() => { fwPoll = null; loadFirmware(); }, 2000);
  }
  async function loadFirmware() {
    const f = await api("GET", path + "/firmware");
    // While the app's own request waits, only the lock's progress is news.
    if (fwBusy) { if (f.ok && f.data.update && f.data.update.status === "installing") renderFirmware(f.data); return; }
    if (f.ok) renderFirmware(f.data);
    else if (f.status === 404 && f.data.code !== "device_not_found") $("firmware-state").textContent = t("firmware.unavailable");
  }
  loadFirmware();
  // The bar shows the bytes the lock has written to its other slot (A-OTA-STATUS); it
  // runs indeterminate before the lock reports them and while the new firmware is on trial.
  function progress(step, u) {
    const box = $("firmware-progress-box");
    const bar = $("firmware-progress");
    box.hidden = !step;
    if (step === "sending") bar.value = 10;
    else if (step === "installing" && u && u.stage === "writing" && u.size) bar.value = Math.floor((100 * (u.written || 0)) / u.size);
    else if (step === "installing" && u && u.stage === "verifying") bar.value = 100;
    else if (step === "installing") bar.removeAttribute("value");
    bar.dataset.step = step || "";
  }
  let fwRequest = null;
  fwButton.addEventListener("click", () => {
    $("firmware-confirm-text").textContent = t("firmware.confirm_text", { from: $("firmware-current").textContent, version: $("firmware-available").dataset.version });
    $("firmware-dialog").returnValue = "cancel";
    $("firmware-dialog").showModal();
    $("firmware-cancel").focus();
  });
  $("firmware-dialog").addEventListener("close", async () => {
    if ($("firmware-dialog").returnValue !== "ok") { fwButton.focus(); return; }
    fwRequest = fwRequest || requestId();  // a retry of the same tap is the same request
    progress("sending");
    fwButton.disabled = true;
    fwBusy = true;
    $("firmware-state").textContent = t("firmware.installing", { version: $("firmware-available").dataset.version });
    const watch = setInterval(loadFirmware, 1000);  // the lock's progress while the request waits
    const r = await api("POST", path + "/firmware/update", { request_id: fwRequest });
    clearInterval(watch);
    fwBusy = false;
    fwButton.disabled = false;
    if (r.status !== 0) fwRequest = null;
    if (r.ok) renderFirmware(r.data);
    else { $("firmware-state").textContent = errorText(r); loadFirmware(); }
  });

  // Doorbell picture and live view (A-LIVE). Every picture was made on the lock with
  // every face masked (D-PRIV); viewers get neither (the API says 403 to them).
  const mayCamera = device.data.role !== "viewer";
  $("camera").hidden = !mayCamera;
  const shown = {};  // the object URL each <img> shows now
  function show(img, blob) {
    if (shown[img.id]) URL.revokeObjectURL(shown[img.id]);
    shown[img.id] = URL.createObjectURL(blob);
    img.src = shown[img.id];
    img.hidden = false;
  }
  async function fetchJpeg(url) {
    try {
      const r = await fetch("/api/v1" + url, { credentials: "same-origin", cache: "no-store" });
      return r.ok ? { blob: await r.blob(), at: r.headers.get("X-Taken-At") } : null;
    } catch (e) { return null; }
  }
  // The newest ring may have come without a picture (switched off, camera busy): then
  // the card says so, and an older picture is labelled as the earlier one it is.
  const firstRing = seen.find((e) => e.kind === "doorbell");
  let lastRing = firstRing ? firstRing.occurred_at : null;
  const RING_SKEW = 30 * 1000;  // a ring's picture is taken within seconds of it
  async function loadSnapshot() {
    if (!mayCamera) return;
    const list = await api("GET", path + "/snapshots");
    const latest = list.ok && list.data.data.find((x) => x.kind === "doorbell" || !x.kind);
    const img = $("doorbell-image");
    const caption = $("doorbell-caption");
    const ringNewer = lastRing && (!latest || Date.parse(lastRing) - Date.parse(latest.taken_at) > RING_SKEW);
    img.classList.toggle("stale", Boolean(ringNewer));
    caption.dataset.state = ringNewer ? "no_picture" : latest ? "picture" : "none";
    if (!latest) {
      caption.textContent = lastRing ? t("camera.rang_no_picture", { time: when(lastRing) }) : t("camera.none");
      return;
    }
    if (img.dataset.snapshotId !== String(latest.id)) {
      const jpeg = await fetchJpeg(path + "/snapshots/" + latest.id + ".jpg");
      if (!jpeg) return;
      show(img, jpeg.blob);
      img.dataset.snapshotId = String(latest.id);
    }
    caption.textContent = ringNewer
      ? t("camera.rang_no_picture", { time: when(lastRing) }) + " " + t("camera.earlier_picture", { time: when(latest.taken_at) })
      : t("camera.doorbell_at", { time: when(latest.taken_at) });
    img.alt = ringNewer ? t("camera.alt_earlier") : t("camera.alt");
  }
  loadSnapshot();

  const liveButton = $("live-button");
  let liveTimer = null;
  let liveUntil = 0;
  let liveSince = "";
  let liveRequest = null;
  async function liveTick() {
    const jpeg = await fetchJpeg(path + "/live-view.jpg");
    if (jpeg && jpeg.at && jpeg.at >= liveSince) {
      show($("live-image"), jpeg.blob);
      $("live-state").textContent = t("camera.live_running", { time: when(jpeg.at) });
      $("live-state").dataset.state = "running";
    }
    if (Date.now() >= liveUntil) {
      clearInterval(liveTimer);
      liveTimer = null;
      liveButton.disabled = false;
      $("live-state").textContent = t("camera.live_ended");
      $("live-state").dataset.state = "ended";
    }
  }
  liveButton.addEventListener("click", async () => {
    liveRequest = liveRequest || requestId();  // a retry of the same tap is the same request
    liveButton.disabled = true;
    $("live-state").textContent = t("camera.live_starting");
    $("live-state").dataset.state = "starting";
    liveSince = new Date(Date.now() - 5000).toISOString().slice(0, 19);  // a little clock skew
    const r = await api("POST", path + "/live-view", { request_id: liveRequest, seconds: 30 });
    if (r.status !== 0) liveRequest = null;
    const reason = r.ok && r.data.reason ? label("reason.", r.data.reason) : "";
    if (!r.ok || r.data.status !== "done") {
      liveButton.disabled = false;
      $("live-state").dataset.state = "failed";
      $("live-state").textContent = !r.ok ? errorText(r)
        : r.data.status === "refused" ? t("camera.live_refused", { reason }) : t("camera.live_offline", { reason });
      return;
    }
    liveUntil = Date.parse(r.data.until);
    $("live-state").textContent = t("camera.live_waiting");
    $("live-state").dataset.state = "waiting";
    if (!liveTimer) liveTimer = setInterval(liveTick, 1000);
    liveTick();
  });
  window.addEventListener("pagehide", () => { if (liveTimer) clearInterval(liveTimer); });

  // Remote unlock: a dialog that asks for the account password again.
  const dialog = $("unlock-dialog");
  const form = $("unlock-form");
  const result = $("remote-result");
  unlockButton.addEventListener("click", () => {
    if (unlockButton.dataset.available === "false") { $("remote-off").focus(); result.textContent = $("remote-off").textContent; return; }
    $("unlock-error").textContent = "";
    $("unlock-password").value = "";
    dialog.showModal();
    $("unlock-password").focus();
  });
  $("unlock-cancel").addEventListener("click", () => dialog.close());
  unlockButton.hidden = device.data.role === "viewer";
  let pendingId = null;
  let unconfirmedId = null;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const password = $("unlock-password").value;
    if (!password) { $("unlock-error").textContent = t("remote.password"); return; }
    pendingId = pendingId || requestId();  // a retry of the same tap is the same request
    $("unlock-confirm").disabled = true;
    const r = await api("POST", path + "/unlock", { request_id: pendingId, password });
    $("unlock-confirm").disabled = false;
    if (!r.ok) {
      $("unlock-error").textContent = r.data.code === "bad_credentials" ? t("err.confirmation_failed") : errorText(r);
      if (r.status !== 0) pendingId = null;
      return;
    }
    pendingId = null;
    dialog.close();
    const reason = r.data.reason ? label("reason.", r.data.reason) : "";
    result.dataset.status = r.data.status;
    const unconfirmed = r.data.status === "offline" && r.data.reason === "no_answer";
    unconfirmedId = unconfirmed ? r.data.id : null;
    result.textContent = r.data.status === "done" ? t("remote.done")
      : r.data.status === "refused" ? t("remote.refused", { reason })
      : unconfirmed ? t("remote.unconfirmed")
      : r.data.status === "offline" ? t("remote.offline", { reason }) : t("remote.pending");
    unlockButton.focus();
  });
});
