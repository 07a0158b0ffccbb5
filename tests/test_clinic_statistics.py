"""Clinic-wide statistics (the expected-recovery curve, the spread of first scores for reliable
change) are computed in the background and stored; a client's measures page and My progress
read the stored value, show the documented default before any computation, and never work over
the whole clinic (issue 20: 6 s per page with 1,000,000 administrations in the clinic)."""

import re
import statistics
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.courses.models import Course
from gentle.lib.outcomes import reliable_change
from gentle.measures.actions import statistics_compute
from gentle.measures.models import Administration, ClinicStatistic
from gentle.measures.selectors import expected_rules
from gentle.measures.tasks import compute_clinic_statistics
from tests.factories import make_client, make_course
from tests.world import World

pytestmark = pytest.mark.django_db

MEASURES = "/clients/{}/measures/"
PROGRESS = "/portal/progress/"
# Tables whose rows belong to one client's record, read by both pages.
CLIENT_TABLES = ("measures_administration", "courses_course", "courses_session")


def give(record: Client, course: Course | None, by, totals, *, instrument="phq9") -> None:
    """Submitted administrations of ``instrument`` with these totals, a week apart."""
    start = timezone.now() - timedelta(weeks=len(totals) + 1)
    for week, total in enumerate(totals):
        at = start + timedelta(weeks=week, hours=1 if instrument == "gad7" else 0)
        Administration.objects.create(
            client=record,
            course=course,
            instrument_id=instrument,
            instrument_version=1,
            mode="in_session",
            status="submitted",
            created_by=by,
            created_at=at,
            submitted_at=at,
            submitted_by=by,
            scores={"total": total},
        )


def finished_courses(world: World, count: int) -> list[list[int]]:
    """``count`` other clients of the clinic, each with a completed course of PHQ-9 and GAD-7
    scores (a small synthetic clinic); returns the PHQ-9 series."""
    series = []
    for i in range(count):
        other = make_client(world.clinic, clinicians=[world.alice])
        course = make_course(other, status="completed")
        phq9 = [12 + i % 9, 11 + i % 7, 9 + i % 5, 8 + i % 4, 6 + i % 6][: 3 + i % 3]
        give(other, course, world.alice, phq9)
        give(other, course, world.alice, [5 + i % 11, 4 + i % 3], instrument="gad7")
        series.append(phq9)
    return series


def amara_flat(world: World) -> None:
    give(world.amara, make_course(world.amara), world.alice, [16, 16, 16])


def store(world: World, kind: str, value: dict, based_on: int) -> None:
    ClinicStatistic.objects.create(
        clinic=world.clinic,
        kind=kind,
        value=value,
        based_on=based_on,
        computed_at=timezone.now(),
    )


NHS_SIX = (
    "Reliable change on the PHQ-9 here means at least 6 points: NHS Talking Therapies points, "
    "from the outcome rules file."
)


def polylines(html: str) -> dict[str, str]:
    return dict(re.findall(r'<polyline class="(\w+)" points="([^"]+)"', html))


def expected_column(html: str) -> list[str]:
    return re.findall(r'<td data-label="Expected">([^<]*)</td>', html)


# What the pages show -------------------------------------------------------------------------


def test_before_any_computation_the_pages_use_the_documented_defaults_and_say_so(client, world):
    finished_courses(world, 31)  # enough for the clinic's own, but not computed yet
    amara_flat(world)
    client.force_login(world.alice)
    html = client.get(MEASURES.format(world.amara.pk)).content.decode()
    assert "Expected course: the documented default" in html
    # 16 starts in the 15-19 band (end ratio 0.5) of a 12-session course: 1 - 0.5 * ln(k) /
    # ln(12) is 0.861 at k = 2 and 0.779 at k = 3; times 16, 13.8 and 12.5.
    assert expected_column(html) == ["16.0", "13.8", "12.5"]
    assert NHS_SIX in html
    client.force_login(world.portal)
    lines = polylines(client.get(PROGRESS).content.decode())
    assert lines["expected"] != lines["line"]  # the default falls below a flat course


#: A flat stored curve for the 15-19 band, on the scale curves are stored on since 2026-12-04.
FLAT = {"scale": "fraction_of_course", "bins": 10, "by_band": {"15-19": [1.0] * 11}}


def test_the_pages_show_the_stored_curve_and_spread(client, world):
    amara_flat(world)
    store(world, "expected_curve", FLAT, 40)
    store(world, "first_score_spread", {"phq9": {"sd": 5.0, "n": 40}}, 40)
    client.force_login(world.alice)
    html = client.get(MEASURES.format(world.amara.pk)).content.decode()
    assert "Expected course: this clinic's own, from 40 finished courses" in html
    assert expected_column(html) == ["16.0", "16.0", "16.0"]
    points = reliable_change(0, 0, sd=5.0, r=0.89).threshold
    assert (
        f"Reliable change on the PHQ-9 here means at least {points:g} points: Jacobson–Truax, "
        "with this clinic's spread of first scores (40 clients)." in html
    )
    client.force_login(world.portal)
    lines = polylines(client.get(PROGRESS).content.decode())
    assert lines["expected"] == lines["line"]  # the stored flat curve, on the flat course


def test_a_curve_stored_by_administration_number_is_not_read_until_the_worker_refits(client, world):
    """Before 2026-12-04 a clinic curve was stored by administration number ({"by_band":
    {band: [ratio at the 1st, 2nd, ... score]}}), whatever the courses' length. It cannot be
    rescaled (it does not say how long its courses were): the pages use the default until the
    worker computes the curve again, on the new scale."""
    amara_flat(world)
    store(world, "expected_curve", {"by_band": {"15-19": [1.0] * 20}}, 40)
    client.force_login(world.alice)
    html = client.get(MEASURES.format(world.amara.pk)).content.decode()
    assert "Expected course: the documented default" in html
    assert expected_column(html) == ["16.0", "13.8", "12.5"]
    finished_courses(world, 31)
    statistics_compute(clinic=world.clinic)
    stored = ClinicStatistic.objects.get(clinic=world.clinic, kind="expected_curve").value
    assert (stored["scale"], stored["bins"]) == ("fraction_of_course", 10)
    html = client.get(MEASURES.format(world.amara.pk)).content.decode()
    assert "Expected course: this clinic's own, from 31 finished courses" in html


def test_a_spread_from_too_few_clients_is_not_used(client, world):
    amara_flat(world)
    store(world, "first_score_spread", {"phq9": {"sd": 5.0, "n": 29}}, 29)
    client.force_login(world.alice)
    html = client.get(MEASURES.format(world.amara.pk)).content.decode()
    assert NHS_SIX in html


def test_another_clinics_statistics_are_not_used(client, world):
    amara_flat(world)
    ClinicStatistic.objects.create(
        clinic=world.other,
        kind="expected_curve",
        value=FLAT,
        based_on=40,
        computed_at=timezone.now(),
    )
    client.force_login(world.alice)
    html = client.get(MEASURES.format(world.amara.pk)).content.decode()
    assert "Expected course: the documented default" in html


# No work over the whole clinic ----------------------------------------------------------------


def page_queries(http, url: str) -> list[str]:
    http.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


def unscoped(queries: list[str], record: Client) -> list[str]:
    """Queries reading a client table without restricting it to ``record`` (by its id, or by
    the ids of its own courses)."""
    courses = set(Course.objects.filter(client=record).values_list("pk", flat=True))
    wrong = []
    for sql in queries:
        if not any(f'"{table}"' in sql for table in CLIENT_TABLES):
            continue
        if re.search(rf'"client_id" = {record.pk}\b', sql):
            continue
        listed = re.search(r'"course_id" (?:IN \(([\d, ]+)\)|= (\d+)\b)', sql)
        ids = listed and (listed.group(1) or listed.group(2)).split(",")
        if ids and {int(n) for n in ids} <= courses:
            continue
        wrong.append(sql)
    return wrong


def test_neither_page_reads_other_clients_administrations_or_courses(client, world):
    """Fails on the code before this change: the pages read every administration of the
    clinic (the spread of first scores) and every finished course's (the expected curve)."""
    finished_courses(world, 3)
    amara_flat(world)
    statistics_compute(clinic=world.clinic)
    client.force_login(world.alice)
    assert unscoped(page_queries(client, MEASURES.format(world.amara.pk)), world.amara) == []
    client.force_login(world.portal)
    assert unscoped(page_queries(client, PROGRESS), world.amara) == []


def test_the_page_costs_the_same_however_large_the_clinic(client, world):
    amara_flat(world)
    client.force_login(world.alice)
    url = MEASURES.format(world.amara.pk)
    before = len(page_queries(client, url))
    finished_courses(world, 5)
    statistics_compute(clinic=world.clinic)
    assert len(page_queries(client, url)) == before


# The computation --------------------------------------------------------------------------------


def test_the_worker_computes_the_numbers_the_pages_used_to_compute(world):
    """Recomputed here from the data set: the mean ratio of each score to the first over
    finished courses by position in the course (the k-th score of a 12-session course at
    round-half-up(k / 12 * 10) of 10; a course's ratios at one position averaged first; rounded
    to 3, the default where fewer than 5 courses reach that position) and the standard
    deviation of each client's first score."""
    series = finished_courses(world, 31)
    amara_flat(world)  # an active course: counts for the spread, not for the curve
    assert compute_clinic_statistics.call() == 2  # both clinics stored for the first time
    rules = expected_rules()
    curve = ClinicStatistic.objects.get(clinic=world.clinic, kind="expected_curve")
    # By starting band: first scores 12-14 (12 courses), 15-19 (16) and 20 (3, too few for a
    # band of its own, which keeps the default).
    bands = {"10-14": range(10, 15), "15-19": range(15, 20), "20-27": range(20, 28)}
    want = {}
    for band, starts in bands.items():
        courses = [s for s in series if s[0] in starts]
        if len(courses) < rules["min_courses_per_band"]:
            continue
        # make_course contracts 12 sessions: the 2nd to 5th scores are at 2, 3, 3 and 4 of 10
        # (1.67, 2.5 and 3.33 round half up to 2, 3 and 3).
        at = {2: [1], 3: [2, 3], 4: [4]}
        points: list[float | None] = [None] * 11
        for position, ks in at.items():
            ratios = [
                statistics.mean(s[k] / s[0] for k in ks if k < len(s))
                for s in courses
                if ks[0] < len(s)
            ]
            points[position] = round(statistics.mean(ratios), 3) if len(ratios) >= 5 else None
        want[band] = points
    assert sorted(want) == ["10-14", "15-19"]
    assert rules["position_bins"] == 10
    assert (curve.value["by_band"], curve.based_on) == (want, 31)
    assert curve.value["scale"] == "fraction_of_course"
    spread = ClinicStatistic.objects.get(clinic=world.clinic, kind="first_score_spread")
    firsts = [s[0] for s in series] + [16]
    gad7 = [5 + i % 11 for i in range(31)]
    assert spread.value == {
        "phq9": {"sd": statistics.stdev(firsts), "n": 32},
        "gad7": {"sd": statistics.stdev(gad7), "n": 31},
    }
    # What the per-request code before this change gave on this data set (commit 6fda4cd).
    assert spread.value["phq9"]["sd"] == 2.583289975355882
    assert spread.value["gad7"]["sd"] == 3.0896984576394804


def test_a_computation_is_audited_when_a_value_changes_only(world):
    finished_courses(world, 2)
    assert sorted(statistics_compute(clinic=world.clinic)) == [
        "expected_curve",
        "first_score_spread",
    ]
    rows = AuditEvent.objects.filter(action="clinic_statistics.compute")
    assert [(r.clinic_id, r.actor_label, r.detail) for r in rows.all()] == [
        (world.clinic.pk, "gentle worker", "expected_curve=2 first_score_spread=2")
    ]
    first = ClinicStatistic.objects.get(clinic=world.clinic, kind="expected_curve").computed_at
    assert statistics_compute(clinic=world.clinic) == []
    assert rows.count() == 1
    again = ClinicStatistic.objects.get(clinic=world.clinic, kind="expected_curve").computed_at
    assert again > first  # fresh, though unchanged
    finished_courses(world, 1)
    assert statistics_compute(clinic=world.clinic) == ["expected_curve", "first_score_spread"]
    assert rows.count() == 2
