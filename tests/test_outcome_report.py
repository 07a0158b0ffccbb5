"""The clinic's outcome report (issue 25 part 3, ADR 0058): a small clinic with known courses
and figures worked out by hand; the stored results; the period, breakdowns, bad input; who may
read it; the CSV and PDF; a fixed number of queries whatever the number of courses.

The clinic (Alice's and Bob's clients; PHQ-9 -> PHQ-9, GAD-7 -> GAD-7 given in the same
sessions unless said; no clinic spread yet, so reliable change is 6 PHQ-9 and 4 GAD-7 points;
caseness PHQ-9 10, GAD-7 8; response a fall of half; remission below 5):

    A1 Alice completed   15->4  12->3   case, recovered, RI, RR, response, remission
    A2 Alice ended early 14->12 10->9   case, nothing else
    A3 Alice completed   16->8  12->?   GAD-7 only at the start: data incomplete; response
    A4 Alice ended early 15, 5 in one attended session: not yet (two sessions needed)
    B1 Bob   completed   8->16  5->12   no case at the start; reliable deterioration
    B2 Bob   completed   20->9  15->6   case, recovered, RI, RR, response (9 is no remission)

    finished 6; completed 4 of 6; paired data 4 of 6 (A1 A2 B1 B2); cases 3 (A1 A2 B2);
    recovery 2 of 3; reliable improvement 2 of 4; reliable recovery 2 of 3; deterioration 1 of
    4; response 3 of 5 (A1 A3 B2); remission 1 of 5.
"""

import csv
import io
import math
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from gentle.audit.models import AuditEvent
from gentle.courses import actions as course_actions
from gentle.intake.models import IntakeRequest
from gentle.lib.outcomes import Z_95, Z_998, funnel_limits, wilson
from gentle.measures.models import CourseResult
from tests.factories import count_queries, make_client, make_course, make_person, signed_in
from tests.pdf_pages import ink, png_pages
from tests.test_course_outcomes import score, weekly_sessions
from tests.test_group_programme import make_group

pytestmark = pytest.mark.django_db

URL = "/reports/outcomes/"
PDF = "/reports/outcomes/pdf/"


def plain(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def course_of(world, clinician, phq, gad, *, status="completed", sessions=None, name="C"):
    client = make_client(world.clinic, clinicians=[clinician], given_name=name)
    course = make_course(client, created_by=clinician)
    held = weekly_sessions(course, clinician, sessions or len(phq))
    for index, value in enumerate(phq):
        session = held[min(index, len(held) - 1)]
        score(course, clinician, "phq9", value, session=session)
        if index < len(gad) and gad[index] is not None:
            score(course, clinician, "gad7", gad[index], session=session)
    reason = {"end_reason": "Moved away"} if status == "ended_early" else {}
    course_actions.course_update(by=clinician, course=course, status=status, **reason)
    return course


@pytest.fixture
def clinic(world):
    bob = world.bob
    courses = {
        "A1": course_of(world, world.alice, [15, 4], [12, 3], name="Ana"),
        "A2": course_of(world, world.alice, [14, 12], [10, 9], status="ended_early", name="Bea"),
        "A3": course_of(world, world.alice, [16, 8], [12, None], name="Cai"),
        "A4": course_of(world, world.alice, [15, 5], [12, 3], status="ended_early", sessions=1),
        "B1": course_of(world, bob, [8, 16], [5, 12], name="Dan"),
        "B2": course_of(world, bob, [20, 9], [15, 6], name="Eve"),
    }
    # A course still running: started, not finished.
    make_course(make_client(world.clinic, clinicians=[world.alice]), created_by=world.alice)
    IntakeRequest.objects.create(clinic=world.clinic, name="Req", contact="email", message="…")
    old = IntakeRequest.objects.create(
        clinic=world.clinic, name="Old", contact="email", message="…"
    )
    IntakeRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=800))
    return courses


# The interval ------------------------------------------------------------------------------


def test_wilson_interval_hand_computed_cases():
    """2 of 3: p = 0.667, z² = 3.8415; centre (0.667 + 0.640) / 2.2805 = 0.5731, half-width
    0.8594 × √(0.0741 + 0.1067) = 0.3654: 20.8% to 93.9%. 1 of 5: 3.6% to 62.4%. 0 of 10:
    0 to 27.8%. Published values (Newcombe 1998, table I: 0/10 0–0.2775)."""
    two_of_three = wilson(2, 3)
    assert (two_of_three.low_percent, two_of_three.high_percent) == (20.8, 93.9)
    one_of_five = wilson(1, 5)
    assert (one_of_five.low_percent, one_of_five.high_percent) == (3.6, 62.4)
    none = wilson(0, 10)
    assert none.low == 0 and round(none.high, 4) == 0.2775
    assert wilson(0, 0).rate is None and wilson(0, 0).low is None


@given(
    st.integers(min_value=1, max_value=5000).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_wilson_interval_holds_the_rate_within_zero_and_one(pair):
    count, n = pair
    found = wilson(count, n)
    assert 0 <= found.low <= found.rate <= found.high <= 1
    assert found.high - found.low > 0  # never of zero width, even at 0 or n
    mirrored = wilson(n - count, n)  # symmetric: the interval of the complement mirrors it
    assert math.isclose(mirrored.low, 1 - found.high, abs_tol=1e-9)


@given(st.floats(0, 1), st.integers(1, 10_000))
def test_funnel_limits_widen_with_z_and_narrow_with_n(rate, n):
    low95, high95 = funnel_limits(rate, n, z=Z_95)
    low998, high998 = funnel_limits(rate, n, z=Z_998)
    assert 0 <= low998 <= low95 <= rate <= high95 <= high998 <= 1
    wider = funnel_limits(rate, n * 4, z=Z_95)
    assert wider[0] >= low95 - 1e-12 and wider[1] <= high95 + 1e-12


def test_wilson_refuses_a_count_beyond_n():
    with pytest.raises(ValueError):
        wilson(4, 3)


# Stored results ----------------------------------------------------------------------------


def test_finishing_a_course_stores_its_outcome_as_the_measures_page_judges_it(world, clinic):
    a1 = CourseResult.objects.get(course=clinic["A1"])
    assert (a1.state, a1.complete, a1.clinician_id, a1.format) == (
        "outcome",
        True,
        world.alice.pk,
        "individual",
    )
    assert (a1.recovered, a1.reliable_recovery, a1.response, a1.remission) == (True,) * 4
    assert (a1.first_depression, a1.last_depression) == (15, 4)
    a3 = CourseResult.objects.get(course=clinic["A3"])
    assert (a3.state, a3.complete, a3.recovered, a3.response) == ("outcome", False, None, True)
    a4 = CourseResult.objects.get(course=clinic["A4"])
    assert (a4.state, a4.recovered, a4.response) == ("not_yet", None, None)
    b1 = CourseResult.objects.get(course=clinic["B1"])
    assert (b1.case_at_start, b1.recovered, b1.reliable_deterioration) == (False, False, True)


def test_a_reopened_course_loses_its_stored_outcome(world, clinic):
    course = clinic["A1"]
    course_actions.course_update(by=world.alice, course=course, status="active")
    assert not CourseResult.objects.filter(course=course).exists()


def test_a_late_score_of_a_finished_course_writes_its_outcome_again(world, clinic):
    from gentle.measures import actions
    from gentle.measures.instruments import catalogue

    course = clinic["A2"]  # 14 -> 12: no remission
    administration = actions.administration_start(
        by=world.alice,
        client=course.client,
        instrument=catalogue()["phq9"],
        mode="in_session",
        course=course,
    )
    answers = {f"phq9_{i}": 0 for i in range(1, 10)}
    actions.administration_submit(
        by=world.alice, administration=administration, answers=answers, role="clinician"
    )
    result = CourseResult.objects.get(course=course)
    assert (result.last_depression, result.remission) == (0, True)


def test_an_attendance_corrected_after_the_course_finished_writes_its_outcome_again(world, clinic):
    """A1 finished with its two sessions attended (15 -> 4: recovered). Its clinician then
    records the first as missed: one attended session is fewer than the rules ask, so the
    stored outcome becomes "not yet", as the measures page says; back to attended, it returns."""
    course = clinic["A1"]
    first = course.sessions.order_by("starts_at").first()
    http = signed_in(world.alice)
    http.post(f"/sessions/{first.pk}/attendance/", {"attendance": "no_show"})
    result = CourseResult.objects.get(course=course)
    assert (result.attended, result.state, result.recovered) == (1, "not_yet", None)
    http.post(f"/sessions/{first.pk}/attendance/", {"attendance": "attended"})
    result = CourseResult.objects.get(course=course)
    assert (result.attended, result.state, result.recovered) == (2, "outcome", True)


def test_the_worker_fills_in_finished_courses_without_a_result(world, clinic):
    from gentle.measures.actions import results_fill_missing

    CourseResult.objects.filter(course=clinic["B2"]).delete()
    assert results_fill_missing(clinic=world.clinic) == 1
    assert CourseResult.objects.get(course=clinic["B2"]).recovered is True
    assert AuditEvent.objects.filter(action="course_results.store").exists()


# The page ----------------------------------------------------------------------------------


def figure_cells(html: str, table_id: str) -> list[list[str]]:
    import re

    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    return [[plain(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_clinic_line_has_the_hand_computed_figures(world, clinic):
    page = signed_in(world.sue).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    [total] = figure_cells(html, "outcome-table")
    assert total[:4] == [
        "All courses",
        "1",  # one referral in the period (the other is 800 days old)
        "7",  # six finished and one running, all started today
        "6 (2 ended early; 1 without an outcome)",
    ]
    assert total[4] == "66.7% (4 of 6; 95% CI 30.0–90.3%)"  # completion
    assert total[5].startswith("66.7% (4 of 6;")  # paired data: A3's GAD-7, A4 not yet
    assert total[6] == "66.7% (2 of 3; 95% CI 20.8–93.9%)"  # recovery
    assert total[7].startswith("50.0% (2 of 4;")  # reliable improvement
    assert total[8].startswith("66.7% (2 of 3;")  # reliable recovery
    assert total[9].startswith("25.0% (1 of 4;")  # reliable deterioration
    assert total[10].startswith("60.0% (3 of 5;")  # response
    assert total[11] == "20.0% (1 of 5; 95% CI 3.6–62.4%)"  # remission
    assert "These figures describe these courses only" in plain(html)


def test_by_clinician_and_the_funnel_plot(world, clinic):
    html = signed_in(world.admin).get(URL, {"breakdown": "clinician"}).content.decode()
    rows = {row[0]: row for row in figure_cells(html, "outcome-table")}
    alice, bob = rows[str(world.alice)], rows[str(world.bob)]
    assert alice[1] == "—" and alice[2] == "5" and alice[3].startswith("4 ")
    assert alice[6].startswith("50.0% (1 of 2;")  # recovery: A1 of A1, A2
    assert bob[6].startswith("100.0% (1 of 1;")
    assert bob[9].startswith("50.0% (1 of 2;")  # B1 deteriorated
    funnel = {row[1]: row for row in figure_cells(html, "funnel-table")}
    # Clinic rate 2/3; Alice n = 2: 2/3 ± 1.96 √(2/9 / 2) = 0.667 ± 0.653 -> 1.3–100%.
    assert funnel[str(world.alice)][3] == "1.3–100.0%"
    assert funnel[str(world.alice)][5] == "within the limits"
    assert '<svg class="funnel"' in html and "95% control limits" in html


def test_by_format_problem_area_and_group(world, clinic):
    group = make_group(
        world, "Tuesday group", facilitator=world.alice, starts_on=date.today(), status="running"
    )
    from gentle.groups.models import GroupMember

    for key in ("A1", "B2"):
        course = clinic[key]
        GroupMember.objects.create(
            group=group, client=course.client, course=course, joined_on=date.today()
        )
    http = signed_in(world.sue)
    rows = {
        r[0]: r
        for r in figure_cells(
            http.get(URL, {"breakdown": "group"}).content.decode(), "outcome-table"
        )
    }
    assert rows["Tuesday group"][3].startswith("2 ") and rows["Tuesday group"][6].startswith(
        "100.0% (2 of 2;"
    )
    assert rows["Not in a group"][3].startswith("4 ")
    rows = {
        r[0]: r
        for r in figure_cells(
            http.get(URL, {"breakdown": "format"}).content.decode(), "outcome-table"
        )
    }
    assert rows["Individual IPT"][2:4] == ["7", "6 (2 ended early; 1 without an outcome)"]
    rows = {
        r[0]: r
        for r in figure_cells(
            http.get(URL, {"breakdown": "problem_area"}).content.decode(), "outcome-table"
        )
    }
    assert rows["No problem area agreed"][3].startswith("6 ")


def test_a_long_breakdown_is_shown_25_lines_a_page_and_the_csv_has_them_all(world, clinic):
    """300 groups made the page 362 KB (docs/performance.md): the page shows the clinic's line
    and 25 of the breakdown's lines, with links to the others; the CSV keeps every line."""
    from gentle.groups.models import GroupMember

    for n in range(29):
        group = make_group(
            world,
            f"Group {n:02}",
            facilitator=world.alice,
            starts_on=date.today(),
            status="running",
        )
        course = make_course(make_client(world.clinic, clinicians=[world.alice]))
        GroupMember.objects.create(
            group=group, client=course.client, course=course, joined_on=date.today()
        )
    http = signed_in(world.sue)
    first = http.get(URL, {"breakdown": "group"})
    html = first.content.decode()
    names = [row[0] for row in figure_cells(html, "outcome-table")]
    # 29 groups and "Not in a group": 30 lines, sorted by name, "Not in a group" last.
    assert names == ["All courses"] + [f"Group {n:02}" for n in range(25)]
    assert "lines 1–25 of 30" in plain(html)
    assert "the CSV and the PDF have all 30" in plain(html)
    assert 'href="?breakdown=group&amp;page=2" rel="next">Next lines</a>' in html
    second = http.get(URL, {"breakdown": "group", "page": "2"}).content.decode()
    names = [row[0] for row in figure_cells(second, "outcome-table")]
    assert names == [
        "All courses",
        "Group 25",
        "Group 26",
        "Group 27",
        "Group 28",
        "Not in a group",
    ]
    assert 'href="?breakdown=group&amp;page=1" rel="prev">Previous lines</a>' in second
    # The clinic's line is the same on every page; a bad page number shows the first page.
    assert figure_cells(second, "outcome-table")[0] == figure_cells(html, "outcome-table")[0]
    bad = http.get(URL, {"breakdown": "group", "page": "x"})
    assert bad.status_code == 200
    assert figure_cells(bad.content.decode(), "outcome-table") == figure_cells(
        html, "outcome-table"
    )
    # The CSV link does not carry the page, and the CSV has every line.
    assert 'href="/reports/outcomes.csv?breakdown=group"' in html
    rows = list(
        csv.DictReader(
            io.StringIO(http.get("/reports/outcomes.csv", {"breakdown": "group"}).content.decode())
        )
    )
    assert len(rows) == 31
    # A short breakdown has no page links.
    short = http.get(URL, {"breakdown": "format"}).content.decode()
    assert "Next lines" not in short and "lines 1–" not in plain(short)


def test_the_period_leaves_out_courses_finished_outside_it(world, clinic):
    tomorrow = timezone.localdate() + timedelta(days=1)
    html = (
        signed_in(world.sue)
        .get(
            URL, {"start": tomorrow.isoformat(), "end": (tomorrow + timedelta(days=5)).isoformat()}
        )
        .content.decode()
    )
    [total] = figure_cells(html, "outcome-table")
    assert total[1:4] == ["0", "0", "0"]
    assert total[6] == "Not enough data"


def test_bad_dates_say_so_and_keep_what_was_typed(world, clinic):
    page = signed_in(world.sue).get(URL, {"start": "31/31/2026", "end": "2026-01-01"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Enter a valid date." in html and 'value="31/31/2026"' in html
    [total] = figure_cells(html, "outcome-table")  # the default period still answers
    assert total[3].startswith("6 ")
    page = signed_in(world.sue).get(URL, {"start": "2026-05-01", "end": "2026-01-01"})
    assert page.status_code == 400 and "The end of the period is before its start." in (
        page.content.decode()
    )


def test_only_administrators_and_supervisors_of_the_clinic(world, clinic):
    assert signed_in(world.alice).get(URL).status_code == 404
    assert signed_in(world.far_clinician).get(URL).status_code == 404
    other_admin = make_person(world.other, "admin")
    html = signed_in(other_admin).get(URL).content.decode()  # their own clinic: none of these
    [total] = figure_cells(html, "outcome-table")
    assert total[3] == "0"


def test_reading_it_is_audited(world, clinic):
    signed_in(world.sue).get(URL)
    event = AuditEvent.objects.filter(action="outcome_report.view").latest("pk")
    assert event.detail == "count=6" and event.actor_id == world.sue.pk


def test_a_fixed_number_of_queries_whatever_the_number_of_courses(world, clinic):
    http = signed_in(world.sue)
    url = URL + "?breakdown=clinician"
    by_group = URL + "?breakdown=group"
    few, few_by_group = count_queries(http, url), count_queries(http, by_group)
    for n in range(5):
        course_of(world, world.bob, [18, 6], [11, 2], name=f"More{n}")
    assert count_queries(http, url) == few
    assert count_queries(http, by_group) == few_by_group


# CSV and PDF -------------------------------------------------------------------------------


def test_csv_has_the_same_figures(world, clinic):
    page = signed_in(world.sue).get(URL.rstrip("/") + ".csv", {"breakdown": "clinician"})
    assert page["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(page.content.decode())))
    total = rows[0]
    assert (total["name"], total["referrals"], total["started"], total["finished"]) == (
        "All courses",
        "1",
        "7",
        "6",
    )
    assert (total["recovery_count"], total["recovery_n"], total["recovery_percent"]) == (
        "2",
        "3",
        "66.7",
    )
    assert (total["recovery_low"], total["recovery_high"]) == ("20.8", "93.9")
    bob = next(r for r in rows if r["name"] == str(world.bob))
    assert (bob["breakdown"], bob["referrals"], bob["reliable_deterioration_count"]) == (
        "clinician",
        "",
        "1",
    )
    assert AuditEvent.objects.filter(action="outcome_report.csv").exists()


def test_pdf_is_prepared_in_the_background_and_has_the_table_and_the_funnel_plot(
    world, clinic, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    from gentle.reports.tasks import render_report_pdf

    http = signed_in(world.sue)
    page = http.post(PDF, {"start": "", "end": "", "breakdown": "clinician"})
    assert page.status_code == 302
    queued = DBTaskResult.objects.get(task_path="gentle.reports.tasks.render_report_pdf")
    assert "Waiting" in plain(http.get(PDF + "status/").content.decode())
    assert http.get(PDF + "latest.pdf")["Location"] == PDF  # not ready yet: its progress
    render_report_pdf.call(*queued.args_kwargs["args"])
    assert "data-poll" not in http.get(PDF + "status/").content.decode()  # done: no polling
    page = http.get(PDF + "latest.pdf")
    assert page["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(page.content)).pages)
    flat = " ".join(text.split())
    assert "Outcome report" in flat and "All courses" in flat
    assert "2 of 3" in flat and "Recovery by clinician" in flat
    assert "99.8% control limits" in flat  # the funnel plot's legend, drawn in the PDF
    assert str(world.bob) in flat
    # Issue 26: each document is also looked at as pages. The funnel plot is vector paths, no
    # picture, and every page has something drawn on it.
    reader = PdfReader(io.BytesIO(page.content))
    assert all(not p.images for p in reader.pages)
    pages = png_pages(page.content, tmp_path, "outcome-report")
    assert pages and ink(pages[0]) > 0.02 and all(ink(p) > 0.001 for p in pages)
    assert AuditEvent.objects.filter(action="outcome_report.pdf").exists()
    assert AuditEvent.objects.filter(action="outcome_report.pdf_download").exists()
    # Someone else's PDF is not theirs to download.
    assert signed_in(world.admin).get(PDF + "latest.pdf")["Location"] == PDF


def test_a_pdf_with_a_bad_date_is_not_asked_for(world, clinic):
    http = signed_in(world.sue)
    page = http.post(PDF, {"start": "2026-13-01", "end": "", "breakdown": ""})
    assert page.status_code == 400 and "Enter a valid date." in page.content.decode()
    from gentle.reports.models import ReportPdf

    assert not ReportPdf.objects.exists()
