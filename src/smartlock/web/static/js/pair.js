// Pairing (D-PAIR): serial + code form, or the label's QR code through the camera
// with the browser's BarcodeDetector; the form is the fallback everywhere.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, errorText, t, toast } = window.SL;
  const form = document.getElementById("pair-form");
  const status = document.getElementById("scan-status");
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

  // A photo of the label (or a camera frame) is read by the server (OpenCV): every
  // browser can pair from the QR, with or without BarcodeDetector.
  function csrf() {
    const hit = document.cookie.split("; ").find((c) => c.startsWith("smartlock_csrf="));
    return hit ? decodeURIComponent(hit.slice(15)) : "";
  }
  async function decode(blob) {
    try {
      const r = await fetch("/app/pair/decode", { method: "POST", body: blob, credentials: "same-origin",
        headers: { "Content-Type": blob.type || "application/octet-stream", "X-CSRF-Token": csrf() } });
      if (!r.ok) return null;
      return (await r.json()).text;
    } catch (e) { return null; }
  }
  const file = document.getElementById("scan-file");
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    status.textContent = t("pair.reading");
    const text = await decode(file.files[0]);
    file.value = "";
    if (text && fill(text)) { status.textContent = t("pair.scan_found"); form.name.focus(); }
    else { status.textContent = text ? t("pair.not_ours") : t("pair.no_qr"); }
  });
  function frame() {
    const canvas = document.getElementById("scan-canvas");
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  }

  const button = document.getElementById("scan-qr");
  const video = document.getElementById("scan-video");
  let stream = null;
  function stop() {
    if (stream) stream.getTracks().forEach((tr) => tr.stop());
    stream = null; video.hidden = true; button.textContent = t("pair.scan");
  }
  button.addEventListener("click", async () => {
    if (stream) { stop(); return; }
    if (!navigator.mediaDevices) { status.textContent = t("pair.scan_unsupported"); form.serial.focus(); return; }
    let detector = null;  // the browser's own where it has one, else the server reads frames
    try { if ("BarcodeDetector" in window) detector = new window.BarcodeDetector({ formats: ["qr_code"] }); }
    catch (e) { detector = null; }
    try { stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }); }
    catch (e) { status.textContent = t("pair.scan_denied"); form.serial.focus(); return; }
    video.srcObject = stream; video.hidden = false; await video.play();
    button.textContent = t("pair.scan_stop");
    const tick = async () => {
      if (!stream) return;
      try {
        const texts = detector ? (await detector.detect(video)).map((c) => c.rawValue)
          : video.videoWidth ? [await decode(await frame())] : [];
        for (const text of texts) {
          if (text && fill(text)) { stop(); status.textContent = t("pair.scan_found"); form.name.focus(); return; }
        }
      } catch (e) { /* a frame that is not ready yet */ }
      setTimeout(tick, detector ? 250 : 700);
    };
    tick();
  });
});
