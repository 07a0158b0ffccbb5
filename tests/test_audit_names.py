"""One audit call with names from one enumeration (gentle.audit.names), its context from the
request (gentle.audit.context), and checks that a request's audit matches its work."""

import ast
import pathlib
import re

import pytest
from django.test import override_settings

from gentle.accounts.middleware import AuditMismatch
from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.audit.models import AuditEvent
from gentle.audit.names import Action, Kind
from gentle.clients.models import Client
from tests.factories import make_client, make_clinic, make_person

GENTLE = pathlib.Path(__file__).resolve().parent.parent / "gentle"
NAME = re.compile(r"^[a-z_]+\.[a-z_.]+$")


@pytest.mark.django_db
def test_an_unknown_action_name_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError):
        record("client.peek", object_type="client", object_id=1)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_outside_a_request_the_row_names_the_given_actor_and_no_address():
    person = make_person(make_clinic(), Role.ADMIN)
    event = record(Action.AUDIT_VIEW, actor=person, role=Role.ADMIN)
    assert (event.actor_id, event.ip, event.request_id, event.action) == (
        person.pk,
        None,
        "",
        "audit.view",
    )


@pytest.mark.django_db
def test_in_a_request_the_row_takes_actor_address_request_id_clinic_and_role_from_it(client):
    clinic = make_clinic()
    clinician = make_person(clinic, Role.CLINICIAN)
    record_ = make_client(clinic, clinicians=[clinician])
    client.force_login(clinician)
    before = AuditEvent.objects.count()
    client.get(f"/clients/{record_.pk}/", HTTP_X_REQUEST_ID="req-abcdef12")
    rows = list(AuditEvent.objects.order_by("seq")[before:])
    assert rows, "opening the client's page is audited"
    for row in rows:
        assert row.actor_id == clinician.pk
        assert row.request_id == "req-abcdef12"
        assert row.ip == "127.0.0.1"
        assert row.clinic_id == clinic.pk
        assert row.role == Role.CLINICIAN


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.audit_urls")
def test_a_get_that_records_a_write_fails(client):
    with pytest.raises(AuditMismatch, match="GET recorded write actions"):
        client.get("/get-writes/")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.audit_urls")
def test_a_change_recorded_as_a_view_fails_and_recorded_as_a_write_passes(client):
    record_ = make_client(make_clinic())
    with pytest.raises(AuditMismatch, match="clinical rows changed"):
        client.post("/write-as-view/", {"client": record_.pk, "name": "Ana"})
    response = client.post("/write-as-write/", {"client": record_.pk, "name": "Bea"})
    assert response.status_code == 200


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.audit_urls")
def test_a_change_rolled_back_with_its_transaction_needs_no_audit_row(client):
    """Found by the database-unavailable drill: a row saved and then rolled back (the audit row
    could not be written) was counted as an unaudited change."""
    record_ = make_client(make_clinic())
    Client.objects.filter(pk=record_.pk).update(preferred_name="Ana")
    response = client.post("/rolled-back/", {"client": record_.pk, "name": "Bea"})
    assert response.status_code == 503
    record_.refresh_from_db()
    assert record_.preferred_name == "Ana"


def _literal_names(sources) -> set[str]:
    """Every string given as an audit action in ``sources``: the first argument of ``record``,
    the action argument of ``audit_own``/``record_list_read``, an ``action=`` keyword or
    parameter default, or a value assigned to a variable named ``action``."""
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            values = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "record" and node.args:
                    values.append(node.args[0])
                if name in ("audit_own", "record_list_read") and len(node.args) > 1:
                    values.append(node.args[1])
                values += [k.value for k in node.keywords if k.arg == "action"]
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "action" for t in node.targets
            ):
                values.append(node.value)
            if isinstance(node, ast.arguments):
                named = node.kwonlyargs
                values += [
                    d
                    for a, d in zip(named, node.kw_defaults, strict=True)
                    if d and a.arg == "action"
                ]
            for value in values:
                for sub in ast.walk(value):
                    if isinstance(sub, ast.Constant) and NAME.match(str(sub.value)):
                        found.add(sub.value)
    return found


def _gentle_sources():
    return [p.read_text() for p in GENTLE.rglob("*.py") if "migrations" not in p.parts]


def test_every_action_name_in_the_code_is_in_the_enumeration():
    known = {a.value for a in Action}
    assert sorted(_literal_names(_gentle_sources()) - known) == []
    # The scan finds a name that is not in the enumeration, wherever it is given.
    made_up = """
record("client.peek")
audit_own(client, "portal.peek_view", object_type="x", object_id=1)
client_for(request, 1, action="client.glance")
def door(request, *, action: str = "client.stare"): ...
action = "note.scribble" if x else Action.NOTE_SIGN
"""
    assert _literal_names([made_up]) - known == {
        "client.peek",
        "portal.peek_view",
        "client.glance",
        "client.stare",
        "note.scribble",
    }


def test_the_code_names_its_actions_from_the_enumeration():
    """Action names are written as ``Action.X`` members (a few are built from a verb, and
    checked when recorded); a typo is then an AttributeError at import, not a new name."""
    members = set()
    for source in _gentle_sources():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", "") == "Action":
                members.add(node.attr)
    assert len(members) > 150
    assert members <= {a.name for a in Action}


def test_every_name_has_a_kind_and_reads_are_named_as_reads():
    for action in Action:
        assert action.kind in Kind
        verb = action.value.rsplit(".", 1)[1]
        if verb in {"view", "list"}:
            assert action.kind == Kind.READ, action
        if verb in {"create", "update", "remove", "add", "save", "sign"}:
            assert action.kind == Kind.WRITE, action


def test_every_action_and_every_family_has_a_label_a_person_reads():
    """The audit log shows labels, not codes: a new action needs its label in LABELS (and a
    new family its label in FAMILIES), next to its name in gentle/audit/names.py."""
    from gentle.audit.names import FAMILIES, LABELS, family_of

    assert set(LABELS) == set(Action), "actions without a label"
    assert set(FAMILIES) == {family_of(action) for action in Action}, "families without a label"
    labels = [str(label) for label in LABELS.values()]
    assert all(label and not NAME.match(label) for label in labels)
    assert len(set(labels)) == len(labels), "two actions read the same"
    assert len({str(label) for label in FAMILIES.values()}) == len(FAMILIES)
