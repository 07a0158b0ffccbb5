"""Staff pages that combine several apps: the client's record page, the caseload, a client's
measures with their life events, the end-of-course summary and a course session by session.

No clinical app imports this one (docs/ARCHITECTURE.md): each app offers selectors, and these
views put them side by side."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients import selectors as client_selectors
from gentle.clients.access import (
    access_path,
    client_for,
    rater_role_of,
    record_list_read,
    visible_clients,
)
from gentle.courses import actions as course_actions
from gentle.courses import selectors as course_selectors
from gentle.courses.access import course_for, letter_for
from gentle.courses.models import FINISHED_STATUSES, Course, CourseFormat, Letter, PdfStatus
from gentle.courses.selectors import PHASE_LABELS, grid_sessions, summary_context
from gentle.fidelity import selectors as fidelity_selectors
from gentle.formulation.selectors import ratings_by_session
from gentle.lib.forms import posted
from gentle.lib.keyset import request_page
from gentle.lib.routes import url_of
from gentle.measures import selectors as measure_selectors
from gentle.measures.forms import StartForm
from gentle.measures.instruments import catalogue
from gentle.safety.selectors import AlertSummary, open_alert_summary, open_alerts
from gentle.staff import letters
from gentle.staff.forms import CaseloadFilterForm, LetterForm, LetterStartForm
from gentle.timeline import selectors as timeline_selectors

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
def client_detail(request, client_id: int):
    """The client's record: details, care team, consents and courses."""
    client = client_for(request, client_id)
    return render(
        request,
        "staff/client_detail.html",
        {
            "client": client,
            "via": access_path(client),
            "care_team": list(client.care_team.select_related("user").order_by("role")),
            "consents": list(client.consents.all()),
            "courses": list(client.courses.all()),
            "alerts": open_alerts(client),
            "can_write": client.may.write,
            "portal_login": client_selectors.portal_login(client),
            "portal_invitation": client_selectors.open_portal_invitation(client),
        },
    )


@role_required(*CLINICAL)
def caseload(request):
    """The clinician's caseload, 50 clients a page by name (keyset): courses' phase and session
    (from courses), open alerts (from safety), overdue and off-track measures (from measures).
    Filters and search are conditions in SQL, so a page costs the same at any caseload size."""
    roles = clinic_context(request).roles
    supervisor = Role.SUPERVISOR in roles
    form = CaseloadFilterForm(request.GET or None)
    if not (supervisor and Role.CLINICIAN in roles):
        del form.fields["whose"]  # one way of reaching clients: nothing to choose
    filters = form.cleaned_data if form.is_valid() else {}
    visible = visible_clients(request)
    if filters.get("whose") == "own":
        visible = visible.filter(via_team_clinician=True)
    elif filters.get("whose") == "supervised":
        visible = visible.filter(
            Q(via_team_supervisor=True) | Q(via_supervision=True), via_team_clinician=False
        )
    if form.is_bound and not form.is_valid():
        visible = visible.none()  # a refused filter lists nothing, not everything; it says why
    now = timezone.now()
    clients = course_selectors.caseload_clients(
        visible,
        query=filters.get("q", ""),
        phase=filters.get("phase", ""),
        course_format=filters.get("format", ""),
        status=filters.get("status", ""),
        now=now,
    )
    page = request_page(request, clients, order=course_selectors.CASELOAD_ORDER)
    rows = course_selectors.caseload_rows(page.rows, now=now)
    record_list_read(request, Action.CASELOAD_VIEW, count=len(rows))
    _add_other_apps(request, rows, now=now, clinicians=supervisor)
    upcoming = course_selectors.upcoming_sessions(request.user, clinic_context(request).clinic)
    for item in [*rows, *upcoming]:
        item.phase_label = PHASE_LABELS.get(item.phase, "")
    _shown(rows)
    return render(
        request,
        "staff/caseload.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "upcoming": upcoming,
            "show_clinician": supervisor,
            "stale_hours": int(course_selectors.STALE_DRAFT.total_seconds() // 3600),
        },
    )


def _shown(rows: list) -> None:
    """What a caseload row shows, worked out here with each label translated once a page: in
    the template, the lookups, URL tags and translations of 50 rows took about half of the
    page's time at scale (issue 20)."""
    labels = {
        name: {value: str(label) for value, label in Course._meta.get_field(name).choices or ()}
        for name in ("format", "status", "focus")
    }
    client_url, measures_url = url_of("client_detail"), url_of("client_measures")
    course_url = url_of("course_detail")
    for row in rows:
        row.client_url = client_url(row.client.pk)
        row.measures_url = measures_url(row.client.pk)
        course = row.course
        if course is not None:
            row.course_url = course_url(course.pk)
            row.format_label = labels["format"].get(course.format, course.format)
            row.status_label = labels["status"].get(course.status, course.status)
            row.focus_label = labels["focus"].get(course.focus, "") if course.focus else ""


def _add_other_apps(request, rows: list, *, now: datetime, clinicians: bool) -> None:
    """Give a caseload page's rows what other apps know of its clients and courses, each read
    in one query over the page's clients or courses (never over the clinic): open alerts, draft
    notes, overdue and off-track measures, and for a supervisor the care team's clinicians."""
    ids = [row.client.pk for row in rows]
    alerts = open_alert_summary(ids)
    drafts = course_selectors.draft_notes(ids, now=now)
    names = client_selectors.team_clinicians(ids) if clinicians else {}
    courses = [row.course for row in rows if row.course]
    overdue = measure_selectors.overdue_counts(courses)
    tracks = measure_selectors.not_on_track(courses, clinic_context(request).clinic)
    for row in rows:
        row.alerts = alerts.get(row.client.pk)
        row.alert_words = alert_words(row.alerts) if row.alerts else ""
        row.drafts = drafts.get(row.client.pk)
        row.clinicians = names.get(row.client.pk, [])
        row.overdue = overdue.get(row.course.pk, 0) if row.course else 0
        row.track = tracks.get(row.course.pk) if row.course else None


ONE_ALERT = {
    "high": gettext_lazy("High alert"),
    "moderate": gettext_lazy("Moderate alert"),
    "low": gettext_lazy("Low alert"),
}
SEVERITY_WORDS = {
    "high": gettext_lazy("high"),
    "moderate": gettext_lazy("moderate"),
    "low": gettext_lazy("low"),
}


def alert_words(summary: AlertSummary) -> str:
    """Open alerts in words, not a colour or a bare number: "High alert", or
    "3 open: 2 high, moderate" (the worst first)."""
    if summary["count"] == 1:
        return str(ONE_ALERT[summary["severity"]])
    parts = ", ".join(
        f"{n} {SEVERITY_WORDS[severity]}" if n > 1 else str(SEVERITY_WORDS[severity])
        for severity, n in summary["by_severity"]
    )
    return ngettext("%(n)d open: %(kinds)s", "%(n)d open: %(kinds)s", summary["count"]) % {
        "n": summary["count"],
        "kinds": parts,
    }


@role_required(*CLINICAL)
def course_summary(request, course_id: int):
    """The end-of-course summary, ready for reports: the course, and first and last scores."""
    course = course_for(request, course_id, action=Action.COURSE_SUMMARY)
    context = summary_context(course)
    context["scores"] = measure_selectors.first_and_last(course)
    return render(request, "staff/course_summary.html", context)


@role_required(*CLINICAL)
def course_grid(request, course_id: int):
    """A course session by session on one screen: attendance, agenda, techniques, mood, PHQ-9
    and GAD-7, GAS ratings, tools and fidelity ratings (ADR 0057). A fixed number of queries,
    whatever the course's size."""
    course = course_for(request, course_id, action=Action.COURSE_GRID)
    rows = grid_sessions(course)
    sessions = [row.session for row in rows]
    shown = measure_selectors.grid_instruments(course.format)
    scores = measure_selectors.scores_by_session(course, sessions, shown)
    goals, ratings = ratings_by_session(course)
    fidelity = fidelity_selectors.by_session([s.pk for s in sessions])
    instruments = [catalogue()[i] for i in shown if i in catalogue()]
    # "PHQ-9 (depression)" heads the column; a phone's card labels the cell "PHQ-9".
    short = {i.id: i.name.split(" (")[0] for i in instruments}
    for row in rows:
        given = scores.get(row.session.pk, {})
        row.scores = [(short[i.id], given.get(i.id, [])) for i in instruments]
        row.ratings = ratings.get(row.session.pk, [])
        row.phase_label = PHASE_LABELS.get(row.session.phase, "")
        row.fidelity = fidelity.get(row.session.pk)
        row.may_rate = row.session.attendance == "attended" and bool(
            rater_role_of(course.client.may, row.session.clinician_id, request.user)
        )
    rated = [
        r
        for entry in fidelity.values()
        for r in ([entry.self_rating] if entry.self_rating else []) + entry.supervisor
    ]
    return render(
        request,
        "staff/course_grid.html",
        {
            "course": course,
            "client": course.client,
            "rows": rows,
            "instruments": instruments,
            "goals": goals,
            "fidelity": fidelity_selectors.summarise(rated),
            # IPT-A: who took part in each session (a parent or carer may join or come alone).
            "adolescent": course.format == CourseFormat.ADOLESCENT,
        },
    )


TABLE_LATEST = 12  # a course's worth of answers per questionnaire


@role_required(*CLINICAL)
def client_measures(request, client_id: int):
    """A client's measures, with their life events marked on the charts (this app
    composes the two, below both of them)."""
    client = client_for(request, client_id, action=Action.MEASURES_VIEW)
    course = Course.objects.filter(client=client).order_by("-start_date", "-pk").first()
    events = [r.start for r in timeline_selectors.rows(client) if r.kind == "event" and r.start]
    # One reliable-change threshold per questionnaire for the whole page (ADR 0052).
    thresholds = measure_selectors.page_thresholds(client.clinic_id, course)
    results = measure_selectors.client_results(
        client, course=course, events=events, thresholds=thresholds
    )
    return render(
        request,
        "staff/client_measures.html",
        {
            "client": client,
            "course": course,
            "results": results,
            "next_steps": measure_selectors.next_steps(course, results) if course else [],
            "tracked_name": measure_selectors.tracked_name(course.format) if course else "",
            "outcome": measure_selectors.course_outcomes(course, thresholds) if course else None,
            "assignments": measure_selectors.open_assignments(client),
            "alerts": open_alerts(client),
            "start_form": StartForm(),
            "can_write": client.may.write,
            "has_events": bool(events),
            # A long history's table shows its latest answers unless all were asked for.
            "show_all": request.GET.get("all", ""),
            "table_rows": TABLE_LATEST,
            "table_latest": f"-{TABLE_LATEST}:",
        },
    )


def _letter_status(request, letter) -> HttpResponse:
    return render(request, "staff/letter_pdf_status.html", {"letter": letter})


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def course_letters(request, course_id: int):
    """The letters to the referrer of a course, and (for its care team's clinicians) a new
    draft, pre-filled from the finished course (ADR 0063)."""
    writing = request.method == "POST"
    course = course_for(
        request,
        course_id,
        write=writing,
        action=Action.LETTER_CREATE if writing else Action.LETTER_LIST,
    )
    client = course.client
    form = LetterStartForm(posted(request), initial={"language": client.language})
    finished = course.status in FINISHED_STATUSES
    if writing and not finished:
        form.add_error(None, _("A letter to the referrer is written once the course has finished."))
    if writing and form.is_valid():
        language = form.cleaned_data["language"]
        fields, scores, chart = letters.draft(course, language)
        letter = course_actions.letter_start(
            by=request.user,
            course=course,
            language=language,
            fields=fields,
            scores=scores,
            chart=chart,
        )
        messages.success(request, _("Draft started. Check every part before making it final."))
        return redirect("letter_edit", letter_id=letter.pk)
    return render(
        request,
        "staff/course_letters.html",
        {
            "course": course,
            "client": client,
            "form": form,
            "finished": finished,
            "can_write": client.may.write,
            "letters": list(
                Letter.objects.filter(course=course).defer("pdf", "chart").order_by("-version")
            ),
        },
        status=400 if form.errors else 200,
    )


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def letter_edit(request, letter_id: int):
    """A letter to the referrer: its draft's text for the clinician to edit, or the final
    letter read-only with its PDF."""
    writing = request.method == "POST"
    letter = letter_for(
        request,
        letter_id,
        write=writing,
        action=Action.LETTER_UPDATE if writing else Action.LETTER_VIEW,
    )
    client = letter.course.client
    initial = {name: getattr(letter, name) for name in LetterForm.base_fields}
    form = LetterForm(posted(request), initial=initial)
    if writing and letter.is_final:
        form.add_error(None, _("This letter is final and can no longer be changed."))
    if writing and form.is_valid():
        course_actions.letter_save(by=request.user, letter=letter, fields=form.cleaned_data)
        messages.success(request, _("Letter saved."))
        return redirect("letter_edit", letter_id=letter.pk)
    return render(
        request,
        "staff/letter.html",
        {
            "letter": letter,
            "course": letter.course,
            "client": client,
            "form": form,
            "can_write": client.may.write and not letter.is_final,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def letter_final(request, letter_id: int):
    """Make a draft final; the worker then makes its PDF."""
    letter = letter_for(request, letter_id, write=True, action=Action.LETTER_OPEN)
    if letter.is_final:
        messages.error(request, _("This letter is already final."))
        return redirect("letter_edit", letter_id=letter.pk)
    if not letter.recipient.strip():
        messages.error(request, _("Say to whom the letter goes before making it final."))
        return redirect("letter_edit", letter_id=letter.pk)
    course_actions.letter_finalise(by=request.user, letter=letter)
    messages.success(request, _("The letter is final. Its PDF is being made."))
    return redirect("letter_edit", letter_id=letter.pk)


@role_required(*CLINICAL)
def letter_status(request, letter_id: int):
    """The PDF's progress, polled by the letter's page."""
    letter = letter_for(request, letter_id, action=Action.LETTER_STATUS)
    return _letter_status(request, letter)


@role_required(*CLINICAL)
def letter_pdf(request, letter_id: int):
    """The final letter's PDF, when the worker has made it."""
    letter = letter_for(request, letter_id, action=Action.LETTER_PDF)
    if letter.pdf_status != PdfStatus.DONE or letter.pdf is None:
        raise Http404
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    name = f"letter-{letter.course_id}-{letter.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
