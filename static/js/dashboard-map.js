// The district map: the caption under it says the value of the dong under the pointer
// or the keyboard focus. Without this file the map still shows, with hover titles.
(function () {
  "use strict";
  var caption = document.getElementById("map-caption");
  if (!caption) return;
  function show(event) {
    var dong = event.target.closest && event.target.closest("a.map-dong");
    if (dong) caption.textContent = dong.getAttribute("data-caption");
  }
  function reset(event) {
    var dong = event.target.closest && event.target.closest("a.map-dong");
    if (dong && !dong.contains(document.activeElement)) {
      caption.textContent = caption.getAttribute("data-default");
    }
  }
  var map = document.querySelector("svg.dong-map");
  if (!map) return;
  map.addEventListener("focusin", show);
  map.addEventListener("mouseover", show);
  map.addEventListener("focusout", reset);
})();
