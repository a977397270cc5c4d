// Smart scenes (A-SCENE): list, create "when <trigger> [and <condition>] then <actions>",
// run a manual scene, switch on/off, edit (PATCH), delete. Hidden if the server has no
// scenes API.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { api, el, t, label, errorText, confirmDialog } = window.SL;
  const path = "/devices/" + encodeURIComponent(document.body.dataset.deviceId) + "/scenes";
  const $ = (x) => document.getElementById(x);
  const form = $("scene-form");
  const actions = $("scene-actions");
  const message = $("scenes-message");
  let serial = 0;
  // The scene being edited (as the API returned it) and what the form built from it at
  // the start, so that only the parts the user changed are sent (PATCH keeps the rest,
  // including options the editor does not show).
  let editing = null;
  let baseline = null;

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
    return node;
  }
  $("scene-add-action").addEventListener("click", () => addAction(true));

  function readFields(node) {
    const f = (name) => node.querySelector("[data-f=" + name + "]");
    const type = f("type").value;
    if (type === "set_mode") return { type, mode: f("mode").value, on: f("on").checked };
    if (type === "notify") return { type, title: f("title").value.trim(), body: f("body").value };
    if (type === "webhook") return { type, url: f("url").value.trim() };
    if (type === "mqtt") return { type, topic: f("topic").value.trim(), payload: f("payload").value };
    return { type };
  }

  // An edited scene's action keeps the options the form does not show (a webhook's
  // timeout_s, MQTT retain) while its type stays the same.
  function readAction(node) {
    const built = readFields(node);
    return node.original && node.original.type === built.type ? { ...node.original, ...built } : built;
  }

  function fillAction(a) {
    const node = addAction(false);
    const f = (name) => node.querySelector("[data-f=" + name + "]");
    f("type").value = a.type;
    f("type").dispatchEvent(new Event("change"));
    if (a.type === "set_mode") { f("mode").value = a.mode; f("on").checked = a.on; }
    if (a.type === "notify") { f("title").value = a.title || ""; f("body").value = a.body || ""; }
    if (a.type === "webhook") f("url").value = a.url || "";
    if (a.type === "mqtt") { f("topic").value = a.topic || ""; f("payload").value = a.payload || ""; }
    node.original = a;
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

  // Conditions: each part is offered behind its own switch; all given must hold (API).
  const condBoxes = { "scene-cond-window": "scene-cond-window-box", "scene-cond-door": "scene-cond-door-box", "scene-cond-modes": "scene-cond-modes-box" };
  function showConditions() {
    for (const [toggle, box] of Object.entries(condBoxes)) $(box).hidden = !$(toggle).checked;
  }
  for (const toggle of Object.keys(condBoxes)) $(toggle).addEventListener("change", showConditions);

  const checked = (name) => Array.from(form.querySelectorAll("input[name=" + name + "]:checked"), (i) => i.value);

  // The condition object the API takes, null for none, or an error message key.
  function buildCondition() {
    const cond = {};
    if ($("scene-cond-window").checked) {
      const days = checked("cond_day").map(Number);
      if (!days.length) return { error: "scenes.cond_days_needed" };
      cond.time_window = { start: $("scene-cond-start").value, end: $("scene-cond-end").value, days, tz_offset_min: -new Date().getTimezoneOffset() };
    }
    if ($("scene-cond-door").checked) {
      const door = checked("cond_door");
      if (!door.length) return { error: "scenes.cond_door_needed" };
      cond.door = door;
    }
    if ($("scene-cond-modes").checked) {
      const modes = {};
      for (const sel of form.querySelectorAll("select[data-mode]")) if (sel.value) modes[sel.dataset.mode] = sel.value === "on";
      if (!Object.keys(modes).length) return { error: "scenes.cond_modes_needed" };
      cond.modes = modes;
    }
    if ($("scene-cond-online").value) cond.online = $("scene-cond-online").value === "true";
    return { condition: Object.keys(cond).length ? cond : null };
  }

  function describeCondition(c) {
    const parts = [];
    if (c.time_window) {
      const w = c.time_window;
      const days = w.days && w.days.length < 7 ? " (" + w.days.map((d) => t("day." + d)).join(", ") + ")" : "";
      parts.push(t("scenes.desc_window", { start: w.start, end: w.end }) + days);
    }
    if (c.door) parts.push(t("scenes.desc_door", { states: c.door.map((d) => label("door.", d)).join(t("scenes.desc_or")) }));
    if (c.modes) {
      for (const [m, on] of Object.entries(c.modes)) parts.push(t(on ? "scenes.desc_mode_on" : "scenes.desc_mode_off", { mode: label("mode.", m) }));
    }
    if (c.online === true) parts.push(t("scenes.desc_online"));
    if (c.online === false) parts.push(t("scenes.desc_offline"));
    return parts.join(t("scenes.desc_and"));
  }

  function describe(s) {
    const when = s.trigger ? t("scenes.trigger." + s.trigger.type) : t("scenes.manual");
    const then = s.actions.map((a) => t("scenes.action." + a.type) + (a.mode ? " (" + label("mode.", a.mode) + ")" : "")).join(", ");
    const cond = s.condition ? describeCondition(s.condition) : "";
    return t("scenes.trigger") + ": " + when + (cond ? " · " + t("scenes.only_if") + ": " + cond : "") + " → " + t("scenes.actions") + ": " + then;
  }

  // The API's error, with each field it names (422 details) spelled out.
  function detailedError(r) {
    const details = r.data && Array.isArray(r.data.details) ? r.data.details : [];
    const lines = details.map((d) => t("scenes.error_field", {
      field: (d.loc || []).filter((p) => p !== "body").join("."), msg: d.msg,
    }));
    return [errorText(r), ...lines].join(" ");
  }

  function resetForm() {
    form.reset();
    actions.replaceChildren();
    addAction();
    showTrigger();
    showConditions();
  }

  function setMode(scene) {
    editing = scene;
    $("scene-create-h").textContent = scene ? t("scenes.edit_heading", { name: scene.name }) : t("scenes.create");
    $("scene-submit").textContent = scene ? t("scenes.save_changes") : t("scenes.submit");
    $("scene-cancel").hidden = !scene;
    $("scene-enabled-box").hidden = !scene;
    form.dataset.mode = scene ? "edit" : "create";
    if (scene) form.dataset.sceneId = scene.id; else delete form.dataset.sceneId;
  }

  function hhmm(value, fallback) { return typeof value === "string" && value ? value : fallback; }

  function startEdit(s) {
    form.reset();
    $("scene-error").textContent = "";
    form.name.value = s.name;
    const trig = s.trigger;
    form.trigger.value = trig ? trig.type : "manual";
    if (trig && trig.type === "lock_event") {
      $("scene-event-kind").value = (trig.kinds && trig.kinds[0]) || "unlock";
      $("scene-event-user").value = (trig.users && trig.users[0]) || "";
      $("scene-event-method").value = (trig.methods && trig.methods[0]) || "";
    }
    if (trig && trig.type === "door_left_open") $("scene-seconds").value = trig.seconds;
    if (trig && trig.type === "time_of_day") $("scene-at").value = hhmm(trig.at, "22:00");
    const c = s.condition || {};
    if (c.time_window) {
      $("scene-cond-window").checked = true;
      $("scene-cond-start").value = hhmm(c.time_window.start, "22:00");
      $("scene-cond-end").value = hhmm(c.time_window.end, "06:00");
      const days = c.time_window.days || [0, 1, 2, 3, 4, 5, 6];
      for (const box of form.querySelectorAll("input[name=cond_day]")) box.checked = days.includes(Number(box.value));
    }
    if (c.door) {
      $("scene-cond-door").checked = true;
      for (const box of form.querySelectorAll("input[name=cond_door]")) box.checked = c.door.includes(box.value);
    }
    if (c.modes) {
      $("scene-cond-modes").checked = true;
      for (const sel of form.querySelectorAll("select[data-mode]")) {
        const on = c.modes[sel.dataset.mode];
        sel.value = on === true ? "on" : on === false ? "off" : "";
      }
    }
    $("scene-cond-online").value = c.online === true ? "true" : c.online === false ? "false" : "";
    $("scene-enabled").checked = s.enabled;
    actions.replaceChildren();
    for (const a of s.actions) fillAction(a);
    if (!s.actions.length) addAction();
    showTrigger();
    showConditions();
    setMode(s);
    baseline = { trigger: JSON.stringify(buildTrigger()), condition: JSON.stringify(buildCondition().condition || null) };
    form.name.focus();
  }

  function cancelEdit() {
    const id = editing && editing.id;
    $("scene-error").textContent = "";
    setMode(null);
    resetForm();
    message.textContent = t("scenes.edit_cancelled");
    const back = id && $("scene-" + id + "-edit");
    if (back) back.focus();
  }
  $("scene-cancel").addEventListener("click", cancelEdit);

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
        type: "button", id: "scene-" + s.id + "-edit", text: t("scenes.edit"), "aria-label": t("scenes.edit") + ": " + s.name,
        onclick: () => startEdit(s),
      }));
      card.append(el("button", {
        type: "button", class: "danger", text: t("common.delete"), "aria-label": t("common.delete") + ": " + s.name,
        onclick: async () => {
          if (!(await confirmDialog(t("scenes.delete_confirm")))) return;
          const d = await api("DELETE", path + "/" + s.id);
          if (!d.ok) message.textContent = errorText(d);
          else if (editing && editing.id === s.id) { setMode(null); resetForm(); }
          load();
        },
      }));
      list.append(card);
    }
  }

  // Saving an edit: PATCH with the name, enabled, the actions, and the trigger and the
  // condition only when they changed (none is said with manual / no_condition).
  async function saveEdit() {
    const body = { name: form.name.value.trim(), enabled: $("scene-enabled").checked, actions: Array.from(actions.children, readAction) };
    const built = buildCondition();
    if (built.error) { $("scene-error").textContent = t(built.error); return; }
    if (!body.name || !body.actions.length) { $("scene-error").textContent = t("err.invalid_request"); return; }
    const trig = buildTrigger();
    if (JSON.stringify(trig) !== baseline.trigger) {
      if (trig) body.trigger = trig; else body.manual = true;
    }
    if (JSON.stringify(built.condition || null) !== baseline.condition) {
      if (built.condition) body.condition = built.condition; else body.no_condition = true;
    }
    const r = await api("PATCH", path + "/" + editing.id, body);
    if (!r.ok) { $("scene-error").textContent = detailedError(r); return; }
    setMode(null);
    resetForm();
    message.textContent = t("scenes.saved", { name: r.data.name });
    load();
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("scene-error").textContent = "";
    if (editing) { await saveEdit(); return; }
    const body = { name: form.name.value.trim(), trigger: buildTrigger(), actions: Array.from(actions.children, readAction) };
    const built = buildCondition();
    if (built.error) { $("scene-error").textContent = t(built.error); return; }
    if (built.condition) body.condition = built.condition;
    if (!body.name || !body.actions.length) { $("scene-error").textContent = t("err.invalid_request"); return; }
    const r = await api("POST", path, body);
    if (!r.ok) { $("scene-error").textContent = errorText(r); return; }
    resetForm();
    load();
  });
  showTrigger();
  showConditions();
  addAction();
  load();
});
