"""Issue 23, parts 4 and 5: a video or phone session starts with a check of where the client
is, who is with them and whom to call there; role plays and role reversals done in the session
are recorded on it. Both are clinical data: audited, read-only for supervisors, in the client's
copy of their record."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gentle.audit.models import AuditEvent
from gentle.courses.models import RemoteCheck, RolePlay
from gentle.portal.record import build_record, render_html
from tests.factories import count_queries, make_course, make_session, signed_in, visible_text

pytestmark = pytest.mark.django_db

CHECK = {
    "location": "At home, 14 Elm Road, Flat 2",
    "privacy": "others_nearby",
    "with_whom": "Her son, in the next room",
    "emergency_contact": "Local emergency number 112; her sister Ana 555-0199",
}
PLAY = {
    "kind": "role_reversal",
    "other_person": "Tomás",
    "practised": "Asking to look at big payments together on Sunday evenings",
    "how_it_felt": "Surprised how defensive 'never' sounded from his side",
    "next_step": "Ask for one small thing and stop there",
}


@pytest.fixture
def video(world):
    return make_session(make_course(world.amara), world.alice, mode="video")


def page(http, session) -> str:
    return visible_text(http.get(reverse("session_detail", args=[session.pk])))


def post_check(http, session, data=CHECK):
    return http.post(reverse("session_remote_check", args=[session.pk]), data)


def post_play(http, session, data=PLAY):
    return http.post(reverse("session_role_play", args=[session.pk]), data)


# --- the remote check ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["video", "phone"])
def test_a_remote_session_asks_to_check_before_starting(world, mode):
    """Finding: a remote session had no start-of-session check of where the client is and
    whom to call."""
    session = make_session(make_course(world.amara), world.alice, mode=mode)
    text = page(signed_in(world.alice), session)
    assert "Check before you start" in text
    assert "Where are you now?" in text and "Whom to call there in an emergency" in text


def test_an_in_person_session_has_no_check(world):
    session = make_session(make_course(world.amara), world.alice, mode="in_person")
    http = signed_in(world.alice)
    assert "Check before you start" not in page(http, session)
    response = post_check(http, session)
    assert response.status_code == 302
    assert not RemoteCheck.objects.exists()
    assert "Only a video or phone session" in visible_text(http.get(response["Location"]))


def test_a_cancelled_remote_session_is_not_checked(world):
    session = make_session(
        make_course(world.amara), world.alice, attendance="cancelled", cancel_reason="client"
    )
    http = signed_in(world.alice)
    assert "Check before you start" not in page(http, session)
    post_check(http, session)
    assert not RemoteCheck.objects.exists()


def test_clinician_records_the_check_and_the_page_shows_it(world, video):
    http = signed_in(world.alice)
    response = post_check(http, video)
    assert response.status_code == 302 and response["Location"].endswith("#remote-check")
    check = RemoteCheck.objects.get(session=video)
    assert (check.location, check.privacy, check.recorded_by) == (
        CHECK["location"],
        "others_nearby",
        world.alice,
    )
    event = AuditEvent.objects.get(action="session.remote_check")
    assert event.client_id == world.amara.pk and event.object_id == str(video.pk)
    assert "Elm" not in event.detail and "112" not in event.detail  # codes, never the place
    text = visible_text(http.get(response["Location"]))
    assert "Remote check recorded." in text
    assert "Check before you start" not in text
    assert "Where the client is for this session" in text
    assert CHECK["location"] in text and CHECK["emergency_contact"] in text
    assert "Others nearby, but can talk" in text and "Her son" in text
    # Corrected when the client moves: one check per session, the latest.
    post_check(http, video, {**CHECK, "location": "In the car outside work"})
    assert RemoteCheck.objects.get().location == "In the car outside work"


@pytest.mark.parametrize(
    "missing, message",
    [
        ("location", "Write where the client is now."),
        ("emergency_contact", "Write whom to call where the client is now."),
        ("privacy", "Choose whether the client can talk privately."),
    ],
)
def test_bad_check_changes_nothing_and_keeps_what_was_typed(world, video, missing, message):
    http = signed_in(world.alice)
    response = post_check(http, video, {**CHECK, missing: "   " if missing != "privacy" else ""})
    assert response.status_code == 400
    assert not RemoteCheck.objects.exists()
    assert not AuditEvent.objects.filter(action="session.remote_check").exists()
    html = response.content.decode()
    assert message in visible_text(html)
    for name, value in CHECK.items():
        if name not in (missing, "privacy"):
            assert value in html  # typed text is back in the form


def test_bad_privacy_code_is_refused(world, video):
    response = post_check(signed_in(world.alice), video, {**CHECK, "privacy": "sometimes"})
    assert response.status_code == 400
    assert not RemoteCheck.objects.exists()


def test_supervisor_reads_the_check_and_cannot_write_it(world, video):
    post_check(signed_in(world.alice), video)
    sue = signed_in(world.sue)
    response = sue.get(reverse("session_detail", args=[video.pk]))
    assert CHECK["location"] in visible_text(response)
    assert reverse("session_remote_check", args=[video.pk]) not in response.content.decode()
    assert post_check(sue, video, {**CHECK, "location": "Changed"}).status_code in (403, 404)
    assert RemoteCheck.objects.get().location == CHECK["location"]


def test_supervisor_sees_an_unrecorded_check_without_a_form(world, video):
    response = signed_in(world.sue).get(reverse("session_detail", args=[video.pk]))
    assert "Not recorded yet." in visible_text(response)
    assert reverse("session_remote_check", args=[video.pk]) not in response.content.decode()


def test_other_clinician_and_other_clinic_cannot_check(world, video):
    for user in (world.bob, world.far_clinician):
        http = signed_in(user)
        assert post_check(http, video).status_code == 404
        assert http.get(reverse("session_detail", args=[video.pk])).status_code == 404
    assert not RemoteCheck.objects.exists()


# --- role plays in the session --------------------------------------------------------------


def test_clinician_records_a_role_reversal(world, video):
    """Finding: role play and role reversal done with the therapist in a session left no
    record."""
    http = signed_in(world.alice)
    text = page(http, video)
    assert "No role play recorded for this session." in text
    response = post_play(http, video)
    assert response.status_code == 302 and response["Location"].endswith("#role-plays")
    play = RolePlay.objects.get(session=video)
    assert (play.kind, play.other_person, play.recorded_by) == (
        "role_reversal",
        "Tomás",
        world.alice,
    )
    event = AuditEvent.objects.get(action="session.role_play")
    assert event.detail == f"kind=role_reversal id={play.pk}"
    text = visible_text(http.get(response["Location"]))
    assert "Role play recorded." in text
    assert "Role reversal: the client played the other person · Tomás" in text
    assert PLAY["practised"] in text and PLAY["next_step"] in text
    # Several per session.
    post_play(http, video, {**PLAY, "kind": "clinician_as_other", "other_person": "Priya"})
    assert RolePlay.objects.filter(session=video).count() == 2
    assert "Role play: the clinician played the other person · Priya" in page(http, video)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kind": ""}, "Choose who played the other person."),
        ({"kind": "puppet"}, "Select a valid choice."),
        ({"other_person": "  "}, "Write whom the role play was about."),
        ({"practised": ""}, "Write what was practised."),
        ({"other_person": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_role_play_changes_nothing_and_keeps_what_was_typed(world, video, change, message):
    response = post_play(signed_in(world.alice), video, {**PLAY, **change})
    assert response.status_code == 400
    assert not RolePlay.objects.exists()
    assert not AuditEvent.objects.filter(action="session.role_play").exists()
    assert message in visible_text(response)
    html = response.content.decode()
    assert PLAY["how_it_felt"].replace("'", "&#x27;") in html


def test_supervisor_reads_role_plays_and_cannot_add(world, video):
    post_play(signed_in(world.alice), video)
    sue = signed_in(world.sue)
    response = sue.get(reverse("session_detail", args=[video.pk]))
    assert PLAY["practised"] in visible_text(response)
    assert reverse("session_role_play", args=[video.pk]) not in response.content.decode()
    assert post_play(sue, video).status_code in (403, 404)
    assert RolePlay.objects.count() == 1


def test_other_clinician_and_other_clinic_cannot_add_role_plays(world, video):
    for user in (world.bob, world.far_clinician):
        assert post_play(signed_in(user), video).status_code == 404
    assert not RolePlay.objects.exists()


def test_session_page_queries_do_not_grow_with_role_plays(world, video):
    http = signed_in(world.alice)
    post_check(http, video)
    post_play(http, video)
    url = reverse("session_detail", args=[video.pk])
    before = count_queries(http, url)
    for n in range(5):
        post_play(http, video, {**PLAY, "other_person": f"Person {n}"})
    assert count_queries(http, url) == before


def test_course_grid_counts_role_plays_as_tools_used(world, video):
    http = signed_in(world.alice)
    post_play(http, video)
    post_play(http, video)
    post_play(http, video, {**PLAY, "kind": "clinician_as_other"})
    text = visible_text(http.get(reverse("course_grid", args=[video.course_id])))
    assert "Role reversal ×2" in text and "Role play in session" in text


# --- the record copy -------------------------------------------------------------------------


def test_the_record_copy_holds_the_check_and_the_role_plays(world, video):
    http = signed_in(world.alice)
    post_check(http, video)
    post_play(http, video)
    record = build_record(world.amara)
    (check,) = record["remote_checks"]
    assert check["session_id"] == video.pk
    assert (check["location"], check["privacy"]) == (CHECK["location"], "others_nearby")
    assert check["recorded_by"] == world.alice.display_name
    (play,) = record["role_plays"]
    assert (play["kind"], play["other_person"]) == ("role_reversal", "Tomás")
    assert world.alice.email not in json.dumps(record["remote_checks"] + record["role_plays"])
    html = visible_text(render_html(record))
    assert "Where you were for video and phone sessions" in html
    assert CHECK["emergency_contact"] in html and "Others nearby, but can talk" in html
    assert "Role plays in sessions" in html and "Role reversal: the client played" in html


def test_another_clients_check_is_not_in_the_record_copy(world, video):
    post_check(signed_in(world.alice), video)
    assert build_record(world.far_client)["remote_checks"] == []


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_shows_a_checked_video_session_with_a_role_reversal(client, settings):
    """The demo portal client's latest session was by video, checked at its start, and in it
    they played Tomás, whose budget talk they rehearsed at home with the automated partner."""
    from gentle.accounts.models import User
    from gentle.courses.models import SessionTool
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    check = RemoteCheck.objects.select_related("session").get()
    session = check.session
    assert session.mode == "video" and session.attendance == "attended"
    assert session.course.client.user is not None
    kinds = set(RolePlay.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == {"role_reversal", "clinician_as_other"}
    assert SessionTool.objects.filter(session=session, kind="rehearsal").exists()
    client.force_login(User.objects.get(email="clinician@demo.gentle.test"))
    text = visible_text(client.get(reverse("session_detail", args=[session.pk])))
    assert "Where the client is for this session" in text
    assert "Role reversal: the client played the other person · Tomás" in text
    assert "Asking Tomás to plan the budget together" in text
