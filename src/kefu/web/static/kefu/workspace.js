/* The agent workspace's live layer: one WebSocket per page (/ws/streams/), the inbox doorbell
 * (badge, live list, sound and desktop notification), and for every mounted conversation thread:
 * live messages, sending over the socket with a client id, typing, read receipts, the 15 s / 20 s
 * timers, canned replies with "/".  A page may mount several threads over its life (the cockpit
 * switches chats without a page load, kefu.conversations' cockpit.js): each keeps its own
 * subscription, draft, scroll position and files while it is not shown.  window.kefuWorkspace is
 * the cockpit's handle.  Received text is only ever set with textContent; times are shown in the
 * deployment's time zone (KEFU_TIME_ZONE), never the browser's. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("ws-config").textContent);
  var T = JSON.parse(document.getElementById("ws-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var ws = null, retry = 0, pending = {}, lastTyping = 0;
  var threads = {};  // conversation id -> thread state
  var current = null;  // the thread on screen

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }
  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  /* ---- socket ------------------------------------------------------------------- */
  function subscribe(t) { send({ op: "subscribe", stream: t.stream, after: t.lastEvent }); }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws/streams/");
    ws.onopen = function () {
      retry = 0;
      document.body.classList.remove("ws-down");
      send({ op: "subscribe", stream: "inbox" });
      Object.keys(threads).forEach(function (id) { subscribe(threads[id]); });
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
  function threadOf(data) {
    if (data.stream && data.stream.indexOf("conversation:") === 0) return threads[Number(data.stream.slice(13))] || null;
    if (typeof data.conversation === "number" && threads[data.conversation]) return threads[data.conversation];
    if (data.client_id && pending[data.client_id]) return threads[pending[data.client_id].conversation] || null;
    return current;
  }
  function handle(data) {
    // Other parts of the page (the assist suggestions, the cockpit's list) follow the same events.
    emit("kefu:stream", data);
    if (data.stream === "inbox") return onInbox(data);
    var t = threadOf(data);
    if (data.type === "ack") return onAck(t, data);
    if (data.type === "error") return onError(t, data);
    if (!t) return;
    if (data.type === "typing") return onTyping(t, data);
    if (data.type === "read") { t.visitorRead = Math.max(t.visitorRead, data.upto || 0); return markRead(t); }
    if (data.stream === t.stream) {
      if (typeof data.id === "number") {
        if (t.seen[data.id]) return;  // already shown (a resubscribe may repeat)
        t.seen[data.id] = true;
        // Events of two writes may arrive out of order: one that skips a number asks for the backlog
        // again (the server sends what follows lastEvent; what was seen is dropped above).
        if (data.id > t.lastEvent + 1) subscribe(t); else t.lastEvent = data.id;
        while (t.seen[t.lastEvent + 1]) t.lastEvent += 1;
      }
      if (data.type === "message" && data.op === "created") return onMessage(t, data.message);
      if (data.type === "conversation" || data.type === "analysis") return refreshPane(t);
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
    var open = current ? current.id : null;
    var customerSays = data.type === "message" && data.op === "created" && !data.internal && data.author_kind === "customer";
    if (customerSays && (mine || waiting) && data.conversation !== open) {
      alertAgent(T.new_message, data.conversation);
    } else if (customerSays && data.conversation === open && document.hidden) {
      alertAgent(T.new_message, data.conversation);
    } else if (data.type === "conversation" && data.op === "created") {
      alertAgent(T.new_conversation, data.conversation);
    } else if (data.type === "conversation" && (data.op === "assigned" || data.op === "invited") && mine) {
      alertAgent(T.new_conversation, data.conversation);
    }
  }
  function refreshBadge() {
    fetch(config.badge, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        var n = counts.mine + counts.queue, badge = $("inbox-badge");
        if (badge) { badge.textContent = String(n); badge.hidden = !n; }
        if ($("pane-list")) return;  // the cockpit's title counts unread messages itself
        document.title = document.title.replace(/^\(\d+\) /, "");
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
  function soundOn() { return localStorage.getItem("kefu:sound") === "on"; }  // off unless the agent turns it on
  function alertAgent(text, id, url) {
    var now = Date.now();
    if (now - lastAlert < 1500) return;  // one ring for a burst
    lastAlert = now;
    if (soundOn()) beep();
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      var n = new Notification(text, { body: url ? "" : "#" + id, tag: "kefu-" + id });
      n.onclick = function () {
        window.focus();
        if (!url && $("pane-list") && window.kefuCockpit) window.kefuCockpit.open(id);
        else location.href = url || "/conversations/" + id + "/";
      };
    }
  }
  var enable = $("enable-notifications");
  if (enable && window.Notification && Notification.permission === "default" && !localStorage.getItem("kefu:asked")) {
    enable.hidden = false;
    enable.addEventListener("click", function () {  // asked on a click, never on load
      localStorage.setItem("kefu:asked", "1");  // asked once
      enable.hidden = true;
      Notification.requestPermission();
    });
  }

  /* ---- times in KEFU_TIME_ZONE --------------------------------------------------- */
  var fmt = null;
  try {
    fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone: config.tz || "Asia/Shanghai", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
    });
  } catch (e) { fmt = null; }
  function time(iso) {
    var d = new Date(iso), p = {};
    if (fmt) {
      fmt.formatToParts(d).forEach(function (part) { p[part.type] = part.value; });
      return p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
    }
    var z = function (n) { return ("0" + n).slice(-2); };
    return z(d.getMonth() + 1) + "-" + z(d.getDate()) + " " + z(d.getHours()) + ":" + z(d.getMinutes()) + ":" + z(d.getSeconds());
  }

  /* ---- a thread: live messages, composer, typing, read receipts ------------------ */
  function q(t, sel) { return t.root.querySelector(sel); }
  function renderMessage(t, m) {
    var li = document.createElement("li");
    li.className = "msg " + m.author_kind + (m.internal ? " internal" : "");
    li.id = "m" + m.id;
    li.dataset.id = m.id;
    var meta = document.createElement("div");
    meta.className = "meta";
    var who = m.author_kind === "customer" ? t.root.dataset.customerName : (m.author || T.system);
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
  function onMessage(t, m) {
    var list = q(t, ".messages");
    if (!list || !m) return;
    var existing = list.querySelector("#m" + m.id) || (m.client_id && list.querySelector('[data-client-id="' + CSS.escape(m.client_id) + '"]'));
    var li = renderMessage(t, m);
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    if (existing) existing.replaceWith(li); else {
      var empty = list.querySelector(".empty");
      if (empty) empty.remove();
      list.appendChild(li);
    }
    if (atBottom || t !== current) list.scrollTop = list.scrollHeight;
    if (t !== current) t.scroll = null;  // shown again: at its newest message
    if (m.author_kind === "customer" && !m.internal) {
      if (!greeting(t)) startTimer(t, "reply", m.created_at, true);
      var typing = q(t, ".typing");
      if (typing) typing.hidden = true;
      if (t === current && !document.hidden) send({ op: "read", conversation: t.id, upto: m.id });
    } else if ((m.author_kind === "agent" || m.author_kind === "bot") && !m.internal) {
      stopTimer(t, "reply");
      if (m.author_kind === "agent") stopTimer(t, "greet");
    }
    markRead(t);
  }
  function markRead(t) {
    t.root.querySelectorAll("li.msg.agent:not(.internal)").forEach(function (li) {
      var s = li.querySelector(".state");
      if (s && Number(li.dataset.id) <= t.visitorRead) s.textContent = T.read;
    });
  }
  function onTyping(t, data) {
    var el = q(t, ".typing");
    if (!el || data.side !== "visitor") return;
    el.hidden = !data.typing;
    clearTimeout(t.typingTimer);
    if (data.typing) t.typingTimer = setTimeout(function () { el.hidden = true; }, 4000);
  }
  function onAck(t, data) {
    delete pending[data.client_id];
    var li = t && t.root.querySelector('[data-client-id="' + CSS.escape(data.client_id) + '"]');
    if (li && !t.root.querySelector("#m" + data.message)) li.id = "m" + data.message;
  }
  function onError(t, data) {
    var li = t && data.client_id && t.root.querySelector('[data-client-id="' + CSS.escape(data.client_id) + '"]');
    if (data.client_id) delete pending[data.client_id];
    if (li) {
      li.classList.add("failed");
      li.querySelector(".meta").textContent = T.failed + " · " + (data.message || "");
    } else if (t && q(t, ".composer .error")) {
      q(t, ".composer .error").textContent = data.message || "";
    }
  }
  function refreshPane(t) {
    // Status, assignee, priority or analysis changed (maybe by a colleague or the worker): re-render
    // the thread's header and the customer panel; the messages and the draft stay as they are.
    clearTimeout(t.paneTimer);
    t.paneTimer = setTimeout(function () {
      var url = t.root.dataset.paneUrl + ($("pane-list") ? "" : "?standalone=1");
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var tpl = document.createElement("template");
          tpl.innerHTML = html;  // the server's own escaped partial
          var head = tpl.content.querySelector(".threadhead"), side = tpl.content.querySelector("aside.side");
          if (head && q(t, ".threadhead")) q(t, ".threadhead").replaceWith(head);
          if (side && t.side) { t.side.replaceWith(side); t.side = side; }
          tickTimers();
          emit("kefu:pane", { conversation: t.id, root: t.root, side: t.side });
        }).catch(function () {});
    }, 150);
  }

  /* ---- timers: greet within 15 s (R5), answer within 20 s (R6) ------------------ */
  function fmtDuration(sec) {
    sec = Math.max(0, Math.floor(sec));
    var m = Math.floor(sec / 60), s = sec % 60;
    if (m >= 60) return Math.floor(m / 60) + ":" + ("0" + (m % 60)).slice(-2) + ":" + ("0" + s).slice(-2);
    return m + ":" + ("0" + s).slice(-2);
  }
  function timerEl(t, kind) { return q(t, '.sla-timer[data-kind="' + kind + '"]'); }
  function greeting(t) { var g = timerEl(t, "greet"); return !!(g && !g.hidden); }  // one timer at a time
  function startTimer(t, kind, sinceIso, keepOlder) {
    var el = timerEl(t, kind);
    if (!el) return;
    if (keepOlder && !el.hidden && el.dataset.since) return;  // the oldest unanswered message counts
    el.dataset.since = sinceIso;
    el.hidden = false;
    tickTimers();
  }
  function stopTimer(t, kind) {
    var el = timerEl(t, kind);
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
  function bindComposer(t) {
    var form = q(t, "form.composer");
    if (!form) return;
    var text = form.querySelector("textarea");
    var internal = form.querySelector('input[name="internal"]');
    var files = form.querySelector('input[type="file"]');
    var list = q(t, ".messages");
    var error = form.querySelector(".error");
    files.addEventListener("change", function () {
      if (files.files.length) files.parentNode.dataset.count = files.files.length; else delete files.parentNode.dataset.count;
    });
    form.addEventListener("submit", function (e) {
      form.querySelector("[data-client-id]").value = uuid();
      if (files.files.length && $("pane-list")) {  // the cockpit: the files go up without leaving the page
        e.preventDefault();
        var body = new FormData(form);
        error.textContent = "";
        fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, data: j }; }); })
          .then(function (res) {
            if (!res.ok) { error.textContent = res.data.message || T.failed; return; }
            text.value = ""; files.value = ""; delete files.parentNode.dataset.count;
            if (internal) internal.checked = false;
          }).catch(function () { error.textContent = T.failed; });
        return;
      }
      if (files.files.length || !ws || ws.readyState !== 1) return;  // images and offline: plain form post
      e.preventDefault();
      var value = text.value.trim();
      if (!value) return;
      error.textContent = "";
      var msg = { op: "send", conversation: t.id, client_id: uuid(), text: value, internal: !!(internal && internal.checked) };
      pending[msg.client_id] = msg;
      var li = renderMessage(t, { id: "", author_kind: "agent", author: "", text: value, internal: msg.internal, created_at: new Date().toISOString() });
      li.id = ""; li.dataset.clientId = msg.client_id; li.classList.add("sending");
      li.querySelector(".meta").textContent = T.sending;
      list.appendChild(li);
      list.scrollTop = list.scrollHeight;
      text.value = "";
      lastTyping = 0;
      if (internal) internal.checked = false;
      send(msg);
    });
    var canned = cannedPicker(t, text);
    t.canned = canned;
    text.addEventListener("keydown", function (e) {
      if (canned.open && canned.key(e)) return;
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (text.value.trim() || files.files.length) form.requestSubmit();
      }
    });
    text.addEventListener("input", function () {
      canned.update();
      var now = Date.now();
      if (now - lastTyping > 2000 && !(internal && internal.checked)) {
        lastTyping = now;
        send({ op: "typing", conversation: t.id, typing: true });
      }
    });
    var opener = form.querySelector("[data-canned-open]");
    if (opener) opener.addEventListener("click", function () { t.openCanned(); });
    t.openCanned = function () { text.value = "/" + text.value.replace(/^\//, ""); text.focus(); canned.update(); };
  }
  function readLatest(t) {
    var last = t.root.querySelector("li.msg.customer:last-of-type");
    if (last && last.dataset.id) send({ op: "read", conversation: t.id, upto: Number(last.dataset.id) });
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden && current) readLatest(current); });

  /* ---- canned replies: "/" then a few letters, ↑↓ and Enter ---------------------- */
  function cannedPicker(t, text) {
    var source = q(t, "#canned-data");
    var data = JSON.parse(source ? source.textContent : "[]");
    var popup = q(t, ".canned-popup"), items = [], index = 0;
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
    self.close = function () { popup.hidden = true; self.open = false; };
    self.update = function () {
      var qy = query();
      if (qy === null) { self.close(); return; }
      items = data.filter(function (r) {
        return !qy || (r.shortcut || "").toLowerCase().indexOf(qy) === 0 || r.title.toLowerCase().indexOf(qy) >= 0 ||
          r.text.toLowerCase().indexOf(qy) >= 0 || (r.category || "").indexOf(qy) >= 0;
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
      self.close();
      text.focus();
      var hole = /\{[^{}\s]{1,20}\}/.exec(item.text);  // select the first blank ({订单号}) to fill in
      var start = before.length + (hole ? hole.index : item.text.length);
      text.setSelectionRange(start, hole ? start + hole[0].length : start);
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
    self.key = function (e) {
      if (e.key === "ArrowDown") { index = Math.min(items.length - 1, index + 1); render(); e.preventDefault(); return true; }
      if (e.key === "ArrowUp") { index = Math.max(0, index - 1); render(); e.preventDefault(); return true; }
      if ((e.key === "Enter" || e.key === "Tab") && !e.isComposing && items.length) { e.preventDefault(); choose(); return true; }
      if (e.key === "Escape") { self.close(); e.preventDefault(); e.stopPropagation(); return true; }
      return false;
    };
    text.addEventListener("blur", function () { setTimeout(self.close, 150); });
    return self;
  }

  /* ---- mounting threads ------------------------------------------------------------ */
  function mount(root, side) {
    var id = Number(root.dataset.conversation);
    var t = threads[id];
    if (t && t.root === root) { t.side = side || t.side; show(t); return t; }
    t = {
      id: id, stream: "conversation:" + id, root: root, side: side || null,
      lastEvent: Number(root.dataset.lastEvent || 0), seen: {}, visitorRead: Number(root.dataset.visitorRead || 0), scroll: null
    };
    threads[id] = t;
    bindComposer(t);
    subscribe(t);
    show(t);
    return t;
  }
  function show(t) {
    current = t;
    var list = q(t, ".messages");
    if (list) list.scrollTop = t.scroll === null ? list.scrollHeight : t.scroll;
    readLatest(t);
    tickTimers();
    emit("kefu:thread", { conversation: t.id, root: t.root, side: t.side });
  }
  function hide(t) {
    var list = q(t, ".messages");
    if (list) t.scroll = list.scrollHeight - list.scrollTop - list.clientHeight < 40 ? null : list.scrollTop;
    if (t.canned) t.canned.close();
    if (current === t) current = null;
  }

  window.kefuWorkspace = {
    mount: mount, hide: hide, send: send, time: time, tickTimers: tickTimers,
    thread: function (id) { return threads[id] || null; },
    current: function () { return current; },
    soundOn: soundOn
  };

  var first = $("thread");
  if (first) {
    var t0 = mount(first, document.querySelector("aside.side"));
    if (location.hash === "#composer" && q(t0, "textarea")) q(t0, "textarea").focus();
  }
  refreshBadge();
  connect();
})();
