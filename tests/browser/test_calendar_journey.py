"""The calendar in Chromium, on a desktop and on a 360 px phone (issue 22): the week as a time
grid, booking from a free hour, moving a session, and the flag on a session whose attendance
nobody recorded. axe-core checks the page at both widths."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gentle.accounts.models import User
from gentle.courses.models import NUMBERED, Course, Session
from gentle.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    resultTypes: ["violations"],
  });
  return result.violations.flatMap((v) => v.nodes.map((n) => v.id + " " + n.target.join(" ")));
}"""


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def axe_problems(page) -> list[str]:
    return page.evaluate(RUN_AXE)


def test_the_calendar_on_a_desktop_and_a_phone(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    base = live_server.url
    clinician = User.objects.get(email="clinician@demo.gentle.test")
    # A session that ended earlier today (or last night) with no attendance recorded.
    course = next(
        c
        for c in Course.objects.filter(sessions__clinician=clinician, status="active").distinct()
        if c.sessions.filter(attendance__in=NUMBERED).count() < c.contracted_sessions - 1
    )
    ended = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    unrecorded = Session.objects.create(
        course=course, clinician=clinician, starts_at=ended, minutes=50, mode="video"
    )
    next_wednesday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday() + 2)

    page = page_at(1280, 900)
    page.context.add_init_script(path=str(AXE))  # in every page, before its own scripts
    sign_in(page, base, "clinician@demo.gentle.test")
    page.goto(base + "/calendar/")
    assert page.locator(".cal-col").count() == 7
    assert axe_problems(page) == []
    screenshot(page, "calendar-week-1280")

    # Book from a free hour of next week: the form opens with the day and time filled in.
    page.get_by_role("link", name="Next week").click()
    page.locator(f'a[href$="?date={next_wednesday.isoformat()}&time=08:00"]').click()
    page.get_by_role("heading", name="Book a session").wait_for()
    assert page.get_by_label("Date").input_value() == next_wednesday.isoformat()
    assert page.get_by_label("Time").input_value() == "08:00"
    assert axe_problems(page) == []
    page.get_by_label("Client and course").select_option(str(course.pk))
    page.get_by_role("button", name="Schedule").click()
    page.get_by_text("scheduled.").first.wait_for()
    booked = Session.objects.get(course=course, starts_at__date=next_wednesday)

    # Move it half an hour later from the calendar.
    page.goto(base + f"/calendar/?day={next_wednesday.isoformat()}")
    page.locator(f'a[href="/sessions/{booked.pk}/move/"]').click()
    page.get_by_role("heading", name="Move or cancel a session").wait_for()
    assert axe_problems(page) == []
    page.get_by_label("Time").fill("08:30")
    page.get_by_role("button", name="Move", exact=True).click()
    page.get_by_text("Session moved.").wait_for()
    booked.refresh_from_db()
    assert timezone.localtime(booked.starts_at).strftime("%H:%M") == "08:30"

    # The session nobody recorded is flagged and leads to its page.
    page.goto(base + f"/calendar/?day={timezone.localtime(ended).date().isoformat()}")
    flag = page.locator(f'a[href^="/sessions/{unrecorded.pk}/"]:has(.flag)')
    assert flag.locator(".flag").inner_text() == "Attendance not recorded"
    flag.click()
    page.get_by_role("heading", name="Attendance").wait_for()

    # On a phone: the week is a list of days, readable and without sideways scrolling, and a
    # free hour is a button one can press.
    phone = page_at(360, 780)
    phone.context.add_init_script(path=str(AXE))
    sign_in(phone, base, "clinician@demo.gentle.test")
    phone.goto(base + "/calendar/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_problems(phone) == []
    screenshot(phone, "calendar-week-360")
    free = phone.locator(".cal-free a").first
    box = free.bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24
    free.click()
    phone.get_by_role("heading", name="Book a session").wait_for()
    assert phone.get_by_label("Date").input_value() != ""


def test_every_move_link_is_a_full_size_target_in_a_full_week(
    live_server, page_at, settings, time_machine
):
    """The demo's week seen just after midnight on a Monday (when the suite first met it, on
    2026-12-07): blocks close together left each "Move or cancel" link smaller than 24 px with
    another link within reach (axe's target-size, WCAG 2.2's 2.5.8)."""
    time_machine.move_to(datetime(2026, 12, 7, 0, 20, tzinfo=UTC), tick=True)
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    page = page_at(1280, 900)
    page.context.add_init_script(path=str(AXE))
    sign_in(page, live_server.url, "clinician@demo.gentle.test")
    page.goto(live_server.url + "/calendar/")
    assert page.locator(".cal-move").count() >= 3
    assert axe_problems(page) == []
    heights = page.eval_on_selector_all(
        ".cal-move", "links => links.map((a) => a.getBoundingClientRect().height)"
    )
    assert min(heights) >= 24
