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

from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients.access import client_for
from gentle.courses.access import course_for
from gentle.measures import actions, selectors
from gentle.measures.access import administration_for
from gentle.measures.forms import AnswersForm, ScheduleForm, StartForm, instrument_choices
from gentle.measures.instruments import Rule, catalogue
from gentle.measures.models import Administration, Mode, Status
from gentle.safety.selectors import CrisisResponse, crisis_response

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(Role.CLINICIAN)
@require_POST
def administration_new(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = client_for(request, client_id, write=True, action=Action.MEASURES_OPEN)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("client_measures", client_id=client.pk)
    course, session = selectors.course_and_session(client, form.cleaned_data["mode"])
    administration = actions.administration_start(
        by=request.user,
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

    A risk answer counts when it is given: a save, an autosave or a submit refused for
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
            by=request.user, administration=administration, answers=answers
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
    """The autosave's answer: nothing to show, or the crisis response swapped into the
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
    current = saved or {i: (rule, n) for i, rule, n in selectors.default_schedule(course.format)}
    form = ScheduleForm(request.POST if request.method == "POST" else None, rules=current)
    if request.method == "POST" and form.is_valid():
        actions.schedule_set(by=request.user, course=course, rules=form.cleaned_data["rules"])
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
