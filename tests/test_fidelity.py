"""Session fidelity (issue 25 part 1, ADR 0057): the rating form as data and its one scoring
function (hand-computed cases and properties), who rates which session, bad input, sessions
recorded for supervision, the clinic's sampling rule and the supervisor's sessions to rate, the
course grid's fidelity column and summary, and a clinician's fidelity by month (chart and
table). Fixed query counts on every page."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gentle.audit.models import AuditEvent
from gentle.courses.models import Session
from gentle.fidelity import instrument, tasks
from gentle.fidelity.instrument import NOT_APPLICABLE, FidelityFileError, parse, score
from gentle.fidelity.models import (
    FidelityRating,
    FidelitySettings,
    RecordedSession,
    SampledSession,
)
from tests.factories import (
    add_to_team,
    count_queries,
    make_client,
    make_course,
    make_person,
    make_session,
    signed_in,
    supervise,
    visible_text,
)
from tests.test_home import section
from tests.world import sue_supervises_alice

FORM = instrument.load()
MIDDLE = [i.id for i in FORM.items_for("middle")]
INITIAL = [i.id for i in FORM.items_for("initial")]
QUALITY = [i.id for i in FORM.quality]


# --- the form and its scoring ----------------------------------------------------------------


def test_the_form_names_its_sources_and_says_where_the_licence_is_unconfirmed():
    raw = json.loads((instrument.DATA / instrument.FILE).read_text())
    assert raw["version"] == FORM.version == 1
    assert any("IPT Quality and Adherence Scale" in s for s in FORM.sources)
    assert any("CSPRS" in s for s in FORM.sources)
    assert all("licence unconfirmed" in s for s in FORM.sources[:2])
    assert set(FORM.adherence) == {"initial", "middle", "termination"}
    assert [c.value for c in FORM.adherence_scale] == [0, 1, 2]
    assert FORM.quality_range == (1, 4)


def test_a_broken_form_file_is_refused_at_load():
    raw = json.loads((instrument.DATA / instrument.FILE).read_text())
    for breaks in (
        lambda r: r.pop("sources"),
        lambda r: r["adherence"].pop("termination"),
        lambda r: r["adherence"]["middle"].append(dict(r["adherence"]["middle"][0])),
        lambda r: r["quality"][0].pop("anchor_es"),
        lambda r: r["adherence_scale"].reverse(),
    ):
        broken = copy.deepcopy(raw)
        breaks(broken)
        with pytest.raises(FidelityFileError):
            parse(broken)


def middle_answers(adherence: list, quality: list) -> dict:
    return {
        "adherence": dict(zip(MIDDLE, adherence, strict=True)),
        "quality": dict(zip(QUALITY, quality, strict=True)),
    }


def test_scores_computed_by_hand():
    # Middle phase: 2 + 1 + 2 + 0 + (not applicable) + 1 = 6 of the most 5 items could score
    # (5 × 2 = 10): 60%. Quality (4 + 3 + 3 + 2) / 4 = 3.0.
    answers = middle_answers([2, 1, 2, 0, NOT_APPLICABLE, 1], [4, 3, 3, 2])
    assert score(FORM, "middle", answers) == instrument.Scores(adherence=60.0, quality=3.0)
    # Initial phase, all done well and all quality 4: 100% and 4.
    full = {"adherence": dict.fromkeys(INITIAL, 2), "quality": dict.fromkeys(QUALITY, 4)}
    assert score(FORM, "initial", full) == instrument.Scores(adherence=100.0, quality=4.0)
    # 1 of 2 on three items and "not applicable" elsewhere: 3 of 6 = 50%. Quality 7/4 = 1.75.
    some = middle_answers([1, 1, 1] + [NOT_APPLICABLE] * 3, [1, 2, 2, 2])
    assert score(FORM, "middle", some) == instrument.Scores(adherence=50.0, quality=1.75)
    # Every item not applicable: no adherence score, not 0%.
    none = middle_answers([NOT_APPLICABLE] * 6, [3, 3, 3, 3])
    assert score(FORM, "middle", none).adherence is None


ADHERENCE = st.sampled_from([0, 1, 2, NOT_APPLICABLE])
QUALITY_VALUE = st.sampled_from([1, 2, 3, 4])


@given(
    st.lists(ADHERENCE, min_size=len(MIDDLE), max_size=len(MIDDLE)),
    st.lists(QUALITY_VALUE, min_size=len(QUALITY), max_size=len(QUALITY)),
)
def test_scores_stay_in_range_and_follow_the_answers(adherence, quality):
    result = score(FORM, "middle", middle_answers(adherence, quality))
    applicable = [v for v in adherence if v != NOT_APPLICABLE]
    if not applicable:
        assert result.adherence is None
    else:
        assert 0 <= result.adherence <= 100
        assert (result.adherence == 100) == all(v == 2 for v in applicable)
        assert (result.adherence == 0) == all(v == 0 for v in applicable)
        assert result.adherence == round(100 * sum(applicable) / (2 * len(applicable)), 1)
    assert 1 <= result.quality <= 4
    assert result.quality == round(sum(quality) / len(quality), 2)
    # The order of the items does not matter.
    reordered = middle_answers(adherence[::-1], quality[::-1])
    reordered["adherence"] = dict(zip(MIDDLE[::-1], adherence[::-1], strict=True))
    reordered["quality"] = dict(zip(QUALITY[::-1], quality[::-1], strict=True))
    assert score(FORM, "middle", reordered) == result


@given(
    st.lists(ADHERENCE, min_size=len(MIDDLE), max_size=len(MIDDLE)),
    st.sampled_from(["adherence", "quality"]),
    st.one_of(st.integers().filter(lambda v: v not in (0, 1, 2, 3, 4)), st.text(), st.booleans()),
)
def test_an_answer_off_the_scale_or_missing_is_refused(adherence, part, bad):
    answers = middle_answers(adherence, [3, 3, 3, 3])
    key = next(iter(answers[part]))
    wrong = copy.deepcopy(answers)
    wrong[part][key] = bad
    if not (part == "adherence" and bad == NOT_APPLICABLE):
        with pytest.raises(ValueError):
            score(FORM, "middle", wrong)
    missing = copy.deepcopy(answers)
    del missing[part][key]
    with pytest.raises(ValueError):
        score(FORM, "middle", missing)


# --- rating a session ------------------------------------------------------------------------


def held(course, clinician, days_ago: int, **fields) -> Session:
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    return make_session(
        course,
        clinician,
        starts_at=noon - timedelta(days=days_ago),
        attendance="attended",
        **fields,
    )


@pytest.fixture
def course(world):
    """Amara's course with Alice: four sessions held (the 4th in the middle phase) and one to
    come."""
    course = make_course(world.amara, start_date=timezone.localdate() - timedelta(days=40))
    for days in (28, 21, 14, 7):
        held(course, world.alice, days)
    make_session(course, world.alice, starts_at=timezone.now() + timedelta(days=7))
    return course


def fourth(course) -> Session:
    return course.sessions.order_by("starts_at")[3]


def url(session: Session) -> str:
    return f"/sessions/{session.pk}/fidelity/"


def post_of(adherence: list, quality: list, comment: str = "") -> dict:
    data = {f"a_{item}": str(v) for item, v in zip(MIDDLE, adherence, strict=True)}
    data |= {f"q_{item}": str(v) for item, v in zip(QUALITY, quality, strict=True)}
    data["comment"] = comment
    return data


@pytest.mark.django_db
def test_the_clinician_rates_their_own_session_and_it_is_audited(world, course):
    session = fourth(course)
    alice = signed_in(world.alice)
    page = alice.get(url(session))
    assert page.status_code == 200
    text = visible_text(page)
    assert "Rate your session" in text and "Middle phase" in text
    assert "Work on the agreed problem area" in text and "Warmth and alliance" in text
    assert "Adherence: the tasks of the middle phase" in text
    # The initial phase's own items are not asked.
    assert "Interpersonal inventory" not in text and "Sick role" not in text
    assert AuditEvent.objects.filter(action="fidelity.open", client_id=world.amara.pk).exists()
    response = alice.post(
        url(session), post_of([2, 1, 2, 0, NOT_APPLICABLE, 1], [4, 3, 3, 2], "Went well")
    )
    assert response.status_code == 302
    rating = FidelityRating.objects.get(session=session)
    assert (rating.rater, rating.role, rating.phase) == (world.alice, "self", "middle")
    assert (rating.adherence, rating.quality, rating.comment) == (60.0, 3.0, "Went well")
    assert rating.answers["adherence"]["role_play"] == NOT_APPLICABLE
    event = AuditEvent.objects.get(action="fidelity.rate")
    assert event.object_id == str(rating.pk) and "Went well" not in event.detail
    again = alice.get(url(session))
    assert "Your rating: adherence 60.0%, quality 3.0 of 4." in visible_text(again)
    # Changing it replaces the one rating.
    alice.post(url(session), post_of([2] * 6, [4] * 4))
    assert FidelityRating.objects.get(session=session).adherence == 100.0


@pytest.mark.django_db
def test_the_supervisor_rates_and_sees_the_self_rating(world, course):
    session = fourth(course)
    FidelityRating.objects.create(
        session=session, rater=world.alice, role="self", instrument_version=1, phase="middle",
        adherence=80.0, quality=3.5,
    )  # fmt: skip
    sue = signed_in(world.sue)
    page = sue.get(url(session))
    assert "Rate this session as supervisor" in visible_text(page)
    assert "adherence 80.0%, quality 3.5 of 4" in visible_text(page)
    assert sue.post(url(session), post_of([1] * 6, [3] * 4)).status_code == 302
    rating = FidelityRating.objects.get(session=session, rater=world.sue)
    assert (rating.role, rating.adherence, rating.quality) == ("supervisor", 50.0, 3.0)


@pytest.mark.django_db
def test_a_supervisor_of_the_clinician_rates_too(world, course):
    sue_supervises_alice(world)
    session = fourth(course)
    assert signed_in(world.sue).post(url(session), post_of([2] * 6, [3] * 4)).status_code == 302
    assert FidelityRating.objects.get(session=session).role == "supervisor"


@pytest.mark.django_db
def test_others_are_refused_and_nothing_is_saved(world, course):
    session = fourth(course)
    for person in (world.bob, world.admin, world.far_clinician, world.portal):
        http = signed_in(person)
        assert http.get(url(session)).status_code == 404
        assert http.post(url(session), post_of([2] * 6, [4] * 4)).status_code == 404
    # A clinician of the team rates only their own sessions.
    colleague = make_person(world.clinic, "clinician")
    world.amara.care_team.create(user=colleague, role="clinician")
    assert signed_in(colleague).get(url(session)).status_code == 404
    assert not FidelityRating.objects.exists()


@pytest.mark.django_db
def test_bad_input_says_what_is_missing_keeps_what_was_typed_and_saves_nothing(world, course):
    session = fourth(course)
    data = post_of([2, 1, 2, 0, 1, 1], [4, 3, 3, 2], "Typed comment")
    del data["a_problem_area"]
    data["q_pacing"] = "9"
    response = signed_in(world.alice).post(url(session), data)
    assert response.status_code == 400
    text = visible_text(response)
    assert "Choose how far this was done." in text
    assert "Select a valid choice." in text
    html = response.content.decode()
    assert "Typed comment" in html
    # What was chosen stays chosen.
    assert 'value="2" class="scale" id="id_a_symptom_review_2" required checked' in html
    assert 'value="3" class="scale" id="id_q_structure_2" required checked' in html
    assert not FidelityRating.objects.exists()
    assert not AuditEvent.objects.filter(action="fidelity.rate").exists()


@pytest.mark.django_db
def test_a_session_not_held_cannot_be_rated(world, course):
    coming = course.sessions.order_by("starts_at").last()
    alice = signed_in(world.alice)
    assert "Only a session that was held can be rated." in visible_text(alice.get(url(coming)))
    assert alice.post(url(coming), post_of([2] * 6, [4] * 4)).status_code == 409
    assert not FidelityRating.objects.exists()


@pytest.mark.django_db
def test_the_session_page_links_the_rating(world, course):
    session = fourth(course)
    for person in (world.alice, world.sue):
        html = signed_in(person).get(f"/sessions/{session.pk}/").content.decode()
        assert f'href="/sessions/{session.pk}/fidelity/"' in html
    # A clinician on the team who did not hold the session may not rate it (the rating page
    # says 404): the session page and the grid offer no link that leads there.
    add_to_team(world.amara, world.bob)
    bob = signed_in(world.bob)
    assert bob.get(url(session)).status_code == 404
    assert (
        f'href="/sessions/{session.pk}/fidelity/"'
        not in bob.get(f"/sessions/{session.pk}/").content.decode()
    )
    assert "/fidelity/" not in bob.get(f"/courses/{course.pk}/grid/").content.decode()


@pytest.mark.django_db
def test_the_clinician_marks_a_session_recorded_for_supervision(world, course):
    session = fourth(course)
    target = f"/sessions/{session.pk}/fidelity/recorded/"
    assert signed_in(world.sue).post(target, {"recorded": "on"}).status_code == 404
    assert signed_in(world.bob).post(target, {"recorded": "on"}).status_code == 404
    assert not RecordedSession.objects.exists()
    alice = signed_in(world.alice)
    assert alice.post(target, {"recorded": "on"}).status_code == 302
    assert RecordedSession.objects.get(session=session).marked_by == world.alice
    assert "This session is marked as recorded" in visible_text(alice.get(url(session)))
    alice.post(target, {})
    assert not RecordedSession.objects.exists()
    assert AuditEvent.objects.filter(action="fidelity.recorded").count() == 2


@pytest.mark.django_db
def test_the_administrator_sets_the_sampling_rate(world):
    admin = signed_in(world.admin)
    assert 'value="4"' in admin.get("/clinic/fidelity/").content.decode()  # the default
    bad = admin.post("/clinic/fidelity/", {"sample_every": "0"})
    assert bad.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in visible_text(bad)
    assert not FidelitySettings.objects.exists()
    assert admin.post("/clinic/fidelity/", {"sample_every": "3"}).status_code == 302
    assert FidelitySettings.objects.get(clinic=world.clinic).sample_every == 3
    assert AuditEvent.objects.filter(action="fidelity_settings.set").exists()
    for person in (world.alice, world.sue):
        assert signed_in(person).post("/clinic/fidelity/", {"sample_every": "1"}).status_code == 404
    assert FidelitySettings.objects.get(clinic=world.clinic).sample_every == 3
    assert 'href="/clinic/fidelity/"' in admin.get("/clinic/notes/").content.decode()
    # The administrator reaches each clinician's fidelity from there.
    assert f'href="/fidelity/clinician/{world.alice.pk}/"' in (
        admin.get("/clinic/fidelity/").content.decode()
    )


# --- the supervisor's sessions to rate -------------------------------------------------------


def resample(world) -> None:
    """What `gentle worker` does hourly (and after the sampling rate changes): store the
    clinic's sample, which the supervisor's home reads."""
    tasks.refresh_clinic_sample.call(world.clinic.pk)


@pytest.mark.django_db
def test_sampled_and_recorded_sessions_wait_for_the_supervisor(world):
    sue_supervises_alice(world)
    course = make_course(world.amara, start_date=timezone.localdate() - timedelta(days=60))
    sessions = [held(course, world.alice, 54 - 5 * n) for n in range(9)]  # 9 held
    make_session(course, world.alice, starts_at=timezone.now() + timedelta(days=3))
    RecordedSession.objects.create(session=sessions[1], marked_by=world.alice)
    # Bob's client, whom Sue does not supervise: his 4th session is in the clinic's sample and
    # his 1st recorded, neither for Sue.
    boris = make_course(make_client(world.clinic, clinicians=[world.bob], given_name="Boris"))
    bobs = [held(boris, world.bob, 30 - n) for n in range(4)]
    RecordedSession.objects.create(session=bobs[0], marked_by=world.bob)
    resample(world)
    assert SampledSession.objects.filter(session=bobs[3], client=boris.client).exists()
    sue = signed_in(world.sue)
    html = sue.get("/").content.decode()
    listed = section(html, "supervision-to-rate")
    # One in 4 of Alice's held sessions (her 4th and 8th), and the 2nd she marked recorded.
    assert "3 held sessions sampled or recorded for supervision" in visible_text(listed)
    for n in (1, 3, 7):
        assert f'href="/sessions/{sessions[n].pk}/fidelity/"' in listed
    assert f'href="/sessions/{sessions[0].pk}/fidelity/"' not in listed
    assert "Boris" not in listed
    assert "recorded" in visible_text(listed)
    # Rated by her: off the list. The clinic asks for one in 2: the 2nd, 4th, 6th, 8th.
    sue.post(url(sessions[3]), post_of([2] * 6, [3] * 4))
    FidelitySettings.objects.create(clinic=world.clinic, sample_every=2)
    resample(world)
    listed = section(sue.get("/").content.decode(), "supervision-to-rate")
    assert "3 held sessions" in visible_text(listed)  # 2nd (also recorded), 6th, 8th
    for n in (1, 5, 7):
        assert f'href="/sessions/{sessions[n].pk}/fidelity/"' in listed
    # The clinician sees no such list; a supervisor with no supervisee has none waiting.
    assert 'id="supervision-to-rate"' not in signed_in(world.alice).get("/").content.decode()


@pytest.mark.django_db
def test_the_sample_is_each_clinicians_own(world):
    """Bob's sessions do not move Alice's in the sample: one in N of each clinician's."""
    sue_supervises_alice(world)
    supervise(world.clinic, world.sue, world.bob)
    other = make_client(world.clinic, clinicians=[world.bob], given_name="Boris")
    bobs = make_course(other)
    for days in (30, 29, 28, 27):
        held(bobs, world.bob, days)
    course = make_course(world.amara)
    alices = [held(course, world.alice, d) for d in (26, 25, 24, 23)]
    resample(world)
    listed = section(signed_in(world.sue).get("/").content.decode(), "supervision-to-rate")
    assert "2 held sessions" in visible_text(listed)
    assert f'href="/sessions/{alices[3].pk}/fidelity/"' in listed


@pytest.mark.django_db
def test_the_home_reads_the_stored_sample_and_ranks_nothing(world):
    """Issue 20: the sample ranked held sessions on every visit to a supervisor's home (1.1 s
    at 150,000 sessions). The worker stores it; the home only reads it, and still checks that
    each session is held."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sue_supervises_alice(world)
    course = make_course(world.amara)
    alices = [held(course, world.alice, d) for d in (26, 25, 24, 23, 22, 21, 20)]
    sue = signed_in(world.sue)
    # Before the worker's first run, nothing is sampled yet, and the page says when it is.
    listed = visible_text(section(sue.get("/").content.decode(), "supervision-to-rate"))
    assert "No sampled or recorded session is waiting for your rating." in listed
    assert "every hour" in listed
    resample(world)
    with CaptureQueriesContext(connection) as captured:
        html = sue.get("/").content.decode()
    assert not [q["sql"] for q in captured.captured_queries if "ROW_NUMBER()" in q["sql"]]
    listed = section(html, "supervision-to-rate")
    assert "1 held session" in visible_text(listed)
    assert f'href="/sessions/{alices[3].pk}/fidelity/"' in listed
    # Marked not attended after the worker's run: off the list at once.
    Session.objects.filter(pk=alices[3].pk).update(attendance="no_show")
    listed = section(sue.get("/").content.decode(), "supervision-to-rate")
    assert f'href="/sessions/{alices[3].pk}/fidelity/"' not in listed
    # The next run moves the later sessions up: the 4th held is now the one of 22 days ago.
    resample(world)
    listed = section(sue.get("/").content.decode(), "supervision-to-rate")
    assert f'href="/sessions/{alices[4].pk}/fidelity/"' in listed


@pytest.mark.django_db
def test_the_sessions_to_rate_are_found_from_the_recent_sample_by_index(world):
    """Issue 20: the ids of the sessions to rate joined every recent session of the supervised
    clients with the sample (the largest read of the supervisor's home on PostgreSQL at a
    programme's size). They start from the clinic's recent sample, by its time index, kept to
    the supervised clients' rows by the client each row stores, before any session is read.
    Each candidate's client is tested (EXISTS, ``under_supervision``), not looked up in a list
    of the supervised clients: listing 2,000 of them cost SQLite 2.5 ms, twice, for the sample
    and for the few recorded sessions."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sue_supervises_alice(world)
    course = make_course(world.amara)
    alices = [held(course, world.alice, d) for d in (26, 25, 24, 23)]
    resample(world)
    with CaptureQueriesContext(connection) as captured:
        listed = section(signed_in(world.sue).get("/").content.decode(), "supervision-to-rate")
    assert f'href="/sessions/{alices[3].pk}/fidelity/"' in listed
    [sql] = [q["sql"] for q in captured.captured_queries if "fidelity_sampledsession" in q["sql"]]
    # The candidates are the clinic's sampled sessions since a time (what the index serves) of
    # the supervised clients, each tested.
    assert re.search(
        r'FROM "fidelity_sampledsession" (\w+) WHERE \(\1."clinic_id" = \d+ AND '
        r'\1."starts_at" >= [^()]+ AND EXISTS\(SELECT',
        sql,
    ), sql
    assert '"client_id" IN (SELECT' not in sql, sql
    if connection.vendor == "sqlite":
        # PostgreSQL, on a test's few rows and the statistics earlier tests left, may choose
        # any index as cheapest (seen in a whole-suite run); SQLite names the one it uses.
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            query_plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        # The index alone gives each candidate's client and session (issue 20).
        assert "COVERING INDEX sampled_clinic_recent" in query_plan, query_plan
        assert not re.search(r"SCAN courses_session\b(?! USING)", query_plan), query_plan


@pytest.mark.django_db
def test_a_supervisor_is_asked_to_rate_only_this_clinics_sessions(world):
    """The sample is read by its own clinic, which is always its client's, so its clients'
    clinic is not read again (``under_supervision(clinic_kept=True)``, issue 20). A supervisor
    who is also on a client's care team in another clinic is not asked, on this clinic's home,
    to rate that clinic's sampled or recorded sessions."""
    from gentle.clients.models import TeamRole

    sue_supervises_alice(world)
    alices = [held(make_course(world.amara), world.alice, d) for d in (26, 25, 24, 23)]
    add_to_team(world.far_client, world.sue, TeamRole.SUPERVISOR)
    far = make_course(world.far_client)
    fars = [held(far, world.far_clinician, d) for d in (26, 25, 24, 23)]
    RecordedSession.objects.create(session=fars[0], marked_by=world.far_clinician)
    resample(world)
    tasks.refresh_clinic_sample.call(world.other.pk)
    assert SampledSession.objects.get(session=fars[3]).clinic == world.other

    listed = section(signed_in(world.sue).get("/").content.decode(), "supervision-to-rate")
    assert f'href="/sessions/{alices[3].pk}/fidelity/"' in listed
    for session in fars:
        assert f"/sessions/{session.pk}/fidelity/" not in listed


@pytest.mark.django_db
def test_a_sampled_session_moved_in_time_is_stored_again_with_its_time(world):
    sue_supervises_alice(world)
    course = make_course(world.amara)
    alices = [held(course, world.alice, d) for d in (90, 89, 88, 87)]
    resample(world)
    stored = SampledSession.objects.get()
    assert (stored.session_id, stored.starts_at) == (alices[3].pk, alices[3].starts_at)
    sue = signed_in(world.sue)
    link = f'href="/sessions/{alices[3].pk}/fidelity/"'
    assert link not in section(sue.get("/").content.decode(), "supervision-to-rate")
    # Its time corrected to 20 days ago: the 4th held still, now recent. The worker stores
    # its new time (audited) and the home lists it.
    Session.objects.filter(pk=alices[3].pk).update(starts_at=timezone.now() - timedelta(days=20))
    resample(world)
    assert SampledSession.objects.get().starts_at > timezone.now() - timedelta(days=21)
    assert "removed=1" in AuditEvent.objects.filter(action="fidelity.sample").last().detail
    assert link in section(sue.get("/").content.decode(), "supervision-to-rate")


@pytest.mark.django_db
def test_sessions_held_more_than_eight_weeks_ago_are_not_listed(world):
    sue_supervises_alice(world)
    course = make_course(world.amara, start_date=timezone.localdate() - timedelta(days=120))
    old = [held(course, world.alice, d) for d in (100, 95, 90, 85)]  # the 4th: 85 days ago
    recent = [held(course, world.alice, d) for d in (40, 35, 30, 25)]  # the 8th: 25 days ago
    RecordedSession.objects.create(session=old[0], marked_by=world.alice)
    resample(world)
    listed = section(signed_in(world.sue).get("/").content.decode(), "supervision-to-rate")
    assert "1 held session sampled or recorded" in visible_text(listed)
    assert f'href="/sessions/{recent[3].pk}/fidelity/"' in listed
    for session in old:
        assert f'href="/sessions/{session.pk}/fidelity/"' not in listed
    # Still rateable from the session itself: only the home's list is bounded.
    assert signed_in(world.sue).get(url(old[3])).status_code == 200


@pytest.mark.django_db
def test_the_worker_keeps_the_sample_and_audits_each_change(world):
    from gentle.schedule import SCHEDULE

    assert any(job.task is tasks.refresh_samples for job in SCHEDULE)
    course = make_course(world.amara)
    sessions = [held(course, world.alice, d) for d in range(30, 22, -1)]  # 8 held
    assert tasks.refresh_samples.call() == 1  # one clinic changed
    assert set(SampledSession.objects.values_list("session_id", "place", "client")) == {
        (sessions[3].pk, 4, world.amara.pk),
        (sessions[7].pk, 8, world.amara.pk),
    }
    event = AuditEvent.objects.filter(action="fidelity.sample").get()
    assert event.clinic_id == world.clinic.pk
    assert "added=2" in event.detail and "removed=0" in event.detail
    # Nothing changed: nothing written, nothing audited.
    assert tasks.refresh_samples.call() == 0
    assert AuditEvent.objects.filter(action="fidelity.sample").count() == 1


@pytest.mark.django_db
def test_a_new_sampling_rate_asks_the_worker_for_the_sample_at_once(world):
    from django_tasks_db.models import DBTaskResult

    course = make_course(world.amara)
    sessions = [held(course, world.alice, d) for d in range(30, 26, -1)]
    resample(world)
    admin = signed_in(world.admin)
    assert admin.post("/clinic/fidelity/", {"sample_every": "2"}).status_code == 302
    queued = DBTaskResult.objects.filter(task_path__endswith="refresh_clinic_sample").get()
    assert queued.args_kwargs["args"] == [world.clinic.pk]
    resample(world)
    assert set(SampledSession.objects.values_list("session_id", flat=True)) == {
        sessions[1].pk,
        sessions[3].pk,
    }
    # A refused rate asks for nothing.
    admin.post("/clinic/fidelity/", {"sample_every": "0"})
    assert DBTaskResult.objects.filter(task_path__endswith="refresh_clinic_sample").count() == 1


@pytest.mark.django_db
def test_the_supervisors_home_costs_the_same_queries_with_more_sessions_to_rate(world):
    sue_supervises_alice(world)
    course = make_course(world.amara)
    for days in range(4):
        held(course, world.alice, 30 - days)
    resample(world)
    sue = signed_in(world.sue)
    few = count_queries(sue, "/")
    for n in range(3):
        client = make_client(world.clinic, clinicians=[world.alice], given_name=f"More{n}")
        more = make_course(client)
        for days in range(8):
            session = held(more, world.alice, 20 - days)
        RecordedSession.objects.create(session=session, marked_by=world.alice)
    resample(world)
    assert count_queries(sue, "/") == few
    assert "sessions sampled or recorded" in visible_text(
        section(sue.get("/").content.decode(), "supervision-to-rate")
    )


# --- the course grid ------------------------------------------------------------------------


def rate(session, rater, role, adherence, quality, **fields):
    return FidelityRating.objects.create(
        session=session,
        rater=rater,
        role=role,
        instrument_version=1,
        phase="middle",
        adherence=adherence,
        quality=quality,
        **fields,
    )


@pytest.mark.django_db
def test_the_grid_shows_each_sessions_fidelity_and_the_courses_summary(world, course):
    from tests.test_course_grid import grid_rows

    first, second, third, last = course.sessions.order_by("starts_at")[:4]
    rate(first, world.alice, "self", 60.0, 3.0)
    rate(last, world.alice, "self", 80.0, 3.5)
    rate(last, world.sue, "supervisor", 70.0, 3.25)
    response = signed_in(world.alice).get(f"/courses/{course.pk}/grid/")
    rows = grid_rows(response.content.decode())
    assert rows[0]["Fidelity"] == "self 60.0% · 3.0 Rate"
    assert rows[1]["Fidelity"] == "— Rate"
    assert rows[3]["Fidelity"] == "self 80.0% · 3.5, supervisor 70.0% · 3.25 Rate"
    assert rows[4]["Fidelity"] == "—"  # to come: nothing to rate yet
    text = visible_text(response)
    # (60 + 80) / 2 = 70; (3.0 + 3.5) / 2 = 3.25.
    assert "2 self-ratings: mean adherence 70.0%, mean quality 3.25 of 4" in text
    assert "1 supervisor's rating: mean adherence 70.0%, mean quality 3.25 of 4" in text


@pytest.mark.django_db
def test_the_grid_costs_the_same_queries_with_more_ratings(world):
    small, large = make_course(world.amara), make_course(world.amara)
    held(small, world.alice, 3)
    for days in range(12):
        rate(held(large, world.alice, 30 - days), world.alice, "self", 50.0, 2.0)
    alice = signed_in(world.alice)
    assert count_queries(alice, f"/courses/{small.pk}/grid/") == count_queries(
        alice, f"/courses/{large.pk}/grid/"
    )


# --- a clinician's fidelity over time --------------------------------------------------------


def at(year: int, month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12))


@pytest.fixture
def history(world):
    """Alice's sessions rated over two months (Sue supervises her)."""
    sue_supervises_alice(world)
    course = make_course(world.amara)
    now = timezone.localtime()
    this = now.replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    last = (this - timedelta(days=1)).replace(day=1)
    a, b = (
        make_session(course, world.alice, starts_at=last + timedelta(days=d), attendance="attended")
        for d in (2, 9)
    )
    c = make_session(course, world.alice, starts_at=this, attendance="attended")
    rate(a, world.alice, "self", 80.0, 3.0)
    rate(a, world.sue, "supervisor", 60.0, 2.5)
    rate(b, world.alice, "self", 100.0, 4.0)
    rate(c, world.alice, "self", 50.0, 2.0)
    rate(c, world.sue, "supervisor", 60.0, 3.0)
    return last, this


@pytest.mark.django_db
def test_a_clinicians_fidelity_by_month_with_its_chart_and_table(world, history):
    response = signed_in(world.sue).get(f"/fidelity/clinician/{world.alice.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "Mean adherence by month" in html
    assert "Self-ratings" in html and "Supervisors&#x27; ratings" in html
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = [visible_text(r) for r in body.split("<tr>")[1:]]
    # Last month: self (80 + 100) / 2 = 90.0, quality 3.5; supervisor 60.0, 2.5; one session
    # rated by both, |80 − 60| = 20 points. This month: self 50, 2.0; supervisor 60, 3.0; 10.
    assert rows[0].endswith("2 90.0% 3.5 1 60.0% 2.5 1 20.0 points")
    assert rows[1].endswith("1 50.0% 2.0 1 60.0% 3.0 1 10.0 points")
    assert 'href="/supervision/' in html
    assert AuditEvent.objects.filter(
        action="fidelity.clinician_view", object_id=str(world.alice.pk)
    ).exists()
    assert "Amara" not in visible_text(html)  # no client is named


@pytest.mark.django_db
def test_the_clinician_and_the_administrator_see_it_others_do_not(world, history):
    target = f"/fidelity/clinician/{world.alice.pk}/"
    assert "Your fidelity over time" in visible_text(signed_in(world.alice).get(target))
    assert signed_in(world.admin).get(target).status_code == 200
    for person in (world.bob, world.far_clinician, world.portal):
        assert signed_in(person).get(target).status_code == 404
    # A supervisor who does not supervise her.
    other = make_person(world.clinic, "supervisor")
    assert signed_in(other).get(target).status_code == 404


@pytest.mark.django_db
def test_the_clinicians_page_costs_the_same_queries_with_more_ratings(world, history):
    target = f"/fidelity/clinician/{world.alice.pk}/"
    sue = signed_in(world.sue)
    few = count_queries(sue, target)
    course = make_course(world.amara)
    for days in range(10):
        rate(held(course, world.alice, 40 + days), world.alice, "self", 40.0, 2.0)
    assert count_queries(sue, target) == few


@pytest.mark.django_db
def test_the_supervision_log_and_the_home_link_the_clinicians_fidelity(world):
    sue_supervises_alice(world)
    target = f'href="/fidelity/clinician/{world.alice.pk}/"'
    assert target in signed_in(world.sue).get(f"/supervision/{world.alice.pk}/").content.decode()
    assert target in signed_in(world.alice).get(f"/supervision/{world.alice.pk}/").content.decode()
    assert target in signed_in(world.sue).get("/").content.decode()


# --- the demo --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_supervisor_sees_real_fidelity_data(settings):
    from gentle.accounts.models import User
    from gentle.demo import seed_demo

    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    supervisor = User.objects.get(email="supervisor@demo.gentle.test")
    clinician = User.objects.get(email="clinician@demo.gentle.test")
    assert FidelityRating.objects.filter(role="self", rater=clinician).exists()
    assert FidelityRating.objects.filter(role="supervisor", rater=supervisor).exists()
    http = signed_in(supervisor)
    listed = visible_text(section(http.get("/").content.decode(), "supervision-to-rate"))
    assert "sampled or recorded for supervision, not yet rated by you" in listed
    assert "recorded" in listed.split("not yet rated by you", 1)[1]
    page = http.get(f"/fidelity/clinician/{clinician.pk}/")
    html = page.content.decode()
    assert "<svg" in html and "points" in visible_text(html)  # some month rated by both


@pytest.mark.django_db
def test_the_rating_page_costs_the_same_queries_in_a_long_course_with_ratings(world, course):
    alice, target = signed_in(world.alice), fourth(course)
    few = count_queries(alice, url(target))
    for days in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13):
        session = held(course, world.alice, days)
        rate(session, world.alice, "self", 50.0, 2.0)
        rate(session, world.sue, "supervisor", 50.0, 2.0)
    rate(target, world.sue, "supervisor", 75.0, 3.0)
    assert count_queries(alice, url(target)) == few


@pytest.mark.django_db
def test_ratings_are_not_in_the_clients_record_copy(world, course):
    from gentle.portal.record import build_record

    session = fourth(course)
    rate(session, world.alice, "self", 60.0, 3.0, comment="Staff-only remark")
    RecordedSession.objects.create(session=session, marked_by=world.alice)
    copy_text = json.dumps(build_record(world.amara), default=str)
    assert "Staff-only remark" not in copy_text and "fidelity" not in copy_text.lower()
