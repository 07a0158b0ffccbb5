"""The alert page as a work surface: what raised the alert, how to reach the client, their
recent alerts, the C-SSRS now, a log of contact attempts, closing (a high alert with a note),
and the supervisor acting on an escalated alert."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.lib.phones import tel_uri
from gentle.measures.models import Administration
from gentle.safety.actions import text_hear
from gentle.safety.models import Alert, ContactAttempt
from tests.factories import count_queries, make_client, make_person, supervise
from tests.test_safety import raise_alert, signed_in, visible_text
from tests.test_safety import world as world  # noqa: F401, PLC0414 - the fixture

pytestmark = pytest.mark.django_db


def free_text_alert(world, text="I want to kill myself, I have the pills ready") -> Alert:
    with transaction.atomic():
        heard = text_hear(client=world.amara, text=text, source="diary", source_id=41)
    assert heard.alert is not None
    return heard.alert


def escalate(alert: Alert) -> None:
    Alert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now())


# What raised it ---------------------------------------------------------------------------


def test_a_questionnaire_alert_shows_the_instrument_the_risk_answer_and_the_score(world):
    alert = raise_alert(world, item9=2)
    page = visible_text(signed_in(world.alice).get(f"/alerts/{alert.pk}/").content.decode())
    assert "What raised it PHQ-9" in page
    assert "PHQ-9 total: 10 / 27" in page
    assert (
        "Thoughts that you would be better off dead or of hurting yourself in some way "
        "More than half the days (2) · raised this alert"
    ) in page


def test_a_free_text_alert_shows_the_clients_words(world):
    alert = free_text_alert(world)
    page = visible_text(signed_in(world.alice).get(f"/alerts/{alert.pk}/").content.decode())
    assert "The client's own words around each risk phrase:" in page
    assert "kill myself" in page


def test_the_alert_page_shows_the_crisis_parts_of_the_safety_plan_and_audits_the_read(world):
    alert = free_text_alert(world)
    http = signed_in(world.alice)
    page = visible_text(http.get(f"/alerts/{alert.pk}/").content.decode())
    assert "This client has no safety plan yet. Make one with them" in page
    response = http.post(
        f"/clients/{world.amara.pk}/safety-plan/",
        {"based_on": "0", "help": "My sister Marta: 01632 960 999", "reasons": "My cat"},
    )
    assert response.status_code == 302
    html = http.get(f"/alerts/{alert.pk}/").content.decode()
    page = visible_text(html)
    assert "Safety plan Version 1, saved" in page and "My sister Marta" in page
    assert 'href="tel:01632960999"' in html
    assert "My cat" not in page  # reasons for living are not among the crisis parts
    read = AuditEvent.objects.filter(action="safety_plan.view", actor_id=world.alice.pk).last()
    assert read.detail == "version=1 via=alert" and read.client_id == world.amara.pk


def test_the_phone_and_emergency_contact_are_tap_to_call(world):
    world.amara.phone = "+44 (0)1632 960 123"
    world.amara.emergency_contact_name = "Marta"
    world.amara.emergency_contact_relation = "sister"
    world.amara.emergency_contact_phone = "01632 960 999"
    world.amara.save()
    alert = raise_alert(world)
    html = signed_in(world.alice).get(f"/alerts/{alert.pk}/").content.decode()
    assert '<a href="tel:+441632960123">+44 (0)1632 960 123</a>' in html
    assert '<a href="tel:01632960999">01632 960 999</a>' in html
    assert "Marta (sister)" in html


def test_tel_uri_keeps_the_plus_and_the_digits_only():
    assert tel_uri("+44 (0)1632 960 123") == "tel:+441632960123"
    assert tel_uri("0100-200 300") == "tel:0100200300"
    assert tel_uri('12"><script>') == ""
    assert tel_uri("") == ""


def test_the_page_lists_the_clients_other_recent_alerts(world):
    first = raise_alert(world, item9=1)
    second = free_text_alert(world)
    html = signed_in(world.alice).get(f"/alerts/{second.pk}/").content.decode()
    assert f'href="/alerts/{first.pk}/"' in html
    assert f'href="/alerts/{second.pk}/"' not in html


def test_the_alert_page_costs_the_same_queries_however_long_the_history(world):
    alert = raise_alert(world, item9=2)
    alice = signed_in(world.alice)
    url = f"/alerts/{alert.pk}/"
    before = count_queries(alice, url)
    for n in range(8):
        Alert.objects.create(
            client=world.amara,
            source="diary",
            source_id=str(100 + n),
            rule_id="free_text_self",
            severity="moderate",
            reason="Risk words",
        )
        alice.post(f"{url}contact/", {"outcome": "not_reached", "note": f"Try {n}"})
    assert ContactAttempt.objects.count() == 8
    assert count_queries(alice, url) == before


# The C-SSRS now ---------------------------------------------------------------------------


def test_the_clinician_gives_the_cssrs_in_session_from_the_alert_page(world):
    alert = raise_alert(world)
    alice = signed_in(world.alice)
    html = alice.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'action="/clients/{world.amara.pk}/measures/new/"' in html
    assert 'name="instrument" value="cssrs_screener"' in html
    response = alice.post(
        f"/clients/{world.amara.pk}/measures/new/",
        {"instrument": "cssrs_screener", "mode": "in_session"},
    )
    given = Administration.objects.get(instrument_id="cssrs_screener")
    assert (given.mode, given.status) == ("in_session", "in_progress")
    assert response["Location"] == f"/administrations/{given.pk}/"
    sue_page = signed_in(world.sue).get(f"/alerts/{alert.pk}/").content.decode()
    assert "cssrs_screener" not in sue_page  # the supervisor does not administer


# The contact log --------------------------------------------------------------------------


def test_the_clinician_logs_a_contact_attempt_and_it_is_audited_without_the_note(world):
    alert = raise_alert(world)
    alice = signed_in(world.alice)
    response = alice.post(
        f"/alerts/{alert.pk}/contact/",
        {"outcome": "left_message", "note": "Voicemail, asked her to call back."},
        follow=True,
    )
    page = visible_text(response.content.decode())
    assert "Contact attempt logged." in page
    assert "Left a message" in page and "Voicemail, asked her to call back." in page
    attempt = ContactAttempt.objects.get()
    assert (attempt.alert, attempt.made_by, attempt.outcome) == (alert, world.alice, "left_message")
    event = AuditEvent.objects.get(action="alert.contact_attempt")
    assert event.detail == f"attempt={attempt.pk} outcome=left_message"
    assert (event.actor_id, event.role, event.object_id) == (
        world.alice.pk,
        Role.CLINICIAN,
        str(alert.pk),
    )


def test_a_contact_attempt_at_a_given_time_is_kept_with_that_time(world):
    alert = raise_alert(world)
    when = timezone.localtime().replace(second=0, microsecond=0)
    signed_in(world.alice).post(
        f"/alerts/{alert.pk}/contact/",
        {"outcome": "spoke_client", "made_at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert ContactAttempt.objects.get().made_at == when


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"outcome": "", "note": "Rang twice <b>no answer</b>"},
            "Choose what came of the attempt.",
        ),
        ({"outcome": "guessed", "note": "Rang twice <b>no answer</b>"}, "Select a valid choice"),
        (
            {"outcome": "not_reached", "note": "Rang twice <b>no answer</b>", "made_at": "x"},
            "Give the date and time of the attempt.",
        ),
        (
            {
                "outcome": "not_reached",
                "note": "Rang twice <b>no answer</b>",
                "made_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            },
            "This time is in the future.",
        ),
        (
            {
                "outcome": "not_reached",
                "note": "Rang twice <b>no answer</b>",
                "made_at": (timezone.localtime() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            },
            "This is before the request or alert came in.",
        ),
    ],
)
def test_a_bad_contact_attempt_is_refused_and_keeps_what_was_typed(world, data, message):
    alert = raise_alert(world)
    response = signed_in(world.alice).post(f"/alerts/{alert.pk}/contact/", data)
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert "Rang twice &lt;b&gt;no answer&lt;/b&gt;" in html
    assert not ContactAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action="alert.contact_attempt").exists()


def test_off_team_clinicians_and_other_clinics_cannot_log_attempts(world):
    alert = raise_alert(world)
    for person in (world.bob, world.far_clinician, world.admin, world.portal):
        response = signed_in(person).post(f"/alerts/{alert.pk}/contact/", {"outcome": "x"})
        assert response.status_code == 404
    assert not ContactAttempt.objects.exists()


# Closing ----------------------------------------------------------------------------------


def test_a_high_alert_is_not_closed_without_a_note_and_keeps_the_choice(world):
    """Finding: the note was optional even for a high alert."""
    alert = raise_alert(world, item9=3)
    alice = signed_in(world.alice)
    for note in ("", "   "):
        response = alice.post(
            f"/alerts/{alert.pk}/acknowledge/", {"action": "referral", "note": note}
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "A high alert is closed only with a note" in html
        assert '<option value="referral" selected>' in html
    alert.refresh_from_db()
    assert alert.is_open
    assert not AuditEvent.objects.filter(action="alert.acknowledge").exists()
    alice.post(
        f"/alerts/{alert.pk}/acknowledge/",
        {"action": "referral", "note": "Crisis team visiting tonight."},
    )
    alert.refresh_from_db()
    assert not alert.is_open and alert.action_note == "Crisis team visiting tonight."


def test_a_moderate_alert_may_still_close_without_a_note(world):
    alert = raise_alert(world, item9=1)
    signed_in(world.alice).post(f"/alerts/{alert.pk}/acknowledge/", {"action": "reviewed"})
    alert.refresh_from_db()
    assert not alert.is_open


# The supervisor and an escalated alert ----------------------------------------------------


def test_the_supervisor_logs_contact_and_closes_an_escalated_alert(world):
    """Finding: the escalated alert opened read-only for the supervisor."""
    alert = raise_alert(world, item9=2)
    escalate(alert)
    sue = signed_in(world.sue)
    page = sue.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'action="/alerts/{alert.pk}/contact/"' in page
    assert f'action="/alerts/{alert.pk}/acknowledge/"' in page
    # Each note is labelled for its own form (the page holds two).
    assert page.count('id="id_note"') == 1 and page.count('id="contact_note"') == 1
    sue.post(f"/alerts/{alert.pk}/contact/", {"outcome": "spoke_emergency_contact"})
    sue.post(
        f"/alerts/{alert.pk}/acknowledge/",
        {"action": "contact", "note": "Reached her sister; Ottilie is safe with her."},
    )
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == world.sue
    assert ContactAttempt.objects.get().made_by == world.sue
    roles = set(
        AuditEvent.objects.filter(
            action__in=("alert.contact_attempt", "alert.acknowledge")
        ).values_list("role", flat=True)
    )
    assert roles == {Role.SUPERVISOR}


def test_an_unescalated_alert_stays_the_care_teams(world):
    alert = raise_alert(world)
    sue = signed_in(world.sue)
    page = sue.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Open: waiting for a clinician on the care team." in page
    assert "/contact/" not in page
    assert sue.post(f"/alerts/{alert.pk}/contact/", {"outcome": "spoke_client"}).status_code == 404
    assert not ContactAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action="alert.open").exists()


def test_a_supervisor_of_someone_else_cannot_act_on_an_escalated_alert(world):
    alert = raise_alert(world)
    escalate(alert)
    other_clinician = make_person(world.clinic, Role.CLINICIAN)
    other_supervisor = make_person(world.clinic, Role.SUPERVISOR)
    supervise(world.clinic, other_supervisor, other_clinician)
    make_client(world.clinic, clinicians=[other_clinician])
    http = signed_in(other_supervisor)
    assert http.get(f"/alerts/{alert.pk}/").status_code == 404
    assert http.post(f"/alerts/{alert.pk}/contact/", {"outcome": "spoke_client"}).status_code == 404
    response = http.post(f"/alerts/{alert.pk}/acknowledge/", {"action": "contact", "note": "x"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.is_open and not ContactAttempt.objects.exists()
