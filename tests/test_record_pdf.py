"""The client's copy of their record as PDF (issue 26 part 3, ADR 0063): made by the worker
with the copy, offered on My record when ready, tagged, in the client's language; and the
HTML copy folded by part so that it reads on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gentle.audit.models import AuditEvent
from gentle.courses.models import RelapsePlan
from gentle.portal.models import RecordExport
from gentle.portal.tasks import prepare_export
from tests.factories import make_course, make_session, signed_in
from tests.pdf_pages import ink, pdf_reader, pdf_text, png_pages
from tests.world import another_client

pytestmark = pytest.mark.django_db


def prepared(world) -> tuple:
    course = make_course(world.amara, goals="Feel closer to my sister")
    make_session(course, world.alice, attendance="attended")
    RelapsePlan.objects.create(
        course=course, warning_signs="Staying in bed all day", updated_by=world.alice
    )
    http = signed_in(world.portal)
    assert http.post(reverse("portal_record")).status_code == 302
    export = RecordExport.objects.get()
    page = http.get(reverse("portal_record")).content.decode()
    assert "<progress" in page and "Download as PDF" not in page
    assert prepare_export.call(export.pk) == "done"  # what the worker does
    return http, export


def test_the_copy_comes_as_pdf_too(world, tmp_path):
    http, export = prepared(world)
    page = http.get(reverse("portal_record")).content.decode()
    assert "Download as PDF" in page and "<progress" not in page
    status = http.get(reverse("portal_export_status", args=[export.pk])).content.decode()
    assert "Download as PDF" in status
    response = http.get(reverse("portal_export_pdf", args=[export.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="my-record-')
    assert AuditEvent.objects.filter(action="record.download_pdf", object_id=export.pk).exists()
    text = pdf_text(response.content)
    for expected in (
        "Copy of the record of Amara",
        "Contents",
        "Feel closer to my sister",
        "Staying in bed all day",
        "If anything in this copy is wrong, tell your clinician",
    ):
        assert expected in text, expected
    assert "machine-readable" not in text  # beside the page, not on paper
    reader = pdf_reader(response.content)
    assert reader.trailer["/Root"]["/Lang"] == "en" and "/StructTreeRoot" in reader.trailer["/Root"]
    pages = png_pages(response.content, tmp_path, "record")
    assert len(pages) >= 2 and all(ink(page) > 0.001 for page in pages)


def test_the_copy_in_spanish_for_a_spanish_speaking_client(world, tmp_path):
    world.amara.language = "es"
    world.amara.save(update_fields=["language"])
    http, export = prepared(world)
    data = http.get(reverse("portal_export_pdf", args=[export.pk])).content
    text = pdf_text(data)
    assert "Copia del expediente de Amara" in text
    assert "Staying in bed all day" in text
    assert pdf_reader(data).trailer["/Root"]["/Lang"] == "es"
    png_pages(data, tmp_path, "historial")


def test_nobody_else_gets_the_pdf_and_an_unfinished_copy_has_none(world):
    http, export = prepared(world)
    other = signed_in(another_client(world, "Nia", portal=True).user)
    assert other.get(reverse("portal_export_pdf", args=[export.pk])).status_code == 404
    assert signed_in(world.alice).get(
        reverse("portal_export_pdf", args=[export.pk])
    ).status_code in (
        403,
        404,
    )
    RecordExport.objects.filter(pk=export.pk).update(status="running")
    assert http.get(reverse("portal_export_pdf", args=[export.pk])).status_code == 404
    # A copy made before copies had a PDF offers none.
    RecordExport.objects.filter(pk=export.pk).update(status="done", pdf=None)
    assert "Download as PDF" not in http.get(reverse("portal_record")).content.decode()
    assert http.get(reverse("portal_export_pdf", args=[export.pk])).status_code == 404


def test_the_html_copy_folds_each_part_under_its_title(world):
    http, export = prepared(world)
    html = http.get(reverse("portal_export_html", args=[export.pk])).content.decode()
    assert 'class="record-part card"' in html and "<summary><h2>" in html
    assert "Each part opens when you tap its title." in html
    assert 'href="/static/gentle/gentle.css' in html
