// The virtual lock panel: buttons become hardware actions, server-sent events redraw it.
"use strict";
(() => {
  const n = document.body.dataset.lock;
  const base = `/panel/${n}`;
  const $ = (id) => document.getElementById(id);
  const HOLD_S = 3.0;
  let state = null;
  let said = [];
  let saidTotal = 0;
  const SAID_SHOWN = 50;

  const lang = () => $("lang").value;
  $("lang").value = localStorage.getItem("smartlock-lang") || "en";
  $("speak").checked = localStorage.getItem("smartlock-speak") !== "off";
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";

  // Labels in the voice's language too (issue 16): English is in the page, 中文 here.
  const ZH = {
    "Virtual lock:": "虚拟门锁：", "Voice": "语言", "Speak prompts": "朗读提示", "Front (outside)": "正面（室外）",
    "Display": "显示屏", "Armed": "布防", "Low battery": "电量低", "Siren!": "警报！", "Keypad": "键盘",
    "Star (cancel)": "星号（取消）", "Hash (confirm)": "井号（确认）", "Doorbell": "门铃", "Arm": "布防",
    "Mechanical key": "机械钥匙", "Push handle": "推把手", "Camera": "摄像头", "Photo shown to the camera": "给摄像头看的照片",
    "Use webcam": "使用网络摄像头", "Stop webcam": "关闭网络摄像头", "Show a photo": "展示照片", "Nobody at the door": "门口没人",
    "Back (inside)": "背面（室内）", "Settings key": "设置键", "Hold settings key 3 s": "长按设置键 3 秒",
    "Unlock button": "开锁键", "Hold unlock button 3 s": "长按开锁键 3 秒",
    "Press and hold with the mouse or the space bar: the hold time is measured.": "用鼠标或空格键按住：会计算按住的时间。",
    "Turn the knob": "转动旋钮", "Pull handle": "拉把手", "Battery": "电池", "USB-C power plugged in": "已接 USB-C 电源",
    "Front panel forced off (tamper)": "前面板被撬开（防撬）", "Label under the battery cover": "电池盖下的标签",
    "Serial": "序列号", "Verification code": "验证码", "QR text": "二维码文字",
    "QR code of the label: scan it with the app's pairing page": "标签二维码：用 App 的配对页面扫描",
    "Door": "门", "Open the door": "开门", "Close the door": "关门", "The bolt jams": "锁舌卡住",
    "What the lock said": "门锁说过的话", "Locks": "门锁", "Prompt language": "提示语言",
    "Pairing mode": "配对模式", "Bound · online": "已绑定 · 在线", "Bound · offline": "已绑定 · 离线", "Not paired": "未配对",
    "connecting…": "连接中…", "Nobody in front of the camera": "摄像头前没有人",
    "Webcam on": "网络摄像头已开", "Photo shown": "正在展示照片", " · face recognition watching": " · 人脸识别工作中",
    " · face recognition asleep (touch the keypad)": " · 人脸识别休眠（触摸键盘唤醒）",
    "bolt thrown (locked)": "锁舌伸出（已上锁）", "bolt retracted (unlocked)": "锁舌缩回（未上锁）", "bolt jammed": "锁舌卡住",
    "Door open": "门开着", "Door closed": "门关着", " (charging)": "（充电中）", "the lock does not answer": "门锁没有响应",
    "Press the left little finger": "按下左手小指", "Press the left ring finger": "按下左手无名指", "Press the left middle finger": "按下左手中指", "Press the left index finger": "按下左手食指", "Press the left thumb finger": "按下左手拇指", "Press the right thumb finger": "按下右手拇指", "Press the right index finger": "按下右手食指", "Press the right middle finger": "按下右手中指", "Press the right ring finger": "按下右手无名指", "Press the right little finger": "按下右手小指",
    "Fingerprint sensor": "指纹传感器", "Fingers": "手指", "Wet or dirty finger (an unreadable press)": "手指潮湿或脏污（无法识别）",
    "Touch the sensor with one of ten fingers (L = left hand, R = right, 1 = thumb … 5 = little finger): each click is one press and lift.":
      "用十个手指之一触摸传感器（L = 左手，R = 右手，1 = 拇指 … 5 = 小指）：每点一次就是按下并抬起一次。",
    "Nothing said yet: the prompts appear here as the lock speaks.": "门锁还没有说话：语音提示会显示在这里。",
    "Ding-dong (doorbell chime)": "叮咚（门铃声）", "Beep (door left open or bolt jammed)": "嘀（门没关好或锁舌卡住）", "panel disconnected, retrying…": "面板已断开，正在重连…",
    "Armed LED": "布防指示灯", "Low-battery LED": "低电量指示灯", "on": "亮", "off": "灭",
  };
  const tr = (text) => (lang() === "zh" && ZH[text]) || text;
  const english = new WeakMap();
  function translatePage() {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("#said, #display, #prompt, dd, #lock-name, nav, option, script")) continue;
      if (!english.has(node)) english.set(node, node.textContent);
      const en = english.get(node);
      const key = en.trim();
      if (ZH[key]) node.textContent = en.replace(key, tr(key));
    }
    for (const e of document.querySelectorAll("[aria-label], img[alt]")) {
      for (const attr of ["aria-label", "alt"]) {
        if (!e.hasAttribute(attr) || e.id === "armed-led" || e.id === "battery-led") continue;
        const k = "en" + attr.replace("-", "");
        if (!e.dataset[k]) e.dataset[k] = e.getAttribute(attr);
        e.setAttribute(attr, tr(e.dataset[k]));
      }
    }
    document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  }

  function message(text) { $("message").textContent = text || ""; }

  // One action at a time, in order: "1", "2", "#" must reach the lock as typed.
  let queue = Promise.resolve();
  function act(body) { queue = queue.then(() => send(body)); return queue; }

  async function send(body) {
    message("");
    try {
      const r = await fetch(`${base}/act`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const j = await r.json().catch(() => ({}));
      if (!r.ok || j.ok === false) message(j.message || j.detail || `refused (${r.status})`);
    } catch (e) { message(tr("the lock does not answer")); }
  }

  // -- sound and speech --------------------------------------------------------------
  let audio = null;
  function tone(freq, ms) {
    try {
      audio = audio || new AudioContext();
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = freq; g.gain.value = 0.08;
      o.connect(g).connect(audio.destination); o.start(); o.stop(audio.currentTime + ms / 1000);
    } catch (e) { /* no audio: the text is enough */ }
  }
  function speak(line) {
    if (!$("speak").checked || !("speechSynthesis" in window)) return;
    const u = new SpeechSynthesisUtterance(line[lang()]);
    u.lang = lang() === "zh" ? "zh-CN" : "en-US";
    window.speechSynthesis.speak(u);
  }
  function showSaid() {
    const list = $("said");
    list.replaceChildren(...said.map((line) => {
      const li = document.createElement("li"); li.textContent = line[lang()]; return li;
    }));
    list.dataset.total = String(saidTotal);
    $("said-empty").hidden = said.length > 0;
    list.scrollTop = list.scrollHeight;
    $("prompt").textContent = said.length ? said[said.length - 1][lang()] : "";
  }

  // -- drawing the state -------------------------------------------------------------
  function led(el, on, name) {
    el.classList.toggle("on", on); el.setAttribute("aria-label", `${tr(name)} ${tr(on ? "on" : "off")}`);
  }
  function render(s) {
    state = s;
    $("display").textContent = s.display || "—";
    $("keypad").classList.toggle("awake", s.awake);
    led($("armed-led"), s.armed_led, "Armed LED");
    led($("battery-led"), s.low_battery_led, "Low-battery LED");
    $("siren").hidden = !s.siren;
    const bolt = tr({ thrown: "bolt thrown (locked)", retracted: "bolt retracted (unlocked)", jammed: "bolt jammed" }[s.bolt] || s.bolt);
    $("door-state").textContent = `${tr(s.door_open ? "Door open" : "Door closed")}${lang() === "zh" ? "，" : ", "}${bolt}`;
    if (document.activeElement !== $("battery")) $("battery").value = s.battery;
    $("battery-level").textContent = `${s.battery} %${s.charging ? tr(" (charging)") : ""}`;
    $("usb").checked = s.usb; $("tamper").checked = s.tamper; $("jam").checked = s.jam;
    $("serial").textContent = s.serial; $("code").textContent = s.code; $("qr").textContent = s.qr;
    if (s.qr_svg && $("qr-image").getAttribute("src") !== s.qr_svg) { $("qr-image").src = s.qr_svg; $("qr-image").hidden = false; }
    const badge = $("link-state");
    badge.className = "badge" + (s.pairing ? " pairing" : s.link ? " online" : "");
    badge.textContent = tr(s.pairing ? "Pairing mode" : s.bound ? (s.link ? "Bound · online" : "Bound · offline") : "Not paired");
    if (!saidTotal && s.said.length) { said = s.said.slice(); saidTotal = said.length; showSaid(); }
    if (!s.camera && !webcam) {
      $("camera-state").textContent = tr("Nobody in front of the camera");
    } else if (s.face_watch) {
      $("camera-state").textContent = tr(webcam ? "Webcam on" : "Photo shown") + tr(" · face recognition watching");
    } else {
      $("camera-state").textContent = tr(webcam ? "Webcam on" : "Photo shown") + tr(" · face recognition asleep (touch the keypad)");
    }
  }

  const events = new EventSource(`${base}/events`);
  events.addEventListener("state", (e) => render(JSON.parse(e.data)));
  events.addEventListener("say", (e) => {
    const line = JSON.parse(e.data);
    said.push(line); saidTotal += 1; said = said.slice(-SAID_SHOWN); showSaid(); speak(line);
  });
  // Sounds are shown too, for whoever has the sound off or cannot hear it.
  let soundTimer = null;
  function showSound(text) {
    $("sound").textContent = tr(text);
    clearTimeout(soundTimer);
    soundTimer = setTimeout(() => { $("sound").textContent = ""; }, 4000);
  }
  events.addEventListener("sound", (e) => {
    const s = JSON.parse(e.data);
    if (s.kind === "beep") { tone(2000, 150); showSound("Beep (door left open or bolt jammed)"); }
    if (s.kind === "chime") { tone(880, 250); setTimeout(() => tone(660, 350), 260); showSound("Ding-dong (doorbell chime)"); }
    if (s.kind === "siren" && s.value === "on") tone(1200, 600);
  });
  events.onerror = () => { $("link-state").textContent = tr("panel disconnected, retrying…"); };

  // -- controls ----------------------------------------------------------------------
  document.querySelectorAll("[data-key]").forEach((b) =>
    b.addEventListener("click", () => act({ action: "key", key: b.dataset.key })));
  document.querySelectorAll("[data-finger]").forEach((b) =>
    b.addEventListener("click", () => act({ action: "finger", finger: Number(b.dataset.finger), smudged: $("finger-smudged").checked })));
  document.querySelectorAll("[data-press]").forEach((b) =>
    b.addEventListener("click", () => act({ action: "button", button: b.dataset.press, held_s: 0.1 })));
  document.querySelectorAll("[data-mechanism]").forEach((b) =>
    b.addEventListener("click", () => act({ action: "mechanism", mechanism: b.dataset.mechanism })));
  document.querySelectorAll("[data-hold]").forEach((b) =>
    b.addEventListener("click", () => act({ action: "button", button: b.dataset.hold, held_s: HOLD_S })));

  // Press-and-hold: the hold time is measured on the button (mouse, touch or keyboard).
  document.querySelectorAll("button.hold").forEach((b) => {
    let down = null;
    const start = () => { if (down === null) { down = performance.now(); b.classList.add("held"); } };
    const end = () => {
      if (down === null) return;
      const held = (performance.now() - down) / 1000; down = null; b.classList.remove("held");
      act({ action: "button", button: b.dataset.button, held_s: Math.round(held * 100) / 100 });
    };
    b.addEventListener("pointerdown", (e) => { b.setPointerCapture?.(e.pointerId); start(); });
    b.addEventListener("pointerup", end);
    b.addEventListener("pointercancel", end);
    b.addEventListener("keydown", (e) => {
      if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); start(); }
    });
    b.addEventListener("keyup", (e) => { if (e.key === " " || e.key === "Enter") { e.preventDefault(); end(); } });
  });

  $("door-open").addEventListener("click", () => act({ action: "door", open: true }));
  $("door-close").addEventListener("click", () => act({ action: "door", open: false }));
  $("jam").addEventListener("change", (e) => act({ action: "jam", on: e.target.checked }));
  $("usb").addEventListener("change", (e) => act({ action: "usb", on: e.target.checked }));
  $("tamper").addEventListener("change", (e) => act({ action: "tamper", on: e.target.checked }));
  $("battery").addEventListener("input", (e) => { $("battery-level").textContent = `${e.target.value} %`; });
  $("battery").addEventListener("change", (e) => act({ action: "battery", level: Number(e.target.value) }));
  $("lang").addEventListener("change", () => {
    localStorage.setItem("smartlock-lang", lang());
    translatePage();
    if (state) render(state);
    showSaid();
  });
  translatePage();
  $("speak").addEventListener("change", (e) => localStorage.setItem("smartlock-speak", e.target.checked ? "on" : "off"));

  // Typing on the computer's keyboard presses the lock's keys (outside form fields).
  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("input, select, textarea, button")) return;
    if (/^[0-9*#]$/.test(e.key)) { e.preventDefault(); act({ action: "key", key: e.key }); }
  });

  // -- camera: a photo, or the webcam sampled a few times a second -------------------
  let webcam = null, sending = false, timer = null;
  async function sendImage(blob) {
    const r = await fetch(`${base}/camera`, { method: "POST", headers: { "Content-Type": blob.type || "image/jpeg" }, body: blob });
    if (!r.ok) { const j = await r.json().catch(() => ({})); message(j.message || j.detail || "the camera could not read that picture"); }
  }
  $("photo").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    stopWebcam(false);
    const img = $("cam-photo"); img.src = URL.createObjectURL(file); img.hidden = false;
    await sendImage(file);
  });
  async function clearCamera() { await fetch(`${base}/camera`, { method: "DELETE" }); }
  function stopWebcam(clear) {
    if (webcam) { webcam.getTracks().forEach((t) => t.stop()); webcam = null; }
    clearInterval(timer); timer = null;
    $("cam-video").hidden = true; $("webcam").setAttribute("aria-pressed", "false");
    $("webcam").textContent = tr("Use webcam");
    if (clear) clearCamera();
  }
  $("nobody").addEventListener("click", () => {
    stopWebcam(false); $("cam-photo").hidden = true; $("photo").value = ""; clearCamera();
  });
  $("webcam").addEventListener("click", async () => {
    if (webcam) { stopWebcam(true); return; }
    try {
      webcam = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    } catch (e) { message("no webcam (or permission refused): show a photo instead"); return; }
    const video = $("cam-video"); video.srcObject = webcam; video.hidden = false; await video.play();
    $("cam-photo").hidden = true;
    $("webcam").setAttribute("aria-pressed", "true"); $("webcam").textContent = tr("Stop webcam");
    const canvas = document.createElement("canvas");
    timer = setInterval(() => {
      if (sending || !video.videoWidth) return;
      canvas.width = 640; canvas.height = Math.round(640 * video.videoHeight / video.videoWidth);
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      sending = true;
      canvas.toBlob(async (blob) => { try { if (blob) await sendImage(blob); } finally { sending = false; } }, "image/jpeg", 0.8);
    }, 700);
  });
})();
