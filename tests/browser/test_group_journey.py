"""Group IPT end to end in Chromium (issue 24's done-criterion): a clinician sets up a group
with the lay facilitator on a desktop, adds members and makes the schedule; the facilitator
records every session on a 360 px phone, typing from paper sheets afterwards (the keyboard
alone for a PHQ-9), through to the last; the clinician finishes the group. axe-core checks the
session screen at both widths."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gentle.accounts.models import User
from gentle.clients.models import CareTeamMember
from gentle.demo import seed_demo
from gentle.groups.models import Group, GroupAttendance, GroupMember
from gentle.measures.models import Administration

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


def test_a_group_set_up_run_through_its_sessions_and_finished(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # as in the demo
    seed_demo()
    base = live_server.url
    # Eight weeks ago: the sessions are typed in afterwards, from the paper sheets.
    first = timezone.localdate() - timedelta(weeks=8)
    free = [
        c.client
        for c in CareTeamMember.objects.filter(
            user__email="clinician@demo.gentle.test", role="clinician"
        ).select_related("client")
        if not GroupMember.objects.filter(client=c.client, left_on__isnull=True).exists()
    ][:2]
    assert len(free) == 2

    desk = page_at(1280, 900)
    desk.context.add_init_script(path=str(AXE))
    sign_in(desk, base, "clinician@demo.gentle.test")
    desk.goto(base + "/groups/new/")
    desk.get_by_label("Name").fill("Journey group")
    desk.get_by_label("Video").check()
    desk.get_by_label("First session").fill(first.isoformat())
    desk.locator('select[name="facilitator"]').select_option(label="Wanjiru Castell")
    # The clinician co-facilitates: who runs a group and is a clinician manages it.
    me = User.objects.get(email="clinician@demo.gentle.test")
    desk.locator('select[name="co_facilitator"]').select_option(str(me.pk))
    desk.get_by_role("button", name="Set up the group").click()
    desk.get_by_text("Group set up. Add its members.").wait_for()
    group = Group.objects.get(name="Journey group")
    for client in free:
        desk.get_by_role("link", name="Add a member").click()
        desk.locator('select[name="client"]').select_option(str(client.pk))
        desk.get_by_label("Joined on").fill((first - timedelta(days=3)).isoformat())
        desk.get_by_role("button", name="Add to the group").click()
        desk.get_by_text("Member added.").wait_for()
    desk.get_by_label("Time of each session").fill("18:00")
    desk.get_by_role("button", name="Make the schedule").click()
    desk.get_by_text("Schedule made.").wait_for()
    assert group.sessions.count() == 8
    screenshot(desk, "group-scheduled-1280")

    phone = page_at(360, 800)
    phone.context.add_init_script(path=str(AXE))
    sign_in(phone, base, "facilitator@demo.gentle.test")
    members = list(group.members.order_by("pk"))
    for number in range(1, 9):
        phone.goto(base + f"/groups/{group.pk}/sessions/{number}/")
        phone.get_by_role("heading", name=f"Group session {number}").wait_for()
        if number == 1:
            # The first meeting's agenda is the group's, not the pre-group session's.
            assert phone.get_by_text("Agree the group's rules, confidentiality first").count()
            assert not phone.get_by_text("interpersonal inventory").count()
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360
            assert phone.evaluate(RUN_AXE) == []
            # Nobody marked: refused, said, what was typed kept.
            phone.get_by_label("What the group did").fill("Introductions and rules.")
            phone.get_by_role("button", name="Save the session").click()
            phone.get_by_text("Mark who came and who did not: nobody is marked.").wait_for()
            assert phone.get_by_label("What the group did").input_value() == (
                "Introductions and rules."
            )
            screenshot(phone, "group-session-refused-360")
        for index, member in enumerate(members):
            came = not (number == 4 and index == 1)
            phone.locator(f'input[name="came-{member.pk}"][value="{int(came)}"]').check()
        # The first member's PHQ-9 typed from the sheet with the keyboard alone.
        phone.locator(f'input[name="phq-{members[0].pk}-phq9_1"]').focus()
        score = max(1, 9 - number)
        for item in range(9):
            phone.keyboard.type("1" if item < score else "0")
            phone.keyboard.press("Tab")
        phone.locator('input[name="agenda"]').first.check()
        phone.get_by_label("Practice for the week").fill("One talk a week.")
        phone.get_by_role("button", name="Save the session").click()
        phone.get_by_text(f"Session {number} recorded.").wait_for()
        assert phone.get_by_text(f"PHQ-9 at this session: {score}").count()
    screenshot(phone, "group-session-8-360")
    assert GroupAttendance.objects.filter(member__group=group).count() == 16
    assert (
        Administration.objects.filter(course=members[0].course, instrument_id="phq9").count() == 8
    )
    # Each member's course: the pre-group session, then one per group session.
    for member in members:
        assert member.course.sessions.count() == 9

    desk.goto(base + f"/groups/{group.pk}/sessions/8/")
    assert desk.evaluate(RUN_AXE) == []
    desk.goto(base + f"/groups/{group.pk}/edit/")
    desk.locator('select[name="status"]').select_option("finished")
    desk.get_by_role("button", name="Save").click()
    desk.get_by_text("Group saved.").wait_for()
    group.refresh_from_db()
    assert group.status == "finished"
    assert not group.members.filter(left_on__isnull=True).exists()
    screenshot(desk, "group-finished-1280")
