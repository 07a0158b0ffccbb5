// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form on change; the visible button stays
  // for keyboard and no-JS users.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
      target.form.requestSubmit();
    }
  });
  // htmx requests carry the CSRF token of a form on the page (the cookie is HttpOnly).
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) {
      event.detail.headers["X-CSRFToken"] = token.value;
    }
  });
  // A questionnaire's autosave that hears a risk answer swaps the crisis response into the
  // page: bring it into view the first time (the client may be at the last question).
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var slot = event.detail.target;
    if (slot && slot.id === "crisis-slot" && !slot.hasAttribute("data-shown")) {
      slot.setAttribute("data-shown", "");
      slot.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  });
})();

// Conditional questions: show an item only when the answer it depends on is given. Without
// this script every question shows, and the server still refuses answers in a skipped branch.
(function () {
  "use strict";
  function update(form) {
    form.querySelectorAll("[data-condition-item]").forEach(function (fieldset) {
      var item = fieldset.getAttribute("data-condition-item");
      var wanted = fieldset.getAttribute("data-condition-values").split(",");
      var chosen = form.querySelector("input[name='" + item + "']:checked");
      var show = chosen !== null && wanted.indexOf(chosen.value) !== -1;
      fieldset.hidden = !show;
      if (!show) {
        fieldset.querySelectorAll("input").forEach(function (input) { input.checked = false; });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.questionnaire").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();

// The closeness circle: drag a person to another ring. The drop fills in and submits that
// person's "Move" form, so dragging does exactly what the keyboard and form path does.
(function () {
  "use strict";
  function svgPoint(svg, event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }
  document.addEventListener("pointerdown", function (event) {
    var node = event.target.closest ? event.target.closest("svg.circle g[data-person]") : null;
    if (!node) { return; }
    var svg = node.ownerSVGElement;
    var form = document.querySelector("form.move-form[action$='/inventory/people/" +
      node.getAttribute("data-person") + "/move/']");
    if (!form) { return; }
    event.preventDefault();
    var start = svgPoint(svg, event);
    node.classList.add("dragging");
    function move(e) {
      var p = svgPoint(svg, e);
      node.setAttribute("transform", "translate(" + (p.x - start.x) + " " + (p.y - start.y) + ")");
    }
    function up(e) {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      node.classList.remove("dragging");
      var box = svg.viewBox.baseVal;
      var p = svgPoint(svg, e);
      var distance = Math.hypot(p.x - box.width / 2, p.y - box.height / 2);
      var step = parseFloat(svg.getAttribute("data-step"));
      var rings = parseInt(svg.getAttribute("data-rings"), 10);
      var ring = Math.min(rings, Math.max(1, Math.round(distance / step)));
      var select = form.querySelector("select");
      if (String(ring) === select.value) { node.removeAttribute("transform"); return; }
      select.value = String(ring);
      form.requestSubmit();
    }
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  });
  // On paper the text alternatives of the charts are part of the page: open every closed
  // <details> for printing and close again those this opened.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) {
      details.open = false;
    });
    openedForPrint = [];
  });
})();

// A wide timeline on a narrow screen opens at its recent end, where the course is.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll(".timeline-scroll").forEach(function (box) {
    box.scrollLeft = box.scrollWidth;
  });
});

// Buttons marked data-print open the browser's print dialogue (no inline script: CSP).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof HTMLElement && target.hasAttribute("data-print")) {
    window.print();
  }
});
