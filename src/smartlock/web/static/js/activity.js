// Activity (A-RECORDS): the lock's journal as a timeline grouped by the local day, newest
// first, alarms marked; live events join at the top. The chart above is server SVG.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const { api, el, t, describeEvent, errorText, isAlarm } = window.SL;
  const path = "/devices/" + encodeURIComponent(document.body.dataset.deviceId);
  const $ = (x) => document.getElementById(x);
  const locale = document.documentElement.lang;
  const box = $("timeline");
  const events = [];
  let cursor = null;

  function dayKey(d) { return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate(); }
  function dayTitle(d) {
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86400000);
    if (dayKey(d) === dayKey(today)) return t("activity.today");
    if (dayKey(d) === dayKey(yesterday)) return t("activity.yesterday");
    return d.toLocaleDateString(locale, { weekday: "long", month: "long", day: "numeric" });
  }
  function draw() {
    const only = $("activity-alarms").checked;
    box.replaceChildren();
    let list = null;
    let current = "";
    // By the time at the door (a lock offline for a while sends old events late).
    const ordered = [...events].sort((a, b) => Date.parse(b.occurred_at) - Date.parse(a.occurred_at));
    for (const e of ordered) {
      if (e.kind === "remote_command" && e.data && e.data.ok !== false) continue;  // bookkeeping
      if (only && !isAlarm(e)) continue;
      const d = new Date(e.occurred_at);
      if (dayKey(d) !== current) {
        current = dayKey(d);
        box.append(el("h3", { class: "day-head", "data-day": current, text: dayTitle(d) }));
        list = el("ul", { class: "list" });
        box.append(list);
      }
      const alarm = isAlarm(e);
      list.append(el("li", { class: alarm ? "event alarm" : "event", "data-kind": e.kind },
        alarm ? el("span", { class: "tag-alarm", text: t("alarm.tag") }) : null,
        el("time", { datetime: e.occurred_at, text: d.toLocaleTimeString(locale, { timeStyle: "short" }) }), " ", describeEvent(e)));
    }
    $("activity-message").textContent = box.children.length ? "" : t("records.empty");
  }
  async function load() {
    const q = new URLSearchParams({ limit: "100" });
    if (cursor) q.set("cursor", cursor);
    const r = await api("GET", path + "/records?" + q);
    if (!r.ok) { $("activity-message").textContent = errorText(r); return; }
    events.push(...r.data.data);
    cursor = r.data.next_cursor;
    $("activity-more").hidden = !cursor;
    draw();
  }
  $("activity-alarms").addEventListener("change", draw);
  $("activity-more").addEventListener("click", load);
  await load();
  const source = new EventSource("/api/v1" + path + "/live");
  source.addEventListener("event", (m) => { events.unshift(JSON.parse(m.data)); draw(); });
  window.addEventListener("pagehide", () => source.close());
});
