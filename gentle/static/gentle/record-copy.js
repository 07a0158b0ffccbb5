// The copy of the record (portal/record_copy.html, issue 26): its parts are folded under their
// titles; a link in the contents (or an address ending in #part) opens that part and goes to it.
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var part = id && document.getElementById(id);
    if (part && part.tagName === "DETAILS" && !part.open) {
      part.open = true;
      part.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
