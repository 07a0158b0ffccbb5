"""The end-of-course letter to the referrer (issue 26 part 3, ADR 0063): a draft pre-filled
from the finished course, edited by the care team's clinician, made final (then read-only),
and its PDF made by the worker, tagged, in the letter's language, with the chart as vectors;
checked as text and as PNG pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from gentle.audit.models import AuditEvent
from gentle.courses.models import Letter, RelapsePlan
from gentle.courses.tasks import render_letter
from tests.factories import count_queries, make_course, signed_in
from tests.pdf_pages import ink, pdf_reader, pdf_text, png_pages
from tests.test_course_outcomes import finished_course

pytestmark = pytest.mark.django_db

RECIPIENT = "Dr Rosa Marin\nHillside Surgery\n1 Mill Lane"


def course_with_plan(world):
    course = finished_course(world, [18, 15, 12, 9, 7, 6], [14, 12, 10, 8, 6, 5])
    course.focus = "grief"
    course.save(update_fields=["focus"])
    RelapsePlan.objects.create(
        course=course,
        warning_signs="Sleeping badly for a week",
        what_helped="Calling my sister",
        what_to_do="Book a session with the surgery",
        updated_by=world.alice,
    )
    return course


def start(http, course, language="en"):
    response = http.post(reverse("course_letters", args=[course.pk]), {"language": language})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Letter.objects.get(course=course, version=Letter.objects.filter(course=course).count())


def edit_data(letter, **changes):
    fields = ("recipient", "focus", "attendance", "outcome", "relapse_plan", "recommendations")
    return {name: getattr(letter, name) for name in fields} | changes


def test_a_draft_is_filled_in_from_the_finished_course(world):
    course = course_with_plan(world)
    http = signed_in(world.alice)
    letter = start(http, course)
    assert letter.status == "draft" and letter.version == 1 and letter.language == "en"
    assert "Amara" in letter.focus and "grief" in letter.focus
    assert "attended 6 of 12 contracted sessions" in letter.attendance
    assert "PHQ-9: 18 at the start, 6 at the end (reliable change: yes)" in letter.outcome
    assert "Recovery: yes" in letter.outcome
    assert "Warning signs: Sleeping badly for a week" in letter.relapse_plan
    assert "What to do: Book a session with the surgery" in letter.relapse_plan
    assert [row["name"] for row in letter.scores] == ["GAD-7", "PHQ-9"]
    phq = letter.scores[1]
    assert (phq["first"], phq["last"], phq["change"], phq["reliable"]) == ("18", "6", "-12", "yes")
    assert "<svg" in letter.chart and "PHQ-9" in letter.chart
    assert AuditEvent.objects.filter(action="letter.create", object_id=letter.pk).exists()
    page = http.get(reverse("letter_edit", args=[letter.pk])).content.decode()
    assert "Sleeping badly for a week" in page and "Save draft" in page and "Make final" in page


def test_the_clinician_edits_then_makes_final_and_the_worker_makes_the_pdf(world, tmp_path):
    course = course_with_plan(world)
    http = signed_in(world.alice)
    letter = start(http, course)
    url = reverse("letter_edit", args=[letter.pk])
    data = edit_data(
        letter, recipient=RECIPIENT, recommendations="Review in three months with the PHQ-9."
    )
    assert http.post(url, data).status_code == 302
    letter.refresh_from_db()
    assert letter.recipient == RECIPIENT
    assert AuditEvent.objects.filter(action="letter.update", object_id=letter.pk).exists()

    assert http.post(reverse("letter_final", args=[letter.pk])).status_code == 302
    letter.refresh_from_db()
    assert letter.status == "final" and letter.pdf_status == "queued"
    assert DBTaskResult.objects.filter(task_path="gentle.courses.tasks.render_letter").exists()
    page = http.get(url).content.decode()
    assert "Waiting to be made" in page and "data-poll" in page and "Save draft" not in page
    assert http.get(reverse("letter_pdf", args=[letter.pk])).status_code == 404

    assert render_letter.call(letter.pk) == "done"
    status = http.get(reverse("letter_status", args=[letter.pk])).content.decode()
    assert "Download the letter (PDF)" in status and "data-poll" not in status
    response = http.get(reverse("letter_pdf", args=[letter.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="letter.pdf", object_id=letter.pk).exists()
    text = pdf_text(response.content)
    for expected in (
        "Dr Rosa Marin",
        "End of treatment: Amara",
        "Focus of the work",
        "attended 6 of 12 contracted sessions",
        "Reliable change",
        "Sleeping badly for a week",
        "Review in three months with the PHQ-9.",
    ):
        assert expected in text, expected
    assert "Draft" not in text
    reader = pdf_reader(response.content)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and "/StructTreeRoot" in root  # tagged, with its language
    assert reader.metadata.title.startswith("End of treatment: Amara")
    # The chart is drawn as vector paths: no picture anywhere in the letter.
    assert all(not page.images for page in reader.pages)
    pages = png_pages(response.content, tmp_path, "letter")
    assert 1 <= len(pages) <= 3
    assert ink(pages[0]) > 0.02 and all(ink(page) > 0.001 for page in pages)


def test_a_letter_in_spanish_for_a_spanish_speaking_client(world, tmp_path):
    world.amara.language = "es"
    world.amara.save(update_fields=["language"])
    course = course_with_plan(world)
    http = signed_in(world.alice)
    page = http.get(reverse("course_letters", args=[course.pk])).content.decode()
    assert '<option value="es" selected>' in page
    letter = start(http, course, "es")
    assert letter.language == "es"
    assert letter.scores[1]["reliable"] == "sí"
    http.post(reverse("letter_edit", args=[letter.pk]), edit_data(letter, recipient="Dra. Marín"))
    http.post(reverse("letter_final", args=[letter.pk]))
    render_letter.call(letter.pk)
    letter.refresh_from_db()
    data = bytes(letter.pdf)
    text = pdf_text(data)
    assert "Dra. Marín" in text and "Sesiones" in text
    assert pdf_reader(data).trailer["/Root"]["/Lang"] == "es"
    png_pages(data, tmp_path, "carta")


def test_a_final_letter_is_read_only_and_a_new_version_may_be_started(world):
    course = course_with_plan(world)
    http = signed_in(world.alice)
    letter = start(http, course)
    http.post(reverse("letter_edit", args=[letter.pk]), edit_data(letter, recipient=RECIPIENT))
    http.post(reverse("letter_final", args=[letter.pk]))
    response = http.post(
        reverse("letter_edit", args=[letter.pk]), edit_data(letter, recipient="Someone else")
    )
    assert response.status_code == 400
    assert "This letter is final and can no longer be changed." in response.content.decode()
    letter.refresh_from_db()
    assert letter.recipient == RECIPIENT
    second = start(http, course)
    assert second.version == 2 and second.status == "draft"


def test_bad_input_is_refused_and_kept(world):
    course = course_with_plan(world)
    http = signed_in(world.alice)
    letter = start(http, course)
    url = reverse("letter_edit", args=[letter.pk])
    too_long = "x" * 4001
    response = http.post(url, edit_data(letter, recipient="", recommendations=too_long))
    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in page
    assert "Ensure this value has at most 4000 characters" in page
    assert too_long in page  # what was typed is kept
    letter.refresh_from_db()
    assert letter.recommendations == ""
    # Final needs a recipient; nothing changes without one.
    http.post(reverse("letter_final", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.status == "draft"
    # An unknown language and a running course start nothing.
    response = http.post(reverse("course_letters", args=[course.pk]), {"language": "fr"})
    assert response.status_code == 400
    running = make_course(world.amara, status="active")
    response = http.post(reverse("course_letters", args=[running.pk]), {"language": "en"})
    assert response.status_code == 400
    assert "once the course has finished" in response.content.decode()
    assert Letter.objects.count() == 1


def test_supervisors_read_and_others_are_refused(world):
    course = course_with_plan(world)
    letter = start(signed_in(world.alice), course)
    sue = signed_in(world.sue)
    page = sue.get(reverse("letter_edit", args=[letter.pk]))
    assert page.status_code == 200 and "Save draft" not in page.content.decode()
    assert sue.post(reverse("letter_final", args=[letter.pk])).status_code in (403, 404)
    assert sue.post(
        reverse("course_letters", args=[course.pk]), {"language": "en"}
    ).status_code in (
        403,
        404,
    )
    bob = signed_in(world.bob)
    assert bob.get(reverse("letter_edit", args=[letter.pk])).status_code == 404
    far = signed_in(world.far_clinician)
    assert far.get(reverse("letter_pdf", args=[letter.pk])).status_code == 404
    assert Letter.objects.get().status == "draft"


def test_letter_pages_make_a_fixed_number_of_queries(world):
    course = course_with_plan(world)
    http = signed_in(world.alice)
    letter = start(http, course)
    pages = [reverse("course_letters", args=[course.pk]), reverse("letter_edit", args=[letter.pk])]
    small = [count_queries(http, url) for url in pages]
    for _ in range(3):
        start(http, course)
    assert [count_queries(http, url) for url in pages] == small
