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
