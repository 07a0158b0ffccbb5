"""Alerts as the care team sees them, and the clinic's crisis text."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.lib.forms import posted
from gentle.safety import actions, selectors
from gentle.safety.access import alert_for
from gentle.safety.forms import AcknowledgeForm, CrisisTextForm, SafetyLeadForm
from gentle.safety.models import CrisisText, SafetySettings


@role_required(Role.CLINICIAN, Role.SUPERVISOR)
def alert_detail(request, alert_id: int):
    alert = alert_for(request, alert_id)
    can_write = alert.client.via_team_clinician or alert.client.via_break_glass
    return render(
        request,
        "safety/alert_detail.html",
        {"alert": alert, "client": alert.client, "form": AcknowledgeForm(), "can_write": can_write},
    )


@role_required(Role.CLINICIAN)
@require_POST
def alert_acknowledge(request, alert_id: int):
    alert = alert_for(request, alert_id, write=True)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "safety/alert_detail.html",
            {"alert": alert, "client": alert.client, "form": form, "can_write": True},
            status=400,
        )
    if actions.alert_acknowledge(
        by=request.user, request=request, alert=alert, **form.cleaned_data
    ):
        messages.success(request, _("Alert acknowledged. What was done is recorded."))
    else:
        messages.info(request, _("This alert was already acknowledged."))
    return redirect("client_detail", client_id=alert.client_id)


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


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def safety_settings(request):
    clinic = clinic_context(request).clinic
    current = SafetySettings.objects.filter(clinic=clinic).first()
    form = SafetyLeadForm(
        posted(request),
        candidates=list(selectors.safety_lead_candidates(clinic)),
        initial={"safety_lead": current.safety_lead_id if current else None},
    )
    if request.method == "POST" and form.is_valid():
        actions.safety_lead_set(
            by=request.user, request=request, clinic=clinic, lead=form.cleaned_data["safety_lead"]
        )
        messages.success(request, _("Safety lead saved."))
        return redirect("safety_settings")
    return render(
        request,
        "safety/safety_settings.html",
        {"form": form, "delays": actions.escalation_delays()},
        status=400 if form.errors else 200,
    )
