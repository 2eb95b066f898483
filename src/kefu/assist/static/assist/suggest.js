/* Live assist: the suggestions panel (#assist-suggest) follows the conversation. It is rendered with
 * the page and fetched again (GET its data-suggest-url, an HTML fragment) when
 *  - a customer message arrives on the conversation's stream, or its analysis is stored
 *    (the workspace re-dispatches every stream event as a "kefu:stream" DOM event), or
 *  - a page calls window.kefuAssist.refresh(url, conversationId) (the cockpit, when it switches
 *    chats: the next chat's suggestions URL and id; both optional).
 * While the last message is still being analysed, it looks again up to four times, 1.5 s apart.
 * Inserting a suggestion is composer.js's delegated [data-assist-insert] click. */
(function () {
  "use strict";
  if (window.kefuAssist) return;  // loaded once per page (the cockpit and a thread it includes)
  var timer = null, seq = 0;
  function panel() { return document.getElementById("assist-suggest"); }
  var waits = 0;
  function refresh(url, conversationId) {
    var box = panel();
    if (!box) return;
    if (url) box.setAttribute("data-suggest-url", url);
    if (conversationId) box.setAttribute("data-conversation", String(conversationId));
    var mine = ++seq;
    fetch(box.getAttribute("data-suggest-url"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || mine !== seq) return;  // a newer refresh is on its way
        var now = panel();
        if (now) now.innerHTML = html;  // the server's own escaped fragment
        // The analysis of a new message is stored by the worker a moment later, and only an upset
        // one announces itself (conversation.classified): look again a few times, then stop.
        if (now && now.querySelector("[data-assist-pending]") && waits < 4) {
          waits += 1;
          clearTimeout(timer);
          timer = setTimeout(function () { refresh(); }, 1500);
        }
      })
      .catch(function () {});
  }
  function soon() { waits = 0; clearTimeout(timer); timer = setTimeout(function () { refresh(); }, 300); }
  document.addEventListener("kefu:stream", function (e) {
    var box = panel(), d = e.detail || {};
    if (!box || d.stream !== "conversation:" + box.getAttribute("data-conversation")) return;
    var m = d.message || {};
    if (d.type === "message" && d.op === "created" && m.author_kind === "customer" && !m.internal) soon();
    else if (d.type === "conversation" && d.op === "classified") soon();
    else if (d.type === "analysis") soon();
  });
  window.kefuAssist = { refresh: refresh };
})();
