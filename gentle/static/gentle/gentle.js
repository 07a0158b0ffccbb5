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
