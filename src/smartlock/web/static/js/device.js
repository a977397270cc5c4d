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
      li.querySelector("span").textContent = on ? t("common.on") : t("common.off");
    }
    $("status-last-event").textContent = s.last_event ? describeEvent(s.last_event) + " — " + when(s.last_event.occurred_at) : t("common.none");
    const lock = $("status-lockout");
    lock.hidden = !s.lockout_until;
    if (s.lockout_until) lock.textContent = t("status.lockout", { time: when(s.lockout_until) });
  }

  function addEvent(e, atEnd) {
    const list = $("recent-events");
    const item = el("li", { "data-kind": e.kind }, el("time", { datetime: e.occurred_at, text: when(e.occurred_at) }), " ", describeEvent(e));
    if (atEnd) list.append(item); else list.prepend(item);
    while (list.children.length > 10) list.lastChild.remove();
  }

  const device = await window.SL.device;
  if (!device.ok) { $("status").replaceWith(el("p", { class: "error", role: "alert", text: errorText(device) })); return; }
  render(device.data.status);
  const unlockButton = $("remote-unlock");  // shown once its click handler is attached
  const recent = await api("GET", path + "/records?limit=10");
  if (recent.ok) recent.data.data.forEach((e) => addEvent(e, true));

  // Live: EventSource reconnects by itself; the indicator says whether we are current.
  const live = $("live-indicator");
  const source = new EventSource("/api/v1" + path + "/live");
  source.addEventListener("open", () => { live.textContent = t("status.live"); live.className = "pill ok"; live.dataset.live = "true"; });
  source.addEventListener("error", () => { live.textContent = t("status.reconnecting"); live.className = "pill off"; live.dataset.live = "false"; });
  source.addEventListener("status", (m) => { render(JSON.parse(m.data)); loadFirmware(); });
  source.addEventListener("event", (m) => addEvent(JSON.parse(m.data), false));
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
    if (!u) { state.textContent = ""; return; }
    const reason = u.reason ? label("reason.", u.reason) : "";
    state.textContent = t("firmware." + u.status, { version: u.version, reason });
    if (u.status === "installing" && !fwPoll) fwPoll = setTimeout(() => { fwPoll = null; loadFirmware(); }, 2000);
  }
  async function loadFirmware() {
    if (fwBusy) return;
    const f = await api("GET", path + "/firmware");
    if (f.ok) renderFirmware(f.data);
    else if (f.status === 404 && f.data.code !== "device_not_found") $("firmware-state").textContent = t("firmware.unavailable");
  }
  loadFirmware();
  let fwRequest = null;
  fwButton.addEventListener("click", async () => {
    fwRequest = fwRequest || requestId();  // a retry of the same tap is the same request
    fwButton.disabled = true;
    fwBusy = true;
    $("firmware-state").textContent = t("firmware.installing", { version: $("firmware-available").dataset.version });
    const r = await api("POST", path + "/firmware/update", { request_id: fwRequest });
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
  async function loadSnapshot() {
    if (!mayCamera) return;
    const list = await api("GET", path + "/snapshots");
    if (!list.ok || !list.data.data.length) return;
    const latest = list.data.data[0];
    const jpeg = await fetchJpeg(path + "/snapshots/" + latest.id + ".jpg");
    if (!jpeg) return;
    const img = $("doorbell-image");
    show(img, jpeg.blob);
    img.dataset.snapshotId = String(latest.id);
    $("doorbell-caption").textContent = t("camera.doorbell_at", { time: when(latest.taken_at) });
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
