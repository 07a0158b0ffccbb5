"""On paper (issue 21, item 5): every page meant for printing, from the demo data, laid out as
print media at the printable width of an A4 sheet (gentle.css's print block: 210 mm less two
14 mm margins, 688 CSS px). On each: the site's chrome, buttons and forms are hidden; the page's
content is shown; nothing is wider than the sheet; all text is black and at least 10 pt; tables
and charts are kept whole and headings stay with what follows. Each page is also printed to a
PDF in test-artifacts/print/ (with a print-media screenshot beside it) for a person to look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from gentle.clients.models import Client
from gentle.communication.models import Exchange, Worksheet
from gentle.courses.models import RelapsePlan
from gentle.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from gentle.formulation.models import Formulation
from gentle.grief.models import Transition
from gentle.portal.models import RecordExport
from gentle.portal.tasks import prepare_export
from gentle.roleplay.models import Rehearsal
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRINTABLE_PX = 688  # (210 - 2 * 14) mm at 96 px to the inch
TEN_PT_PX = 10 * 96 / 72

# What a sheet shows, measured in the page: a list of problems, empty when all is well.
CHECK = """(printable) => {
  const problems = [];
  const shown = (el) => el.checkVisibility() && el.getClientRects().length > 0;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  // The site's chrome and everything that only works on a screen
  const chrome = ".site-header, .site-footer, .demo-banner, .messages, .skip-link, main nav, " +
    "button, form, input, select, textarea, .button, details > summary";
  for (const el of document.querySelectorAll(chrome)) {
    if (shown(el)) problems.push("shown on paper: " + name(el));
  }
  const main = document.querySelector("main");
  if (!main || !shown(main) || main.getBoundingClientRect().height < 50) {
    problems.push("no main content");
  }
  const h1 = document.querySelector("h1");
  if (!h1 || !shown(h1)) problems.push("no visible h1");
  if (document.documentElement.scrollWidth > printable) {
    problems.push("page wider than the sheet: " + document.documentElement.scrollWidth);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > printable + 1) {
      problems.push("wider than the sheet: " + name(el) + " to " + Math.round(box.right));
      continue;
    }
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    const style = getComputedStyle(el);
    if (parseFloat(style.fontSize) < %(ten_pt)s) {
      problems.push("text below 10 pt: " + name(el) + " " + style.fontSize);
    }
    if (!(el instanceof SVGElement) && style.color !== "rgb(0, 0, 0)") {
      problems.push("text not black: " + name(el) + " " + style.color);
    }
  }
  // A heading for a form is hidden with it ("Give a questionnaire" was printed above nothing)
  for (const el of document.querySelectorAll("main :is(h2, h3) + form")) {
    const heading = el.previousElementSibling;
    if (shown(heading)) problems.push("heading of a hidden form shown: " + name(heading));
  }
  for (const el of document.querySelectorAll("table, .chart-box")) {
    if (shown(el) && getComputedStyle(el).breakInside !== "avoid") {
      problems.push("may split across sheets: " + name(el));
    }
  }
  for (const el of document.querySelectorAll("h1, h2, h3")) {
    if (shown(el) && getComputedStyle(el).breakAfter !== "avoid") {
      problems.push("heading may be parted from its content: " + name(el));
    }
  }
  return problems;
}""".replace("%(ten_pt)s", f"{TEN_PT_PX - 0.01:.2f}")


def sign_in(context: BrowserContext, base: str, email: str) -> Page:
    page = context.new_page()
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: reverse("account_login") not in url)
    return page


def the_invitation_letter(page: Page, base: str) -> None:
    """The letter exists only as the answer to sending an invitation."""
    client = Client.objects.filter(
        care_team__user__email=f"clinician@{DEMO_DOMAIN}", user=None
    ).first()
    page.emulate_media(media="screen")
    page.goto(base + reverse("portal_invite", args=[client.pk]))
    if page.get_by_role("button", name="Confirm").count():  # sending it asks for the password again
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    email = page.locator("main input[type=email]")
    if not email.input_value():
        email.fill("letter.reader@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    page.locator("[data-code]").wait_for()
    page.emulate_media(media="print")


def first(model: type[models.Model], clients: QuerySet[Client]) -> int | None:
    return model.objects.filter(client__in=clients).values_list("pk", flat=True).first()


def pages_meant_for_paper() -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(who, name, url) for each page; what each must show on paper."""
    portal = Client.objects.get(user__email=f"client@{DEMO_DOMAIN}")
    ours = Client.objects.filter(care_team__user__email=f"clinician@{DEMO_DOMAIN}")
    relapse = RelapsePlan.objects.filter(course__client__in=ours).first()
    course = relapse.course
    formulation = Formulation.objects.filter(course__client__in=ours).first()
    staff = [
        ("safety-plan", reverse("safety_plan_print", args=[portal.pk])),
        ("course-summary", reverse("course_summary", args=[course.pk])),
        ("relapse-plan", reverse("relapse_plan", args=[relapse.course_id])),
        ("formulation", reverse("formulation", args=[formulation.course_id])),
        ("measures", reverse("client_measures", args=[portal.pk])),
        ("worksheet", reverse("worksheet_detail", args=[first(Worksheet, ours)])),
        ("exchange", reverse("exchange_detail", args=[first(Exchange, ours)])),
        ("rehearsal", reverse("rehearsal_detail", args=[first(Rehearsal, ours)])),
    ]
    transition = Transition.objects.first()
    export = RecordExport.objects.create(client=portal, requested_by=portal.user)
    prepare_export.call(export.pk)  # what the worker does when the client asks for a copy
    mine = [
        ("portal-safety-plan", reverse("portal_safety_plan_print")),
        ("portal-plan", reverse("portal_plan")),
        ("portal-progress", reverse("portal_progress")),
        ("portal-record-copy", reverse("portal_export_html", args=[export.pk])),
    ]
    pages = [("clinician", *p) for p in staff] + [("client", *p) for p in mine]
    third = transition.client.care_team.filter(role="clinician").first().user.email
    pages.append((third, "transition", reverse("transition_detail", args=[transition.pk])))
    must_show = {
        "safety-plan": "If I am in danger now",
        "portal-safety-plan": "If I am in danger now",
        "course-summary": "Symptom measures, first and last",
        "relapse-plan": "What helped",
        "formulation": "To share with the client",
        "measures": "PHQ-9",
        "portal-progress": "My goals",
        "portal-record-copy": "Copy of the record of",
    }
    return pages, must_show


# Pages that show the client's name close with it on paper (includes/print_footer.html).
FOOTED = {"safety-plan", "course-summary", "relapse-plan"}


def test_every_page_meant_for_paper_prints_cleanly(
    live_server: LiveServer, browser: Browser, settings: Any
) -> None:
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo: its logins have no authenticator
    seed_demo()
    base = live_server.url
    out = ARTIFACTS / "print"
    out.mkdir(parents=True, exist_ok=True)
    pages, must_show = pages_meant_for_paper()
    contexts, tabs = [], {}
    problems: list[str] = []

    def tab(who: str) -> Page:
        if who not in tabs:
            context = browser.new_context(viewport={"width": PRINTABLE_PX, "height": 1000})
            contexts.append(context)
            email = who if "@" in who else f"{who}@{DEMO_DOMAIN}"
            tabs[who] = sign_in(context, base, email)
            tabs[who].emulate_media(media="print")
        return tabs[who]

    def check(page: Page, name: str) -> None:
        problems.extend(f"{name}: {p}" for p in page.evaluate(CHECK, PRINTABLE_PX))
        text = page.locator("body").inner_text()
        if name in must_show and must_show[name] not in text:
            problems.append(f"{name}: does not show {must_show[name]!r}")
        footer = page.locator(".print-footer")
        if name in FOOTED and not (footer.is_visible() and "printed on" in footer.inner_text()):
            problems.append(f"{name}: no closing line with the client's name")
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        page.pdf(path=str(out / f"{name}.pdf"), prefer_css_page_size=True, print_background=True)

    try:
        for who, name, url in pages:
            page = tab(who)
            response = page.goto(base + url)
            assert response and response.ok, (name, url, response and response.status)
            check(page, name)
        letter = tab("clinician")
        the_invitation_letter(letter, base)
        check(letter, "invitation-letter")
        code = letter.locator("[data-code]")
        assert code.is_visible() and code.inner_text().strip()
    finally:
        for context in contexts:
            context.close()
    assert not problems, "\n".join(problems)
