/* The agent workspace's live layer: one WebSocket per page (/ws/streams/), the inbox doorbell
 * (badge, live list, sound and desktop notification), and on a conversation page: live
 * messages, sending over the socket with a client id, typing, read receipts, the 15 s / 20 s
 * timers, canned replies with "/".  Received text is only ever set with textContent. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("ws-config").textContent);
  var T = JSON.parse(document.getElementById("ws-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var thread = $("thread");
  var conversationId = thread ? Number(thread.dataset.conversation) : null;
  var stream = conversationId ? "conversation:" + conversationId : null;
  var lastEvent = thread ? Number(thread.dataset.lastEvent || 0) : 0;
  var visitorRead = thread ? Number(thread.dataset.visitorRead || 0) : 0;
  var ws = null, retry = 0, pending = {}, lastTyping = 0, typingTimer = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }

  /* ---- socket ------------------------------------------------------------------- */
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws/streams/");
    ws.onopen = function () {
      retry = 0;
      document.body.classList.remove("ws-down");
      send({ op: "subscribe", stream: "inbox" });
      if (stream) send({ op: "subscribe", stream: stream, after: lastEvent });
      Object.keys(pending).forEach(function (id) { send(pending[id]); });  // unacknowledged: resend, same client id
    };
    ws.onmessage = function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      handle(data);
    };
    ws.onclose = function () {
      ws = null;
      document.body.classList.add("ws-down");
      var delay = Math.min(10000, 500 * Math.pow(2, retry++)) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }
  function handle(data) {
    // Other parts of the page (the assist suggestions) follow the same events.
    document.dispatchEvent(new CustomEvent("kefu:stream", { detail: data }));
    if (data.stream === "inbox") return onInbox(data);
    if (data.type === "ack") return onAck(data);
    if (data.type === "error") return onError(data);
    if (data.type === "typing") return onTyping(data);
    if (data.type === "read") { visitorRead = Math.max(visitorRead, data.upto || 0); return markRead(); }
    if (stream && data.stream === stream) {
      if (typeof data.id === "number") {
        if (data.id <= lastEvent) return;  // already shown (a resubscribe may repeat)
        lastEvent = data.id;
      }
      if (data.type === "message" && data.op === "created") return onMessage(data.message);
      if (data.type === "conversation" && (data.op === "status" || data.op === "assigned")) return softReload();
    }
  }

  /* ---- inbox doorbell: badge, live list, notifications -------------------------- */
  var badgeTimer = null, listTimer = null, lastList = 0, lastBadge = 0;
  function throttled(last, fn) {
    // At most one reload a second per page, however busy the contact centre is.
    return setTimeout(fn, Math.max(200, 1000 - (Date.now() - last)));
  }
  /* ---- a ringing phone pops the caller's file ----------------------------------- */
  function onCall(data) {
    var id = "call-" + data.call;
    var old = $(id);
    if (data.op !== "ringing") { if (old) old.remove(); return; }
    if (old || (data.agent && data.agent !== config.username)) return;
    var box = document.createElement("div");
    box.className = "call-pop";
    box.id = id;
    box.setAttribute("role", "alert");
    var title = document.createElement("b");
    title.textContent = T.ringing + " · " + (data.customer_name || data.number || "");
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = T.open_call;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link";
    close.textContent = T.dismiss;
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(title); box.appendChild(link); box.appendChild(close);
    document.body.appendChild(box);
    lastAlert = 0;
    alertAgent(T.ringing + " " + (data.number || ""), "call-" + data.call, data.url);
  }

  function onInbox(data) {
    if (data.type === "call") return onCall(data);
    if (!badgeTimer) badgeTimer = throttled(lastBadge, function () { badgeTimer = null; lastBadge = Date.now(); refreshBadge(); });
    var live = $("inbox-live");
    if (live && !listTimer) listTimer = throttled(lastList, function () { listTimer = null; lastList = Date.now(); refreshList(live); });
    var mine = data.assignee === config.user;
    var waiting = !data.assignee;
    if (data.type === "message" && data.op === "created" && !data.internal && data.author_kind === "customer" &&
        (mine || waiting) && data.conversation !== conversationId) {
      alertAgent(T.new_message, data.conversation);
    } else if (data.type === "message" && data.op === "created" && !data.internal && data.author_kind === "customer" &&
        data.conversation === conversationId && document.hidden) {
      alertAgent(T.new_message, data.conversation);
    } else if (data.type === "conversation" && data.op === "created") {
      alertAgent(T.new_conversation, data.conversation);
    } else if (data.type === "conversation" && data.op === "assigned" && mine) {
      alertAgent(T.new_conversation, data.conversation);
    }
  }
  function refreshBadge() {
    fetch(config.badge, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        var n = counts.mine + counts.queue, badge = $("inbox-badge");
        badge.textContent = String(n);
        badge.hidden = !n;
        document.title = document.title.replace(/^\(\d+\) /, "") ;
        if (n) document.title = "(" + n + ") " + document.title;
      }).catch(function () {});
  }
  function refreshList(live) {
    fetch(live.dataset.liveInbox, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { live.innerHTML = html; tickTimers(); } }).catch(function () {});
  }
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain();
      o.type = "sine"; o.frequency.value = 880;
      g.gain.setValueAtTime(0.0001, audio.currentTime);
      g.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.4);
    } catch (e) { /* no audio: the badge still shows */ }
  }
  var lastAlert = 0;
  function alertAgent(text, id, url) {
    var now = Date.now();
    if (now - lastAlert < 1500) return;  // one ring for a burst
    lastAlert = now;
    if (localStorage.getItem("kefu:sound") !== "off") beep();
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      var n = new Notification(text, { body: url ? "" : "#" + id, tag: "kefu-" + id });
      n.onclick = function () { window.focus(); location.href = url || "/conversations/" + id + "/"; };
    }
  }
  var enable = $("enable-notifications");
  if (enable && window.Notification && Notification.permission === "default" && !localStorage.getItem("kefu:asked")) {
    enable.hidden = false;
    enable.addEventListener("click", function () {
      localStorage.setItem("kefu:asked", "1");  // asked once
      enable.hidden = true;
      Notification.requestPermission();
      beep();
    });
  }

  /* ---- a conversation: live messages, composer, typing, read receipts ---------- */
  function time(iso) {
    var d = new Date(iso);
    var p = function (n) { return ("0" + n).slice(-2); };
    return p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }
  function renderMessage(m) {
    var li = document.createElement("li");
    li.className = "msg " + m.author_kind + (m.internal ? " internal" : "");
    li.id = "m" + m.id;
    li.dataset.id = m.id;
    var meta = document.createElement("div");
    meta.className = "meta";
    var who = m.author_kind === "customer" ? thread.dataset.customerName : (m.author || T.system);
    meta.textContent = who + (m.internal ? " · " + T.internal : "") + " · " + time(m.created_at);
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = m.text || "";
    (m.attachments || []).forEach(function (a) {
      var box = document.createElement("div");
      box.className = "att";
      var link = document.createElement("a");
      link.href = a.url; link.target = "_blank"; link.rel = "noopener";
      if (/^image\//.test(a.content_type)) {
        var img = document.createElement("img");
        img.src = a.url; img.alt = a.name;
        link.appendChild(img);
      } else {
        link.textContent = a.name;
      }
      box.appendChild(link);
      bubble.appendChild(box);
    });
    li.appendChild(meta);
    li.appendChild(bubble);
    if (m.author_kind === "agent" && !m.internal) {
      var state = document.createElement("div");
      state.className = "state";
      li.appendChild(state);
    }
    return li;
  }
  function onMessage(m) {
    var list = $("messages");
    if (!list || !m) return;
    var existing = document.getElementById("m" + m.id) || (m.client_id && list.querySelector('[data-client-id="' + CSS.escape(m.client_id) + '"]'));
    var li = renderMessage(m);
    if (existing) existing.replaceWith(li); else {
      var empty = list.querySelector(".empty");
      if (empty) empty.remove();
      list.appendChild(li);
    }
    list.scrollTop = list.scrollHeight;
    if (m.author_kind === "customer" && !m.internal) {
      startTimer("reply", m.created_at, true);
      $("typing").hidden = true;
      if (!document.hidden) send({ op: "read", conversation: conversationId, upto: m.id });
    } else if ((m.author_kind === "agent" || m.author_kind === "bot") && !m.internal) {
      stopTimer("reply");
      if (m.author_kind === "agent") stopTimer("greet");
    }
    markRead();
  }
  function markRead() {
    document.querySelectorAll("#messages li.msg.agent:not(.internal)").forEach(function (li) {
      var s = li.querySelector(".state");
      if (s && Number(li.dataset.id) <= visitorRead) s.textContent = T.read;
    });
  }
  function onTyping(data) {
    var el = $("typing");
    if (!el || data.side !== "visitor") return;
    el.hidden = !data.typing;
    clearTimeout(typingTimer);
    if (data.typing) typingTimer = setTimeout(function () { el.hidden = true; }, 4000);
  }
  function onAck(data) {
    delete pending[data.client_id];
    var li = document.querySelector('[data-client-id="' + CSS.escape(data.client_id) + '"]');
    if (li && !document.getElementById("m" + data.message)) li.id = "m" + data.message;
  }
  function onError(data) {
    var li = data.client_id && document.querySelector('[data-client-id="' + CSS.escape(data.client_id) + '"]');
    if (data.client_id) delete pending[data.client_id];
    if (li) {
      li.classList.add("failed");
      li.querySelector(".meta").textContent = T.failed + " · " + (data.message || "");
    } else if ($("composer-error")) {
      $("composer-error").textContent = data.message || "";
    }
  }
  var reloadTimer = null;
  function softReload() {
    // Status or assignee changed (maybe by a colleague): re-render the page, keeping a draft.
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(function () {
      var t = document.querySelector("#composer textarea");
      if (t && t.value.trim()) return;  // never lose what the agent is typing
      location.reload();
    }, 400);
  }

  /* ---- timers: greet within 15 s (R5), answer within 20 s (R6) ------------------ */
  function fmtDuration(sec) {
    sec = Math.max(0, Math.floor(sec));
    var m = Math.floor(sec / 60), s = sec % 60;
    if (m >= 60) return Math.floor(m / 60) + ":" + ("0" + (m % 60)).slice(-2) + ":" + ("0" + s).slice(-2);
    return m + ":" + ("0" + s).slice(-2);
  }
  function startTimer(kind, sinceIso, keepOlder) {
    var el = document.querySelector('.sla-timer[data-kind="' + kind + '"]');
    if (!el) return;
    if (keepOlder && !el.hidden && el.dataset.since) return;  // the oldest unanswered message counts
    el.dataset.since = sinceIso;
    el.hidden = false;
    tickTimers();
  }
  function stopTimer(kind) {
    var el = document.querySelector('.sla-timer[data-kind="' + kind + '"]');
    if (el) { el.hidden = true; el.dataset.since = ""; }
  }
  function tickTimers() {
    var now = Date.now();
    document.querySelectorAll(".sla-timer:not([hidden]), .timer[data-since]").forEach(function (el) {
      if (!el.dataset.since) return;
      var elapsed = (now - Date.parse(el.dataset.since)) / 1000, target = Number(el.dataset.target || 20);
      var out = el.querySelector("b") || el;
      out.textContent = fmtDuration(elapsed);
      el.classList.toggle("amber", elapsed >= target * 0.8 && elapsed < target);
      el.classList.toggle("red", elapsed >= target);
    });
  }
  setInterval(tickTimers, 1000);
  tickTimers();

  /* ---- composer ------------------------------------------------------------------ */
  var form = $("composer");
  if (form) {
    var text = form.querySelector("textarea");
    var internal = form.querySelector('input[name="internal"]');
    var files = form.querySelector('input[type="file"]');
    var list = $("messages");
    list.scrollTop = list.scrollHeight;
    if (location.hash === "#composer") text.focus();
    files.addEventListener("change", function () {
      if (files.files.length) files.parentNode.dataset.count = files.files.length; else delete files.parentNode.dataset.count;
    });
    form.addEventListener("submit", function (e) {
      form.querySelector("[data-client-id]").value = uuid();
      if (files.files.length || !ws || ws.readyState !== 1) return;  // images and offline: plain form post
      e.preventDefault();
      var value = text.value.trim();
      if (!value) return;
      $("composer-error").textContent = "";
      var msg = { op: "send", conversation: conversationId, client_id: uuid(), text: value, internal: !!(internal && internal.checked) };
      pending[msg.client_id] = msg;
      var li = renderMessage({ id: "", author_kind: "agent", author: "", text: value, internal: msg.internal, created_at: new Date().toISOString() });
      li.id = ""; li.dataset.clientId = msg.client_id; li.classList.add("sending");
      li.querySelector(".meta").textContent = T.sending;
      list.appendChild(li);
      list.scrollTop = list.scrollHeight;
      text.value = "";
      lastTyping = 0;
      if (internal) internal.checked = false;
      send(msg);
    });
    text.addEventListener("keydown", function (e) {
      if (canned.open && canned.key(e)) return;
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (text.value.trim()) form.requestSubmit();
      }
    });
    text.addEventListener("input", function () {
      canned.update();
      var now = Date.now();
      if (now - lastTyping > 2000 && !(internal && internal.checked)) {
        lastTyping = now;
        send({ op: "typing", conversation: conversationId, typing: true });
      }
    });
    document.addEventListener("visibilitychange", function () {
      var last = list.querySelector("li.msg.customer:last-of-type");
      if (!document.hidden && last) send({ op: "read", conversation: conversationId, upto: Number(last.dataset.id) });
    });
    var canned = cannedPicker(text);
    var opener = form.querySelector("[data-canned-open]");
    if (opener) opener.addEventListener("click", function () { text.value = "/" + text.value.replace(/^\//, ""); text.focus(); canned.update(); });
  }

  /* ---- canned replies: "/" then a few letters, ↑↓ and Enter ---------------------- */
  function cannedPicker(text) {
    var data = JSON.parse(($("canned-data") || { textContent: "[]" }).textContent);
    var popup = $("canned-popup"), items = [], index = 0;
    var self = { open: false };
    function query() {
      var before = text.value.slice(0, text.selectionStart);
      var m = /(^|\n)\/([^\s\/]*)$/.exec(before);
      return m ? m[2].toLowerCase() : null;
    }
    function render() {
      popup.textContent = "";
      if (!items.length) {
        var none = document.createElement("div");
        none.className = "muted";
        none.textContent = T.no_match;
        popup.appendChild(none);
      }
      items.forEach(function (item, i) {
        var row = document.createElement("div");
        row.className = "canned-item" + (i === index ? " active" : "");
        row.setAttribute("role", "option");
        var head = document.createElement("b");
        head.textContent = (item.shortcut ? "/" + item.shortcut + " " : "") + item.title;
        var body = document.createElement("span");
        body.textContent = item.text;
        row.appendChild(head); row.appendChild(body);
        if (item.note) { var note = document.createElement("small"); note.className = "canned-note"; note.textContent = "※ " + item.note; row.appendChild(note); }  // for the agent, never sent
        row.addEventListener("mousedown", function (e) { e.preventDefault(); index = i; choose(); });
        popup.appendChild(row);
      });
      var active = popup.querySelector(".active");
      if (active) active.scrollIntoView({ block: "nearest" });
    }
    self.update = function () {
      var q = query();
      if (q === null) { popup.hidden = true; self.open = false; return; }
      items = data.filter(function (r) {
        return !q || (r.shortcut || "").toLowerCase().indexOf(q) === 0 || r.title.toLowerCase().indexOf(q) >= 0 ||
          r.text.toLowerCase().indexOf(q) >= 0 || (r.category || "").indexOf(q) >= 0;
      }).slice(0, 30);
      index = 0;
      popup.hidden = false;
      self.open = true;
      render();
    };
    function choose() {
      var item = items[index];
      if (!item) return;
      var before = text.value.slice(0, text.selectionStart), after = text.value.slice(text.selectionStart);
      before = before.replace(/\/[^\s\/]*$/, "");
      text.value = before + item.text + after;
      if (item.id) text.dataset.cannedUsed = ((text.dataset.cannedUsed || "") + " " + item.id).trim();  // counted on send (knowledge/canned.js)
      popup.hidden = true; self.open = false;
      text.focus();
      var hole = /\{[^{}\s]{1,20}\}/.exec(item.text);  // select the first blank ({订单号}) to fill in
      var start = before.length + (hole ? hole.index : item.text.length);
      text.setSelectionRange(start, hole ? start + hole[0].length : start);
    }
    self.key = function (e) {
      if (e.key === "ArrowDown") { index = Math.min(items.length - 1, index + 1); render(); e.preventDefault(); return true; }
      if (e.key === "ArrowUp") { index = Math.max(0, index - 1); render(); e.preventDefault(); return true; }
      if ((e.key === "Enter" || e.key === "Tab") && !e.isComposing && items.length) { e.preventDefault(); choose(); return true; }
      if (e.key === "Escape") { popup.hidden = true; self.open = false; e.preventDefault(); return true; }
      return false;
    };
    text.addEventListener("blur", function () { setTimeout(function () { popup.hidden = true; self.open = false; }, 150); });
    return self;
  }

  refreshBadge();
  connect();
})();
