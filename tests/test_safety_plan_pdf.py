"""The safety plan as PDF (issue 26 part 3, ADR 0063): for the client from the portal, in the
language they read it in, and for the care team, in the client's language; made by the worker
(asked for when the plan is saved, and again for any other version, language or crisis text),
with the print-friendly page offered while it is made; tagged, checked as text and as PNG
pages."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from gentle.audit.models import AuditEvent
from gentle.safety.models import CrisisText, SafetyPlanPdf
from gentle.safety.tasks import render_plan_pdf
from tests.factories import count_queries, signed_in
from tests.pdf_pages import ink, pdf_reader, pdf_text, png_pages

pytestmark = pytest.mark.django_db

CRISIS_EN = "Hillside night line: 0100 200 300."
CRISIS_ES = "Línea nocturna de Hillside: 0100 200 300."
POLL = {"HTTP_X_GENTLE_BACKGROUND": "1"}


@pytest.fixture
def world(world):
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    CrisisText.objects.create(clinic=world.clinic, language="es", text=CRISIS_ES)
    signed_in(world.alice).post(
        f"/clients/{world.amara.pk}/safety-plan/",
        {"based_on": "0", "coping": "Walk by the river", "professionals": "Clinic 555-0100"},
    )
    return world


def worker_runs() -> int:
    """What `gentle worker` does with the queued plan PDFs; returns how many it made."""
    queued = list(SafetyPlanPdf.objects.filter(status="queued").values_list("pk", flat=True))
    return sum(render_plan_pdf.call(pk) == "done" for pk in queued)


def test_a_saved_plan_is_made_into_a_pdf_in_the_background(world):
    job = SafetyPlanPdf.objects.get(client=world.amara)
    assert (job.status, job.language, job.version_number) == ("queued", "en", 1)
    assert DBTaskResult.objects.filter(
        task_path="gentle.safety.tasks.render_plan_pdf", args_kwargs__args=[job.pk]
    ).exists()
    assert worker_runs() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.html == "" and bytes(job.content).startswith(b"%PDF")


def test_the_care_team_sees_it_being_made_then_downloads_it(world, tmp_path):
    http = signed_in(world.alice)
    url = f"/clients/{world.amara.pk}/safety-plan/pdf/"
    page = http.get(f"/clients/{world.amara.pk}/safety-plan/").content.decode()
    assert f'href="{url}"' in page and " download>" not in page  # the progress page, not a file
    waiting = http.get(url)
    assert waiting.status_code == 200 and waiting["Content-Type"].startswith("text/html")
    body = waiting.content.decode()
    assert "Version 1 of the plan, saved" in body and "made in the background" in body
    assert f'data-poll="{url}"' in body and "Waiting" in body
    # Without a worker the plan is still in reach: the print-friendly page needs none.
    assert f'href="/clients/{world.amara.pk}/safety-plan/print/"' in body
    assert SafetyPlanPdf.objects.count() == 1  # the PDF asked for at the save, not a second

    worker_runs()
    status = http.get(url, **POLL).content.decode()
    assert "Download the PDF" in status and "data-poll" not in status
    response = http.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="safety-plan.pdf"'
    text = pdf_text(response.content)
    for expected in (
        "My safety plan",
        "Amara",
        "version 1",
        "Walk by the river",
        "Clinic 555-0100",
        "My warning signs",
        "If I am in danger now",
        CRISIS_EN,
    ):
        assert expected in text, expected
    reader = pdf_reader(response.content)
    assert reader.trailer["/Root"]["/Lang"] == "en" and "/StructTreeRoot" in reader.trailer["/Root"]
    assert AuditEvent.objects.filter(action="safety_plan.view", actor_id=world.alice.pk).exists()
    pages = png_pages(response.content, tmp_path, "safety-plan")
    assert len(pages) in (1, 2) and ink(pages[0]) > 0.01


def test_a_changed_crisis_text_or_an_earlier_version_is_made_anew(world):
    http = signed_in(world.alice)
    url = f"/clients/{world.amara.pk}/safety-plan/pdf/"
    worker_runs()
    assert http.get(url)["Content-Type"] == "application/pdf"
    CrisisText.objects.filter(clinic=world.clinic, language="en").update(text="New line: 0100")
    offered = http.get(url).content.decode()  # a GET writes nothing: it offers to make it
    assert "Make the PDF" in offered and "data-poll" not in offered
    assert SafetyPlanPdf.objects.count() == 1
    assert http.post(url).status_code == 302
    assert AuditEvent.objects.filter(action="safety_plan.pdf", actor_id=world.alice.pk).exists()
    assert "data-poll" in http.get(url).content.decode()
    http.post(
        f"/clients/{world.amara.pk}/safety-plan/", {"based_on": "1", "coping": "Call my sister"}
    )
    # Version 1 with the new crisis text is the PDF asked for above; version 2 was asked for
    # when it was saved.
    assert "data-poll" in http.get(url + "?version=1").content.decode()
    assert http.post(url + "?version=1")["Location"] == url + "?version=1"
    assert worker_runs() == 2
    assert "New line: 0100" in pdf_text(http.get(url).content)
    assert "Walk by the river" in pdf_text(http.get(url + "?version=1").content)


def test_the_client_gets_it_in_spanish_from_the_portal(world, tmp_path):
    http = signed_in(world.portal)
    http.post("/i18n/setlang/", {"language": "es", "next": "/"})
    page = http.get("/portal/safety-plan/").content.decode()
    assert 'href="/portal/safety-plan/pdf/"' in page
    offered = http.get("/portal/safety-plan/pdf/").content.decode()  # Spanish: not yet made
    assert "Mi plan de seguridad en PDF" in offered and "¿Hace falta ya?" in offered
    assert 'href="/portal/safety-plan/print/"' in offered and 'href="/crisis/"' in offered
    assert "Crear el PDF" in offered
    http.post("/portal/safety-plan/pdf/")
    worker_runs()
    response = http.get("/portal/safety-plan/pdf/")
    assert response["Content-Disposition"] == 'attachment; filename="my-safety-plan.pdf"'
    text = pdf_text(response.content)
    assert "Mis señales de alarma" in text and "Walk by the river" in text
    assert CRISIS_ES in text
    assert pdf_reader(response.content).trailer["/Root"]["/Lang"] == "es"
    assert AuditEvent.objects.filter(action="portal.safety_plan_view").exists()
    png_pages(response.content, tmp_path, "plan-de-seguridad")


def test_for_a_spanish_speaking_client_the_team_gets_it_in_spanish(world):
    world.amara.language = "es"
    world.amara.save(update_fields=["language"])
    http = signed_in(world.alice)
    http.post(f"/clients/{world.amara.pk}/safety-plan/pdf/")
    worker_runs()
    response = http.get(f"/clients/{world.amara.pk}/safety-plan/pdf/")
    assert "Mis señales de alarma" in pdf_text(response.content)


def test_others_do_not_get_the_plan(world):
    url = f"/clients/{world.amara.pk}/safety-plan/pdf/"
    assert signed_in(world.bob).get(url).status_code == 404
    assert signed_in(world.bob).get(url, **POLL).status_code == 404
    assert signed_in(world.bob).post(url).status_code == 404
    assert signed_in(world.far_clinician).get(url).status_code == 404
    # The far client's own portal PDF holds their (empty) plan, never Amara's.
    far = signed_in(world.far_portal)
    page = far.get("/portal/safety-plan/pdf/").content.decode()
    assert "There is no safety plan to print yet." in page
    far.post("/portal/safety-plan/pdf/")
    assert worker_runs() == 2  # Amara's (asked for at the save) and the far client's empty one
    text = pdf_text(far.get("/portal/safety-plan/pdf/").content)
    assert "Walk by the river" not in text and "There is no safety plan to print yet." in text


def test_a_pdf_that_could_not_be_made_says_so_and_can_be_asked_for_again(world):
    http = signed_in(world.alice)
    url = f"/clients/{world.amara.pk}/safety-plan/pdf/"
    SafetyPlanPdf.objects.update(status="failed")
    polled = http.get(url, **POLL).content.decode()
    assert "could not be made" in polled and "data-poll" not in polled and "Ask again" in polled
    assert SafetyPlanPdf.objects.get().status == "failed"  # polling does not ask again
    http.post(url)
    again = http.get(url).content.decode()
    assert "data-poll" in again and SafetyPlanPdf.objects.get().status == "queued"
    assert worker_runs() == 1
    assert http.get(url)["Content-Type"] == "application/pdf"


def test_the_pdf_costs_the_same_queries_however_many_versions(world):
    http = signed_in(world.alice)
    url = f"/clients/{world.amara.pk}/safety-plan/pdf/"
    worker_runs()
    before = count_queries(http, url)
    for number in (1, 2, 3):
        http.post(
            f"/clients/{world.amara.pk}/safety-plan/",
            {"based_on": str(number), "coping": f"Walk by the river, take {number}"},
        )
    worker_runs()
    assert count_queries(http, url) == before
