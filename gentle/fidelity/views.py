"""Session fidelity pages (ADR 0057): a session's rating form, a clinician's fidelity over
time, and the clinic's sampling setting."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role, User
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.access import RATER_SELF, fidelity_clinician_for, fidelity_rater_role
from gentle.courses.access import session_for
from gentle.courses.models import Attendance
from gentle.courses.selectors import PHASE_LABELS, number_sessions
from gentle.fidelity import actions, instrument, selectors
from gentle.fidelity.forms import RatingForm, RecordedForm, SettingsForm
from gentle.fidelity.models import FidelityRating, FidelitySettings, RecordedSession
from gentle.lib import svg
from gentle.lib.forms import posted

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def rate(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """Rate a session's adherence and quality: its clinician (a self-rating) or the client's
    supervisor. A rating already given is shown to change."""
    session = session_for(request, session_id, action=Action.FIDELITY_OPEN, object_type="session")
    role = fidelity_rater_role(session, request.user)
    if role is None:
        raise Http404
    course = session.course
    numbered = {s.pk: s for s in number_sessions(course, list(course.sessions.all()))}
    session.number = numbered[session.pk].number
    session.phase = numbered[session.pk].phase
    form_data = instrument.load()
    ratings = list(FidelityRating.objects.filter(session=session).select_related("rater"))
    mine = next((r for r in ratings if r.rater_id == request.user.pk), None)
    others = [r for r in ratings if r.rater_id != request.user.pk]
    phase = session.phase if session.phase in instrument.PHASES else "middle"
    held = session.attendance == Attendance.ATTENDED
    initial = (
        RatingForm.initial_from(mine.answers, mine.comment)
        if mine is not None and mine.instrument_version == form_data.version
        else {}
    )
    form = RatingForm(posted(request), instrument=form_data, phase=phase, initial=initial)
    status = 200
    if request.method == "POST":
        if not held:
            messages.error(request, _("Only a session that was held can be rated."))
            status = 409
        elif form.is_valid():
            try:
                actions.rating_save(
                    by=request.user,
                    session=session,
                    role=role,
                    phase=phase,
                    answers=form.answers(),
                    comment=form.cleaned_data["comment"],
                )
            except ValueError:
                form.add_error(
                    None, _("These answers do not fit the rating form; nothing was saved.")
                )
            else:
                messages.success(request, _("Fidelity rating saved."))
                return redirect("fidelity_rate", session_id=session.pk)
        status = 409 if not held else 400
    recorded = RecordedSession.objects.filter(session=session).exists()
    return render(
        request,
        "fidelity/rate.html",
        {
            "session": session,
            "course": course,
            "client": course.client,
            "phase_label": PHASE_LABELS.get(phase, ""),
            "role": role,
            "self_rating": role == RATER_SELF,
            "form": form if held else None,
            "mine": mine,
            "others": others,
            "held": held,
            "recorded": recorded,
            "recorded_form": RecordedForm(initial={"recorded": recorded}),
            "instrument": form_data,
        },
        status=status,
    )


@role_required(Role.CLINICIAN)
@require_POST
def recorded(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The session's clinician marks it as recorded for supervision (or unmarks it): their
    supervisor is then asked to rate it."""
    session = session_for(request, session_id, action=Action.FIDELITY_OPEN, object_type="session")
    if fidelity_rater_role(session, request.user) != RATER_SELF:
        raise Http404
    form = RecordedForm(request.POST)
    form.is_valid()  # a single optional checkbox: always valid
    actions.recorded_set(
        by=request.user, session=session, recorded=form.cleaned_data.get("recorded", False)
    )
    messages.success(
        request,
        _("Marked as recorded for supervision.")
        if form.cleaned_data.get("recorded")
        else _("No longer marked as recorded for supervision."),
    )
    return redirect("fidelity_rate", session_id=session.pk)


def _chart(months: list[selectors.Month]) -> str:
    """Adherence by month: the clinician's self-ratings and the supervisors' ratings."""
    labels = [formats.date_format(m.month, "YEAR_MONTH_FORMAT") for m in months]
    own = [
        (i + 1, m.self_rating.adherence)
        for i, m in enumerate(months)
        if m.self_rating.adherence is not None
    ]
    theirs = [
        (i + 1, m.supervisor.adherence)
        for i, m in enumerate(months)
        if m.supervisor.adherence is not None
    ]
    if not own and not theirs:
        return ""
    keys = {}
    if own:
        keys["line"] = _("Self-ratings")
    if theirs:
        keys["expected"] = _("Supervisors' ratings")
    return svg.line_chart(
        own,
        expected=theirs,
        x_max=len(months),
        y_max=100,
        label=_("Mean adherence by month, self-ratings and supervisors' ratings"),
        x_title=_("Month the sessions were held"),
        y_title=_("Adherence (%)"),
        keys=keys,
        y_ticks=[0, 25, 50, 75, 100],
        x_labels=labels,
    )


@role_required(Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN)
def clinician(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """A clinician's fidelity over time: their sessions' ratings by month, self and supervisor,
    and how far the two agree. Scores only: no client is named."""
    person = fidelity_clinician_for(request, user_id)
    context = clinic_context(request)
    assert context.clinic is not None  # fidelity_clinician_for: a role in this clinic
    months = selectors.clinician_months(context.clinic.pk, person)
    with transaction.atomic():
        record(
            Action.FIDELITY_CLINICIAN_VIEW,
            role=context.primary_role(),
            object_type="user",
            object_id=person.pk,
            detail=f"months={len(months)}",
        )
    return render(
        request,
        "fidelity/clinician.html",
        {
            "person": person,
            "own": person.pk == request.user.pk,
            "months": months,
            "chart": _chart(months),
            "every": selectors.sample_every(context.clinic.pk),
            "supervises": context.has(Role.SUPERVISOR) and person.pk != request.user.pk,
        },
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How many of each clinician's held sessions supervisors are asked to rate."""
    clinic = clinic_context(request).clinic
    assert clinic is not None  # role_required: the role is held in this clinic
    current = FidelitySettings.objects.filter(clinic=clinic).first()
    form = SettingsForm(
        posted(request),
        initial={"sample_every": current.sample_every if current else selectors.sample_every(0)},
    )
    if request.method == "POST" and form.is_valid():
        actions.settings_set(
            by=request.user, clinic=clinic, sample_every=form.cleaned_data["sample_every"]
        )
        messages.success(
            request,
            _(
                "Fidelity sampling saved. Supervisors' sessions to rate follow it once the "
                "worker has worked out the new sample, usually within a minute."
            ),
        )
        return redirect("fidelity_settings")
    clinicians = (
        User.objects.filter(
            memberships__clinic=clinic, memberships__role=Role.CLINICIAN, is_active=True
        )
        .distinct()
        .order_by("display_name", "email")
    )
    return render(
        request,
        "fidelity/settings.html",
        {"form": form, "clinicians": clinicians},
        status=400 if form.errors else 200,
    )
