/* The agent's cockpit (docs/cockpit.md): the chat list on the left, the thread in the middle, the
 * customer on the right.  Switching chats fetches the chat's pane (thread + customer panel) and mounts
 * it on the page's one socket (window.kefuWorkspace, kefu/workspace.js); a chat seen before is shown
 * again from memory, with its draft, scroll position and chosen files.  The list is fetched again
 * when the inbox doorbell rings: a chat with a new customer message moves up and is marked.  The tab
 * title counts unread messages.  Keyboard: Alt+↑/↓, Ctrl+K, /, Esc, ?.  Phones: one pane at a time. */
(function () {
  "use strict";
  // Deferred scripts run in document order and workspace.js comes last: start once all have run.
  document.addEventListener("DOMContentLoaded", start);
  function start() {
  var W = window.kefuWorkspace;
  var $ = function (id) { return document.getElementById(id); };
  var main = document.querySelector("main.cockpit");
  var list = $("pane-list"), threadPane = $("pane-thread"), sidePane = $("pane-side");
  if (!W || !main || !list) return;
  var S = JSON.parse($("cockpit-strings").textContent);
  var loading = 0, listTimer = null, lastList = 0, bumped = {};

  function currentId() { var t = W.current(); return t ? t.id : null; }
  function rows() { return Array.prototype.slice.call(list.querySelectorAll(".crow")); }
  function row(id) { return list.querySelector('.crow[data-conversation="' + id + '"]'); }

  /* ---- panes (phones show one at a time) ------------------------------------------ */
  function showPane(name) {
    main.classList.remove("at-list", "at-thread", "at-side");
    main.classList.add("at-" + name);
    if (name === "list") window.scrollTo(0, 0);
  }

  /* ---- switching chats without a page load ------------------------------------------ */
  function markActive() {
    var id = currentId();
    rows().forEach(function (r) { r.classList.toggle("active", Number(r.dataset.conversation) === id); });
  }
  function attach(t) {
    var empty = $("pane-empty");
    if (empty) empty.remove();
    threadPane.appendChild(t.root);
    if (t.side) sidePane.appendChild(t.side);
  }
  function detachCurrent() {
    var t = W.current();
    if (!t) return;
    W.hide(t);
    if (t.root.parentNode) t.root.parentNode.removeChild(t.root);  // kept in memory: draft, files, scroll
    if (t.side && t.side.parentNode) t.side.parentNode.removeChild(t.side);
  }
  function open(id, focus) {
    id = Number(id);
    if (currentId() === id) { showPane("thread"); return; }
    var r = row(id);
    if (r) { r.classList.remove("unread", "bumped"); r.dataset.unread = "0"; var c = r.querySelector(".count"); if (c) c.remove(); }
    var known = W.thread(id);
    var mine = ++loading;
    history.replaceState(null, "", "/?c=" + id);
    if (known) {
      detachCurrent();
      attach(known);
      W.mount(known.root, known.side);
      done(known);
      return;
    }
    threadPane.setAttribute("aria-busy", "true");
    fetch("/conversations/" + id + "/pane/", { credentials: "same-origin" })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.text(); })
      .then(function (html) {
        if (mine !== loading) return;  // the agent has moved on to another chat
        var tpl = document.createElement("template");
        tpl.innerHTML = html;  // the server's own escaped partial
        var root = tpl.content.querySelector("section.thread"), side = tpl.content.querySelector("aside.side");
        if (!root) return;
        root.id = "thread";
        detachCurrent();
        threadPane.appendChild(root);
        if (side) sidePane.appendChild(side);
        var empty = $("pane-empty");
        if (empty) empty.remove();
        done(W.mount(root, side));
      })
      .catch(function () { alert(S.failed); })
      .then(function () { threadPane.removeAttribute("aria-busy"); });
    function done(t) {
      markActive();
      updateTitle();
      showPane("thread");
      if (focus !== false) {
        var box = t.root.querySelector("form.composer textarea");
        if (box && window.matchMedia("(min-width: 901px)").matches) box.focus({ preventScroll: true });
      }
    }
  }
  function step(delta) {
    var all = rows();
    if (!all.length) return;
    var i = all.findIndex(function (r) { return Number(r.dataset.conversation) === currentId(); });
    var next = all[Math.max(0, Math.min(all.length - 1, i < 0 ? 0 : i + delta))];
    if (next) { open(next.dataset.conversation); next.scrollIntoView({ block: "nearest" }); }
  }

  list.addEventListener("click", function (e) {
    var a = e.target.closest("[data-open]");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    open(a.dataset.open);
  });
  main.addEventListener("click", function (e) {
    var back = e.target.closest("[data-pane-back]"), fwd = e.target.closest("[data-pane-show]");
    if (back) { e.preventDefault(); showPane(back.dataset.paneBack); }
    else if (fwd) { e.preventDefault(); showPane(fwd.dataset.paneShow); }
  });

  /* ---- the live list: rows move up, marks, the tab title ---------------------------- */
  function unreadMap() {
    var m = {};
    rows().forEach(function (r) { m[r.dataset.conversation] = Number(r.dataset.unread || 0); });
    return m;
  }
  function refreshList() {
    var before = unreadMap();
    fetch(list.dataset.listUrl, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        list.innerHTML = html;  // the server's own escaped partial, ordered by who needs the agent most
        var open = currentId();
        rows().forEach(function (r) {
          var id = r.dataset.conversation, n = Number(r.dataset.unread || 0);
          if (Number(id) !== open && n > (before[id] || 0)) bumped[id] = true;
          if (Number(id) === open) delete bumped[id];
          if (bumped[id]) r.classList.add("bumped");
        });
        markActive();
        updateTitle();
        soundLabel();
        W.tickTimers();
      }).catch(function () {});
  }
  function scheduleList() {
    if (listTimer) return;
    listTimer = setTimeout(function () { listTimer = null; lastList = Date.now(); refreshList(); },
      Math.max(150, 600 - (Date.now() - lastList)));
  }
  function updateTitle() {
    var open = currentId(), n = 0;
    rows().forEach(function (r) { if (Number(r.dataset.conversation) !== open) n += Number(r.dataset.unread || 0); });
    document.title = (n ? "(" + n + ") " : "") + S.title;
  }
  document.addEventListener("kefu:stream", function (e) {
    var d = e.detail || {};
    if (d.stream === "inbox") scheduleList();
  });

  /* ---- sound (off by default) and desktop notifications (asked on a click) ---------- */
  function soundLabel() {
    var state = list.querySelector("[data-sound-state]");
    if (state) state.textContent = W.soundOn() ? S.on : S.off;
  }
  list.addEventListener("click", function (e) {
    if (!e.target.closest("[data-sound-toggle]")) return;
    localStorage.setItem("kefu:sound", W.soundOn() ? "off" : "on");
    if (W.soundOn() && window.Notification && Notification.permission === "default") Notification.requestPermission();
    soundLabel();
  });

  /* ---- keyboard ---------------------------------------------------------------------- */
  var overlay = $("shortcuts");
  function typing(el) { return el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT" || el.isContentEditable); }
  function openSearch() {
    // The search overlay (kefu.finder) listens for this event; a page without it falls back to a search box.
    var ev = new CustomEvent("kefu:search-open", { cancelable: true });
    if (!document.dispatchEvent(ev)) return;
    var opener = document.querySelector("[data-search-open]");
    if (opener) { opener.click(); return; }
    var box = document.querySelector('.topbar input[type="search"], #search-box');
    if (box) box.focus();
  }
  function toggleShortcuts(show) { overlay.hidden = show === undefined ? !overlay.hidden : !show; if (!overlay.hidden) overlay.querySelector("button").focus(); }
  overlay.addEventListener("click", function (e) { if (e.target === overlay || e.target.closest("[data-shortcuts-close]")) toggleShortcuts(false); });
  list.addEventListener("click", function (e) { if (e.target.closest("[data-shortcuts-open]")) toggleShortcuts(true); });
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) return;  // handled already (the search overlay's own Ctrl+K and Esc)
    if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) { e.preventDefault(); step(e.key === "ArrowUp" ? -1 : 1); return; }
    if ((e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K")) { e.preventDefault(); openSearch(); return; }
    if (e.key === "Escape") {
      if (!overlay.hidden) { toggleShortcuts(false); return; }
      var open = document.querySelector("main.cockpit details[open]:focus-within");
      if (open) { open.open = false; return; }
      if (main.classList.contains("at-side")) { showPane("thread"); return; }
      if (main.classList.contains("at-thread") && !window.matchMedia("(min-width: 901px)").matches) { showPane("list"); return; }
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "?") { e.preventDefault(); toggleShortcuts(); return; }
    if (e.key === "/") {
      var t = W.current();
      if (t && t.openCanned) { e.preventDefault(); t.openCanned(); }
    }
  });

  window.kefuCockpit = { open: open, refresh: refreshList, showPane: showPane };
  markActive();
  updateTitle();
  soundLabel();
  }
})();
