/* Reply lint in the chat composer: checks the draft against the service standards while the agent
 * types (debounced, POST /api/v1/assist/lint), lists each violation with a polite suggestion, and
 * refuses to send while a violation of a blocked severity remains (the server refuses it too).
 * Also: the "soothe first" panel's canned replies go into the composer with one click.
 * Text from the server is only ever set with textContent. */
(function () {
  "use strict";
  if (window.kefuLintLoaded) return;  // a page may load this twice (the cockpit, and a thread it includes)
  window.kefuLintLoaded = true;
  // One composer per thread: mounted on load and whenever the cockpit shows another chat.
  function mount(form) {
  var box = document.getElementById("assist-lint");
  if (!form || !box || form.dataset.lintBound) return;
  form.dataset.lintBound = "1";
  var text = form.querySelector("textarea");
  var internal = form.querySelector('input[name="internal"]');
  var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
  var block = JSON.parse(document.getElementById("assist-block").textContent || "[]");
  var T = JSON.parse(document.getElementById("assist-strings").textContent);
  var timer = null, seq = 0, checkedValue = "", blocked = false;

  function isNote() { return !!(internal && internal.checked); }

  function render(value, violations) {
    box.textContent = "";
    blocked = false;
    violations.forEach(function (v) {
      if (block.indexOf(v.severity) >= 0) blocked = true;
      var row = document.createElement("div");
      row.className = "v " + v.severity;
      var what = document.createElement("b");
      what.textContent = "「" + v.text + "」";
      var level = document.createElement("span");
      level.textContent = (T[v.severity] || v.severity) + " · " + v.message;
      row.appendChild(what);
      row.appendChild(level);
      if (v.suggestion) {
        var sug = document.createElement("span");
        sug.className = "sug";
        sug.textContent = T.suggest + "：" + v.suggestion;
        row.appendChild(sug);
        if (v.suggestion.indexOf("……") < 0) {
          var use = document.createElement("button");
          use.type = "button";
          use.textContent = T.use;
          use.addEventListener("click", function () {
            if (text.value !== value) return;  // the draft changed since: the offsets no longer fit
            text.value = value.slice(0, v.start) + v.suggestion + value.slice(v.end);
            text.focus();
            text.dispatchEvent(new Event("input", { bubbles: true }));
          });
          row.appendChild(use);
        }
      }
      box.appendChild(row);
    });
    if (blocked) {
      var note = document.createElement("div");
      note.className = "blocked";
      note.textContent = T.blocked;
      box.appendChild(note);
    }
    box.hidden = !violations.length;
    form.classList.toggle("assist-blocked", blocked);
  }

  function check() {
    var value = text.value;
    if (!value.trim() || isNote()) { checkedValue = value; render(value, []); return; }
    var mine = ++seq;
    fetch("/api/v1/assist/lint", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify({ text: value.slice(0, 5000) })
    }).then(function (r) { return r.ok ? r.json() : { violations: [] }; })
      .then(function (data) {
        if (mine !== seq) return;  // a newer check is on its way
        checkedValue = value;
        render(value, data.violations || []);
      })
      .catch(function () {});
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  text.addEventListener("input", schedule);
  if (internal) internal.addEventListener("change", schedule);

  // Runs before the workspace's own submit handler (capture on the document).
  document.addEventListener("submit", function (e) {
    if (e.target !== form || isNote()) return;
    if (blocked && checkedValue === text.value) {
      e.preventDefault();
      e.stopImmediatePropagation();
      box.hidden = false;
      text.focus();
    }
  }, true);
  form.addEventListener("submit", function () { setTimeout(function () { render("", []); }, 0); });

  }
  mount(document.getElementById("composer"));
  document.addEventListener("kefu:thread", function () { mount(document.getElementById("composer")); });

  // One click puts a suggestion into the reply box (delegated: the suggestions panel is re-rendered
  // live). The input event runs the reply lint on the result, as for typed text.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-assist-insert]");
    var form = document.getElementById("composer");
    if (!button || !form) return;
    var text = form.querySelector("textarea");
    var add = button.getAttribute("data-assist-insert");
    text.value = text.value.trim() ? text.value.replace(/\s*$/, "") + "\n" + add : add;
    var id = button.getAttribute("data-canned-id");
    if (id) text.dataset.cannedUsed = ((text.dataset.cannedUsed || "") + " " + id).trim();  // usage count
    text.focus();
    text.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
