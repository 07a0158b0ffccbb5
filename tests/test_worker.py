"""Background work: tasks queue in the database and `gentle worker` runs them."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gentle import tasks
from gentle.models import ScheduledRun
from gentle.schedule import SCHEDULE, enqueue_due_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def make_session(expired: bool) -> str:
    store = SessionStore()
    store["note"] = "x"
    store.create()
    if expired:
        Session.objects.filter(pk=store.session_key).update(
            expire_date=timezone.now() - timedelta(minutes=1)
        )
    return store.session_key


def test_enqueued_task_waits_until_the_worker_runs_it():
    expired, live = make_session(expired=True), make_session(expired=False)
    result = tasks.clear_expired_sessions.enqueue()
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert Session.objects.filter(pk=expired).exists()

    call_command("worker", once=True)

    finished = DBTaskResult.objects.get(pk=result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.task_result.return_value == 1
    assert not Session.objects.filter(pk=expired).exists()
    assert Session.objects.filter(pk=live).exists()


def test_each_periodic_job_is_enqueued_once_per_period():
    now = timezone.now()
    assert sorted(enqueue_due_jobs(now)) == sorted(job.name for job in SCHEDULE)
    assert enqueue_due_jobs(now) == []
    assert ScheduledRun.objects.count() == len(SCHEDULE)
    next_day = now + timedelta(days=1, seconds=1)
    assert sorted(enqueue_due_jobs(next_day)) == sorted(job.name for job in SCHEDULE)


def test_worker_once_runs_the_due_periodic_jobs():
    call_command("worker", once=True)
    results = DBTaskResult.objects.all()
    assert {r.task_path for r in results} == {
        "gentle.tasks.clear_expired_sessions",
        "gentle.tasks.prune_finished_tasks",
        "gentle.tasks.resume_stalled_tasks",
        "gentle.tasks.optimize_database",
        "gentle.tasks.watch_current_courses",
        "gentle.safety.tasks.escalate_open_alerts",
        "gentle.intake.tasks.purge_old_requests",
        "gentle.intake.tasks.forget_old_address_counts",
        "gentle.portal.tasks.delete_old_exports",
        "gentle.reports.tasks.delete_old_report_pdfs",
        "gentle.interop.tasks.delete_old_bulk_exports",
        "gentle.notify.tasks.send_due_mail",
        "gentle.notify.tasks.prune_old_mail",
        "gentle.audit.tasks.anchor_chain",
        "gentle.measures.tasks.compute_clinic_statistics",
        "gentle.fidelity.tasks.refresh_samples",
        "gentle.courses.tasks.queue_session_reminders",
    }
    assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}


def test_old_finished_task_results_are_pruned():
    old = tasks.clear_expired_sessions.enqueue()
    call_command("worker", once=True)
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=timezone.now() - timedelta(days=31))
    recent = tasks.clear_expired_sessions.enqueue()
    call_command("worker", once=True)
    tasks.prune_finished_tasks.enqueue()
    call_command("worker", once=True)
    assert not DBTaskResult.objects.filter(pk=old.id).exists()
    assert DBTaskResult.objects.filter(pk=recent.id).exists()


def test_the_worker_computes_the_clinic_statistics_the_measures_pages_read():
    from gentle.measures.models import ClinicStatistic
    from tests.factories import make_clinic

    clinic = make_clinic("Hillside Practice")
    assert "compute-clinic-statistics" in {job.name for job in SCHEDULE}
    call_command("worker", once=True)
    kinds = set(ClinicStatistic.objects.filter(clinic=clinic).values_list("kind", flat=True))
    assert kinds == {"expected_curve", "first_score_spread"}


def test_a_task_whose_worker_was_killed_is_run_again_and_a_live_one_is_left(settings):
    """Found by drills/kill_mid_write.py: a worker killed (kill -9) while preparing a record
    copy left the task RUNNING, and the client's copy stuck at its progress, for ever."""
    from gentle.portal.models import ExportStatus, RecordExport
    from gentle.portal.tasks import prepare_export
    from tests.factories import make_client, make_clinic, make_person

    settings.GENTLE_TASK_STALLED_MINUTES = 15
    clinic = make_clinic()
    client = make_client(clinic)
    clinician = make_person(clinic)
    stuck, live = (
        RecordExport.objects.create(client=client, requested_by=clinician) for _ in range(2)
    )
    now = timezone.now()
    for export, started in ((stuck, now - timedelta(minutes=16)), (live, now)):
        result = prepare_export.enqueue(export.pk)
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, started_at=started, worker_ids=["dead-1"]
        )
        RecordExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, progress=16)

    call_command("worker", once=True)

    stuck.refresh_from_db()
    live.refresh_from_db()
    assert (stuck.status, stuck.progress) == (ExportStatus.DONE, 100)
    assert (live.status, live.progress) == (ExportStatus.RUNNING, 16)
    runs = DBTaskResult.objects.filter(task_path__endswith="prepare_export")
    by_export = sorted((r.args_kwargs["args"][0], r.status) for r in runs)
    assert by_export == [
        (stuck.pk, TaskResultStatus.FAILED),
        (stuck.pk, TaskResultStatus.SUCCESSFUL),
        (live.pk, TaskResultStatus.RUNNING),
    ]
    # Once only: a second sweep finds nothing stalled.
    assert tasks.resume_stalled_tasks.call() == 0


def test_the_daily_job_gives_sqlite_planner_statistics():
    """Without statistics SQLite may walk a clinic's name index instead of the search index
    (ADR 0031); PostgreSQL's autovacuum keeps its own."""
    from django.db import connection

    from gentle.tasks import optimize_database
    from tests.factories import make_client, make_clinic

    assert "optimize-database" in {job.name for job in SCHEDULE}
    make_client(make_clinic(), given_name="Rosa", family_name="Pérez")
    ran = optimize_database.call()
    if connection.vendor == "sqlite":
        assert ran == "ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'clients_client'")
            assert cursor.fetchone()[0] > 0
    else:
        assert ran == "autovacuum"
