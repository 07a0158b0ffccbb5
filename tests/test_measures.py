"""Questionnaires through HTTP: giving them in session, saving, submitting, checking answers,
corrections, the results page with its chart and table, course outcomes and who may do what."""

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from gentle.accounts.models import Role, User
from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.courses.models import Course
from gentle.measures.models import Administration
from tests.factories import count_queries, make_client, make_person, supervise, visible_text
from tests.world import World, sue_supervises_alice

pytestmark = pytest.mark.django_db

# Items 1-9 sum to 10 (Moderate); the difficulty item is not part of the total.
PHQ9_MODERATE = [1, 2, 1, 2, 1, 1, 1, 1, 0]


@pytest.fixture
def world(world) -> World:
    return sue_supervises_alice(world)


@pytest.fixture
def alice(client, world) -> HttpClient:
    client.force_login(world.alice)
    return client


def results_url(record: Client) -> str:
    return f"/clients/{record.pk}/measures/"


def fill_url(administration: Administration) -> str:
    return f"/administrations/{administration.pk}/"


def phq9(items, difficulty=None) -> dict[str, str]:
    answers = {f"phq9_{n}": str(value) for n, value in enumerate(items, start=1)}
    if difficulty is not None:
        answers["phq9_difficulty"] = str(difficulty)
    return answers


def gad7(items) -> dict[str, str]:
    return {f"gad7_{n}": str(value) for n, value in enumerate(items, start=1)}


def items_summing_to(total: int, count: int) -> list[int]:
    """``count`` answers of 0-3 that add up to ``total``."""
    values = []
    for _ in range(count):
        values.append(min(3, total))
        total -= values[-1]
    assert total == 0
    return values


def start(http: HttpClient, record: Client, instrument: str = "phq9") -> Administration:
    """Start a questionnaire in session; the clinician lands on its answer form."""
    before = set(Administration.objects.values_list("pk", flat=True))
    response = http.post(
        f"/clients/{record.pk}/measures/new/", {"instrument": instrument, "mode": "in_session"}
    )
    (new,) = Administration.objects.exclude(pk__in=before)
    assert response.status_code == 302
    assert response["Location"] == fill_url(new)
    return new


def post_answers(http: HttpClient, administration: Administration, answers: dict, *, submit=True):
    return http.post(fill_url(administration), {**answers, "submit": "1" if submit else "0"})


def give(http: HttpClient, record: Client, instrument: str, answers: dict) -> Administration:
    """Start, answer and submit a questionnaire in session."""
    administration = start(http, record, instrument)
    response = post_answers(http, administration, answers)
    assert response.status_code == 302, response.content.decode()[:2000]
    administration.refresh_from_db()
    assert administration.status == "submitted"
    return administration


def strip_tags(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def result_section(html: str, instrument: str) -> str:
    match = re.search(
        rf'<section class="card result" aria-labelledby="result-{instrument}">'
        r"(.*?)</section>",
        html,
        re.S,
    )
    assert match, f"no results for {instrument}"
    return match.group(1)


def table_rows(html: str, instrument: str) -> list[dict[str, str]]:
    """The results table of one instrument: one dict per row, keyed by column label."""
    body = re.search(r"<tbody>(.*?)</tbody>", result_section(html, instrument), re.S).group(1)
    return [
        {
            label: strip_tags(cell)
            for label, cell in re.findall(r'<td data-label="([^"]*)">(.*?)</td>', row, re.S)
        }
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def snapshot(administration: Administration) -> tuple:
    administration.refresh_from_db()
    return (
        administration.status,
        administration.answers,
        administration.scores,
        administration.submitted_at,
        administration.submitted_by_id,
    )


# Giving a questionnaire in session ----------------------------------------------------------


def test_clinician_starts_a_questionnaire_in_session_and_is_taken_to_its_form(alice, world):
    administration = start(alice, world.amara)
    assert administration.instrument_id == "phq9"
    assert administration.mode == "in_session"
    assert administration.status == "in_progress"
    assert administration.created_by == world.alice
    page = alice.get(fill_url(administration))
    html = page.content.decode()
    assert page.status_code == 200
    assert "PHQ-9 (depression)" in html
    assert "Little interest or pleasure in doing things" in html
    assert 'name="phq9_9"' in html
    assert AuditEvent.objects.filter(
        action="administration.create", object_id=str(administration.pk)
    ).exists()


def test_save_and_continue_keeps_partial_answers_without_scoring(alice, world):
    administration = start(alice, world.amara)
    response = post_answers(alice, administration, {"phq9_1": "1", "phq9_2": "3"}, submit=False)
    assert response.status_code == 302
    assert response["Location"] == fill_url(administration)
    administration.refresh_from_db()
    assert administration.status == "in_progress"
    assert administration.answers == {"phq9_1": 1, "phq9_2": 3}
    assert administration.scores == {}
    assert administration.submitted_at is None
    html = alice.get(fill_url(administration)).content.decode()
    assert "Saved. You can come back and finish later." in html
    assert re.search(r'<input[^>]*name="phq9_2"[^>]*value="3"[^>]*checked', html)
    assert (
        "No questionnaires submitted yet." in alice.get(results_url(world.amara)).content.decode()
    )


def test_submitting_stores_answers_and_the_total_of_items_one_to_nine(alice, world):
    administration = start(alice, world.amara)
    post_answers(alice, administration, phq9([0, 0, 1]), submit=False)
    response = post_answers(alice, administration, phq9(PHQ9_MODERATE, difficulty=3))
    assert response.status_code == 302
    assert response["Location"] == results_url(world.amara)
    administration.refresh_from_db()
    assert administration.status == "submitted"
    assert administration.submitted_by == world.alice
    assert administration.submitted_at is not None
    assert administration.answers == {
        **{f"phq9_{n}": v for n, v in enumerate(PHQ9_MODERATE, start=1)},
        "phq9_difficulty": 3,
    }
    assert administration.scores == {"total": 10}  # not 13: the difficulty item is not summed
    html = alice.get(results_url(world.amara)).content.decode()
    assert "Submitted and scored." in html
    (row,) = table_rows(html, "phq9")
    assert row["PHQ-9 total"] == "10"
    assert row["Band"] == "Moderate"
    assert row["From first"] == row["From last"] == "—"


def test_results_page_shows_totals_bands_changes_a_chart_and_the_table(alice, world):
    for total in (18, 12, 10):
        give(alice, world.amara, "phq9", phq9(items_summing_to(total, 9)))
    html = alice.get(results_url(world.amara)).content.decode()
    section = result_section(html, "phq9")
    assert re.search(r'<svg class="chart"[^>]*role="img"', section)
    assert 'aria-label="PHQ-9 (depression): PHQ-9 total"' in section
    assert "<table" in section
    rows = table_rows(html, "phq9")
    assert [(r["PHQ-9 total"], r["Band"], r["From first"], r["From last"]) for r in rows] == [
        ("18", "Moderately severe", "—", "—"),
        ("12", "Moderate", "-6", "-6"),
        ("10", "Moderate", "-8", "-2"),
    ]
    # 6 points is the NHS Talking Therapies reliable change until the clinic has 30 first scores.
    assert [r["Reliable change"] for r in rows] == [
        "—",
        "Reliable improvement",
        "Reliable improvement",
    ]


def test_wsas_with_work_not_applicable_prorates_the_other_four(alice, world):
    # 3 + 4 + 5 + 6 = 18 over four items: 18 / 4 * 5 = 22.5, rounded half up to 23, which
    # reads "Moderately severe or worse" (18 alone read "Significant impairment"; issue 25).
    answers = {"w1": "na", "w2": "3", "w3": "4", "w4": "5", "w5": "6"}
    administration = give(alice, world.amara, "wsas", answers)
    assert administration.answers == {"w1": None, "w2": 3, "w3": 4, "w4": 5, "w5": 6}
    assert administration.scores == {"total": 23}
    (row,) = table_rows(alice.get(results_url(world.amara)).content.decode(), "wsas")
    assert row["WSAS total"] == "23 (prorated: 1 item not applicable)"
    assert row["Band"] == "Moderately severe or worse"


# Answers that are refused -------------------------------------------------------------------


def refused_without_change(http, administration, answers, message, *, submit=True):
    before = snapshot(administration)
    response = post_answers(http, administration, answers, submit=submit)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Some answers need attention:" in html
    assert snapshot(administration) == before
    assert not AuditEvent.objects.filter(
        action="administration.submit", object_id=str(administration.pk)
    ).exists()


def test_out_of_range_answer_is_refused_naming_the_question(alice, world):
    administration = start(alice, world.amara)
    post_answers(alice, administration, {"phq9_1": "2"}, submit=False)
    answers = phq9([1, 1, 7, 1, 1, 1, 1, 1, 1])
    refused_without_change(
        alice, administration, answers, "Question 3: choose one of the answers offered."
    )
    refused_without_change(
        alice,
        administration,
        answers,
        "Question 3: choose one of the answers offered.",
        submit=False,
    )
    assert administration.answers == {"phq9_1": 2}
    assert administration.status == "in_progress"


def test_missing_required_answer_is_refused_naming_the_question(alice, world):
    administration = start(alice, world.amara)
    post_answers(alice, administration, {"phq9_1": "2"}, submit=False)
    answers = phq9([1, 1, 1, 1, 1, 1, 1, 1, 0])  # no risk answer: see test_risk_answers.py
    del answers["phq9_4"]
    refused_without_change(alice, administration, answers, "Question 4 needs an answer.")
    assert administration.scores == {}
    assert administration.answers == {"phq9_1": 2}


def test_answer_inside_a_skipped_branch_is_refused_naming_the_question(alice, world):
    administration = start(alice, world.amara, "cssrs_screener")
    answers = {"q1": "1", "q2": "0", "q3": "1", "q6": "0"}
    refused_without_change(
        alice,
        administration,
        answers,
        "Question 3 is only asked after another answer; leave it empty.",
    )
    assert administration.status == "in_progress"
    assert administration.answers == {}
    assert not administration.client.alerts.exists()


def test_a_submitted_administration_never_changes(alice, world):
    administration = give(alice, world.amara, "phq9", phq9(PHQ9_MODERATE))
    before = snapshot(administration)
    for submit in (True, False):
        response = post_answers(alice, administration, phq9([3] * 9), submit=submit)
        assert response.status_code == 302
        assert response["Location"] == results_url(world.amara)
        assert snapshot(administration) == before
    assert before[2] == {"total": 10}
    assert (
        AuditEvent.objects.filter(
            action="administration.submit", object_id=str(administration.pk)
        ).count()
        == 1
    )


def test_a_correction_is_a_new_administration_and_replaces_the_old_in_the_results(alice, world):
    old = give(alice, world.amara, "phq9", phq9(PHQ9_MODERATE))
    old_state = snapshot(old)
    response = alice.post(f"/administrations/{old.pk}/correct/")
    new = Administration.objects.get(corrects=old)
    assert response.status_code == 302
    assert response["Location"] == fill_url(new)
    assert new.status == "in_progress"
    assert new.answers == old.answers  # prefilled
    html = alice.get(fill_url(new)).content.decode()
    assert "This corrects earlier answers." in html
    assert re.search(r'<input[^>]*name="phq9_2"[^>]*value="2"[^>]*checked', html)
    # Before the correction is submitted, the results still show the old answers.
    (row,) = table_rows(alice.get(results_url(world.amara)).content.decode(), "phq9")
    assert row["PHQ-9 total"] == "10"

    corrected = phq9([1, 1, 1, 1, 1, 1, 1, 0, 0])
    assert post_answers(alice, new, corrected).status_code == 302
    new.refresh_from_db()
    assert new.status == "submitted"
    assert new.scores == {"total": 7}
    (row,) = table_rows(alice.get(results_url(world.amara)).content.decode(), "phq9")
    assert row["PHQ-9 total"] == "7"
    assert row["Band"] == "Mild"
    assert snapshot(old) == old_state  # the earlier answers stay, unchanged
    assert Administration.objects.filter(client=world.amara).count() == 2
    assert AuditEvent.objects.filter(
        action="administration.correct", object_id=str(new.pk)
    ).exists()


# Assigning to the portal --------------------------------------------------------------------


def test_a_clinician_rated_instrument_cannot_be_assigned_to_the_portal(alice, world):
    response = alice.post(
        f"/clients/{world.amara.pk}/measures/new/",
        {"instrument": "hamd17", "mode": "portal"},
        follow=True,
    )
    assert response.status_code == 200
    assert "This questionnaire is rated by the clinician, not the client." in (
        response.content.decode()
    )
    assert not Administration.objects.filter(client=world.amara).exists()


def test_a_self_report_instrument_is_assigned_to_the_portal_and_waits(alice, world):
    response = alice.post(
        f"/clients/{world.amara.pk}/measures/new/",
        {"instrument": "phq9", "mode": "portal"},
        follow=True,
    )
    html = response.content.decode()
    assert "Assigned: the client will find it in their portal." in html
    assert "Waiting for answers" in html
    # Each waiting questionnaire by its name (the list showed " · In the client portal").
    waiting = html.split("Waiting for answers", 1)[1].split("</ul>", 1)[0]
    assert "<li>PHQ-9 (depression) · In the client portal" in waiting, waiting
    administration = Administration.objects.get(client=world.amara)
    assert (administration.mode, administration.status) == ("portal", "assigned")


# Course outcomes ----------------------------------------------------------------------------


def make_course(record: Client, by: User) -> Course:
    return Course.objects.create(
        client=record,
        format="individual",
        contracted_sessions=12,
        session_minutes=50,
        initial_last=3,
        termination_first=10,
        start_date=timezone.localdate() - timedelta(days=30),
        status="active",
        created_by=by,
    )


OUTCOME_TITLE = "Course outcome (first to last score)"


def outcome_lines(html: str) -> dict[str, str]:
    block = re.search(r'<ul class="outcomes">(.*?)</ul>', html, re.S).group(1)
    return dict(strip_tags(li).split(": ", 1) for li in re.findall(r"<li>(.*?)</li>", block, re.S))


def test_a_running_course_has_no_outcome_yet_however_good_its_scores(alice, world):
    """Issue 25: this course (active, no attended session) once showed "Recovery: yes" and
    "Reliable recovery: yes"; tests/test_course_outcomes.py has the finished cases."""
    make_course(world.amara, world.alice)
    give(alice, world.amara, "phq9", phq9(items_summing_to(15, 9)))
    give(alice, world.amara, "gad7", gad7(items_summing_to(12, 7)))
    give(alice, world.amara, "phq9", phq9(items_summing_to(4, 9)))
    give(alice, world.amara, "gad7", gad7(items_summing_to(3, 7)))
    html = alice.get(results_url(world.amara)).content.decode()
    assert OUTCOME_TITLE in html
    assert "Not yet: the course is still running; fewer than 2 sessions attended." in strip_tags(
        html
    )
    assert '<ul class="outcomes">' not in html


def test_no_outcome_block_without_a_course(alice, world):
    for total_phq, total_gad in ((15, 12), (4, 3)):
        give(alice, world.amara, "phq9", phq9(items_summing_to(total_phq, 9)))
        give(alice, world.amara, "gad7", gad7(items_summing_to(total_gad, 7)))
    assert OUTCOME_TITLE not in alice.get(results_url(world.amara)).content.decode()


def test_no_outcome_until_phq9_is_submitted_twice_in_the_course(alice, world):
    make_course(world.amara, world.alice)
    give(alice, world.amara, "phq9", phq9(items_summing_to(15, 9)))
    give(alice, world.amara, "gad7", gad7(items_summing_to(12, 7)))
    html = strip_tags(alice.get(results_url(world.amara)).content.decode())
    # One score each: there is no first-to-last change yet.
    assert "fewer than two PHQ-9 scores in the course" in html
    assert "Recovery:" not in html


# Who may do what ----------------------------------------------------------------------------


def test_supervisor_reads_the_results_but_cannot_give_submit_or_correct(client, world):
    http = HttpClient()
    http.force_login(world.alice)
    done = give(http, world.amara, "phq9", phq9(PHQ9_MODERATE))
    waiting = start(http, world.amara)
    done_state, waiting_state = snapshot(done), snapshot(waiting)
    count = Administration.objects.count()

    client.force_login(world.sue)
    page = client.get(results_url(world.amara))
    html = page.content.decode()
    assert page.status_code == 200
    (row,) = table_rows(html, "phq9")
    assert (row["PHQ-9 total"], row["Band"]) == ("10", "Moderate")
    assert "Give a questionnaire" not in html
    assert "/correct/" not in html
    new = client.post(
        f"/clients/{world.amara.pk}/measures/new/", {"instrument": "phq9", "mode": "in_session"}
    )
    assert new.status_code == 404
    assert client.get(fill_url(waiting)).status_code == 404
    assert post_answers(client, waiting, phq9([3] * 9)).status_code == 404
    assert post_answers(client, waiting, phq9([3] * 9), submit=False).status_code == 404
    assert client.post(f"/administrations/{done.pk}/correct/").status_code == 404
    assert Administration.objects.count() == count
    assert (snapshot(done), snapshot(waiting)) == (done_state, waiting_state)


def test_clinician_who_also_supervises_reads_but_cannot_write_through_supervision(client, world):
    both = make_person(world.clinic, Role.CLINICIAN, Role.SUPERVISOR)
    supervise(world.clinic, both, world.alice)
    http = HttpClient()
    http.force_login(world.alice)
    waiting = start(http, world.amara)
    before = snapshot(waiting)

    client.force_login(both)
    assert client.get(results_url(world.amara)).status_code == 200
    assert post_answers(client, waiting, phq9(PHQ9_MODERATE)).status_code == 404
    response = client.post(
        f"/clients/{world.amara.pk}/measures/new/", {"instrument": "phq9", "mode": "in_session"}
    )
    assert response.status_code == 404
    assert snapshot(waiting) == before
    assert Administration.objects.count() == 1


def test_another_clinic_gets_404_for_results_forms_and_writes(client, world):
    http = HttpClient()
    http.force_login(world.alice)
    done = give(http, world.amara, "phq9", phq9(PHQ9_MODERATE))
    waiting = start(http, world.amara)
    waiting_state = snapshot(waiting)
    count = Administration.objects.count()

    client.force_login(world.far_clinician)
    assert client.get(results_url(world.amara)).status_code == 404
    assert client.get(fill_url(waiting)).status_code == 404
    assert post_answers(client, waiting, phq9([3] * 9)).status_code == 404
    assert client.post(f"/administrations/{done.pk}/correct/").status_code == 404
    assert (
        client.post(
            f"/clients/{world.amara.pk}/measures/new/",
            {"instrument": "phq9", "mode": "in_session"},
        ).status_code
        == 404
    )
    assert Administration.objects.count() == count
    assert snapshot(waiting) == waiting_state


def test_a_clinician_not_on_the_care_team_gets_404(client, world):
    client.force_login(make_person(world.clinic, Role.CLINICIAN))
    assert client.get(results_url(world.amara)).status_code == 404
    response = client.post(
        f"/clients/{world.amara.pk}/measures/new/", {"instrument": "phq9", "mode": "in_session"}
    )
    assert response.status_code == 404
    assert not Administration.objects.exists()


# Performance --------------------------------------------------------------------------------


def add_submitted(record: Client, by: User, course: Course, count: int) -> None:
    """``count`` submitted administrations, alternating PHQ-9 and GAD-7, a week apart."""
    start_at = timezone.now() - timedelta(days=7 * count)
    for n in range(count):
        Administration.objects.create(
            client=record,
            course=course,
            instrument_id="phq9" if n % 2 == 0 else "gad7",
            instrument_version=1,
            mode="in_session",
            status="submitted",
            created_by=by,
            created_at=start_at + timedelta(days=7 * n),
            submitted_at=start_at + timedelta(days=7 * n),
            submitted_by=by,
            answers={},
            scores={"total": 14 - n},
        )


def test_results_page_query_count_does_not_grow_with_administrations(alice, world):
    few = world.amara
    many = make_client(world.clinic, clinicians=[world.alice], given_name="Bea")
    add_submitted(few, world.alice, make_course(few, world.alice), 2)
    add_submitted(many, world.alice, make_course(many, world.alice), 8)
    html = alice.get(results_url(many)).content.decode()
    assert len(table_rows(html, "phq9")) == len(table_rows(html, "gad7")) == 4
    assert count_queries(alice, results_url(few)) == count_queries(alice, results_url(many))


def test_a_long_history_keeps_the_page_light_and_shows_all_on_request(alice, world):
    """Issue 20: 1,001 answers made a 751 KB page. The table shows the latest 12 per
    questionnaire and the chart the latest 52, each saying so; "show all" lists every answer."""
    many = make_client(world.clinic, clinicians=[world.alice], given_name="Bea")
    add_submitted(many, world.alice, make_course(many, world.alice), 300)
    response = alice.get(results_url(many))
    html = response.content.decode()
    assert len(response.content) < 100_000
    assert len(table_rows(html, "phq9")) == len(table_rows(html, "gad7")) == 12
    text = visible_text(response)
    assert "The chart shows the latest 52 of 150 answers." in text
    assert "The table shows the latest 12 of 150 answers: show all" in text
    everything = alice.get(results_url(many) + "?all=phq9").content.decode()
    assert len(table_rows(everything, "phq9")) == 150
    assert len(table_rows(everything, "gad7")) == 12
    # The latest answer is the last row, and its change counts from the true first answer.
    latest = table_rows(html, "phq9")[-1]
    assert latest["From first"] == "-298"
    assert count_queries(alice, results_url(many)) == count_queries(
        alice, results_url(many) + "?all=phq9"
    )


def test_the_clients_progress_charts_the_latest_answers_and_tables_them_all(client, world):
    add_submitted(world.amara, world.alice, make_course(world.amara, world.alice), 240)
    client.force_login(world.portal)
    response = client.get("/portal/progress/")
    text = visible_text(response)
    assert "The chart shows your latest 52 of 120 answers; the table has them all." in text
    html = response.content.decode()
    phq9 = html[html.index('id="r-phq9"') : html.index('id="goals-title"')]
    assert phq9.count("<tr>") == 121  # the header and every answer


def test_a_clients_answers_are_read_without_an_index_built_over_the_clinic(world):
    """bench/scale.py found the measures page, My progress and the API read growing with the
    clinic on SQLite: counting corrections by a join made SQLite build an automatic index over
    every administration on each request. The lookup now uses the foreign key's index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gentle.measures.selectors import submitted

    other = make_client(world.clinic, clinicians=[world.alice], given_name="Other")
    course = make_course(other, world.alice)
    Administration.objects.bulk_create(
        Administration(
            client=other,
            course=course,
            instrument_id="phq9",
            instrument_version=1,
            mode="in_session",
            status="submitted",
            created_by=world.alice,
            submitted_at=timezone.now(),
            submitted_by=world.alice,
            answers={},
            scores={"total": 9},
        )
        for _ in range(3000)
    )
    add_submitted(world.amara, world.alice, make_course(world.amara, world.alice), 4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        assert len(submitted(world.amara)) == 4
    (sql,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            query_plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "AUTOMATIC" not in query_plan, query_plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            query_plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "measures_administration" in sql
        assert "Seq Scan on measures_administration" not in query_plan, query_plan
    # The answers are searched by an index, never read whole; the corrections by their own.
    assert "admin_corrections" in query_plan, query_plan
    if connection.vendor == "sqlite":
        assert not re.search(r"^SCAN (measures_administration|U0)", query_plan, re.M), query_plan
