"""Not on track: each client's PHQ-9 against the expected recovery curve, from the documented
default or, once there are enough finished courses, from the clinic's own as the worker last
computed it (a synthetic clinic here)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.courses.models import Course
from gentle.measures.actions import statistics_compute
from gentle.measures.models import Administration
from gentle.measures.selectors import expected_curve, expected_rules, not_on_track
from tests.factories import count_queries, make_client, make_clinic, make_person

pytestmark = pytest.mark.django_db


def course_with_scores(clinic, clinician, scores, *, status="active", sessions=16):
    client = make_client(clinic, clinicians=[clinician])
    course = Course.objects.create(
        client=client,
        format="individual",
        contracted_sessions=sessions,
        session_minutes=50,
        initial_last=3,
        termination_first=sessions - 2,
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


def test_the_default_curve_falls_faster_early_and_is_scaled_to_the_course(clinic):
    """1 - (1 - end) * ln(k) / ln(N), flat after N; end 0.5 from a start of 15-19, 0.55 from
    10-14, 1 (no fall expected) below caseness."""
    curve = expected_curve(clinic)
    assert curve.source == "default"
    assert curve.ratio(16, 1, 16) == 1.0
    assert curve.ratio(16, 4, 16) == 0.75  # ln 4 / ln 16 = 1/2
    assert curve.ratio(16, 4, 8) == 0.667  # ln 4 / ln 8 = 2/3: a shorter course falls faster
    assert curve.ratio(16, 16, 16) == curve.ratio(16, 30, 16) == 0.5
    assert curve.ratio(12, 12, 12) == 0.55
    assert curve.ratio(3, 6, 12) == 1.0


def test_a_flat_course_falls_behind_the_default_curve(client, clinic, clinician):
    # 16 sessions from 16: expected 16 * 0.875 = 14.0 at the 2nd score (2 points above, under
    # the tolerance of 3) and 16 * 0.802 = 12.8 at the 3rd (3.2 above: behind).
    _, early = course_with_scores(clinic, clinician, [16] * 2)
    person, late = course_with_scores(clinic, clinician, [16] * 3)
    tracks = not_on_track([early, late], clinic)
    assert not tracks[early.pk].behind and tracks[early.pk].expected == 14.0
    assert tracks[late.pk].behind and tracks[late.pk].expected == 12.8
    client.force_login(clinician)
    html = client.get("/caseload/").content.decode()
    assert html.count("Not on track") == 1


def test_a_flat_eight_session_course_is_flagged_by_its_fourth_score(clinic, clinician):
    """Issue 25: the linear 12-point curve expected 20 * 0.864 = 17.3 at the 4th score, so a
    flat 20 (2.7 above) was never flagged; the log-linear curve for 8 sessions expects
    20 * 0.667 = 13.3."""
    _, course = course_with_scores(clinic, clinician, [20] * 4, sessions=8)
    track = not_on_track([course], clinic)[course.pk]
    assert (track.expected, track.behind) == (13.3, True)


def test_not_on_track_suggests_next_steps_and_grief_treatment_when_the_pg13r_flag_holds(
    client, clinic, clinician
):
    person, course = course_with_scores(clinic, clinician, [20] * 4, sessions=8)
    client.force_login(clinician)
    url = f"/clients/{person.pk}/measures/"
    html = client.get(url).content.decode()
    assert "Not on track: steps to consider" in html
    assert "Review the focus and attendance" in html
    assert "Consider a medication consultation." in html
    # Two thirds of 8 sessions: ceil(8 * 0.667) = 6.
    assert "If there is still no change by session 6 (about two thirds of the course)" in html
    assert "complicated-grief treatment" not in html
    queries = count_queries(client, url)
    Administration.objects.create(
        client=person,
        course=course,
        instrument_id="pg13r",
        instrument_version=1,
        mode="in_session",
        status="submitted",
        created_by=clinician,
        scores={"total": 34},
        submitted_at=timezone.now(),
    )
    html = client.get(url).content.decode()
    assert "The PG-13-R suggests prolonged grief: consider complicated-grief treatment." in html
    assert count_queries(client, url) == queries


def test_an_on_track_course_has_no_next_steps(client, clinic, clinician):
    person, _course = course_with_scores(clinic, clinician, [20, 15, 13, 12], sessions=8)
    client.force_login(clinician)
    html = client.get(f"/clients/{person.pk}/measures/").content.decode()
    assert "Not on track: steps to consider" not in html


def test_a_responder_is_on_track(clinic, clinician):
    _, course = course_with_scores(clinic, clinician, [18, 16, 13, 11, 9, 8])
    assert not not_on_track([course], clinic)[course.pk].behind


def test_the_clinic_curve_replaces_the_default_once_there_are_enough_finished_courses(
    clinic, clinician
):
    needed = expected_rules()["min_finished_courses"]
    for _ in range(needed - 1):
        course_with_scores(clinic, clinician, [20, 20, 19, 20, 20, 20, 20], status="completed")
    # All start in the 20-27 band: that band gets the clinic's own curve.
    statistics_compute(clinic=clinic)
    assert expected_curve(clinic).source == "default"
    course_with_scores(clinic, clinician, [20, 20, 19, 20, 20, 20, 20], status="completed")
    assert expected_curve(clinic).source == "default"  # until the worker computes it again
    statistics_compute(clinic=clinic)
    curve = expected_curve(clinic)
    assert (curve.source, curve.based_on) == ("clinic", needed)
    assert curve.ratio(20, 3, 16) == 0.95 and curve.ratio(20, 7, 16) == 1.0
    assert curve.ratio(16, 3, 16) == 0.802  # another starting band keeps the default
    # Against this clinic's own (slow) courses, a flat course is where it is expected to be.
    _, flat = course_with_scores(clinic, clinician, [20] * 7)
    assert not not_on_track([flat], clinic)[flat.pk].behind
    _, other_band = course_with_scores(clinic, clinician, [16] * 7)
    assert not_on_track([other_band], clinic)[other_band.pk].behind


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


def test_the_clinic_curve_is_scaled_to_each_courses_contracted_sessions(client, clinic, clinician):
    """Issue 25: the clinic's curve was kept by administration number, so a clinic of
    16-session courses expected an 8-session course at its 4th score to be where its own courses
    were at their 4th, a quarter of the way. It is now fitted and read at k / N of the contract.

    30 completed 16-session courses from 20 down a point a session (20, 19, ..., 5), all in the
    20-27 band. The 8th score of 16 is the middle (round(8 / 16 * 10) = 5 of 10): ratio
    13 / 20 = 0.65. The 16th is the end (10 of 10): 5 / 20 = 0.25."""
    for _ in range(30):
        course_with_scores(clinic, clinician, list(range(20, 4, -1)), status="completed")
    statistics_compute(clinic=clinic)
    curve = expected_curve(clinic)
    assert curve.source == "clinic"
    assert curve.ratio(20, 8, 16) == 0.65  # the clinic's own middle
    assert curve.ratio(20, 4, 8) == 0.65  # an 8-session course's middle: the same ratio
    assert curve.ratio(20, 3, 6) == 0.65  # and a 6-session course's
    assert curve.ratio(20, 8, 8) == curve.ratio(20, 16, 16) == 0.25  # the ends
    assert curve.ratio(20, 12, 8) == 0.25  # flat after the contract
    # By administration number the 4th score was 17 / 20 = 0.85: 17.0 expected, and a flat 20
    # was on track. At the middle of 8 sessions the clinic expects 20 * 0.65 = 13.0.
    person, eight = course_with_scores(clinic, clinician, [20] * 4, sessions=8)
    track = not_on_track([eight], clinic)[eight.pk]
    assert (track.expected, track.behind, track.source) == (13.0, True, "clinic")
    client.force_login(clinician)
    html = client.get(f"/clients/{person.pk}/measures/").content.decode()
    # The expected column of the table: 20 * ratio at positions 3, 4 and 5 of 10 of an 8-session
    # course's 2nd to 4th scores (k / 8 * 10 = 2.5, 3.75, 5 round half up to 3, 4, 5): the
    # 16-session courses' 5th (and 4th), 6th and 7th, and 8th scores.
    # 3: the 4th and 5th of 16 (2.5, 3.125 round to 3): (17 + 16) / 2 / 20 = 0.825 -> 16.5;
    # 4: the 6th and 7th (3.75, 4.375): (15 + 14) / 2 / 20 = 0.725 -> 14.5; 5: 13.0.
    assert re.findall(r'<td data-label="Expected">([^<]*)</td>', html) == [
        "20.0",
        "16.5",
        "14.5",
        "13.0",
    ]
