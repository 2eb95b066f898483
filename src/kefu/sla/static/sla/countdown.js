// Keeps the SLA countdowns ({% sla_countdown %}) current without reloading the page.
// The words come from the page (#sla-words, translated by the server); the clock is the browser's,
// corrected by the server time the page was rendered at.
(function () {
  "use strict";
  const words = document.getElementById("sla-words");
  if (!words) return;
  const w = JSON.parse(words.textContent);
  const skew = Date.parse(w.now) - Date.now();
  const fill = (fmt, values) => fmt.replace(/%\((\w+)\)s/g, (_, k) => String(values[k]));
  function span(ms) {
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d) return fill(w.dh, { d: d, h: h });
    if (h) return fill(w.hm, { h: h, m: m });
    if (m) return fill(w.m, { m: m });
    return fill(w.s, { s: s });
  }
  function tick() {
    const now = Date.now() + skew;
    for (const el of document.querySelectorAll(".sla[data-due]")) {
      const left = Date.parse(el.dataset.due) - now;
      const warn = el.dataset.warn ? Date.parse(el.dataset.warn) - now : Infinity;
      const state = left <= 0 ? "breached" : warn <= 0 ? "at_risk" : "ok";
      el.className = "sla sla-" + state;
      el.textContent = fill(left <= 0 ? w.over : w.left, { span: span(left) });
    }
  }
  window.kefuSlaTick = tick;
  setInterval(tick, 30000);
})();
