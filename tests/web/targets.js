// Touch targets >= 44 px (see a11y.py): a list of the controls that are smaller.
(() => {
  const bad = [];
  const visible = (e) => e.checkVisibility() && e.getBoundingClientRect().width > 0;
  const inline = (a) => a.tagName === "A" && !a.classList.contains("button") &&
    a.closest("p, dd, td, li.event, .hint, figcaption, .cred > span, .records-who") !== null &&
    !a.closest("nav");
  for (const e of document.querySelectorAll("a[href], button, select, input, textarea, summary, [role=switch], label.file-button")) {
    if (e.classList.contains("visually-hidden")) continue;  // its label is the target
    if (!visible(e) || e.type === "hidden" || inline(e) || e.closest("dialog:not([open])")) continue;
    let box = e.getBoundingClientRect();
    if (e.type === "checkbox" || e.type === "radio") {
      const row = e.closest(".check") || e.parentElement;
      box = row.getBoundingClientRect();
    }
    if (box.height < 43.5 || box.width < 43.5) bad.push((e.id || e.tagName + ":" + (e.textContent || e.name || "").trim().slice(0, 30)) + " " + Math.round(box.width) + "x" + Math.round(box.height));
  }
  return bad;
})
