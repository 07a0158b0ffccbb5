"""Alerts as the care team works them, and the clinic's crisis text."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.lib.forms import posted
from gentle.lib.phone import tel_uri
from gentle.safety import actions, selectors, sources
from gentle.safety.access import acting_role, alert_for, may_work_on
from gentle.safety.forms import AcknowledgeForm, ContactAttemptForm, CrisisTextForm
from gentle.safety.models import CrisisText

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


def _page(request, alert, *, acknowledge=None, contact=None, status=200):
    """The alert page: what raised it, how to reach the client, their recent alerts, the
    contact log and, for whoever may act on it, the forms. A fixed number of queries."""
    client = alert.client
    return render(
        request,
        "safety/alert_detail.html",
        {
            "alert": alert,
            "client": client,
            "raised": sources.raised_by(alert),
            "recent": selectors.recent_alerts(alert),
            "attempts": selectors.contact_attempts(alert),
            "phone_uri": tel_uri(client.phone),
            "emergency_uri": tel_uri(client.emergency_contact_phone),
            "can_work": may_work_on(alert, client),
            "can_give_measures": client.via_team_clinician or client.via_break_glass,
            "form": acknowledge or AcknowledgeForm(severity=alert.severity),
            "contact_form": contact or ContactAttemptForm(),
        },
        status=status,
    )


@role_required(*CLINICAL)
def alert_detail(request, alert_id: int):
    return _page(request, alert_for(request, alert_id))


@role_required(*CLINICAL)
@require_POST
def alert_acknowledge(request, alert_id: int):
    alert = alert_for(request, alert_id, work=True)
    form = AcknowledgeForm(request.POST, severity=alert.severity)
    if not form.is_valid():
        return _page(request, alert, acknowledge=form, status=400)
    if actions.alert_acknowledge(
        by=request.user,
        request=request,
        alert=alert,
        role=acting_role(alert.client),
        **form.cleaned_data,
    ):
        messages.success(request, _("Alert acknowledged. What was done is recorded."))
    else:
        messages.info(request, _("This alert was already acknowledged."))
    return redirect("client_detail", client_id=alert.client_id)


@role_required(*CLINICAL)
@require_POST
def alert_contact(request, alert_id: int):
    alert = alert_for(request, alert_id, work=True)
    form = ContactAttemptForm(request.POST, since=alert.raised_at)
    if not form.is_valid():
        return _page(request, alert, contact=form, status=400)
    actions.contact_attempt_add(
        by=request.user,
        request=request,
        alert=alert,
        role=acting_role(alert.client),
        **form.cleaned_data,
    )
    messages.success(request, _("Contact attempt logged."))
    return redirect("alert_detail", alert_id=alert.pk)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def crisis_text(request):
    clinic = clinic_context(request).clinic
    texts = {c.language: c for c in CrisisText.objects.filter(clinic=clinic)}
    language = request.GET.get("language", "en") if request.method == "GET" else None
    initial = {
        "language": language or "en",
        "text": texts[language].text if language in texts else clinic.crisis_text,
    }
    form = CrisisTextForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.crisis_text_save(
            by=request.user, request=request, clinic=clinic, **form.cleaned_data
        )
        messages.success(request, _("Crisis text saved."))
        return redirect("crisis_text")
    return render(
        request,
        "safety/crisis_text.html",
        {"form": form, "texts": texts},
        status=400 if form.errors else 200,
    )
