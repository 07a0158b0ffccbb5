"""Giving questionnaires (in session or through the portal), filling them, and the results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role
from gentle.clients.access import client_for, record_list_read, visible_clients
from gentle.courses import selectors as course_selectors
from gentle.courses.access import course_for
from gentle.courses.forms import CaseloadFilterForm
from gentle.courses.selectors import PHASE_LABELS, summary_context
from gentle.measures import actions, selectors
from gentle.measures.access import administration_for
from gentle.measures.forms import AnswersForm, ScheduleForm, StartForm, instrument_choices
from gentle.measures.instruments import Rule, catalogue
from gentle.measures.models import Administration, Mode, Status
from gentle.safety.selectors import CrisisResponse, crisis_response, open_alert_summary

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinician's caseload: courses' phase and session (from courses), open alerts (from
    safety), overdue and off-track measures (from here)."""
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = course_selectors.caseload(
        visible_clients(request),
        query=filters.get("q", ""),
        phase=filters.get("phase", ""),
        course_format=filters.get("format", ""),
        status=filters.get("status", ""),
    )
    record_list_read(request, "caseload.view", count=len(rows))
    alerts = open_alert_summary(row.client.pk for row in rows)
    courses = [row.course for row in rows if row.course]
    overdue = selectors.overdue_counts(courses)
    tracks = selectors.not_on_track(courses, clinic_context(request).clinic)
    # The page's own columns, set on the rows and sessions for the template (this page moves
    # to a composition app in issue 19, where its rows can declare them).
    for row in rows:
        row.alerts = alerts.get(row.client.pk)  # type: ignore[attr-defined]  # page column
        row.overdue = overdue.get(row.course.pk, 0) if row.course else 0  # type: ignore[attr-defined]  # page column
        row.track = tracks.get(row.course.pk) if row.course else None  # type: ignore[attr-defined]  # page column
    upcoming = course_selectors.upcoming_sessions(request.user, clinic_context(request).clinic)
    for item in [*rows, *upcoming]:
        item.phase_label = PHASE_LABELS.get(item.phase, "")  # type: ignore[attr-defined]  # page column
    return render(
        request, "courses/caseload.html", {"form": form, "rows": rows, "upcoming": upcoming}
    )


@role_required(Role.CLINICIAN)
@require_POST
def administration_new(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = client_for(request, client_id, write=True, action="measures.open")
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("client_measures", client_id=client.pk)
    course, session = selectors.course_and_session(client, form.cleaned_data["mode"])
    administration = actions.administration_start(
        by=request.user,
        request=request,
        client=client,
        instrument=catalogue()[form.cleaned_data["instrument"]],
        mode=form.cleaned_data["mode"],
        course=course,
        session=session,
        due_on=form.cleaned_data["due_on"],
    )
    if administration.mode == Mode.PORTAL:
        messages.success(request, _("Assigned: the client will find it in their portal."))
        return redirect("client_measures", client_id=client.pk)
    return redirect("administration_fill", administration_id=administration.pk)


def answer_form(
    request: AuthenticatedHttpRequest,
    administration: Administration,
    *,
    role: str,
    template: str,
    done: Callable[[list[Rule] | None], HttpResponse],
) -> HttpResponse:
    """Show or handle the answers form; ``done(rules)`` makes the response after submission.

    A risk answer counts when it is given: a save, an autosave (htmx) or a submit refused for
    a missing answer raises its alert at once (in the actions), and the client sees the crisis
    response in the same response; the clinician entering answers in session sees a notice."""
    instrument = actions.instrument_of(administration)
    form = AnswersForm(
        request.POST if request.method == "POST" else None,
        instrument=instrument,
        initial_answers=administration.answers,
    )
    errors: dict[str, str] = {}
    rules: list[Rule] = []
    if request.method == "POST":
        answers = form.answers()
        write: dict[str, Any] = dict(
            by=request.user, request=request, administration=administration, answers=answers
        )
        try:
            if request.POST.get("submit") == "1":
                return done(actions.administration_submit(**write, role=role))
            rules = actions.administration_save(**write, role=role)
            if request.headers.get("HX-Request"):
                return autosaved(request, administration, rules, role=role)
            messages.success(request, _("Saved. You can come back and finish later."))
            if not rules:
                return redirect(request.path)
        except actions.AnswersInvalid as invalid:
            errors, rules = invalid.errors, invalid.rules
        except actions.AlreadySubmitted:
            messages.info(request, _("These answers were already submitted."))
            return done(None)
    if rules and role != Role.CLIENT:
        messages.warning(request, risk_notice(rules))
    rows = [
        {"field": form[item.id], "item": item, "error": errors.get(item.id), "number": number}
        for number, item in enumerate(instrument.items, start=1)
    ]
    return render(
        request,
        template,
        {
            "administration": administration,
            "instrument": instrument,
            "rows": rows,
            "errors": errors,
            "client": administration.client,
            "crisis": client_crisis(administration, rules, role=role, request=request),
        },
        status=400 if errors else 200,
    )


def client_crisis(
    administration: Administration,
    rules: list[Rule],
    *,
    role: str,
    request: AuthenticatedHttpRequest | None = None,
) -> CrisisResponse | None:
    """The crisis response for a client whose answers trigger a safety rule (never the alert)."""
    if not rules or role != Role.CLIENT:
        return None
    client = administration.client
    return crisis_response(client.clinic, get_language(), client=client, request=request)


def risk_notice(rules: list[Rule]) -> str:
    """What the clinician entering answers is told when they trigger a safety rule."""
    reason = rules[0].reason.get(get_language()[:2], rules[0].reason["en"])
    return _("Safety alert raised for the care team: %(reason)s") % {"reason": reason}


def autosaved(
    request: AuthenticatedHttpRequest,
    administration: Administration,
    rules: list[Rule],
    *,
    role: str,
) -> HttpResponse:
    """The htmx autosave's answer: nothing to show, or the crisis response swapped into the
    page out of band (the form itself is left as the client is filling it)."""
    crisis = client_crisis(administration, rules, role=role, request=request)
    if crisis is None:
        return HttpResponse(status=204)
    return render(request, "measures/_autosaved.html", {"crisis": crisis})


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def administration_fill(request: AuthenticatedHttpRequest, administration_id: int) -> HttpResponse:
    administration = administration_for(request, administration_id, write=True)
    if administration.status == Status.SUBMITTED:
        return redirect("client_measures", client_id=administration.client_id)

    def done(rules: list[Rule] | None) -> HttpResponse:
        if rules:
            messages.warning(request, risk_notice(rules))
        elif rules is not None:
            messages.success(request, _("Submitted and scored."))
        return redirect("client_measures", client_id=administration.client_id)

    return answer_form(
        request, administration, role=Role.CLINICIAN, template="measures/fill.html", done=done
    )


@role_required(Role.CLINICIAN)
@require_POST
def administration_correct(
    request: AuthenticatedHttpRequest, administration_id: int
) -> HttpResponse:
    old = administration_for(request, administration_id, write=True)
    if old.status != Status.SUBMITTED:
        return redirect("administration_fill", administration_id=old.pk)
    new = actions.administration_start(
        by=request.user,
        request=request,
        client=old.client,
        instrument=catalogue()[old.instrument_id],
        mode=Mode.IN_SESSION,
        course=old.course,
        session=old.session,
        corrects=old,
    )
    messages.info(
        request,
        _("Correct the answers and submit: the earlier answers are kept and marked as corrected."),
    )
    return redirect("administration_fill", administration_id=new.pk)


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def measure_schedule(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    course = course_for(request, course_id, write=True)
    saved = {r.instrument_id: (r.rule, r.n) for r in course.measure_rules.all()}
    current = saved or {i: (rule, n) for i, rule, n in selectors.default_schedule()}
    form = ScheduleForm(request.POST if request.method == "POST" else None, rules=current)
    if request.method == "POST" and form.is_valid():
        actions.schedule_set(
            by=request.user, request=request, course=course, rules=form.cleaned_data["rules"]
        )
        messages.success(request, _("Measurement schedule saved."))
        return redirect("course_detail", course_id=course.pk)
    rows = [(form[f"rule_{i}"], form[f"n_{i}"]) for i, _name in instrument_choices()]
    return render(
        request,
        "measures/schedule.html",
        {
            "course": course,
            "client": course.client,
            "form": form,
            "rows": rows,
            "is_default": not saved,
        },
        status=400 if form.errors else 200,
    )


@role_required(*CLINICAL)
def course_summary(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """The end-of-course summary, ready for reports: the course, and first and last scores."""
    course = course_for(request, course_id, action="course.summary")
    context = summary_context(course)
    context["scores"] = selectors.first_and_last(course)
    return render(request, "courses/course_summary.html", context)
