// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Forms marked data-confirm ask before they submit (no inline handlers: CSP).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Buttons marked data-print print the page (the monthly report).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  // A provider select marked data-filter-by="service" offers only the providers of the
  // service chosen in the same form (their options list it in data-services).
  function filterProviders(select) {
    var form = select.form;
    var source = form && form.elements[select.getAttribute("data-filter-by")];
    if (!source) return;
    var chosen = source.value;
    Array.prototype.forEach.call(select.options, function (option) {
      var offers = (option.getAttribute("data-services") || "").split(" ");
      var fits = !option.value || !chosen || offers.indexOf(chosen) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) select.value = "";
    });
  }
  function filterAll() {
    document.querySelectorAll("select[data-filter-by]").forEach(filterProviders);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form) return;
    form.querySelectorAll("select[data-filter-by='" + event.target.name + "']")
      .forEach(filterProviders);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", filterAll);
  } else {
    filterAll();
  }
})();
