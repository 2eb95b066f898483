/* The visitor's chat panel (inside the iframe).  Protocol: docs/widget.md.
 * Nothing received is ever put into the page as HTML: text goes through textContent. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kefu-config").textContent);
  var T = JSON.parse(document.getElementById("kefu-strings").textContent);
  var key = config.channel;
  var store = {
    get: function (name, fallback) {
      try { var v = localStorage.getItem("kefu:" + key + ":" + name); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set: function (name, value) {
      try { localStorage.setItem("kefu:" + key + ":" + name, JSON.stringify(value)); } catch (e) { /* private mode */ }
    }
  };
  var customerToken = "";
  var hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("ct")) { customerToken = hash.get("ct"); history.replaceState(null, "", location.pathname + location.search); }

  var state = {
    visitor: store.get("visitor", ""),
    conversation: store.get("conversation", null),
    after: 0,  // the last event id seen on this page; a reload fetches the whole conversation
    outbox: store.get("outbox", []),   // messages not yet acknowledged: resent with the same client id
    seen: {},
    agentReadUpto: 0,
    maxAgentMessage: 0,
    open: window.parent === window,
    unread: 0,
    welcomed: false,
    prechatDone: store.get("prechat", false),
    online: true,
    agent: ""
  };

  var $ = function (id) { return document.getElementById(id); };
  var list = $("messages"), composer = $("composer"), input = $("text"), statusEl = $("status");
  var ws = null, retry = 0, queueTimer = null, typingTimer = null, lastTyping = 0;

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k] == null ? "" : String(values[k]); });
  }
  function setStatus(text, warn) {
    statusEl.textContent = text || "";
    statusEl.classList.toggle("warn", !!warn);
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function scrollDown() { list.scrollTop = list.scrollHeight; }
  function time(iso) {
    var d = iso ? new Date(iso) : new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  /* ---- rendering ---------------------------------------------------------------- */
  function bubble(kind, author, text, attachments, at) {
    var li = document.createElement("li");
    li.className = "msg " + kind;
    if (author) {
      var a = document.createElement("div");
      a.className = "author";
      a.textContent = author + " · " + time(at);
      li.appendChild(a);
    }
    var b = document.createElement("div");
    b.className = "bubble";
    b.textContent = text || "";
    (attachments || []).forEach(function (att) {
      if (att.url && /^image\//.test(att.content_type)) {
        var img = document.createElement("img");
        img.src = att.url;
        img.alt = att.name || T.image;
        img.addEventListener("load", scrollDown);
        b.appendChild(img);
      }
    });
    li.appendChild(b);
    if (kind === "customer") {
      var s = document.createElement("div");
      s.className = "state";
      li.appendChild(s);
    }
    list.appendChild(li);
    scrollDown();
    return li;
  }
  function pendingBubble(item) {
    var li = bubble("customer", "", item.text, [], null);
    li.dataset.clientId = item.client_id;
    li.querySelector(".state").textContent = T.sending;
    return li;
  }
  function findPending(clientId) {
    return clientId ? list.querySelector('li[data-client-id="' + CSS.escape(clientId) + '"]') : null;
  }
  function markRead() {
    list.querySelectorAll("li.msg.customer[data-id]").forEach(function (li) {
      if (Number(li.dataset.id) <= state.agentReadUpto) li.querySelector(".state").textContent = T.read;
    });
  }
  function showMessage(m) {
    if (!m || !m.id || state.seen[m.id]) return;
    state.seen[m.id] = true;
    var li = m.client_id ? findPending(m.client_id) : null;
    if (!li) {
      var who = m.author_kind === "customer" ? "" : (m.author || (m.author_kind === "bot" ? T.assistant || "" : ""));
      li = bubble(m.author_kind, who, m.text, m.attachments, m.created_at);
    } else {
      li.classList.remove("failed");
    }
    li.dataset.id = m.id;
    if (m.author_kind === "customer") {
      li.querySelector(".state").textContent = m.id <= state.agentReadUpto ? T.read : T.sent;
      dropFromOutbox(m.client_id);
    } else if (m.author_kind === "agent" || m.author_kind === "bot") {
      showHumanButton(m.author_kind === "bot");
      state.maxAgentMessage = Math.max(state.maxAgentMessage, m.id);
      if (!state.open || document.hidden) {
        state.unread += 1;
        tellParent({ kefu: "unread", count: state.unread });
      }
      sendRead();
    }
  }

  /* ---- the outbox: durable until acknowledged ------------------------------------ */
  function saveOutbox() { store.set("outbox", state.outbox); }
  function dropFromOutbox(clientId) {
    if (!clientId) return;
    var before = state.outbox.length;
    state.outbox = state.outbox.filter(function (i) { return i.client_id !== clientId; });
    if (state.outbox.length !== before) saveOutbox();
  }
  function flushOutbox() {
    state.outbox.forEach(function (item) { send({ op: "send", client_id: item.client_id, text: item.text }); });
  }

  /* ---- the socket ---------------------------------------------------------------- */
  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }
  function connect() {
    setStatus(state.welcomed ? T.reconnecting : T.connecting, state.welcomed);
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws/widget/?channel=" + encodeURIComponent(key) + "&lang=" + encodeURIComponent(config.lang));
    ws.onopen = function () {
      retry = 0;
      send({ op: "hello", visitor: state.visitor, customer_token: customerToken, conversation: state.conversation, after: state.after });
    };
    ws.onmessage = function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      handle(data);
    };
    ws.onclose = function (e) {
      ws = null;
      if (e.code === 4404) { setStatus(T.failed, true); return; }
      setStatus(T.reconnecting, true);
      var delay = Math.min(10000, 500 * Math.pow(2, retry++)) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }
  function handle(data) {
    if (typeof data.id === "number" && data.id > state.after) {
      state.after = data.id;
    }
    switch (data.type) {
      case "welcome": return onWelcome(data);
      case "caught_up":
        state.after = Math.max(state.after, data.after || 0);
        return;
      case "ack": return onAck(data);
      case "message": return showMessage(data.message);
      case "conversation":
        if (data.agent) serving(data.agent);
        if (data.status === "resolved") setStatus(T.resolved);
        return;
      case "typing":
        $("typing").hidden = !data.typing;
        clearTimeout(typingTimer);
        if (data.typing) typingTimer = setTimeout(function () { $("typing").hidden = true; }, 4000);
        return;
      case "read":
        state.agentReadUpto = Math.max(state.agentReadUpto, data.upto || 0);
        return markRead();
      case "queue": return onQueue(data);
      case "prechat":
        state.prechatDone = true;
        store.set("prechat", true);
        return showComposer();
      case "error": return onError(data);
    }
  }
  function onWelcome(data) {
    state.welcomed = true;
    state.visitor = data.visitor;
    store.set("visitor", data.visitor);
    var c = data.conversation;
    if (c) {
      if (state.conversation !== c.id) { state.conversation = c.id; store.set("conversation", c.id); }
      state.agentReadUpto = c.agent_read_upto || 0;
      if (c.agent) serving(c.agent); else onQueue({ position: c.queue_position });
    } else if (state.conversation) {
      state.conversation = null; state.after = 0;
      store.set("conversation", null);
    }
    state.online = data.availability.online;
    if (!c && !data.availability.online && !state.outbox.length) {
      showLeave(data.availability.next_opening);
    } else if (!c && data.channel.prechat && !state.prechatDone && !customerToken) {
      showPrechat();
    } else {
      showComposer();
      if (!c || c.agent) setStatus("");
    }
    flushOutbox();
    pollQueue();
  }
  function onAck(data) {
    dropFromOutbox(data.client_id);
    if (data.conversation && data.conversation !== state.conversation) {
      state.conversation = data.conversation;
      state.after = 0;  // a new conversation: a new stream, numbered from 1
      store.set("conversation", data.conversation);
    }
    var li = findPending(data.client_id);
    if (li) {
      li.classList.remove("failed");
      if (!li.dataset.id) li.querySelector(".state").textContent = T.sent;
    }
    pollQueue();
  }
  function onError(data) {
    var li = findPending(data.client_id);
    if (data.error === "rate_limited" && data.client_id) {
      setTimeout(function () {
        var item = state.outbox.filter(function (i) { return i.client_id === data.client_id; })[0];
        if (item) send({ op: "send", client_id: item.client_id, text: item.text });
      }, Math.max(1, data.retry_after || 1) * 1000);
      $("composer-error").textContent = data.message || "";
      return;
    }
    // The server could not store it right now (its database failed, even for this message alone):
    // keep it in the outbox and send it again with backoff, as after a reconnect; give up after 5 tries.
    if ((data.error === "not_stored" || data.error === "server_error") && data.client_id) {
      var pending = state.outbox.filter(function (i) { return i.client_id === data.client_id; })[0];
      if (pending && (pending.tries || 0) < 5) {
        pending.tries = (pending.tries || 0) + 1;
        saveOutbox();
        setTimeout(function () { send({ op: "send", client_id: pending.client_id, text: pending.text }); },
                   1000 * Math.pow(2, pending.tries - 1));
        return;
      }
    }
    if (li) {
      li.classList.add("failed");
      li.querySelector(".state").textContent = T.failed + (data.message ? " · " + data.message : "");
      dropFromOutbox(data.client_id);  // refused for good (too long, closed…): do not resend
    } else if (data.message) {
      $("composer-error").textContent = data.message;
    }
  }
  function serving(name) {
    state.agent = name;
    $("agent").textContent = fmt(T.serving, { name: name });
    setStatus("");
    clearTimeout(queueTimer);
    queueTimer = null;
  }
  function onQueue(data) {
    if (data.agent) return serving(data.agent);
    if (data.position > 0) setStatus(fmt(T.queue, { n: data.position }));
    else if (state.conversation) setStatus(T.waiting);
  }
  function pollQueue() {
    clearTimeout(queueTimer);
    queueTimer = null;
    if (!state.conversation || state.agent) return;
    queueTimer = setTimeout(function () { send({ op: "queue" }); pollQueue(); }, 5000);
  }
  function sendRead() {
    if (state.open && !document.hidden && state.maxAgentMessage) {
      send({ op: "read", upto: state.maxAgentMessage });
      state.unread = 0;
      tellParent({ kefu: "unread", count: 0 });
    }
  }
  function tellParent(message) {
    if (window.parent !== window) window.parent.postMessage(message, "*");
  }

  /* ---- forms ---------------------------------------------------------------------- */
  function showComposer() {
    $("prechat").hidden = true; $("leave").hidden = true; composer.hidden = false;
  }
  function showPrechat() {
    $("prechat").hidden = false; $("leave").hidden = true; composer.hidden = true;
  }
  function showLeave(nextOpening) {
    $("prechat").hidden = true; $("leave").hidden = false; composer.hidden = true;
    if (nextOpening) {
      var d = new Date(nextOpening);
      $("leave-intro").textContent = fmt(T.closed_until, { when: d.toLocaleString(config.lang) });
    }
  }
  $("prechat").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target;
    f.querySelector("[data-error]").textContent = "";
    send({ op: "prechat", name: f.name.value, phone: f.phone.value });
  });
  $("leave").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target, err = f.querySelector("[data-error]"), button = f.querySelector("button");
    err.textContent = "";
    button.disabled = true;
    fetch("/widget/" + encodeURIComponent(key) + "/leave-message/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ visitor: state.visitor, customer_token: customerToken, lang: config.lang,
        name: f.name.value, phone: f.phone.value, email: f.email.value, text: f.text.value })
    }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        button.disabled = false;
        if (!res.ok) { err.textContent = res.body.message || T.failed; return; }
        f.innerHTML = "";
        var p = document.createElement("p");
        p.className = "done";
        p.textContent = res.body.message;
        f.appendChild(p);
      })
      .catch(function () { button.disabled = false; err.textContent = T.failed; });
  });

  function submitText() {
    var text = input.value.trim();
    $("composer-error").textContent = "";
    if (!text) return;
    if (text.length > 5000) { $("composer-error").textContent = T.too_long; return; }
    var item = { client_id: uuid(), text: text };
    state.outbox.push(item);
    saveOutbox();
    pendingBubble(item);
    input.value = "";
    autosize();
    lastTyping = 0;  // the next keystroke starts a new "typing…"
    send({ op: "send", client_id: item.client_id, text: text });
  }
  composer.addEventListener("submit", function (e) { e.preventDefault(); submitText(); });

  /* ---- the FAQ bot: while it answers, one tap asks for a person ------------------ */
  var humanButton = null;
  function showHumanButton(fromBot) {
    if (!fromBot) { if (humanButton) humanButton.hidden = true; return; }
    if (!humanButton) {
      humanButton = document.createElement("button");
      humanButton.type = "button";
      humanButton.className = "human";
      humanButton.id = "human";
      humanButton.textContent = T.human || "转人工";
      humanButton.addEventListener("click", function () {
        input.value = "转人工";
        submitText();
        humanButton.hidden = true;
      });
      composer.insertBefore(humanButton, composer.firstChild);
    }
    humanButton.hidden = false;
  }
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submitText(); }
  });
  function autosize() { input.style.height = "auto"; input.style.height = Math.min(120, input.scrollHeight) + "px"; }
  input.addEventListener("input", function () {
    autosize();
    var now = Date.now();
    if (now - lastTyping > 2000) { lastTyping = now; send({ op: "typing", typing: true }); }
  });

  $("image").addEventListener("change", function (e) {
    var file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    var item = { client_id: uuid(), text: "" };
    var li = bubble("customer", "", "", [], null);
    li.dataset.clientId = item.client_id;
    li.querySelector(".state").textContent = T.sending;
    var form = new FormData();
    form.append("visitor", state.visitor);
    form.append("customer_token", customerToken);
    form.append("client_id", item.client_id);
    form.append("lang", config.lang);
    if (state.conversation) form.append("conversation", state.conversation);
    form.append("file", file);
    fetch("/widget/" + encodeURIComponent(key) + "/upload/", { method: "POST", body: form })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (res.ok) { onAck(res.body); return; }
        li.classList.add("failed");
        li.querySelector(".state").textContent = T.failed + " · " + (res.body.message || "");
      })
      .catch(function () { li.classList.add("failed"); li.querySelector(".state").textContent = T.failed; });
  });

  var emojis = "😀 😊 😂 🙂 😉 😁 😅 😢 😭 😳 😓 🤔 😡 😘 🙏 👍 👌 👏 💪 🤝 ❤️ 🌹 🎉 ✨".split(" ");
  var panel = $("emoji-panel");
  emojis.forEach(function (ch) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = ch;
    b.addEventListener("click", function () {
      var at = input.selectionStart || input.value.length;
      input.value = input.value.slice(0, at) + ch + input.value.slice(input.selectionEnd || at);
      input.focus();
      input.selectionStart = input.selectionEnd = at + ch.length;
      panel.hidden = true;
    });
    panel.appendChild(b);
  });
  $("emoji").addEventListener("click", function () { panel.hidden = !panel.hidden; });
  $("close").addEventListener("click", function () { tellParent({ kefu: "close" }); });
  if (window.parent === window) $("close").hidden = true;

  window.addEventListener("message", function (e) {
    if (!e.data || typeof e.data !== "object") return;
    if (e.data.kefu === "open") { state.open = true; sendRead(); input.focus(); }
    if (e.data.kefu === "closed") state.open = false;
  });
  document.addEventListener("visibilitychange", sendRead);

  state.outbox.forEach(pendingBubble);
  connect();
})();
