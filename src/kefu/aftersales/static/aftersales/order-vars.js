/* Canned replies beside a conversation with a linked order: fill {订单号} {快递公司} {快递单号}
   {预计发货} {预计到货} {发货到货} from the order before the composer (workspace.js, deferred)
   reads the replies.  Runs synchronously where the orders panel is included. */
(function () {
  var vars = document.getElementById("order-vars"), data = document.getElementById("canned-data");
  if (!vars || !data) return;
  var values = JSON.parse(vars.textContent), replies = JSON.parse(data.textContent || "[]");
  replies.forEach(function (r) {
    r.text = String(r.text).replace(/\{([^{}\s]{1,20})\}/g, function (hole, name) {
      return values[name] ? values[name] : hole;
    });
  });
  data.textContent = JSON.stringify(replies);
})();
