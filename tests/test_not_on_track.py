"""Not on track: each client's score on the questionnaire their course's format is tracked on
(the PHQ-9; IPT-A's PHQ-A; perinatal IPT's EPDS) against the expected recovery curve, from the
documented default or, once there are enough finished courses, from the clinic's own as the
worker last computed it (a synthetic clinic here)."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentle.accounts.models import Role
from gentle.courses.models import Course
from gentle.measures.actions import statistics_compute
from gentle.measures.models import Administration
from gentle.measures.selectors import (
    SCHEDULE,
    expected_curve,
    expected_rules,
    not_on_track,
    tracked_instrument,
)
from tests.factories import count_queries, make_client, make_clinic, make_person, visible_text

pytestmark = pytest.mark.django_db


def course_with_scores(
    clinic, clinician, scores, *, status="active", sessions=16, fmt="individual", instrument="phq9"
):
    client = make_client(clinic, clinicians=[clinician])
    course = Course.objects.create(
        client=client,
        format=fmt,
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
            instrument_id=instrument,
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
    assert "until this clinic has enough finished courses of its own" in visible_text(html)
    assert "fitted from PHQ-9 courses only" not in visible_text(html)


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


# --- each format on its own questionnaire (issue 25) ---------------------------------------------


def test_an_ipt_a_course_with_the_phqa_stuck_high_is_not_on_track(client, clinic, clinician):
    """IPT-A gives the PHQ-A every session and no PHQ-9, so its courses were never checked.
    The PHQ-A is scored as the PHQ-9: a start of 20 is in the 20-27 band (end 0.5). For a
    12-session course, ratio(k) = 1 - 0.5 * ln k / ln 12: k = 2: 1 - 0.5 * 0.2789 = 0.861
    (17.2); k = 3: 1 - 0.5 * 0.4421 = 0.779 (15.6); k = 4: 1 - 0.5 * 0.5579 = 0.721 (14.4).
    A flat 20 is 5.6 above 14.4: behind (tolerance 3)."""
    person, course = course_with_scores(
        clinic, clinician, [20] * 4, sessions=12, fmt="adolescent", instrument="phqa"
    )
    track = not_on_track([course], clinic)[course.pk]
    assert (track.instrument, track.expected, track.behind) == ("phqa", 14.4, True)
    client.force_login(clinician)
    caseload = client.get("/caseload/").content.decode()
    assert "Not on track" in visible_text(caseload)
    assert 'title="PHQ-A 20.0, expected about 14.4"' in caseload
    html = client.get(f"/clients/{person.pk}/measures/").content.decode()
    assert "Not on track: steps to consider" in html
    assert "The latest PHQ-A score is well above the expected course" in visible_text(html)
    assert "fitted from PHQ-9 courses only, so it is not used here" in visible_text(html)
    assert re.findall(r'<td data-label="Expected">([^<]*)</td>', html) == [
        "20.0",
        "17.2",
        "15.6",
        "14.4",
    ]


def test_a_phqa_course_on_track_and_a_phq9_in_an_ipt_a_course_is_not_read(clinic, clinician):
    """A PHQ-A falling 20, 16, 14, 12 is on track (12 is below 14.4). PHQ-9s given in an IPT-A
    course are not what it is tracked on: with no PHQ-A it cannot be checked."""
    _, falling = course_with_scores(
        clinic, clinician, [20, 16, 14, 12], sessions=12, fmt="adolescent", instrument="phqa"
    )
    _, phq9_only = course_with_scores(
        clinic, clinician, [20] * 4, sessions=12, fmt="adolescent", instrument="phq9"
    )
    tracks = not_on_track([falling, phq9_only], clinic)
    assert not tracks[falling.pk].behind and tracks[falling.pk].expected == 14.4
    assert phq9_only.pk not in tracks


def test_a_perinatal_course_is_tracked_on_the_epds_with_its_own_bands_and_tolerance(
    clinic, clinician
):
    """Perinatal IPT gives the EPDS every session (the PHQ-9 every 4): it is tracked on the
    EPDS, whose bands are 0-9, 10-12 and 13-30 (end ratios 1, 0.7, 0.5, unconfirmed) and whose
    tolerance is 2 points. EPDS 12 (10-12, end 0.7), 12 sessions: k = 3: 1 - 0.3 * 0.4421 =
    0.867 (10.4, 1.6 above: on track); k = 4: 1 - 0.3 * 0.5579 = 0.833 (12 * 0.833 = 9.996,
    10.0: 2 above: behind). A start of 9, below the cut-off, expects no fall (9.0). A PHQ-9 in
    a perinatal course is not read."""
    _, three = course_with_scores(
        clinic, clinician, [12] * 3, sessions=12, fmt="perinatal", instrument="epds"
    )
    _, four = course_with_scores(
        clinic, clinician, [12] * 4, sessions=12, fmt="perinatal", instrument="epds"
    )
    _, low = course_with_scores(
        clinic, clinician, [9] * 4, sessions=12, fmt="perinatal", instrument="epds"
    )
    _, phq9 = course_with_scores(
        clinic, clinician, [20] * 4, sessions=12, fmt="perinatal", instrument="phq9"
    )
    tracks = not_on_track([three, four, low, phq9], clinic)
    assert (tracks[three.pk].expected, tracks[three.pk].behind) == (10.4, False)
    assert (tracks[four.pk].expected, tracks[four.pk].behind) == (10.0, True)
    assert (tracks[low.pk].expected, tracks[low.pk].behind) == (9.0, False)
    assert tracks[four.pk].instrument == "epds"
    assert phq9.pk not in tracks


def test_not_on_track_costs_two_queries_whatever_the_formats(clinic, clinician):
    courses = [
        course_with_scores(clinic, clinician, [20] * 3)[1],
        course_with_scores(clinic, clinician, [20] * 3, fmt="adolescent", instrument="phqa")[1],
        course_with_scores(clinic, clinician, [14] * 3, fmt="perinatal", instrument="epds")[1],
    ]
    with CaptureQueriesContext(connection) as queries:
        tracks = not_on_track(courses, clinic)
    assert len(queries) == 2 and len(tracks) == 3


def test_the_clinic_curve_is_fitted_only_from_courses_tracked_on_the_phq9(clinic, clinician):
    """Thirty finished perinatal courses with a PHQ-9 every 4 sessions made a PHQ-9 curve
    before; they are tracked on the EPDS, so they are not fitted: the default stays. Once 30
    PHQ-9 courses (20 down a point a session) give the clinic a curve, an IPT-A course still
    reads the default: 20 * (1 - 0.5 * ln 4 / ln 8) = 20 * 0.667 = 13.3 (the clinic's own
    would be 20 * 0.65 = 13.0)."""
    for _ in range(30):
        course_with_scores(clinic, clinician, [20] * 3, status="completed", fmt="perinatal")
    statistics_compute(clinic=clinic)
    curve = expected_curve(clinic)
    assert (curve.source, curve.based_on) == ("default", 0)
    for _ in range(30):
        course_with_scores(clinic, clinician, list(range(20, 4, -1)), status="completed")
    statistics_compute(clinic=clinic)
    curve = expected_curve(clinic)
    assert (curve.source, curve.based_on) == ("clinic", 30)
    _, adult = course_with_scores(clinic, clinician, [20] * 4, sessions=8)
    _, young = course_with_scores(
        clinic, clinician, [20] * 4, sessions=8, fmt="adolescent", instrument="phqa"
    )
    tracks = not_on_track([adult, young], clinic)
    assert (tracks[adult.pk].expected, tracks[adult.pk].source) == (13.0, "clinic")
    assert (tracks[young.pk].expected, tracks[young.pk].source) == (13.3, "default")


def test_the_tracked_questionnaires_are_as_the_pages_say():
    """The supervisor's home and the welcome page name them: the PHQ-9, the PHQ-A for IPT-A,
    the EPDS for perinatal IPT, each the questionnaire its format's schedule gives every
    session."""
    assert tracked_instrument("individual") == "phq9"
    assert tracked_instrument("adolescent") == "phqa"
    assert tracked_instrument("perinatal") == "epds"
    schedule = json.loads(SCHEDULE.read_text(encoding="utf-8"))
    for course_format, rules in schedule["formats"].items():
        every = [r["instrument"] for r in rules if r["rule"] == "every_session"]
        assert tracked_instrument(course_format) in every
