/* kefu web-chat loader.  Embed on any page:
 *   <script src="https://HOST/widget.js" data-channel="CHANNEL_KEY" async></script>
 * Optional: data-customer-token="…" (signed by your site, see docs/widget.md), data-lang="zh-TW".
 * Adds a floating button; the chat itself runs in an iframe served by kefu, so the page's
 * styles and scripts cannot break it (nor it them). */
(function () {
  "use strict";
  if (window.__kefuWidget) return;
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll("script[data-channel]");
    script = all[all.length - 1];
  }
  if (!script || !script.getAttribute("data-channel")) return;
  window.__kefuWidget = true;

  var origin = new URL(script.src, location.href).origin;
  var key = script.getAttribute("data-channel");
  var token = script.getAttribute("data-customer-token") || "";
  var lang = (script.getAttribute("data-lang") || navigator.language || "zh-CN").toLowerCase();
  var label = lang.indexOf("zh") === 0
    ? (/(hant|tw|hk|mo)/.test(lang) ? "線上客服" : "在线客服")
    : "Chat with us";

  var css = document.createElement("style");
  css.textContent =
    ".kefu-w-btn{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:6px;" +
    "height:48px;padding:0 18px;border:0;border-radius:24px;background:#1f6feb;color:#fff;font:600 15px/1 system-ui,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    ".kefu-w-btn:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
    ".kefu-w-badge{min-width:20px;height:20px;border-radius:10px;background:#e5484d;color:#fff;font-size:12px;line-height:20px;text-align:center;padding:0 5px}" +
    ".kefu-w-frame{position:fixed;right:20px;bottom:80px;z-index:2147483001;width:380px;height:600px;max-height:calc(100vh - 100px);" +
    "border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff}" +
    ".kefu-w-frame[hidden]{display:none}" +
    "@media (max-width:480px){.kefu-w-frame{right:0;bottom:0;width:100vw;height:100%;max-height:none;border-radius:0}" +
    ".kefu-w-open .kefu-w-btn{display:none}}";
  document.head.appendChild(css);

  var button = document.createElement("button");
  button.type = "button";
  button.className = "kefu-w-btn";
  button.setAttribute("aria-label", label);
  button.innerHTML = '<svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';
  var text = document.createElement("span");
  text.textContent = label;
  var badge = document.createElement("span");
  badge.className = "kefu-w-badge";
  badge.hidden = true;
  button.appendChild(text);
  button.appendChild(badge);

  var frame = null;
  function post(message) {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage(message, origin);
  }
  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.className = "kefu-w-frame";
      frame.title = label;
      frame.allow = "clipboard-write";
      frame.src = origin + "/widget/" + encodeURIComponent(key) + "/?lang=" + encodeURIComponent(lang) +
        (token ? "#ct=" + encodeURIComponent(token) : "");
      frame.addEventListener("load", function () { post({ kefu: "open" }); });
      document.body.appendChild(frame);
    }
    frame.hidden = false;
    document.documentElement.classList.add("kefu-w-open");
    badge.hidden = true;
    post({ kefu: "open" });
  }
  function close() {
    if (frame) frame.hidden = true;
    document.documentElement.classList.remove("kefu-w-open");
    post({ kefu: "closed" });
    button.focus();
  }
  button.addEventListener("click", function () {
    if (frame && !frame.hidden) close(); else open();
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || typeof event.data !== "object") return;
    if (event.data.kefu === "close") close();
    if (event.data.kefu === "unread" && (!frame || frame.hidden)) {
      badge.textContent = String(event.data.count);
      badge.hidden = !event.data.count;
    }
  });
  function mount() { document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
  window.kefuWidget = { open: open, close: close };
})();
