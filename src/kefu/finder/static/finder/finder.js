/* The one search box: the top bar's field and Ctrl+K (⌘K) open an overlay that searches as
   you type (the server renders the grouped results: /search/?fragment=1), ↑ ↓ move, Enter
   opens, Esc closes. Without JavaScript the field is a plain form to /search/. */
(function () {
  "use strict";
  var form = document.getElementById("finder-form");
  if (!form) return;
  var box = document.getElementById("finder-q");
  var url = form.getAttribute("action");
  var overlay, input, list, timer, controller, lastQuery = null, active = -1;

  function build() {
    overlay = document.createElement("div");
    overlay.className = "finder-overlay";
    overlay.hidden = true;
    overlay.innerHTML =
      '<div class="finder-dialog" role="dialog" aria-modal="true">' +
      '<input type="search" class="finder-input" autocomplete="off" spellcheck="false" maxlength="200">' +
      '<div class="finder-list" role="listbox"></div>' +
      '<p class="finder-keys">' + (form.dataset.keys || "") + "</p></div>";
    document.body.appendChild(overlay);
    input = overlay.querySelector(".finder-input");
    list = overlay.querySelector(".finder-list");
    input.placeholder = box.placeholder;
    input.setAttribute("aria-label", box.getAttribute("aria-label") || "");
    overlay.querySelector(".finder-dialog").setAttribute("aria-label", box.getAttribute("aria-label") || "");
    overlay.addEventListener("mousedown", function (e) { if (e.target === overlay) close(); });
    input.addEventListener("input", schedule);
    input.addEventListener("keydown", keys);
  }

  function open(text) {
    if (!overlay) build();
    overlay.hidden = false;
    document.documentElement.classList.add("finder-open");
    if (typeof text === "string") input.value = text;
    input.focus();
    input.select();
    schedule();
  }

  function close() {
    if (!overlay || overlay.hidden) return;
    overlay.hidden = true;
    document.documentElement.classList.remove("finder-open");
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  }

  function run() {
    var q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (!q) { list.innerHTML = ""; active = -1; return; }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?fragment=1&q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined
    }).then(function (r) { return r.text(); }).then(function (html) {
      if (q !== input.value.trim()) return;
      list.innerHTML = html;
      var hits = list.querySelectorAll(".finder-hit");
      for (var i = 0; i < hits.length; i++) hits[i].setAttribute("role", "option");
      select(hits.length ? 0 : -1);
    }).catch(function () { /* aborted or offline: the next keystroke tries again */ });
  }

  function select(i) {
    var hits = list.querySelectorAll(".finder-hit");
    if (active >= 0 && hits[active]) hits[active].classList.remove("active");
    active = i;
    if (i >= 0 && hits[i]) {
      hits[i].classList.add("active");
      hits[i].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", "");
    }
  }

  function keys(e) {
    var hits = list.querySelectorAll(".finder-hit");
    if (e.key === "ArrowDown") { e.preventDefault(); if (hits.length) select((active + 1) % hits.length); }
    else if (e.key === "ArrowUp") { e.preventDefault(); if (hits.length) select((active - 1 + hits.length) % hits.length); }
    else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0 && hits[active]) { window.location.href = hits[active].href; }
      else if (input.value.trim()) { window.location.href = url + "?q=" + encodeURIComponent(input.value.trim()); }
    } else if (e.key === "Escape") { e.preventDefault(); close(); }
  }

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      if (overlay && !overlay.hidden) close(); else open();
    } else if (e.key === "Escape" && overlay && !overlay.hidden) {
      close();
    }
  });
  box.addEventListener("focus", function () { open(box.value); box.blur(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); open(box.value); });
})();
