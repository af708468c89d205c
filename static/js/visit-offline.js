// The day's list: a visit recorded here carries the version it started from and the time
// it was done (the phone's clock), and goes through the device's queue when there is no
// signal (static/js/offline.js). If the visit changed on the server meanwhile, the server
// writes nothing and answers 409; the record is then posted as a page, which shows both
// records side by side for the worker to choose field by field.
(function () {
  "use strict";
  var queue = window.DoorstepQueue;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localNow() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  document.querySelectorAll("form[data-visit-form]").forEach(function (form) {
    // Runs before the queue's own submit handler (this one sits on the form itself).
    form.addEventListener("submit", function () {
      var when = form.querySelector("input[name=visited_at]");
      if (when && !when.value) when.value = localNow();
    });
  });

  // Post a queued record as a page: the server answers with the side-by-side choice (or
  // the fields to fix), exactly as if it had been sent online.
  function asPage(entry) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = entry.url;
    form.hidden = true;
    entry.fields.forEach(function (f) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = f[0];
      input.value = f[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    HTMLFormElement.prototype.submit.call(form);
  }

  if (queue) {
    queue.on("visit", {
      sent: function () { if (!queue.list().length) window.location.reload(); },
      conflict: asPage,
      refused: asPage
    });
  }
})();
