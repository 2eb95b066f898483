/* The 更多 (More) menu of the top navigation is a <details>: it opens with a click, Enter or Space
 * on its summary. This adds what <details> lacks: Esc closes it and returns the focus, a click
 * elsewhere closes it, and ↓ / ↑ move through its links. */
(function () {
  "use strict";
  var more = document.getElementById("nav-more");
  if (!more) return;
  var summary = more.querySelector("summary");
  function links() { return Array.prototype.slice.call(more.querySelectorAll(".nav-more-menu a")); }
  more.addEventListener("toggle", function () {
    summary.setAttribute("aria-expanded", more.open ? "true" : "false");
  });
  document.addEventListener("click", function (e) { if (more.open && !more.contains(e.target)) more.open = false; });
  more.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && more.open) { more.open = false; summary.focus(); e.preventDefault(); return; }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var all = links(), i = all.indexOf(document.activeElement);
    if (!more.open) more.open = true;
    var next = e.key === "ArrowDown" ? (i + 1) % all.length : (i <= 0 ? all.length - 1 : i - 1);
    if (all[next]) { all[next].focus(); e.preventDefault(); }
  });
})();
