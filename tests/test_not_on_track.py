"""Not on track: each client's PHQ-9 against the expected recovery curve, from the documented
default or, once there are enough finished courses, from the clinic's own as the worker last
computed it (a synthetic clinic here)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.courses.models import Course
from gentle.measures.actions import statistics_compute
from gentle.measures.models import Administration
from gentle.measures.selectors import expected_curve, expected_rules, not_on_track
from tests.factories import make_client, make_clinic, make_person

pytestmark = pytest.mark.django_db


def course_with_scores(clinic, clinician, scores, *, status="active"):
    client = make_client(clinic, clinicians=[clinician])
    course = Course.objects.create(
        client=client,
        format="individual",
        contracted_sessions=16,
        session_minutes=50,
        initial_last=3,
        termination_first=14,
        start_date=timezone.localdate(),
        status=status,
    )
    start = timezone.now() - timedelta(weeks=len(scores))
    for week, total in enumerate(scores):
        Administration.objects.create(
            client=client,
            course=course,
            instrument_id="phq9",
            instrument_version=1,
            mode="in_session",
            status="submitted",
            created_by=clinician,
            scores={"total": total},
            submitted_at=start + timedelta(weeks=week),
        )
    return client, course


@pytest.fixture
def clinic():
    return make_clinic("Synthetic Clinic")


@pytest.fixture
def clinician(clinic):
    return make_person(clinic, Role.CLINICIAN)


def test_the_default_curve_halves_the_score_by_the_twelfth_administration(clinic):
    curve = expected_curve(clinic)
    assert curve.source == "default"
    assert curve.ratios[0] == 1 and curve.ratios[11] == 0.5 and curve.ratios[15] == 0.5


def test_a_flat_course_falls_behind_the_default_curve(client, clinic, clinician):
    _, early = course_with_scores(clinic, clinician, [16] * 5)
    person, late = course_with_scores(clinic, clinician, [16] * 6)
    tracks = not_on_track([early, late], clinic)
    assert not tracks[early.pk].behind  # expected 13.1: 2.9 points above, under the tolerance
    assert tracks[late.pk].behind and tracks[late.pk].expected == 12.4
    client.force_login(clinician)
    html = client.get("/caseload/").content.decode()
    assert html.count("Not on track") == 1


def test_a_responder_is_on_track(clinic, clinician):
    _, course = course_with_scores(clinic, clinician, [18, 16, 13, 11, 9, 8])
    assert not not_on_track([course], clinic)[course.pk].behind


def test_the_clinic_curve_replaces_the_default_once_there_are_enough_finished_courses(
    clinic, clinician
):
    needed = expected_rules()["min_finished_courses"]
    for _ in range(needed - 1):
        course_with_scores(clinic, clinician, [20, 20, 19, 20, 20, 20, 20], status="completed")
    statistics_compute(clinic=clinic)
    assert expected_curve(clinic).source == "default"
    course_with_scores(clinic, clinician, [20, 20, 19, 20, 20, 20, 20], status="completed")
    assert expected_curve(clinic).source == "default"  # until the worker computes it again
    statistics_compute(clinic=clinic)
    curve = expected_curve(clinic)
    assert (curve.source, curve.based_on) == ("clinic", needed)
    assert curve.ratios[2] == 0.95 and curve.ratios[6] == 1.0
    # Against this clinic's own (slow) courses, a flat course is where it is expected to be.
    _, flat = course_with_scores(clinic, clinician, [16] * 7)
    assert not not_on_track([flat], clinic)[flat.pk].behind


def test_the_chart_shows_the_expected_line_and_the_table_its_values(client, clinic, clinician):
    person, course = course_with_scores(clinic, clinician, [16, 16, 16])
    client.force_login(clinician)
    html = client.get(f"/clients/{person.pk}/measures/").content.decode()
    assert '<polyline class="expected"' in html
    assert ">Expected<" in html


def test_the_end_of_course_summary_gives_first_and_last_scores(client, clinic, clinician):
    person, course = course_with_scores(clinic, clinician, [18, 12, 7], status="completed")
    client.force_login(clinician)
    html = client.get(f"/courses/{course.pk}/summary/").content.decode()
    assert "PHQ-9 (depression): 18 (Moderately severe) → 7 (Mild)" in html
