// Inbox: after htmx swaps a row, move focus to its message so keyboard users keep their place.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.id) return;
    var row = document.getElementById(target.id);
    var message = row && row.querySelector(".row-message");
    if (message) message.focus();
  });
})();
