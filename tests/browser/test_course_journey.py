"""A whole 12-session course of individual IPT for a demo client, run in Chromium: the agenda
follows the phase and, in the middle phase, the focus agreed in the formulation; notes are
signed, the contract holds, and the client sees their plan."""

import pytest

from gentle.accounts.models import User
from gentle.clients.models import Client
from gentle.courses.models import ProgressNote, Session
from gentle.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHASE_OF = {
    **dict.fromkeys(range(1, 4), "Initial phase"),
    **dict.fromkeys(range(4, 10), "Middle phase"),
    **dict.fromkeys(range(10, 13), "Termination phase"),
}
AGENDA_SIGN = {
    "Initial phase": "Take the interpersonal inventory of important people",
    "Middle phase": "Work on the agreed focus",
    "Termination phase": "Name warning signs of relapse and what to do",
}


MIDDLE_STRATEGY = "Name the expectations each person holds that the other does not share"


def agree_the_focus(page, course_url):
    """At the end of the initial phase: a role dispute in renegotiation, agreed with the client."""
    page.goto(course_url)
    page.get_by_role("link", name="Focus and formulation").first.click()
    page.get_by_label("Primary focus").select_option("dispute")
    page.get_by_label("Stage of the dispute", exact=True).select_option("renegotiation")
    page.get_by_label("Symptoms and diagnosis").fill("Fictional: low mood for three months.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Record the client's agreement today").click()
    page.get_by_text("The client agreed on").wait_for()


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    # Staff land on the home page, a client on the portal's (issue 22).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_whole_twelve_session_course(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    client = Client.objects.get(user__email="client@demo.gentle.test")
    base = live_server.url
    page = page_at(1280, 900)
    sign_in(page, base, "clinician@demo.gentle.test")

    page.goto(f"{base}/clients/{client.pk}/")
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Format").select_option("individual")
    page.get_by_label("Kind").select_option("continuation")
    page.get_by_label("Start date").fill("2027-01-04")
    page.get_by_role("button", name="Create course").click()
    page.get_by_text("Course created.").wait_for()
    course_url = page.url

    for number in range(1, 13):
        page.goto(course_url)
        page.get_by_role("link", name="Schedule a session").click()
        page.get_by_role("heading", name=f"Schedule session {number}").wait_for()
        if number == 1:
            page.get_by_label("Time").fill("19:00")
        page.get_by_role("button", name="Schedule").click()
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == f"Session {number} of 12"
        phase = PHASE_OF[number]
        agenda = page.get_by_role("heading", name=f"Agenda for the {phase}")
        assert agenda.is_visible(), number
        page.get_by_label(AGENDA_SIGN[phase]).check()
        if number == 4:
            # The middle phase works on the focus agreed at the end of the initial phase.
            group = page.get_by_role("group", name="For the role dispute — renegotiation")
            group.get_by_label(MIDDLE_STRATEGY).check()
            assert not page.get_by_text("No focus has been agreed").is_visible()
        page.get_by_role("button", name="Save agenda").click()
        page.get_by_text("Agenda saved.").wait_for()
        page.get_by_role("combobox", name="Attendance").select_option("attended")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Attendance saved.").wait_for()
        page.get_by_label("Mood today (0–10)").fill(str(min(3 + number // 2, 9)))
        page.get_by_label("Since the last session").fill(f"Week {number}: fictional events.")
        if phase == "Middle phase":
            page.get_by_role("checkbox", name="Communication analysis", exact=True).check()
        page.get_by_role("button", name="Sign note…").click()
        page.get_by_text("Signing cannot be undone").wait_for()
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_text("Note signed.").wait_for()
        if number in (1, 5, 12):
            screenshot(page, f"course-session-{number}-1280")
        if number == 3:
            agree_the_focus(page, course_url)

    # The contract is full: a 13th session asks for a contract change first.
    page.goto(course_url)
    page.get_by_role("link", name="Schedule a session").click()
    page.get_by_role("link", name="Change the contract").wait_for()

    page.goto(course_url)
    page.get_by_text("More…").click()  # the course's less used pages are under "More…"
    page.get_by_role("link", name="Relapse-prevention plan").click()
    page.get_by_label("My warning signs").fill("Skipping the Saturday walk two weeks running.")
    page.get_by_label("People I can turn to").fill("My sister; the clinic on 555-0100.")
    page.get_by_role("button", name="Save plan").click()
    page.get_by_role("link", name="Contract and phases").click()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Course saved.").wait_for()
    assert page.locator(".course-strip .slot-attended").count() == 12
    assert page.locator("svg.chart[role=img]").is_visible()
    screenshot(page, "course-overview-1280")
    page.get_by_text("More…").click()
    page.get_by_role("link", name="End-of-course summary").click()
    assert "12 of 12 attended" in page.locator(".summary").inner_text()
    screenshot(page, "course-summary-1280")

    sessions = Session.objects.filter(course__client=client, course__kind="continuation")
    assert sessions.filter(attendance="attended").count() == 12
    assert ProgressNote.objects.filter(session__in=sessions, status="signed").count() == 12

    # The client reads the plan in their portal, on a phone.
    phone = page_at(360, 740)
    sign_in(phone, base, "client@demo.gentle.test")
    phone.get_by_role("button", name="Menu").click()  # the navigation folds on a phone
    phone.get_by_role("link", name="My space").click()
    phone.get_by_role("link", name="My plan for staying well").click()
    assert "Skipping the Saturday walk" in phone.locator("main").inner_text()
    screenshot(phone, "portal-plan-360")
    assert User.objects.get(email="client@demo.gentle.test").client_record == client


IPC_AGENDA = {
    1: "Give hope: people get better, and these few sessions are a way to start",
    3: "Choose one step to try before the next session (what to say, whom to call)",
    6: "Decide together and record on the course: finished, continue (for example full IPT), "
    "or refer elsewhere",
}


def test_an_ipc_course_of_six_half_hours_ends_with_its_triage(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    client = Client.objects.get(user__email="client@demo.gentle.test")
    base = live_server.url
    page = page_at(1280, 900)
    sign_in(page, base, "clinician@demo.gentle.test")

    page.goto(f"{base}/clients/{client.pk}/")
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Format").select_option("ipc")
    page.get_by_label("Kind").select_option("continuation")
    page.get_by_label("Start date").fill("2027-01-04")
    page.get_by_role("button", name="Create course").click()
    page.get_by_text("Course created.").wait_for()
    course_url = page.url
    assert "6 sessions of 30 minutes" in page.locator(".lead").inner_text()

    for number in range(1, 7):
        page.goto(course_url)
        page.get_by_role("link", name="Schedule a session").click()
        assert page.get_by_label("Length (minutes)").input_value() == "30"
        if number == 1:
            page.get_by_label("Time").fill("19:00")
        page.get_by_role("button", name="Schedule").click()
        assert page.get_by_role("heading", level=1).inner_text() == f"Session {number} of 6"
        # Thirty minutes hold a few items, not the 50-minute agenda.
        assert page.locator("input[name=done]").count() <= 5
        if number in IPC_AGENDA:
            page.get_by_label(IPC_AGENDA[number]).check()
            page.get_by_role("button", name="Save agenda").click()
            page.get_by_text("Agenda saved.").wait_for()
        page.get_by_role("combobox", name="Attendance").select_option("attended")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Attendance saved.").wait_for()
        if number == 1:
            screenshot(page, "ipc-session-1-1280")

    # Completing before the closing triage is refused with a clear message.
    page.goto(course_url)
    page.get_by_role("link", name="Contract and phases").click()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Record the closing triage on the course page").wait_for()

    page.goto(course_url)
    page.get_by_label("Refer elsewhere").check()
    page.get_by_label("Note").fill("Referred to the community mental health team.")
    page.get_by_role("button", name="Save triage").click()
    page.get_by_text("Triage saved.").wait_for()
    page.get_by_role("link", name="Contract and phases").click()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Course saved.").wait_for()
    triage = page.locator("#triage").inner_text()
    assert "Refer elsewhere" in triage and "community mental health team" in triage
    screenshot(page, "ipc-course-triage-1280")
