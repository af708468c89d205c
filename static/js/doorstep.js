// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Forms marked data-confirm ask before they submit (no inline handlers: CSP).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
