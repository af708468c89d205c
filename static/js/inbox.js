// Inbox: keep keyboard users in place after htmx swaps. A loaded action panel gets focus on
// its first field; a swapped row gets focus on its message.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) return;
    var field = target.querySelector && target.querySelector(".row-actions select, .row-actions input:not([type=hidden])");
    if (field && target.tagName === "TD") { field.focus(); return; }
    var row = target.id ? document.getElementById(target.id) : null;
    var message = row && row.querySelector(".row-message");
    if (message) message.focus();
  });
})();
