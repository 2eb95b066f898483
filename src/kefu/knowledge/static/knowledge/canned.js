/* Canned-reply usage counts: when the composer sends a reply that still contains a canned
 * reply the agent inserted with "/", tell the server once per reply (POST /kb/canned/ID/used/). */
(function () {
  "use strict";
  if (window.kefuCannedLoaded) return;  // loaded once per page; each thread's composer is mounted
  window.kefuCannedLoaded = true;
  function mount(form) {
  var data = document.getElementById("canned-data");
  if (!form || !data || form.dataset.cannedBound) return;
  form.dataset.cannedBound = "1";
  var byId = {};
  JSON.parse(data.textContent).forEach(function (r) { if (r.id) byId[r.id] = r; });
  var text = form.querySelector("textarea");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  form.addEventListener("submit", function () {
    var used = (text.dataset.cannedUsed || "").split(" ").filter(Boolean);
    delete text.dataset.cannedUsed;
    var value = text.value, seen = {};
    used.forEach(function (id) {
      var item = byId[id];
      if (!item || seen[id] || value.indexOf(item.text.slice(0, 12)) < 0) return;
      seen[id] = true;
      var report = function (tries) {  // after the send itself; retried once if the server was busy
        fetch(form.dataset.cannedUsedUrl.replace("0", id), {
          method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf ? csrf.value : "" }
        }).then(function (r) { if (!r.ok && tries > 0) setTimeout(function () { report(tries - 1); }, 1500); })
          .catch(function () {});
      };
      setTimeout(function () { report(1); }, 800);
    });
  }, true);
  }
  mount(document.getElementById("composer"));
  document.addEventListener("kefu:thread", function () { mount(document.getElementById("composer")); });
})();
