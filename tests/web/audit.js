// The accessibility audit the browser tests run on every page (see test_a11y_i18n_screens).
(() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang attribute");
  for (const c of document.querySelectorAll("input:not([type=hidden]), select, textarea, button")) {
    if (c.closest("template")) continue;
    const named = (c.labels && c.labels.length) || c.getAttribute("aria-label")
      || c.getAttribute("aria-labelledby") || (c.tagName === "BUTTON" && c.textContent.trim());
    if (!named) problems.push("unlabelled control " + (c.id || c.outerHTML.slice(0, 80)));
  }
  const seen = new Set();
  for (const e of document.querySelectorAll("[id]")) {
    if (seen.has(e.id)) problems.push("duplicate id " + e.id);
    seen.add(e.id);
  }
  const rgba = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c;
    }
    return [255, 255, 255];
  };
  for (const el of document.body.querySelectorAll("*")) {
    const text = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || el.disabled || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const fg = lum(rgba(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) problems.push("contrast " + ratio.toFixed(2) + " on " + (el.id || el.tagName + ":" + el.textContent.trim().slice(0, 30)));
  }
  return problems;
})
