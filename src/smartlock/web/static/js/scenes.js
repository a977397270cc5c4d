// Smart scenes (A-SCENE): list, create "when <trigger> [and <condition>] then <actions>",
// run a manual scene, switch on/off, delete. Hidden if the server has no scenes API.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, el, t, label, errorText, confirmDialog } = window.SL;
  const path = "/devices/" + encodeURIComponent(document.body.dataset.deviceId) + "/scenes";
  const $ = (x) => document.getElementById(x);
  const form = $("scene-form");
  const actions = $("scene-actions");
  const message = $("scenes-message");
  let serial = 0;

  function showTrigger() {
    for (const box of form.querySelectorAll("[data-for-trigger]")) box.hidden = box.dataset.forTrigger !== form.trigger.value;
  }
  form.trigger.addEventListener("change", showTrigger);

  function addAction(focus) {
    const node = $("action-template").content.firstElementChild.cloneNode(true);
    const n = ++serial;
    for (const input of node.querySelectorAll("[data-f]")) {
      if (input.tagName !== "BUTTON") input.id = "action-" + n + "-" + input.dataset.f;
    }
    for (const lab of node.querySelectorAll("[data-l]")) lab.htmlFor = "action-" + n + "-" + lab.dataset.l;
    const type = node.querySelector("[data-f=type]");
    const sync = () => { for (const box of node.querySelectorAll("[data-for-action]")) box.hidden = box.dataset.forAction !== type.value; };
    type.addEventListener("change", sync);
    node.querySelector("[data-f=remove]").addEventListener("click", () => { node.remove(); });
    sync();
    actions.append(node);
    if (focus) type.focus();
  }
  $("scene-add-action").addEventListener("click", () => addAction(true));

  function readAction(node) {
    const f = (name) => node.querySelector("[data-f=" + name + "]");
    const type = f("type").value;
    if (type === "set_mode") return { type, mode: f("mode").value, on: f("on").checked };
    if (type === "notify") return { type, title: f("title").value.trim(), body: f("body").value };
    if (type === "webhook") return { type, url: f("url").value.trim() };
    if (type === "mqtt") return { type, topic: f("topic").value.trim(), payload: f("payload").value };
    return { type };
  }

  function buildTrigger() {
    const type = form.trigger.value;
    if (type === "manual") return null;
    if (type === "lock_event") {
      const trig = { type, kinds: [$("scene-event-kind").value] };
      if ($("scene-event-user").value.trim()) trig.users = [$("scene-event-user").value.trim()];
      if ($("scene-event-method").value) trig.methods = [$("scene-event-method").value];
      return trig;
    }
    if (type === "door_left_open") return { type, seconds: Number($("scene-seconds").value) };
    if (type === "time_of_day") return { type, at: $("scene-at").value, tz_offset_min: -new Date().getTimezoneOffset() };
    return { type };
  }

  function describe(s) {
    const when = s.trigger ? t("scenes.trigger." + s.trigger.type) : t("scenes.manual");
    const then = s.actions.map((a) => t("scenes.action." + a.type) + (a.mode ? " (" + label("mode.", a.mode) + ")" : "")).join(", ");
    return t("scenes.trigger") + ": " + when + " → " + t("scenes.actions") + ": " + then;
  }

  async function load() {
    const r = await api("GET", path);
    const list = $("scene-list");
    list.replaceChildren();
    if (!r.ok) {
      $("scenes-unavailable").hidden = false;
      if (r.status !== 404 && r.status !== 405) $("scenes-unavailable").textContent = errorText(r);
      form.closest("section").hidden = r.status === 404 || r.status === 405;
      return;
    }
    $("scenes-empty").hidden = r.data.count > 0;
    for (const s of r.data.data) {
      const enabled = el("input", { type: "checkbox", id: "scene-" + s.id + "-enabled", checked: s.enabled });
      enabled.addEventListener("change", async () => {
        const u = await api("PATCH", path + "/" + s.id, { enabled: enabled.checked });
        message.textContent = u.ok ? t("common.saved") : errorText(u);
      });
      const card = el("li", { class: "card", "data-scene": s.id },
        el("h4", { text: s.name }), el("p", { text: describe(s) }),
        el("div", { class: "check" }, enabled, el("label", { for: "scene-" + s.id + "-enabled", text: t("scenes.enabled") })));
      if (!s.trigger) {
        card.append(el("button", {
          type: "button", class: "primary", text: t("scenes.run"), "aria-label": t("scenes.run") + ": " + s.name,
          onclick: async () => {
            const run = await api("POST", path + "/" + s.id + "/run", {});
            message.textContent = run.ok ? t("scenes.ran", { outcome: run.data.outcome || "ok" }) : errorText(run);
          },
        }));
      }
      card.append(el("button", {
        type: "button", class: "danger", text: t("common.delete"), "aria-label": t("common.delete") + ": " + s.name,
        onclick: async () => {
          if (!(await confirmDialog(t("scenes.delete_confirm")))) return;
          const d = await api("DELETE", path + "/" + s.id);
          if (!d.ok) message.textContent = errorText(d);
          load();
        },
      }));
      list.append(card);
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("scene-error").textContent = "";
    const body = { name: form.name.value.trim(), trigger: buildTrigger(), actions: Array.from(actions.children, readAction) };
    if ($("scene-cond-window").checked) {
      body.condition = { time_window: { start: $("scene-cond-start").value, end: $("scene-cond-end").value, tz_offset_min: -new Date().getTimezoneOffset() } };
    }
    if (!body.name || !body.actions.length) { $("scene-error").textContent = t("err.invalid_request"); return; }
    const r = await api("POST", path, body);
    if (!r.ok) { $("scene-error").textContent = errorText(r); return; }
    form.reset(); actions.replaceChildren(); addAction(); showTrigger();
    load();
  });
  showTrigger();
  addAction();
  load();
});
