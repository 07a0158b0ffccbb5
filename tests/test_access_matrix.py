"""The access matrix: every route × every role × own/other clinic × own/other client.

Routes come from the URL resolver, so a new route joins automatically; its expected answer is
declared beside it (``gentle.lib.routes.route(..., access=...)``). A route that is neither declared
nor on the public allow-list below fails ``test_every_route_is_declared``.
"""

from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie

import pytest
from django.db import connections, transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gentle.accounts.models import ApiToken, Invitation, Role
from gentle.clients.models import BreakGlassGrant, Client, Consent
from gentle.communication.models import Exchange, Worksheet
from gentle.courses.models import (
    Course,
    Letter,
    ProgressNote,
    RolePlay,
    Session,
    SupervisionComment,
)
from gentle.formulation.models import Formulation, Goal
from gentle.grief.models import Loss, Transition
from gentle.groups.models import Group, GroupMember, GroupSession
from gentle.intake.models import IntakeRequest
from gentle.interop.bulk import run as run_bulk_export
from gentle.interop.models import BulkExport
from gentle.inventory.models import Person
from gentle.lib.routes import RULES, Access
from gentle.measures.models import Administration
from gentle.portal.models import RecordExport, Task
from gentle.portal.record import build_record
from gentle.roleplay.models import Rehearsal, Scenario
from gentle.safety.models import Alert
from gentle.timeline.models import LifeEvent
from tests import world as shared
from tests.factories import make_client, make_person

pytestmark = pytest.mark.django_db

# Routes anyone may open: the project's public pages, and django-allauth's own sign-in,
# password and MFA pages, which enforce their own rules (tested in test_login, test_mfa...).
PUBLIC_ALLOWLIST = {"home", "healthz", "crisis", "set_language"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
GENTLE_ROUTES = sorted(
    {e.name for _, e in ALL_ROUTES if e.name and not e.callback.__module__.startswith("allauth.")}
)


def test_every_route_is_declared():
    undeclared = []
    for pattern, entry in ALL_ROUTES:
        if entry.callback.__module__.startswith("allauth."):
            continue
        if not entry.name or (entry.name not in RULES and entry.name not in PUBLIC_ALLOWLIST):
            undeclared.append(pattern)
    assert undeclared == [], f"routes without a declared access rule: {undeclared}"


def test_every_declared_rule_names_a_route():
    assert set(RULES) <= set(GENTLE_ROUTES)


@dataclass
class World:
    clinic: object
    other_clinic: object
    actors: dict
    clients: dict
    users: dict
    grants: dict
    invitations: dict
    tokens: dict
    groups: dict
    members: dict
    bulk_exports: dict
    browsers: dict = field(default_factory=dict)  # one test browser per actor
    cookies: dict = field(default_factory=dict)  # each browser's cookies once signed in


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """Built once for the module in a transaction rolled back at its end. Each test runs in a
    savepoint within it, and each request in one more that is rolled back; each actor's browser
    signs in once and starts every request from the cookies of that sign-in."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        for name, actor in built.actors.items():
            http = built.browsers[name] = HttpClient()
            if actor is not None:
                http.force_login(actor)
            built.cookies[name] = {key: morsel.value for key, morsel in http.cookies.items()}
        yield built
        transaction.set_rollback(True)


def build_world() -> World:
    base = shared.build_world()  # clinic A is its clinic, clinic B its other one
    a, b = base.clinic, base.other
    clinician, colleague, supervisor, admin = base.alice, base.bob, base.sue, base.admin
    portal_user, own = base.portal, base.amara
    other = make_client(a, clinicians=[colleague])
    b_clinician, b_portal, b_client = base.far_clinician, base.far_portal, base.far_client
    actors = {
        "anonymous": None,
        "admin": admin,
        "clinician": clinician,
        "supervisor": supervisor,
        "client": portal_user,
        "other_admin": make_person(b, Role.ADMIN),
        "other_clinician": b_clinician,
        "other_supervisor": make_person(b, Role.SUPERVISOR),
        "other_client": b_portal,
        # A lay group facilitator of clinic A (ADR 0051): runs the own group, and reaches
        # nothing else (every clinical route denies them).
        "facilitator": make_person(a, Role.FACILITATOR),
    }
    grant_a = BreakGlassGrant.objects.create(
        client=other,
        user=clinician,
        reason="earlier emergency",
        expires_at=own.created_at.replace(year=own.created_at.year + 1),
    )
    grant_b = BreakGlassGrant.objects.create(
        client=b_client,
        user=b_clinician,
        reason="earlier emergency",
        expires_at=own.created_at.replace(year=own.created_at.year + 1),
    )
    for client in (own, other, b_client):
        clinician_of = client.care_team.get(role="clinician").user
        course = Course.objects.create(
            client=client,
            format="individual",
            contracted_sessions=12,
            session_minutes=50,
            initial_last=3,
            termination_first=10,
            start_date=own.created_at.date(),
        )
        session = Session.objects.create(
            course=course,
            clinician=clinician_of,
            minutes=50,
            mode="video",
            starts_at=own.created_at,
        )
        ProgressNote.objects.create(
            session=session,
            author=clinician_of,
            updated_by=clinician_of,
            status="signed",
            signed_at=own.created_at,
            signed_by=clinician_of,
        )
        # A supervision comment on each course (ADR 0055), by whoever: the routes' rule is the
        # client's, not the author's.
        SupervisionComment.objects.create(course=course, author=clinician_of, text="Matrix")
        # A final letter to the referrer with its PDF made (ADR 0063): every letter route answers.
        Letter.objects.create(
            course=course,
            language="en",
            status="final",
            recipient="Matrix",
            created_by=clinician_of,
            pdf_status="done",
            pdf=b"%PDF-matrix",
        )
        RolePlay.objects.create(
            session=session,
            kind="role_reversal",
            other_person="Matrix",
            practised="Matrix practice",
            recorded_by=clinician_of,
        )
        Consent.objects.create(client=client, kind="treatment", given_on=own.created_at.date())
        Loss.objects.create(
            client=client,
            who="Matrix",
            died_on=date(2023, 1, 1),
            created_by=clinician_of,
            shared_with_client=True,
        )
        Transition.objects.create(
            client=client, title="Matrix change", updated_by=clinician_of, shared_with_client=True
        )
        Exchange.objects.create(
            client=client, i_said="Matrix", updated_by=clinician_of, shared_with_client=True
        )
        Worksheet.objects.create(
            client=client,
            kind="desc",
            title="Matrix sheet",
            updated_by=clinician_of,
            shared_with_client=True,
        )
        scenario = Scenario.objects.create(
            client=client,
            title="Matrix scenario",
            goal="g",
            opening="o",
            manner="receptive",
            relationship="friend",
            shared_with_client=True,
            updated_by=clinician_of,
        )
        Rehearsal.objects.create(
            client=client, scenario=scenario, confidence_before=5, started_by=clinician_of
        )
        # A practice task: every task route answers for it (the report page only for these).
        Task.objects.create(
            client=client, kind="practice", title="Matrix task", created_by=clinician_of
        )
        RecordExport.objects.create(
            client=client,
            requested_by=clinician_of,
            status="done",
            progress=100,
            data=build_record(client),
            pdf=b"%PDF-matrix",
        )
        Formulation.objects.create(
            course=course,
            primary_area="dispute",
            text="Probe",
            text_edited=True,
            updated_by=clinician_of,
        )
        Goal.objects.create(
            course=course,
            area="dispute",
            text="Matrix goal",
            minus2="a",
            minus1="b",
            zero="c",
            plus1="d",
            plus2="e",
            created_by=clinician_of,
        )
        LifeEvent.objects.create(
            client=client,
            precision="year",
            year=2023,
            category="move",
            description="Matrix move",
            created_by=clinician_of,
        )
        Person.objects.create(
            client=client,
            name="Matrix Friend",
            name_key="matrix friend",
            relationship="friend",
            updated_by=clinician_of,
        )
        administration = Administration.objects.create(
            client=client,
            course=course,
            instrument_id="phq9",
            instrument_version=1,
            mode="portal",
            created_by=clinician_of,
        )
        Alert.objects.create(
            client=client,
            source="administration",
            source_id=str(administration.pk),
            rule_id="phq9_item9_some",
            severity="moderate",
            reason="probe",
        )
    # The own client's alert is escalated: its supervisor may act on it (Access.ALERT_WORK).
    Alert.objects.filter(client=own).update(escalated_at=own.created_at)
    for clinic in (a, b):
        IntakeRequest.objects.create(
            clinic=clinic, name="Matrix", contact="email", email="m@example.test", message="Probe"
        )
    tokens = {}
    for key, clinic, holder in (("own", a, clinician), ("other_clinic", b, b_clinician)):
        tokens[key] = ApiToken.objects.create(
            clinic=clinic,
            user=holder,
            name="Matrix",
            prefix="gentle_abcd",
            token_hash=f"{'token-' + key:0<64}"[:64],
            scopes=["read"],
            expires_at=own.created_at.replace(year=own.created_at.year + 1),
        )
    invitations = {}
    for key, clinic in (("own", a), ("other_clinic", b)):
        invitations[key] = Invitation.objects.create(
            clinic=clinic,
            email=f"new-{key}@example.test",
            role=Role.CLINICIAN,
            purpose="staff",
            token_hash=f"{key:0<64}"[:64],
            expires_at=own.created_at.replace(year=own.created_at.year + 1),
        )
    # The own client's portal login came from an invitation whose sender has left: it waits for
    # review, so a denied confirm or end would show in the snapshot.
    origin = Invitation.objects.create(
        clinic=a,
        email=portal_user.email,
        role=Role.CLIENT,
        purpose="client_portal",
        client_id=own.pk,
        token_hash=f"{'portal':0<64}",
        code_hash="!unusable",
        expires_at=own.created_at.replace(year=own.created_at.year + 1),
        used_at=own.created_at,
        used_by=portal_user,
    )
    Client.objects.filter(pk=own.pk).update(
        portal_invitation=origin, portal_review_since=own.created_at
    )
    # A group per client: the own client's is run by the facilitator with the clinician as
    # co-facilitator; the other's by its colleague (the clinician's break-glass grant does not
    # reach it); clinic B's by its clinician. (Their courses are the matrix's one course each:
    # routes name it with courses.get(); the group format is the actions' rule, not the table's.)
    groups, members = {}, {}
    runs = {
        "own": (actors["facilitator"], clinician),
        "other": (colleague, None),
        "other_clinic": (b_clinician, None),
    }
    for key, client in (("own", own), ("other", other), ("other_clinic", b_client)):
        facilitator, co = runs[key]
        groups[key] = Group.objects.create(
            clinic=client.clinic,
            name=f"Matrix group {key}",
            language="en",
            setting="video",
            starts_on=own.created_at.date(),
            facilitator=facilitator,
            co_facilitator=co,
        )
        members[key] = GroupMember.objects.create(
            group=groups[key],
            client=client,
            course=client.courses.get(),
            joined_on=own.created_at.date(),
        )
        GroupSession.objects.create(group=groups[key], number=1, starts_at=own.created_at)
    # A finished clinic-wide FHIR export per clinic, its files written (ADR 0061).
    bulk_exports = {}
    for key, clinic in (("own", a), ("other_clinic", b)):
        bulk_exports[key] = BulkExport.objects.create(clinic=clinic, requested_by=admin)
        run_bulk_export(bulk_exports[key].pk)
    return World(
        clinic=a,
        bulk_exports=bulk_exports,
        groups=groups,
        members=members,
        other_clinic=b,
        actors=actors,
        clients={"own": own, "other": other, "other_clinic": b_client},
        users={"own": colleague, "other_clinic": b_clinician},
        grants={"own": grant_a, "other_clinic": grant_b},
        invitations=invitations,
        tokens=tokens,
    )


def targets(route: str, world: World) -> list[tuple[str, dict]]:
    """The URL keyword arguments to try for a route, each labelled own/other."""
    pattern = next(p for p, e in ALL_ROUTES if e.name == route)
    if "<int:bulk_id>" in pattern:
        extra = {"resource_type": "Patient"} if "<slug:resource_type>" in pattern else {}
        return [(k, {"bulk_id": e.pk, **extra}) for k, e in world.bulk_exports.items()]
    if "<int:consent_id>" in pattern:
        return [
            (k, {"client_id": c.pk, "consent_id": c.consents.get().pk})
            for k, c in world.clients.items()
        ]
    if "<int:client_id>" in pattern:
        return [(k, {"client_id": c.pk}) for k, c in world.clients.items()]
    if "<int:administration_id>" in pattern:
        return [
            (k, {"administration_id": c.administrations.get().pk}) for k, c in world.clients.items()
        ]
    if "<int:alert_id>" in pattern:
        return [(k, {"alert_id": c.alerts.get().pk}) for k, c in world.clients.items()]
    if "<int:loss_id>" in pattern:
        return [(k, {"loss_id": c.losses.get().pk}) for k, c in world.clients.items()]
    if "<int:transition_id>" in pattern:
        return [(k, {"transition_id": c.transitions.get().pk}) for k, c in world.clients.items()]
    if "<int:exchange_id>" in pattern:
        return [(k, {"exchange_id": c.exchanges.get().pk}) for k, c in world.clients.items()]
    if "<int:worksheet_id>" in pattern:
        return [(k, {"worksheet_id": c.worksheets.get().pk}) for k, c in world.clients.items()]
    if "<int:scenario_id>" in pattern:
        return [(k, {"scenario_id": c.scenarios.get().pk}) for k, c in world.clients.items()]
    if "<int:rehearsal_id>" in pattern:
        return [(k, {"rehearsal_id": c.rehearsals.get().pk}) for k, c in world.clients.items()]
    if "<slug:slug>" in pattern:
        return [("own", {"slug": world.clinic.slug})]
    if "<int:request_id>" in pattern:
        return [
            (k, {"request_id": IntakeRequest.objects.get(clinic=c).pk})
            for k, c in (("own", world.clinic), ("other_clinic", world.other_clinic))
        ]
    if "<int:task_id>" in pattern:
        return [(k, {"task_id": c.tasks.get().pk}) for k, c in world.clients.items()]
    if "<int:export_id>" in pattern:
        return [(k, {"export_id": c.exports.get().pk}) for k, c in world.clients.items()]
    if "<int:goal_id>" in pattern:
        return [
            (k, {"goal_id": c.courses.get().ipt_goals.get().pk}) for k, c in world.clients.items()
        ]
    if "<int:event_id>" in pattern:
        return [(k, {"event_id": c.life_events.get().pk}) for k, c in world.clients.items()]
    if "<int:person_id>" in pattern:
        return [(k, {"person_id": c.inventory.get().pk}) for k, c in world.clients.items()]
    if "<int:comment_id>" in pattern:
        return [
            (k, {"comment_id": SupervisionComment.objects.get(course__client=c).pk})
            for k, c in world.clients.items()
        ]
    if "<int:letter_id>" in pattern:
        return [
            (k, {"letter_id": Letter.objects.get(course__client=c).pk})
            for k, c in world.clients.items()
        ]
    if "<int:course_id>" in pattern:
        return [(k, {"course_id": c.courses.get().pk}) for k, c in world.clients.items()]
    if "<int:role_play_id>" in pattern:
        return [
            (k, {"role_play_id": RolePlay.objects.get(session__course__client=c).pk})
            for k, c in world.clients.items()
        ]
    if "<int:session_id>" in pattern:
        return [
            (k, {"session_id": c.courses.get().sessions.get().pk}) for k, c in world.clients.items()
        ]
    if "<int:user_id>" in pattern:
        extra = {"change": "add"} if "<str:change>" in pattern else {}
        return [(k, {"user_id": u.pk, **extra}) for k, u in world.users.items()]
    if "<int:grant_id>" in pattern:
        return [(k, {"grant_id": g.pk}) for k, g in world.grants.items()]
    if "<int:token_id>" in pattern:
        return [(k, {"token_id": t.pk}) for k, t in world.tokens.items()]
    if "<int:invitation_id>" in pattern:
        return [(k, {"invitation_id": i.pk}) for k, i in world.invitations.items()]
    if "<int:group_id>" in pattern:
        extra = {"number": 1} if "<int:number>" in pattern else {}
        return [(k, {"group_id": g.pk, **extra}) for k, g in world.groups.items()]
    if "<int:member_id>" in pattern:
        return [(k, {"member_id": m.pk}) for k, m in world.members.items()]
    if "<str:token>" in pattern:
        return [("own", {"token": "not-a-real-token"})]
    if "<str:key>" in pattern:
        return [("own", {"key": "not-a-real-key"})]
    return [("own", {})]


GROUP_PROBE = {
    "name": "Probe group",
    "format": "group",
    "language": "en",
    "setting": "video",
    "starts_on": "2026-02-02",
}
SCENARIO_PROBE = {"title": "Probe scenario", "goal": "g", "opening": "o", "manner": "sad"}


def post_data(route: str, world: World) -> dict:
    return {
        "person_role": {"role": Role.SUPERVISOR},
        "person_active": {"active": "0"},
        "switch_clinic": {"clinic": world.clinic.pk},
        "clinic_clients": {"given_name": "Matrix", "family_name": "Probe"},
        "clinic_client_team": {"clinicians": [world.actors["clinician"].pk]},
        "break_glass": {"reason": "Client in crisis, their clinician is away"},
        "invitations": {"email": "probe@example.test", "role": Role.CLINICIAN},
        "api_tokens": {
            "name": "Probe",
            "user": world.actors["clinician"].pk,
            "scopes": ["read"],
            "days": 30,
        },
        "course_new": {"format": "brief", "start_date": "2026-01-05"},
        "course_edit": {"format": "brief", "start_date": "2026-01-05", "status": "active"},
        "course_triage": {"triage": "finished", "note": "Matrix probe"},
        "session_new": {"date": "2026-02-02", "time": "10:00", "minutes": 50, "mode": "video"},
        "session_attendance": {"attendance": "attended"},
        "session_participants": {"participants": "client"},
        "session_move": {"date": "2026-02-02", "time": "11:00", "minutes": 50},
        "session_cancel": {"reason": "client", "confirm": "on"},
        "calendar_book": {"date": "2026-02-02", "time": "12:00", "minutes": 50, "mode": "video"},
        "session_agenda": {"done": ["focus"]},
        "note_save": {"mood": 5, "text": "Matrix probe note"},
        "note_autosave": {"mood": 5, "text": "Matrix probe note"},
        "note_sign": {"version": 1},
        "note_addendum": {"text": "Matrix probe addendum"},
        "comment_add": {"text": "Matrix probe comment"},
        "note_settings": {"cosign_supervisees": "on"},
        "fidelity_settings": {"sample_every": "3"},
        "fidelity_recorded": {"recorded": "on"},
        "fidelity_rate": {"comment": "Matrix probe"},
        "supervision_log": {"held_on": "2026-01-05", "minutes": "50", "topics": "Probe"},
        "comment_reply": {"text": "Matrix probe answer"},
        "session_goals_rate": {
            f"goal-{world.clients['own'].courses.get().ipt_goals.get().pk}": "1",
        },
        "session_tool_link": {"tool": f"exchange:{world.clients['own'].exchanges.get().pk}"},
        "session_tool_unlink": {"link": "1"},
        "session_remote_check": {
            "location": "Matrix probe place",
            "privacy": "private",
            "emergency_contact": "112",
        },
        "session_role_play": {
            "kind": "role_reversal",
            "other_person": "Probe",
            "practised": "Matrix probe practice",
        },
        "role_play_edit": {
            "kind": "clinician_as_other",
            "other_person": "Probe",
            "practised": "Matrix probe practice",
        },
        "process_note": {"text": "Matrix probe"},
        "relapse_plan": {"warning_signs": "Matrix probe"},
        "course_letters": {"language": "en"},
        "letter_edit": {"recipient": "Matrix probe"},
        "client_edit": {"given_name": "Probe", "language": "en"},
        "consent_add": {"kind": "portal", "given_on": "2026-01-05"},
        "calendar_feed_settings": {"action": "renew"},
        "administration_new": {"instrument": "gad7", "mode": "in_session"},
        "api_client_administrations": {"instrument": "gad7", "mode": "in_session"},
        "administration_fill": {"phq9_1": "1", "submit": "0"},
        "portal_fill": {"phq9_1": "1", "submit": "0"},
        "alert_acknowledge": {"action": "contact", "note": "probe"},
        "alert_contact": {"outcome": "spoke_client", "note": "probe"},
        "intake_contact": {"outcome": "not_reached"},
        "crisis_text": {"language": "en", "text": "Matrix probe crisis text"},
        "safety_plan": {"based_on": "0", "coping": "Matrix probe walk"},
        "portal_safety_plan": {"based_on": "0", "coping": "Matrix probe walk"},
        "safety_settings": {"safety_lead": world.actors["clinician"].pk},
        "measure_schedule": {"rule_phq9": "every_session"},
        "person_new": {
            "name": "Probe Person",
            "relationship": "friend",
            "ring": "1",
            "knows_about_depression": "unknown",
            "expectations_met": "unknown",
        },
        "person_edit": {
            "name": "Probe Person",
            "relationship": "friend",
            "ring": "1",
            "knows_about_depression": "unknown",
            "expectations_met": "unknown",
        },
        "snapshot_new": {"label": "Probe"},
        "attachment_new": {"about": "mother"},
        "event_new": {"when": "2024-05", "category": "move", "description": "Probe move"},
        "episode_new": {"start": "2024-06"},
        "losses": {"who": "Probe", "died_on": "2024-01-01"},
        "transition_new": {"title": "Probe change"},
        "transition_detail": {"title": "Probe change 2"},
        "activity_add": {"day": "2024-02-01", "orientation": "loss", "what": "Probe"},
        "check_in_add": {"day": "2024-02-01", "words": ["numb"]},
        "transition_step": {"note": "Probe step"},
        "loss_share": {"shared": "0"},
        "transition_share": {"shared": "0"},
        "portal_activity_add": {"day": "2024-02-01", "orientation": "loss", "what": "Probe"},
        "portal_check_in_add": {"day": "2024-02-01", "words": ["numb"]},
        "portal_transition": {"title": "Probe change 3"},
        "style_reflect": {"person": world.clients["own"].inventory.get().pk, "items": ["s1"]},
        "exchange_new": {"day": "2026-01-05", "i_said": "Probe said", "they_said": "Probe"},
        "exchange_detail": {"day": "2026-01-05", "i_said": "Probe said", "they_said": "Probe"},
        "portal_exchange": {"day": "2026-01-05", "i_said": "Probe said", "they_said": "Probe"},
        "exchange_share": {"shared": "0"},
        "worksheet_share": {"shared": "0"},
        "worksheet_new": {"kind": "desc", "title": "Probe sheet"},
        "worksheet_detail": {"describe": "Probe text"},
        "portal_worksheet": {"describe": "Probe text"},
        "statement": {"text": "You never listen to me."},
        "portal_statement": {"text": "You never listen to me."},
        "roleplay": SCENARIO_PROBE,
        "portal_roleplay": SCENARIO_PROBE,
        "scenario_detail": SCENARIO_PROBE,
        "scenario_share": {"shared": "0"},
        "rehearsal_start": {"confidence_before": "5"},
        "portal_rehearsal_start": {"confidence_before": "5"},
        "rehearsal_detail": {"text": "Probe turn", "number": "1"},
        "portal_rehearsal": {"text": "Probe turn", "number": "1"},
        "rehearsal_end": {"confidence_after": "6"},
        "portal_rehearsal_end": {"confidence_after": "6"},
        "rehearsal_annotate": {"text": "Probe note"},
        "partner_settings": {"timeout": "9"},
        "portal_diary": {"day": date.today().isoformat(), "mood": "5"},
        "portal_people": {"name": "Probe Person", "relationship": "friend", "ring": "2"},
        "portal_invite": {"email": "probe-invite@example.test"},
        "client_tasks": {"kind": "diary", "title": "Probe task"},
        "portal_task_report": {"outcome": "partly", "report": "Probe report"},
        "reach_out": {"name": "Probe", "contact": "email", "email": "p@example.test"},
        "intake_detail": {"clinician": world.actors["clinician"].pk},
        "intake_convert": {
            "given_name": "Probe",
            "format": "individual",
            "start_date": "2026-12-01",
        },
        "intake_decline": {"reason": "full"},
        "public_texts": {"section": "ipt", "language": "en", "title": "Probe", "body": "Probe"},
        "formulation": {"primary_area": "dispute", "symptoms": "Probe"},
        "group_new": {**GROUP_PROBE, "facilitator": world.actors["facilitator"].pk},
        "group_edit": {
            **GROUP_PROBE,
            "facilitator": world.actors["facilitator"].pk,
            "status": "running",
        },
        "group_member_add": {"client": world.clients["own"].pk, "joined_on": "2026-02-02"},
        "group_member_leave": {"left_on": "2030-01-01", "reason": "moved"},
        "group_schedule": {"at": "17:00"},
        "group_session_move": {"day": "2031-01-01", "at": "17:00"},
        # Every member of each group marked as came (the member ids are the world's).
        "group_session": {
            "summary": "Probe",
            **{f"came-{m.pk}": "1" for m in world.members.values()},
        },
        "goals": {
            "area": "dispute",
            "text": "Probe goal",
            "minus2": "a",
            "minus1": "b",
            "zero": "c",
            "plus1": "d",
            "plus2": "e",
        },
    }.get(route, {})


# Who is on which client's care team (or holds a break-glass grant), by actor and target.
TEAM = {
    ("clinician", "own"),  # care team
    ("clinician", "other"),  # break-glass grant
    ("supervisor", "own"),  # care team supervisor
    ("other_clinician", "other_clinic"),  # care team in clinic B
}


# Who reaches which group by running it or through a member on their care team (the clinic's
# administrators and supervisors see all of its groups).
GROUP_REACH = {
    ("facilitator", "own"),  # its facilitator
    ("clinician", "own"),  # its co-facilitator, with a member on their care team
    ("other_clinician", "other_clinic"),  # its facilitator in clinic B
}
# Clinicians who run the group (a lay facilitator runs it, but does not change it).
GROUP_MANAGERS = {("clinician", "own"), ("other_clinician", "other_clinic")}


def allowed(access: str, actor: str, target: str, route: str, method: str = "GET") -> bool:
    """The declared rule, spelled out for each actor and target."""
    if access == Access.CLIENT_TEAM_READ_WRITE:
        access = Access.CLIENT_TEAM if method == "GET" else Access.CLIENT_WRITE
    if access == Access.NOBODY:
        return False
    if actor == "anonymous":
        return access == Access.PUBLIC
    role = actor.removeprefix("other_")
    actor_clinic = "B" if actor.startswith("other_") else "A"
    has_target = bool(targets_pattern(route))
    target_clinic = "B" if target == "other_clinic" else ("A" if has_target else actor_clinic)
    same_clinic = actor_clinic == target_clinic
    if access == Access.PUBLIC:
        return True
    if access == Access.SIGNED_IN:
        return actor_clinic == "A"  # the posted clinic id is clinic A's
    if access == Access.ADMIN:
        return role == "admin" and same_clinic
    if access == Access.CLINICAL:
        return role in {"clinician", "supervisor"}
    if access == Access.INTAKE:
        return role in {"admin", "clinician"} and same_clinic
    if access == Access.PORTAL:
        return role == "client"
    if access == Access.PORTAL_OWN:
        return (actor, target) in {("client", "own"), ("other_client", "other_clinic")}
    if access == Access.GROUPS:
        return role in {"admin", "clinician", "supervisor", "facilitator"}
    if access == Access.GROUP_CREATE:
        return role in {"admin", "clinician"}
    clinic_wide = role in {"admin", "supervisor"} and same_clinic
    if access == Access.GROUP_MANAGE:
        return (role == "admin" and same_clinic) or (actor, target) in GROUP_MANAGERS
    if access == Access.GROUP_READ_RUN:  # read as GROUP, write as GROUP_RUN
        access = Access.GROUP if method == "GET" else Access.GROUP_RUN
    if access == Access.GROUP:
        return clinic_wide or (actor, target) in GROUP_REACH
    if access == Access.GROUP_RUN:
        return (role == "admin" and same_clinic) or (actor, target) in GROUP_REACH
    if access == Access.GROUP_PAPER:
        return clinic_wide or (actor, target) in GROUP_REACH
    team = (actor, target) in TEAM
    if access == Access.CLIENT_TEAM:
        return team
    if access == Access.CLIENT_TEAM_OR_ADMIN:
        return team or (role == "admin" and same_clinic)
    if access == Access.CLIENT_WRITE:
        return team and role == "clinician"
    if access == Access.ALERT_WORK:  # only the own client's alert is escalated in the world
        return team and (role == "clinician" or (actor, target) == ("supervisor", "own"))
    if access == Access.SUPERVISE:  # the supervisor is on the own client's team
        return (actor, target) == ("supervisor", "own")
    if access == Access.SUPERVISION_THREAD:  # the supervisor, and the team's clinicians
        return (actor, target) in {
            ("supervisor", "own"),
            ("clinician", "own"),
            ("other_clinician", "other_clinic"),
        }
    if access == Access.SUPERVISION_LOG:  # nobody here supervises the target users; clinic B's
        # clinician reads their own log and writes nothing in it (tests/test_supervision.py)
        return method == "GET" and (actor, target) == ("other_clinician", "other_clinic")
    if access == Access.FIDELITY_RATE:  # the session's clinician (on the team), its supervisor
        return (actor, target) in {
            ("supervisor", "own"),
            ("clinician", "own"),
            ("other_clinician", "other_clinic"),
        }
    if access == Access.FIDELITY_CLINICIAN:  # the clinic's administrators, the clinician
        # themself (nobody here supervises the target users)
        return (role == "admin" and same_clinic) or (actor, target) == (
            "other_clinician",
            "other_clinic",
        )
    if access == Access.CARE_TEAM_CLINICIAN:  # break-glass ("clinician", "other") is not enough
        return (actor, target) in {("clinician", "own"), ("other_clinician", "other_clinic")}
    if access == Access.BREAK_GLASS:
        return role == "clinician" and same_clinic
    if access == Access.CLINIC_REPORT:  # the request's clinic: no target in the URL
        return role in {"admin", "supervisor"}
    if access == Access.BREAK_GLASS_REVIEW:  # the grants' holder is "clinician", never these
        return role in {"admin", "supervisor"} and same_clinic
    raise AssertionError(f"unknown access rule {access!r} on {route}")


def targets_pattern(route: str) -> bool:
    pattern = next(p for p, e in ALL_ROUTES if e.name == route)
    kinds = (
        "client_id",
        "user_id",
        "grant_id",
        "invitation_id",
        "token_id",
        "course_id",
        "comment_id",
        "letter_id",
        "session_id",
        "role_play_id",
        "administration_id",
        "alert_id",
        "person_id",
        "event_id",
        "goal_id",
        "loss_id",
        "transition_id",
        "exchange_id",
        "worksheet_id",
        "scenario_id",
        "rehearsal_id",
        "task_id",
        "export_id",
        "request_id",
        "group_id",
        "member_id",
        "bulk_id",
    )
    return any(f"<int:{kind}>" in pattern for kind in kinds)


# A denied request may sign its session and audit what it was refused; nothing else.
MAY_WRITE_WHEN_DENIED = {"django_session", "audit_auditevent", "audit_audithead"}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class Writes:
    """The tables a request writes, seen as its SQL goes to the database (any write: the ORM,
    .update(), raw SQL), so that a denied request is checked without counting rows."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        if match := WRITE.match(sql):
            self.tables.add(match[1])
        return execute(sql, params, many, context)

    @contextmanager
    def watch(self):
        self.tables.clear()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(self))
            yield self

    @property
    def forbidden(self) -> set[str]:
        return self.tables - MAY_WRITE_WHEN_DENIED


@pytest.mark.parametrize("route", sorted(RULES))
def test_route_answers_every_role_as_declared(route, world):
    rule = RULES[route]
    failures = []
    data = post_data(route, world)
    writes = Writes()
    for actor_name, actor in world.actors.items():
        http = world.browsers[actor_name]
        for target_name, kwargs in targets(route, world):
            url = reverse(route, kwargs=kwargs)
            for method in rule.methods:
                expected = allowed(rule.access, actor_name, target_name, route, method)
                with transaction.atomic(), writes.watch():
                    http.cookies = SimpleCookie(world.cookies[actor_name])
                    response = http.get(url) if method == "GET" else http.post(url, data)
                    transaction.set_rollback(True)
                status = response.status_code
                if rule.access == Access.PUBLIC:
                    ok = status < 500
                elif expected:
                    # 409: let in, and refused for the object's state (a signed note), never
                    # for who is asking.
                    ok = status in (200, 302, 400, 409, 410) and not (
                        status == 302 and "/accounts/login/" in response.get("Location", "")
                    )
                elif actor is None and url.startswith("/api/"):
                    ok = status == 401  # the API names the ways in (a token, the session)
                elif actor is None:
                    ok = status == 404 or (
                        status == 302 and response["Location"].startswith("/accounts/login/")
                    )
                else:
                    ok = status == 404
                if not expected:
                    ok = ok and not writes.forbidden
                if not ok:
                    failures.append(
                        f"{method} {url} as {actor_name} ({target_name}): got {status}, "
                        f"expected {'allowed' if expected else 'denied'}"
                        + (
                            ""
                            if expected or not writes.forbidden
                            else f"; wrote {writes.forbidden}"
                        )
                    )
    assert failures == []


def test_public_pages_answer_everyone(client, world):
    for name in ("home", "healthz", "crisis"):
        assert client.get(reverse(name)).status_code == 200
    client.force_login(world.actors["client"])
    assert client.get(reverse("crisis")).status_code == 200
    # A client's home is the portal's (issue 22).
    assert client.get(reverse("home"))["Location"] == reverse("portal_home")


def test_the_facilitator_is_told_of_a_current_members_open_alert(world):
    """May.in_group's group_alert (ADR 0053): who runs the group is told that a current member
    has an open alert and what to do, never its details; the clinic's administrator, who sees
    the group, is not; once the member has left, neither is the facilitator."""
    url = reverse("group_detail", kwargs={"group_id": world.groups["own"].pk})
    told = "Tell the supervising clinician now."
    seen = {}
    for actor in ("facilitator", "admin"):
        http = world.browsers[actor]
        http.cookies = SimpleCookie(world.cookies[actor])
        seen[actor] = http.get(url).content.decode()
    assert told in seen["facilitator"]
    assert "probe" not in seen["facilitator"]  # the alert's reason stays with the care team
    assert told not in seen["admin"]
    with transaction.atomic():
        GroupMember.objects.filter(pk=world.members["own"].pk).update(
            left_on=date(2030, 1, 1), leave_reason="moved"
        )
        http = world.browsers["facilitator"]
        http.cookies = SimpleCookie(world.cookies["facilitator"])
        page = http.get(url).content.decode()
        transaction.set_rollback(True)
    assert told not in page
