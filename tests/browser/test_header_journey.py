"""Issue 21's header at 360 px and 1366 px: a signed-in clinician's page starts near the top of a
phone (the navigation folds behind a Menu button, the demo banner is one short line); the account
menu closes on Escape and on a tap elsewhere, and a tap meant for the navigation reaches it; an
administrator's navigation fits on one line at 1366 px."""

import pytest

from gentle.accounts.models import Role
from tests.browser.test_page_details_journey import signed_in_page
from tests.factories import make_client, make_clinic, make_course, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def top_of_content(page) -> float:
    return page.evaluate(
        "document.querySelector('main').firstElementChild.getBoundingClientRect().top"
    )


def test_a_clinicians_page_starts_near_the_top_of_a_phone(live_server, page_at, screenshot):
    clinic = make_clinic("Harbourside Counselling")
    page = signed_in_page(page_at, live_server, make_person(clinic, Role.CLINICIAN))
    page.set_viewport_size({"width": 360, "height": 780})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/caseload/")
    assert page.get_by_role("note").is_visible()  # the demo banner is still there
    assert top_of_content(page) <= 120
    screenshot(page, "header-phone-360")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    assert not nav.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    screenshot(page, "header-phone-menu-open-360")
    nav.get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/calendar/**")
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("navigation", name="Main").is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert page.evaluate("document.activeElement.className") == "nav-toggle"
    assert errors == []


def test_the_account_menu_closes_and_never_takes_a_tap_meant_for_the_nav(live_server, page_at):
    clinic = make_clinic("Harbourside Counselling")
    clinician = make_person(clinic, Role.CLINICIAN)
    page = signed_in_page(page_at, live_server, clinician)
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(live_server.url + "/")
    account = page.locator(".user-menu")
    sign_out = page.get_by_role("button", name="Sign out")
    account.locator("summary").click()
    assert sign_out.is_visible()
    page.keyboard.press("Escape")
    assert not sign_out.is_visible()
    assert account.get_attribute("open") is None
    account.locator("summary").click()
    assert sign_out.is_visible()
    page.mouse.click(8, 600)  # a tap elsewhere
    assert not sign_out.is_visible()
    # Opening the navigation closes the account menu, so that it covers none of it.
    account.locator("summary").click()
    page.get_by_role("button", name="Menu").click()
    assert not sign_out.is_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    page.wait_for_url("**/caseload/")

    # On a desktop the open menu sits at the right, clear of the navigation's entries, and the
    # first tap on "Caseload" both closes it and opens the caseload.
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(live_server.url + "/")
    account.locator("summary").click()
    panel = page.locator(".menu-panel").bounding_box()
    caseload = page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload")
    link = caseload.bounding_box()
    assert panel and link
    assert link["x"] + link["width"] < panel["x"] or link["y"] > panel["y"] + panel["height"]
    caseload.click()
    page.wait_for_url("**/caseload/")
    assert not page.get_by_role("button", name="Sign out").is_visible()


def test_an_administrators_navigation_fits_one_line_at_1366(live_server, page_at, screenshot):
    clinic = make_clinic("Harbourside Counselling")
    admin = make_person(clinic, Role.ADMIN)
    page = signed_in_page(page_at, live_server, admin, width=1366)
    page.goto(live_server.url + "/")
    tops = page.evaluate(
        "[...document.querySelectorAll('.main-nav > ul > li')]"
        ".map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(tops) >= 8 and len(set(tops)) == 1, tops
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Clinic settings").click()
    screenshot(page, "header-admin-settings-1366")
    nav.get_by_role("link", name="Public pages").click()
    page.wait_for_url("**/clinic/public-pages/")
    assert page.locator(".nav-group summary.current").inner_text() == "Clinic settings"
    page.get_by_role("navigation", name="Main").get_by_text("Clinic settings").click()
    page.keyboard.press("Escape")
    assert not page.get_by_role("link", name="Public pages").is_visible()


def test_a_clients_pages_keep_the_client_header_and_tabs(live_server, page_at, screenshot):
    clinic = make_clinic("Harbourside Counselling")
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(
        clinic, clinicians=[clinician], given_name="Rosa", family_name="Delgado-Whitfield"
    )
    course = make_course(record)
    for width in (360, 1366):
        page = signed_in_page(page_at, live_server, clinician, width=width)
        page.goto(f"{live_server.url}/clients/{record.pk}/")
        assert page.get_by_role("heading", level=1).inner_text() == "Rosa Delgado-Whitfield"
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
        screenshot(page, f"client-record-{width}")
        tabs = page.get_by_role("navigation", name="Record of Rosa Delgado-Whitfield")
        tabs.get_by_role("link", name="Timeline").click()
        page.wait_for_url("**/timeline/")
        current = page.locator(".client-tabs [aria-current='page']")
        assert current.inner_text() == "Timeline"
        box = current.bounding_box()  # scrolled into its strip on a phone, not hidden off it
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
        screenshot(page, f"client-timeline-{width}")

        # The course's actions: the primary stays in the row, the rest fold into "More…".
        page.goto(f"{live_server.url}/courses/{course.pk}/")
        goals = page.get_by_role("link", name="Goals", exact=True)
        more = page.get_by_text("More…")
        assert page.get_by_role("link", name="Schedule a session").is_visible()
        if width == 360:
            assert not goals.is_visible() and more.is_visible()
            more.click()
            screenshot(page, "course-more-360")
            assert goals.is_visible()
            page.keyboard.press("Escape")
            assert not goals.is_visible()
        else:
            assert goals.is_visible() and more.is_visible()
            row = page.locator(".button-group > :not(details), .button-group > details > summary")
            tops = row.evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
            # One row, no wrap: buttons and links of one row differ by a pixel or so at most
            # (a wrapped one would sit a whole button's height lower).
            assert max(tops) - min(tops) <= 4, tops
            more.click()
            summary = page.get_by_role("link", name="End-of-course summary")
            assert summary.is_visible()
            screenshot(page, "course-1366")


# Each fact that begins a line of the client header, with its separator if it draws one before
# itself: the separator belongs between two facts on one line, never at the start of a line.
LINE_STARTS = """() => {
  const facts = [...document.querySelectorAll(".client-facts > *")];
  const tops = facts.map((el) => el.getBoundingClientRect().top);
  return facts.filter((el, i) => i > 0 && tops[i] > tops[i - 1] + 1).map((el) => ({
    text: el.textContent,
    before: getComputedStyle(el, "::before").content,
  }));
}"""


def test_the_client_headers_facts_wrap_without_a_leading_separator(
    live_server, page_at, screenshot
):
    """At 360 px the facts took two lines and the second began with "·"."""
    clinic = make_clinic("Harbourside Counselling")
    clinician = make_person(clinic, Role.CLINICIAN)
    record = make_client(
        clinic,
        clinicians=[clinician],
        given_name="Rosa",
        family_name="Delgado-Whitfield",
        preferred_name="Rosa María de los Ángeles",
    )
    record.pronouns = "she/her (ella)"
    record.save(update_fields=["pronouns"])
    page = signed_in_page(page_at, live_server, clinician, width=360)
    page.goto(f"{live_server.url}/clients/{record.pk}/")
    screenshot(page, "client-facts-360")
    starts = page.evaluate(LINE_STARTS)
    assert starts, "the facts fit one line: the test needs them to wrap"
    assert all("·" not in start["before"] for start in starts), starts
    assert "·" in page.locator(".client-facts").evaluate(
        "el => getComputedStyle(el.firstElementChild, '::after').content"
    )  # the separator is still drawn, after the fact it follows
