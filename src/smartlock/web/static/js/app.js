// Shared helpers of the web app: strings, the JSON API (cookie + CSRF), small DOM
// builders, toasts, confirmation, and the live unread badge. No framework on purpose.
"use strict";
(() => {
  const strings = JSON.parse(document.getElementById("i18n").textContent);
  const API = "/api/v1";

  function t(key, vars) {
    let text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    for (const [k, v] of Object.entries(vars || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  }
  function has(key) { return Object.prototype.hasOwnProperty.call(strings, key); }
  function cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }

  // Returns {ok, status, data}; never throws. 401 on a signed-in page goes to sign-in.
  async function api(method, path, body, opts) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = cookie("smartlock_csrf");
    let response;
    try {
      response = await fetch(API + path, {
        method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      return { ok: false, status: 0, data: { code: "network" } };
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    const ended = ["not_authenticated", "session_expired", "bad_token"].includes(data && data.code);
    if (response.status === 401 && ended && !(opts && opts.noRedirect)) {
      location.href = "/app/signin?next=" + encodeURIComponent(location.pathname + location.search);
    }
    return { ok: response.ok, status: response.status, data: data || {} };
  }

  function errorText(result) {
    const code = (result.data && result.data.code) || String(result.status);
    if (has("err." + code)) return t("err." + code);
    if (result.data && result.data.message) return result.data.message;
    return t("err.generic", { code });
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  const locale = document.documentElement.lang;
  function when(iso) {
    if (!iso) return t("common.none");
    return new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
  }
  function requestId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function label(prefix, value) {
    return has(prefix + value) ? t(prefix + value) : String(value).replace(/_/g, " ");
  }
  // Alarms stand out everywhere events are listed (A-NOTIFY kinds the user must act on).
  const ALARMS = ["intrusion", "tamper", "duress", "jammed", "critical_battery"];
  function isAlarm(e) { return ALARMS.includes(e.kind); }
  function valueText(name, value) {
    if (typeof value === "boolean") return value ? t("common.on") : t("common.off");
    if (name === "tz_offset_min") return tzText(Number(value));
    if (has("choice." + value)) return t("choice." + value);
    return String(value);
  }
  function tzText(minutes) {
    const sign = minutes < 0 ? "−" : "+";
    const m = Math.abs(minutes);
    return "UTC" + sign + String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
  }
  // Who did it, in words: a lock user, a visitor password's holder, the account that
  // sent a remote command (the records API names them), else nobody is shown.
  function whoText(e) {
    if (e.user_number) return e.user_name ? e.user_name + " (" + e.user_number + ")" : t("users.number", { number: e.user_number });
    if (e.holder) return t("records.visitor", { name: e.holder });
    if (e.actor) return t("records.by_account", { email: e.actor });
    if (e.method === "remote" || e.source === "remote") return t("records.by_app");
    return "";
  }
  function detailText(e) {
    const d = e.data || {};
    if ((e.kind === "setting_changed" || e.kind === "mode_changed") && d.name) {
      const name = has("setting." + d.name) ? t("setting." + d.name) : String(d.name);
      return d.value === undefined ? name : name + ": " + valueText(d.name, d.value);
    }
    if (e.kind === "remote_command" && d.action) {
      const what = label("action.", d.action);
      return d.ok === false ? t("records.cmd_refused", { what, reason: label("reason.", d.code || "") }) : t("records.cmd_done", { what });
    }
    if (e.kind.startsWith("firmware") && d.version) return String(d.version) + (d.reason ? " — " + label("reason.", d.reason) : "");
    return "";
  }
  function describeEvent(e) {
    const parts = [label("kind.", e.kind)];
    const detail = detailText(e);
    if (detail) parts.push(detail);
    const who = whoText(e);
    if (who) parts.push(who);
    if (e.method) parts.push(label("method.", e.method));
    return parts.join(" · ");
  }
  function commandText(cmd) {
    const reason = cmd.reason ? label("reason.", cmd.reason) : "";
    if (cmd.status === "done") return t("cmd.done");
    if (cmd.status === "refused") return t("cmd.refused", { reason });
    // The API stopped waiting, the lock may still run it: never "not delivered" (faults 4).
    if (cmd.status === "offline" && cmd.reason === "no_answer") return t("cmd.unconfirmed");
    if (cmd.status === "offline") return t("cmd.offline", { reason });
    return t("cmd.pending");
  }

  // Copy to the clipboard; where the page may not (plain http), select the text instead.
  async function copyText(text) {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* below */ }
    const area = el("textarea", { readonly: true, "aria-hidden": "true", class: "offscreen", tabindex: "-1" });
    area.value = text; document.body.append(area); area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

  let toastTimer = null;
  function toast(message) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => box.classList.remove("show"), 5000);
  }

  function confirmDialog(text) {
    const dialog = document.getElementById("confirm-dialog");
    document.getElementById("confirm-text").textContent = text;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.returnValue = "cancel";
      dialog.showModal();
      document.getElementById("confirm-no").focus();
    });
  }

  // The unread badge follows the notification stream; without that route it stays hidden.
  function followUnread() {
    const badge = document.getElementById("unread-badge");
    if (!badge || !window.EventSource) return;
    const source = new EventSource(API + "/notifications/live");
    let opened = false;
    const show = (n) => { badge.hidden = n <= 0; badge.textContent = String(n); badge.setAttribute("aria-label", t("notes.unread", { count: n })); };
    source.addEventListener("open", () => { opened = true; });
    source.addEventListener("unread", (m) => show(JSON.parse(m.data).unread));
    source.addEventListener("notification", (m) => {
      const n = JSON.parse(m.data);
      show((parseInt(badge.textContent, 10) || 0) + 1);
      const title = document.body.dataset.lang !== "en" && n.data && n.data.event_kind ? label("kind.", n.data.event_kind) : n.title;
      toast(t("notes.new", { title }));
      document.dispatchEvent(new CustomEvent("sl:notification", { detail: n }));
    });
    source.addEventListener("error", () => { if (!opened) source.close(); });
    window.addEventListener("pagehide", () => source.close());
  }

  async function deviceHeader(id) {
    const r = await api("GET", "/devices/" + encodeURIComponent(id));
    const title = document.getElementById("device-name");
    if (r.ok && title) { title.textContent = r.data.name; document.title = r.data.name + " · smartlock"; }
    if (r.ok) {
      // Offer only the sections the role may open (A-SHARE); the API enforces it anyway.
      const manage = ["users", "temp", "shares", "settings", "scenes"];
      const hidden = { viewer: manage, member: ["temp", "shares", "scenes"] }[r.data.role] || [];
      for (const s of hidden) { const tab = document.getElementById("tab-" + s); if (tab) tab.parentElement.hidden = true; }
    }
    return r;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const out = document.getElementById("signout");
    if (out) out.addEventListener("click", async () => {
      await api("POST", "/auth/logout", undefined, { noRedirect: true });
      location.href = "/app/signin";
    });
    followUnread();
    tabsHint();
  });

  // The lock's tab strip scrolls sideways on a phone: a fade and an arrow at the edge
  // that has more, and the current tab scrolled into view.
  function tabsHint() {
    const box = document.getElementById("tabs-scroll");
    if (!box) return;
    const list = document.getElementById("tab-list");
    const current = list.querySelector('[aria-current="page"]');
    if (current) list.scrollTo({ left: Math.max(0, current.offsetLeft - 24), behavior: "instant" });
    const update = () => {
      box.classList.toggle("more-right", list.scrollLeft + list.clientWidth < list.scrollWidth - 2);
      box.classList.toggle("more-left", list.scrollLeft > 2);
    };
    list.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  const deviceId = document.body.dataset.deviceId;
  const device = deviceId ? deviceHeader(deviceId) : null;  // every device page needs it
  window.SL = { t, has, api, errorText, el, when, requestId, label, describeEvent, detailText, whoText, isAlarm, valueText, tzText, commandText, toast, confirmDialog, device, copyText };
})();
