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
})();

// Partial updates without a library (ADR 0021): a form that saves itself as it is filled in,
// and an element that asks for its own new version until it is final. Both send HX-Request,
// to which the server answers with a fragment (or HX-Redirect to sign in again when the
// session has ended), and POSTs carry the CSRF token of the form (the cookie is HttpOnly).
(function () {
  "use strict";
  function ask(url, options) {
    options.headers["HX-Request"] = "true";
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      var to = response.headers.get("HX-Redirect") || (response.redirected && response.url);
      if (to) {
        window.location.href = to;
        return null;
      }
      return response.ok && response.status !== 204 ? response.text() : null;
    });
  }
  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }
  // <form data-autosave="URL">: 400 ms after the last change, post the form with submit=0;
  // one save at a time, and a change made during a save is saved after it. Elements of the
  // answer marked data-swap-inner replace the content of the page's element of the same id.
  function autosave(form) {
    var timer = null;
    var busy = false;
    var again = false;
    function save() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      var body = new URLSearchParams(new FormData(form));
      body.set("submit", "0");
      ask(form.getAttribute("data-autosave"), {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") || "" },
      }).then(function (html) {
        if (html) {
          parse(html).querySelectorAll("[data-swap-inner][id]").forEach(swapInner);
        }
      }).catch(function () {}).then(function () {
        busy = false;
        if (again) {
          again = false;
          save();
        }
      });
    }
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 400);
    });
  }
  function swapInner(part) {
    var slot = document.getElementById(part.id);
    if (!slot) {
      return;
    }
    slot.innerHTML = part.innerHTML;
    // The crisis response an autosave brings when it hears a risk answer: bring it into view
    // the first time (the client may be at the last question).
    if (slot.id === "crisis-slot" && !slot.hasAttribute("data-shown")) {
      slot.setAttribute("data-shown", "");
      slot.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }
  // <div data-poll="URL">: every 2 s ask URL (marked as background, so that a page left open
  // does not keep the session alive) and replace the element with the answer, which polls on
  // while it is not final. Stops when the element leaves the page.
  function poll(element) {
    setTimeout(function () {
      if (!document.body.contains(element)) {
        return;
      }
      ask(element.getAttribute("data-poll"), { headers: { "X-Gentle-Background": "1" } })
        .then(function (html) {
          var next = html && parse(html).firstElementChild;
          if (!next) {
            poll(element);
            return;
          }
          element.replaceWith(next);
          if (next.hasAttribute("data-poll")) {
            poll(next);
          }
        }, function () { poll(element); });
    }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    document.querySelectorAll("[data-poll]").forEach(poll);
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

// The closeness circle: move a person to another ring by dragging them, or with the arrow keys
// when they have the focus (each is a slider: up or right one ring further out, down or left one
// ring closer in, Home the closest ring, End the outermost). Either way this fills in and submits
// that person's "Move" form, so it does exactly what the form does, and says it came from the
// circle: the page comes back with the focus on the person moved.
(function () {
  "use strict";
  function svgPoint(svg, event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }
  function moveForm(node) {
    return document.querySelector("form.move-form[action$='/inventory/people/" +
      node.getAttribute("data-person") + "/move/']");
  }
  function submitMove(form, ring) {
    var select = form.querySelector("select");
    var from = form.querySelector("input[name='from']");
    if (String(ring) === select.value) { return false; }
    select.value = String(ring);
    if (from) { from.value = "circle"; }
    form.requestSubmit();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    var node = event.target.closest ? event.target.closest("svg.circle g[role='slider']") : null;
    if (!node || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var form = moveForm(node);
    if (!form) { return; }
    var ring = parseInt(node.getAttribute("aria-valuenow"), 10);
    var rings = parseInt(node.getAttribute("aria-valuemax"), 10);
    var next = {
      ArrowUp: ring + 1, ArrowRight: ring + 1, ArrowDown: ring - 1, ArrowLeft: ring - 1,
      Home: 1, End: rings,
    }[event.key];
    if (next === undefined) { return; }
    event.preventDefault();
    submitMove(form, Math.min(rings, Math.max(1, next)));
  });
  document.addEventListener("pointerdown", function (event) {
    var node = event.target.closest ? event.target.closest("svg.circle g[data-person]") : null;
    if (!node) { return; }
    var svg = node.ownerSVGElement;
    var form = moveForm(node);
    if (!form) { return; }
    event.preventDefault();
    node.focus();
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
      var centre = parseFloat(svg.getAttribute("data-centre"));
      var p = svgPoint(svg, e);
      var distance = Math.hypot(p.x - centre, p.y - centre);
      var step = parseFloat(svg.getAttribute("data-step"));
      var rings = parseInt(svg.getAttribute("data-rings"), 10);
      var ring = Math.min(rings, Math.max(1, Math.round(distance / step)));
      if (!submitMove(form, ring)) { node.removeAttribute("transform"); }
    }
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  });
  // Back from a move: the focus goes to the person moved, in the circle or in the list.
  document.addEventListener("DOMContentLoaded", function () {
    var match = /^#(circle-person|person)-(\d+)$/.exec(window.location.hash);
    var target = match && document.getElementById(match[1] + "-" + match[2]);
    if (target && match[1] === "person") {
      target = target.querySelector("form.move-form select");
    }
    if (target) { target.focus({ preventScroll: false }); }
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

// Buttons marked data-print open the browser's print dialogue (no inline script: CSP).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof HTMLElement && target.hasAttribute("data-print")) {
    window.print();
  }
});

// Where the keyboard starts on a page that answers a form (WCAG 2.4.3 and 3.3.1): on the summary
// of what needs attention, else on the first field marked invalid, else on the confirmation at
// the top of the page; each is read out as it takes the focus. A confirmation gives way to a
// place on the page the address names, and nothing moves if the page already moved the focus
// or marks a field autofocus. Without this script the page starts at its top, as any page does.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || document.activeElement !== document.body || document.querySelector("[autofocus]")) {
    return;
  }
  var target = main.querySelector(".form-error") || main.querySelector("[aria-invalid='true']");
  var hash = window.location.hash.slice(1);
  if (!target && !(hash && document.getElementById(decodeURIComponent(hash)))) {
    target = main.querySelector(":scope > .messages");
  }
  if (!target) {
    return;
  }
  if (!target.matches("input, select, textarea, button, a[href]")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
});

// The header (issue 21). On a phone the navigation folds behind a Menu button, so that the page
// starts near the top; menus made of <details data-menu> (the account menu, "Clinic settings")
// close on a tap elsewhere and on Escape, and one opening closes the others, so that a menu left
// open never covers the navigation or takes a tap meant for it.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".nav-toggle");
  var nav = document.getElementById("main-nav");
  function menus() {
    return document.querySelectorAll("details[data-menu][open]");
  }
  function closeMenus(except) {
    menus().forEach(function (menu) {
      if (menu !== except && !menu.contains(except)) {
        menu.open = false;
      }
    });
  }
  function setNav(open) {
    if (!toggle || !nav) {
      return;
    }
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
  }
  if (toggle && nav) {
    toggle.hidden = false;
    header.classList.add("nav-collapsible");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      closeMenus(null);
      setNav(open);
    });
  }
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu instanceof HTMLDetailsElement && menu.hasAttribute("data-menu") && menu.open) {
      closeMenus(menu);
      if (menu.classList.contains("user-menu")) {
        setNav(false);
      }
    }
  }, true);
  // A tap outside an open menu closes it; the tap itself still reaches what it was meant for.
  document.addEventListener("pointerdown", function (event) {
    menus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });
  document.addEventListener("focusin", function (event) {
    menus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = menus();
    if (open.length) {
      open.forEach(function (menu) {
        var inside = menu.contains(document.activeElement);
        menu.open = false;
        if (inside) {
          menu.querySelector("summary").focus();
        }
      });
    } else if (toggle && toggle.getAttribute("aria-expanded") === "true") {
      setNav(false);
      toggle.focus();
    }
  });
})();

// The client header's tabs scroll sideways on a phone: bring the current one into the strip.
(function () {
  "use strict";
  document.querySelectorAll(".client-tabs ul").forEach(function (strip) {
    var current = strip.querySelector("[aria-current]");
    if (current && strip.scrollWidth > strip.clientWidth) {
      var li = current.parentElement;
      strip.scrollLeft = li.offsetLeft - strip.offsetLeft - (strip.clientWidth - li.offsetWidth) / 2;
    }
  });
})();

// The progress note (issue 22, ADR 0042): the draft saves itself 1.5 s after the last keystroke
// and the page says when (a live region). Each save carries the version the form was based on,
// so that a save over someone else's (or another tab's) is refused, never silently merged. The
// saves are not marked as background: they follow the person's typing, so they keep the session
// alive as clicks do. When the session has ended, or the note was saved or signed elsewhere,
// the saving stops and says what to do: "Save draft" posts the form as without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-note-autosave]");
  if (!form || !window.fetch) {
    return;
  }
  var url = form.getAttribute("data-note-autosave");
  var status = document.getElementById("note-saved");
  var timer = null;
  var busy = false;
  var again = false;
  var stopped = false;
  var held = false;
  var heldBy = null;
  var retried = false;
  function say(text) {
    if (status && text) {
      status.textContent = text;
    }
  }
  function field(name) {
    return form.querySelector("input[name='" + name + "']");
  }
  function stop(text) {
    stopped = true;
    clearTimeout(timer);
    say(text);
  }
  // After signing in again in another tab the form's CSRF token is stale: take the page's new
  // one (the cookie is HttpOnly) and try once more.
  function freshToken() {
    return fetch(window.location.pathname, { credentials: "same-origin", redirect: "manual" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        var input = template.content.querySelector("input[name='csrfmiddlewaretoken']");
        if (!input) {
          return false;
        }
        field("csrfmiddlewaretoken").value = input.value;
        return true;
      });
  }
  function answer(response) {
    if (response.type === "opaqueredirect" || response.status === 204 ||
        response.headers.get("HX-Redirect")) {
      stop(form.getAttribute("data-ended"));
      return null;
    }
    if (response.status === 403 && !retried) {
      retried = true;
      return freshToken().then(function (ok) {
        if (ok) {
          again = true;
        } else {
          stop(form.getAttribute("data-ended"));
        }
      });
    }
    return response.json().then(function (data) {
      if (response.ok) {
        retried = false;
        field("version").value = data.version;
        say(data.message);
      } else if (response.status === 409) {
        stop(data.message);
      } else {
        say(data.message);
      }
    });
  }
  function save() {
    if (stopped) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    body.delete("sign");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: {
        "X-CSRFToken": body.get("csrfmiddlewaretoken") || "",
        "HX-Request": "true",
        "Accept": "application/json",
      },
    }).then(answer).catch(function () {
      say(form.getAttribute("data-offline"));
    }).then(function () {
      busy = false;
      if (held) {
        held = false;
        form.requestSubmit(heldBy);
      } else if (again) {
        again = false;
        save();
      }
    });
  }
  form.addEventListener("input", function () {
    if (stopped) {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  // The buttons post the form itself; one waits for a save under way, whose new version it
  // must carry.
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (busy) {
      event.preventDefault();
      held = true;
      heldBy = event.submitter || null;
    }
  });
})();
