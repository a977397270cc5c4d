// Pairing (D-PAIR): serial + code form, or the label's QR code through the camera
// with the browser's BarcodeDetector; the form is the fallback everywhere.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, errorText, t, toast } = window.SL;
  const form = document.getElementById("pair-form");
  const error = document.getElementById("pair-error");

  // The label's QR text is "smartlock:<serial>:<code>" (link.pairing.Label.qr_text).
  function fill(text) {
    const m = /^smartlock:([A-Za-z0-9_-]+):([A-Za-z0-9 -]+)$/.exec(text.trim());
    if (!m) return false;
    form.serial.value = m[1];
    form.code.value = m[2];
    return true;
  }
  form.serial.addEventListener("change", () => { if (fill(form.serial.value)) form.name.focus(); });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const body = { serial: form.serial.value.trim(), code: form.code.value.trim(), name: form.name.value.trim() || t("pair.name_default") };
    if (!body.serial || !body.code) { error.textContent = t("err.invalid_request"); return; }
    const r = await api("POST", "/devices", body);
    if (!r.ok) {
      error.textContent = r.status === 422 ? t("err.pairing_failed") : errorText(r);
      form.code.focus();
      return;
    }
    toast(t("pair.done"));
    location.href = "/app/devices/" + encodeURIComponent(r.data.id);
  });

  const button = document.getElementById("scan-qr");
  const video = document.getElementById("scan-video");
  const status = document.getElementById("scan-status");
  let stream = null;
  function stop() {
    if (stream) stream.getTracks().forEach((tr) => tr.stop());
    stream = null; video.hidden = true; button.textContent = t("pair.scan");
  }
  button.addEventListener("click", async () => {
    if (stream) { stop(); return; }
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { status.textContent = t("pair.scan_unsupported"); form.serial.focus(); return; }
    let detector;
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); }
    catch (e) { status.textContent = t("pair.scan_unsupported"); return; }
    try { stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }); }
    catch (e) { status.textContent = t("pair.scan_denied"); form.serial.focus(); return; }
    video.srcObject = stream; video.hidden = false; await video.play();
    button.textContent = t("pair.scan_stop");
    const tick = async () => {
      if (!stream) return;
      try {
        for (const code of await detector.detect(video)) {
          if (fill(code.rawValue)) { stop(); status.textContent = t("pair.scan_found"); form.name.focus(); return; }
        }
      } catch (e) { /* a frame that is not ready yet */ }
      setTimeout(tick, 250);
    };
    tick();
  });
});
