"""FHIR out (issue 26 part 1, ADR 0061, docs/fhir.md "Export"): a client's record as an R4
Bundle that fhir.resources validates, and the clinic-wide bulk export as NDJSON files."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from gentle.audit.models import AuditEvent
from gentle.courses.actions import process_note_save
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.interop import bulk
from gentle.interop.models import BulkExport, BulkExportPart, BulkStatus
from gentle.interop.records import client_bundle
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Status
from gentle.safety.models import Alert
from tests.factories import make_client, make_course, make_session, signed_in

pytestmark = pytest.mark.django_db

EVERY_TYPE = {
    "Patient",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "CareTeam",
    "EpisodeOfCare",
    "Encounter",
    "QuestionnaireResponse",
    "Observation",
    "Condition",
    "Goal",
    "Flag",
}
SECRET = "PROCESS-NOTE-SECRET-7731"


def _answered(client, course, session, by, instrument_id: str, value: int, when):
    instrument = catalogue()[instrument_id]
    answers = {item.id: value for item in instrument.items if item.required}
    total = sum(answers[i] for i in instrument.main_score.items)
    return Administration.objects.create(
        client=client,
        course=course,
        session=session,
        instrument_id=instrument_id,
        instrument_version=instrument.version,
        mode="in_session",
        status=Status.SUBMITTED,
        created_by=by,
        answers=answers,
        scores={instrument.main_score.id: total},
        submitted_at=when,
    )


def fill(client, clinician, *, sessions: int = 2):
    """A course with sessions, a PHQ-9 and a GAD-7 at each, a formulation, a goal rated in
    each session, an open and an acknowledged alert, and a process note."""
    course = make_course(client)
    start = timezone.now() - timedelta(days=7 * sessions)
    made = []
    for number in range(sessions):
        when = start + timedelta(days=7 * number)
        session = make_session(course, clinician, starts_at=when, attendance="attended")
        made.append(session)
        _answered(client, course, session, clinician, "phq9", 2, when)
        _answered(client, course, session, clinician, "gad7", 1, when)
    Formulation.objects.create(
        course=course,
        primary_area="dispute",
        secondary_area="transition",
        symptoms="FORMULATION-FREE-TEXT",
        agreed_on=timezone.localdate(),
        updated_by=clinician,
    )
    goal = Goal.objects.create(
        course=course,
        area="dispute",
        text="Say what I need to my sister",
        minus2="a",
        minus1="b",
        zero="c",
        plus1="d",
        plus2="e",
        created_by=clinician,
    )
    for session in made:
        GoalRating.objects.create(goal=goal, session=session, rating=1, rated_by=clinician)
    for acknowledged in (None, timezone.now()):
        Alert.objects.create(
            client=client,
            source="administration",
            source_id=f"{client.pk}-{0 if acknowledged is None else 1}",
            rule_id="phq9_item9_some",
            severity="moderate",
            reason="Item 9 answered",
            excerpt="ALERT-EXCERPT-TEXT",
            acknowledged_at=acknowledged,
            acknowledged_by=clinician if acknowledged else None,
            action="reviewed" if acknowledged else "",
        )
    process_note_save(by=clinician, session=made[0], text=SECRET)
    return course


def resources_of(bundle: dict) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"]]


def check_references_resolve(bundle: dict) -> None:
    addresses = {entry["fullUrl"] for entry in bundle["entry"]}
    found = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "reference":
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(bundle["entry"])
    assert found, "the bundle has references"
    assert [r for r in found if r not in addresses] == []


def test_a_record_is_a_valid_r4_bundle_with_every_resource_type(world):
    fill(world.amara, world.alice)
    bundle = client_bundle(world.amara)
    # fhir.resources validates the whole Bundle, each entry by its resource type.
    parsed = Bundle.model_validate(json.loads(json.dumps(bundle)))
    assert parsed.type == "collection"
    types = Counter(r["resourceType"] for r in resources_of(bundle))
    assert set(types) == EVERY_TYPE
    assert types["Encounter"] == 2 and types["QuestionnaireResponse"] == 4
    assert types["Condition"] == 2 and types["Flag"] == 1  # only the open alert
    assert resources_of(bundle)[0]["resourceType"] == "Patient"
    check_references_resolve(bundle)
    # The care team: the clinician and the supervisor, each with their role in the clinic.
    names = {
        r["name"][0]["text"] for r in resources_of(bundle) if r["resourceType"] == "Practitioner"
    }
    assert names == {world.alice.display_name, world.sue.display_name}
    assert world.alice.email not in json.dumps(bundle)


def test_scores_carry_their_loinc_codes_and_panels(world):
    fill(world.amara, world.alice, sessions=1)
    observations = [
        r for r in resources_of(client_bundle(world.amara)) if r["resourceType"] == "Observation"
    ]

    def loinc(observation):
        return {c["code"] for c in observation["code"].get("coding", []) if "loinc" in c["system"]}

    codes = [loinc(o) for o in observations]
    for panel, total in (("44249-1", "44261-6"), ("69737-5", "70274-6")):
        assert {panel} in codes and {total} in codes
        panel_obs = next(o for o in observations if loinc(o) == {panel})
        total_obs = next(o for o in observations if loinc(o) == {total})
        # The panel's member is the total; the total comes from the questionnaire's answers.
        assert len(panel_obs["hasMember"]) == 1
        assert total_obs["derivedFrom"][0]["reference"].startswith("urn:uuid:")
    phq_total = next(o for o in observations if loinc(o) == {"44261-6"})
    assert phq_total["valueQuantity"]["value"] == 18  # nine items answered 2
    assert phq_total["interpretation"][0]["text"] == "Moderately severe"
    gas = [o for o in observations if not loinc(o)]
    assert [o["valueInteger"] for o in gas] == [1]


def test_process_notes_and_private_free_text_never_appear(world):
    fill(world.amara, world.alice)
    text = json.dumps(client_bundle(world.amara))
    assert SECRET not in text
    assert "FORMULATION-FREE-TEXT" not in text and "ALERT-EXCERPT-TEXT" not in text
    assert "ProcessNote" not in text and "process" not in text.lower()


def test_the_bundle_costs_the_same_queries_whatever_the_record_holds(world):
    small = make_client(world.clinic, clinicians=[world.alice], given_name="Small")
    fill(small, world.alice, sessions=1)
    fill(world.amara, world.alice, sessions=6)
    http = signed_in(world.alice)

    def queries(client):
        http.get(f"/clients/{client.pk}/fhir/")
        with CaptureQueriesContext(connection) as captured:
            response = http.get(f"/clients/{client.pk}/fhir/")
        assert response.status_code == 200
        return len(captured.captured_queries)

    assert queries(world.amara) == queries(small)


def test_the_care_team_downloads_a_bundle_and_the_read_is_audited(world):
    fill(world.amara, world.alice, sessions=1)
    for person in (world.alice, world.sue):
        response = signed_in(person).get(f"/clients/{world.amara.pk}/fhir/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/fhir+json")
        assert response["Content-Disposition"].startswith("attachment")
        Bundle.model_validate_json(response.content)
    events = AuditEvent.objects.filter(action="fhir.bundle_download", client_id=world.amara.pk)
    assert sorted(events.values_list("actor_id", flat=True)) == sorted(
        [world.alice.pk, world.sue.pk]
    )
    # Not on the team, an administrator, another clinic: nothing, and no bundle.
    for person in (world.bob, world.admin, world.far_clinician):
        assert signed_in(person).get(f"/clients/{world.amara.pk}/fhir/").status_code == 404


def test_the_client_downloads_their_own_bundle_from_my_record(world):
    fill(world.amara, world.alice, sessions=1)
    http = signed_in(world.portal)
    page = http.get("/portal/record/").content.decode()
    assert "/portal/record/fhir/" in page
    response = http.get("/portal/record/fhir/")
    assert response.status_code == 200
    bundle = json.loads(response.content)
    patient = bundle["entry"][0]["resource"]
    assert patient["id"] == str(world.amara.pk) and SECRET not in response.content.decode()
    assert AuditEvent.objects.filter(
        action="fhir.bundle_download", client_id=world.amara.pk, role="client"
    ).exists()
    # Another clinic's client gets their own record, never Amara's.
    other = signed_in(world.far_portal).get("/portal/record/fhir/")
    assert json.loads(other.content)["entry"][0]["resource"]["id"] == str(world.far_client.pk)


def _lines(http, export: BulkExport, resource_type: str) -> list[dict]:
    """One file of the export, as the administrator downloads it."""
    response = http.get(f"/clinic/fhir-exports/{export.pk}/{resource_type}.ndjson")
    assert response.status_code == 200, resource_type
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) == export.sizes[resource_type]
    return [json.loads(line) for line in body.decode().splitlines()]


def test_an_administrator_exports_the_clinic_as_ndjson(
    world, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch
):
    fill(world.amara, world.alice)
    second = make_client(world.clinic, clinicians=[world.bob], given_name="Second")
    fill(second, world.bob, sessions=1)
    fill(world.far_client, world.far_clinician, sessions=1)  # another clinic: not exported
    http = signed_in(world.admin)
    page = http.get("/clinic/fhir-exports/").content.decode()
    assert "Start an export" in page and "No export yet." in page
    response = http.post("/clinic/fhir-exports/")
    assert response.status_code == 302
    http.post("/clinic/fhir-exports/")  # a second start while the first waits: not started
    export = BulkExport.objects.get()
    queued = DBTaskResult.objects.get(task_path="gentle.interop.tasks.run_bulk_export")
    assert queued.args_kwargs["args"] == [export.pk]
    assert AuditEvent.objects.filter(action="fhir_export.start").count() == 1
    page = http.get("/clinic/fhir-exports/").content.decode()
    assert "An export is already under way" in page and "data-poll" in page
    assert bulk.run(export.pk) == BulkStatus.DONE
    export.refresh_from_db()
    assert export.progress == 100 and export.clients_done == 2  # Amara and Second
    assert set(export.counts) == EVERY_TYPE
    # The files are in the database, compressed: a web host with a data directory of its own
    # serves them, inflated a slice at a time (a few bytes here, so every part takes several).
    stored = export.parts.values_list("content", flat=True)
    assert 3 * sum(len(content) for content in stored) < sum(export.sizes.values())
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(bulk, "INFLATE_STEP", 7)
    patients = _lines(http, export, "Patient")
    assert sorted(p["id"] for p in patients) == sorted(
        str(pk) for pk in world.clinic.clients.values_list("pk", flat=True)
    )
    files = {t: _lines(http, export, t) for t in export.counts}
    for resource_type, rows in files.items():
        model = get_fhir_model_class(resource_type)
        for row in rows:
            model.model_validate(row)
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)) == export.counts[resource_type], resource_type
    # Every reference points at a resource in the export.
    written = {f"{t}/{row['id']}" for t, rows in files.items() for row in rows}
    from gentle.lib.fhir import references

    dangling = {r for rows in files.values() for row in rows for r in references(row)}
    assert dangling - written == set()
    everything = json.dumps(files, ensure_ascii=False)
    assert SECRET not in everything and "Farrokh" not in everything
    status = http.get(f"/clinic/fhir-exports/{export.pk}/status/").content.decode()
    assert "Patient.ndjson" in status and "data-poll" not in status
    download = http.get(f"/clinic/fhir-exports/{export.pk}/Patient.ndjson")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/fhir+ndjson"
    assert download["Content-Disposition"] == 'attachment; filename="Patient.ndjson"'
    assert len(b"".join(download.streaming_content).splitlines()) == len(patients)
    assert AuditEvent.objects.filter(
        action="fhir_export.download", detail="type=Patient", actor_id=world.admin.pk
    ).exists()
    # A type the export does not have, a file name that is not a type: not found.
    assert http.get(f"/clinic/fhir-exports/{export.pk}/Specimen.ndjson").status_code == 404
    assert http.get(f"/clinic/fhir-exports/{export.pk}/manifest.ndjson").status_code == 404
    # Clinicians and other clinics' administrators reach none of it.
    assert signed_in(world.alice).get("/clinic/fhir-exports/").status_code == 404


def test_a_stopped_export_resumes_without_writing_anything_twice(world, monkeypatch):
    for name in ("One", "Two", "Three"):
        fill(
            make_client(world.clinic, clinicians=[world.alice], given_name=name),
            world.alice,
            sessions=1,
        )
    monkeypatch.setattr(bulk, "BATCH", 2)
    export = BulkExport.objects.create(clinic=world.clinic, requested_by=world.admin)
    real = bulk.client_resources
    calls = []

    def failing(clients):
        calls.append(len(clients))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(clients)

    monkeypatch.setattr(bulk, "client_resources", failing)
    with pytest.raises(RuntimeError):
        bulk.run(export.pk)
    export.refresh_from_db()
    assert export.status == BulkStatus.FAILED and export.clients_done == 2
    assert export.finished_at is not None  # when it stopped: kept GENTLE_FHIR_EXPORT_DAYS from then
    # The failed batch left nothing: the saved parts hold exactly the first batch's clients.
    saved = export.parts.filter(resource_type="Patient").values_list("resources", flat=True)
    assert sum(saved) == 2
    http = signed_in(world.admin)
    assert "Resume the export" in http.get("/clinic/fhir-exports/").content.decode()
    assert http.post(f"/clinic/fhir-exports/{export.pk}/resume/").status_code == 302
    assert AuditEvent.objects.filter(action="fhir_export.resume", object_id=str(export.pk)).exists()
    export.refresh_from_db()
    assert export.status == BulkStatus.QUEUED and export.finished_at is None
    assert bulk.run(export.pk) == BulkStatus.DONE
    export.refresh_from_db()
    assert export.runs == 2 and export.clients_done == 4
    ids = [p["id"] for p in _lines(http, export, "Patient")]
    assert sorted(ids) == sorted(
        str(pk) for pk in world.clinic.clients.values_list("pk", flat=True)
    )
    encounters = [e["id"] for e in _lines(http, export, "Encounter")]
    assert len(encounters) == len(set(encounters)) == 3
    # A finished export is not resumed.
    http.post(f"/clinic/fhir-exports/{export.pk}/resume/")
    assert AuditEvent.objects.filter(action="fhir_export.resume").count() == 1


def test_a_run_taken_over_by_a_later_run_stops_without_writing(world, monkeypatch):
    """The stalled-task sweep enqueues a run still going after 15 minutes again: the first run
    must not go on writing next to the second."""
    fill(world.amara, world.alice, sessions=1)
    export = BulkExport.objects.create(clinic=world.clinic, requested_by=world.admin)
    real = bulk.client_resources

    def overtaken(clients):
        resources = real(clients)
        BulkExport.objects.filter(pk=export.pk).update(runs=F("runs") + 1)  # a later run began
        return resources

    monkeypatch.setattr(bulk, "client_resources", overtaken)
    assert bulk.run(export.pk) == bulk.SUPERSEDED
    assert not export.parts.exists()
    export.refresh_from_db()
    assert export.status == BulkStatus.RUNNING and export.after_client == 0
    monkeypatch.setattr(bulk, "client_resources", real)
    assert bulk.run(export.pk) == BulkStatus.DONE
    http = signed_in(world.admin)
    export.refresh_from_db()
    assert [p["id"] for p in _lines(http, export, "Patient")] == [str(world.amara.pk)]


def test_exports_are_deleted_files_and_all_a_week_after_they_end(world, settings):
    settings.GENTLE_FHIR_EXPORT_DAYS = 7
    fill(world.amara, world.alice, sessions=1)
    old, recent = (
        BulkExport.objects.create(clinic=world.clinic, requested_by=world.admin) for _ in "ab"
    )
    for export in (old, recent):
        assert bulk.run(export.pk) == BulkStatus.DONE
    week_ago = timezone.now() - timedelta(days=8)
    BulkExport.objects.filter(pk=old.pk).update(created_at=week_ago, finished_at=week_ago)
    waiting = BulkExport.objects.create(
        clinic=world.clinic, requested_by=world.admin, created_at=week_ago
    )
    # Begun a week ago, resumed and stopped again yesterday: kept a week from then.
    stopped = BulkExport.objects.create(
        clinic=world.clinic,
        requested_by=world.admin,
        created_at=week_ago,
        status=BulkStatus.FAILED,
        finished_at=timezone.now() - timedelta(days=1),
    )
    assert bulk.delete_old() == 1
    assert set(BulkExport.objects.values_list("pk", flat=True)) == {
        recent.pk,
        waiting.pk,
        stopped.pk,
    }
    assert not BulkExportPart.objects.filter(export_id=old.pk).exists()
    http = signed_in(world.admin)
    assert http.get(f"/clinic/fhir-exports/{old.pk}/Patient.ndjson").status_code == 404
    assert http.get(f"/clinic/fhir-exports/{recent.pk}/Patient.ndjson").status_code == 200
    page = http.get("/clinic/fhir-exports/").content.decode()
    assert "An export is kept for 7 days after it ends" in page
    # A week later the stopped one goes too, with the recent one.
    assert bulk.delete_old(now=timezone.now() + timedelta(days=7)) == 2
    assert set(BulkExport.objects.values_list("pk", flat=True)) == {waiting.pk}


def test_files_written_to_the_data_directory_before_move_into_the_database(world, settings):
    """Exports from before the files were kept in the database (migration 0002)."""
    import importlib

    from django.apps import apps

    moving = importlib.import_module("gentle.interop.migrations.0002_export_files_in_the_database")
    line = b'{"resourceType":"Patient","id":"7"}\n'
    kept = BulkExport.objects.create(
        clinic=world.clinic,
        requested_by=world.admin,
        status=BulkStatus.DONE,
        counts={"Patient": 1},
        sizes={"Patient": len(line)},
    )
    lost = BulkExport.objects.create(
        clinic=world.clinic,
        requested_by=world.admin,
        status=BulkStatus.DONE,
        counts={"Patient": 1},
        sizes={"Patient": len(line)},
        after_client=world.amara.pk,
        clients_done=1,
    )
    running = BulkExport.objects.create(
        clinic=world.clinic,
        requested_by=world.admin,
        status=BulkStatus.RUNNING,
        counts={"Patient": 1},
        sizes={"Patient": len(line)},
        after_client=world.amara.pk,
    )
    for export in (kept, running):
        folder = settings.DATA_DIR / "fhir-exports" / str(export.pk)
        folder.mkdir(parents=True)
        (folder / "Patient.ndjson").write_bytes(line + b'{"resourceType":"Patient","id":"unsaved"}')
    moving.files_into_the_database(apps, None)
    http = signed_in(world.admin)
    kept.refresh_from_db()
    assert _lines(http, kept, "Patient") == [{"resourceType": "Patient", "id": "7"}]
    # Files not on this host, or an export the old code was still writing: stopped, to be
    # written again from the start when resumed.
    for export in (lost, running):
        export.refresh_from_db()
        assert export.status == BulkStatus.FAILED and export.finished_at is not None
        assert (export.counts, export.after_client) == ({}, 0)
        assert not export.parts.exists()
    page = http.get("/clinic/fhir-exports/").content.decode()
    assert page.count("Resume the export") == 2


def test_a_large_old_file_moves_into_parts_of_whole_lines(tmp_path, monkeypatch):
    import importlib

    moving = importlib.import_module("gentle.interop.migrations.0002_export_files_in_the_database")
    monkeypatch.setattr(moving, "PART_BYTES", 100)
    lines = [f'{{"resourceType":"Patient","id":"{n}"}}\n'.encode() for n in range(20)]
    path = tmp_path / "Patient.ndjson"
    path.write_bytes(b"".join(lines) + b'{"half')
    size = sum(map(len, lines))
    chunks = moving._parts(path, size)
    assert b"".join(content for _n, content in chunks) == b"".join(lines)
    assert sum(n for n, _content in chunks) == 20 and len(chunks) > 2
    assert all(content.endswith(b"\n") for _n, content in chunks)
    assert moving._parts(path, size + 100) is None  # shorter than the export saved


def test_the_export_page_costs_the_same_queries_with_more_exports(world):
    http = signed_in(world.admin)
    BulkExport.objects.create(clinic=world.clinic, requested_by=world.admin)

    def queries():
        http.get("/clinic/fhir-exports/")
        with CaptureQueriesContext(connection) as captured:
            assert http.get("/clinic/fhir-exports/").status_code == 200
        return len(captured.captured_queries)

    one = queries()
    for _ in range(6):
        BulkExport.objects.create(
            clinic=world.clinic, requested_by=world.admin, status=BulkStatus.FAILED
        )
    assert queries() == one


def test_every_demo_record_validates_and_one_has_every_resource_type():
    from gentle.clients.models import Client
    from gentle.demo import seed_demo

    seed_demo()
    complete = []
    for client in Client.objects.select_related("clinic"):
        bundle = client_bundle(client)
        Bundle.model_validate(json.loads(json.dumps(bundle)))
        check_references_resolve(bundle)
        if {r["resourceType"] for r in resources_of(bundle)} == EVERY_TYPE:
            complete.append(client.given_name)
    assert complete, "a demo client's Bundle has every resource type"


def test_every_apps_fhir_writer_is_composed():
    """An app's fhir_export.py left out of the composition would leave its part of the record
    out of every Bundle and export (accounts writes the staff, called apart)."""
    from pathlib import Path

    from gentle.interop.records import CONTRIBUTORS

    apps = {path.parent.name for path in Path("gentle").glob("*/fhir_export.py")}
    assert {write.__module__.split(".")[1] for write in CONTRIBUTORS} | {"accounts"} == apps


def test_the_bulk_export_makes_the_same_queries_for_more_clients(world):
    """The apps' writers query a batch at once: more clients (and more of their rows) in a
    batch cost no more queries."""

    def queries() -> int:
        export = BulkExport.objects.create(clinic=world.clinic, requested_by=world.admin)
        with CaptureQueriesContext(connection) as captured:
            assert bulk.run(export.pk) == BulkStatus.DONE
        return len(captured.captured_queries)

    fill(world.amara, world.alice, sessions=1)
    few = queries()
    for name in ("One", "Two", "Three", "Four"):
        client = make_client(world.clinic, clinicians=[world.bob], given_name=name)
        fill(client, world.bob, sessions=3)
    assert queries() == few
