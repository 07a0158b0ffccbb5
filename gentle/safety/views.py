"""Alerts as the care team works them, the client's safety plan, and the clinic's crisis
text."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role
from gentle.lib.forms import posted
from gentle.lib.phones import tel_uri
from gentle.safety import actions, selectors, sources
from gentle.safety.access import (
    alert_for,
    audit_plan_read,
    plan_client,
)
from gentle.safety.forms import (
    AcknowledgeForm,
    ContactAttemptForm,
    CrisisTextForm,
    SafetyLeadForm,
    SafetyPlanForm,
)
from gentle.safety.models import Alert, CrisisText, SafetySettings
from gentle.safety.printing import pdf_or_progress

if TYPE_CHECKING:
    from gentle.clients.access import AccessedClient

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


def _page(
    request: AuthenticatedHttpRequest,
    alert: Alert,
    *,
    acknowledge: AcknowledgeForm | None = None,
    contact: ContactAttemptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The alert page: what raised it, how to reach the client, their recent alerts, the
    contact log and, for whoever may act on it, the forms. A fixed number of queries."""
    client = cast("AccessedClient", alert.client)  # alert_for opened it through the door
    plan = selectors.safety_plan(client)
    if plan is not None:
        audit_plan_read(request, client, plan, via="alert")
    return render(
        request,
        "safety/alert_detail.html",
        {
            "alert": alert,
            "client": client,
            "plan": plan,
            "raised": sources.raised_by(alert),
            "recent": selectors.recent_alerts(alert),
            "attempts": selectors.contact_attempts(alert),
            "phone_uri": tel_uri(client.phone),
            "emergency_uri": tel_uri(client.emergency_contact_phone),
            "can_work": alert.may.write,
            "can_give_measures": client.may.write,
            "form": acknowledge or AcknowledgeForm(severity=alert.severity),
            "contact_form": contact or ContactAttemptForm(),
        },
        status=status,
    )


@role_required(*CLINICAL)
def alert_detail(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    return _page(request, alert_for(request, alert_id))


@role_required(*CLINICAL)
@require_POST
def alert_acknowledge(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_for(request, alert_id, work=True)
    form = AcknowledgeForm(request.POST, severity=alert.severity)
    if not form.is_valid():
        return _page(request, alert, acknowledge=form, status=400)
    if actions.alert_acknowledge(
        by=request.user,
        alert=alert,
        role=alert.may.role,
        **form.cleaned_data,
    ):
        messages.success(request, _("Alert acknowledged. What was done is recorded."))
    else:
        messages.info(request, _("This alert was already acknowledged."))
    return redirect("client_detail", client_id=alert.client_id)


@role_required(*CLINICAL)
@require_POST
def alert_contact(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_for(request, alert_id, work=True)
    form = ContactAttemptForm(request.POST, since=alert.raised_at)
    if not form.is_valid():
        return _page(request, alert, contact=form, status=400)
    actions.contact_attempt_add(
        by=request.user,
        alert=alert,
        role=alert.may.role,
        **form.cleaned_data,
    )
    messages.success(request, _("Contact attempt logged."))
    return redirect("alert_detail", alert_id=alert.pk)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def crisis_text(request: AuthenticatedHttpRequest) -> HttpResponse:
    clinic = clinic_context(request).clinic
    assert clinic is not None  # role_required: the role is held in this clinic
    texts = {c.language: c for c in CrisisText.objects.filter(clinic=clinic)}
    codes = dict(settings.LANGUAGES)
    asked = request.POST if request.method == "POST" else request.GET
    language = asked.get("language", settings.LANGUAGE_CODE)
    language = language if language in codes else settings.LANGUAGE_CODE
    saved = texts[language].text if language in texts else ""
    if not saved and language == settings.LANGUAGE_CODE:
        saved = clinic.crisis_text
    starting_point = "" if saved else selectors.crisis_text_default(language)
    form = CrisisTextForm(
        posted(request), initial={"language": language, "text": saved or starting_point}
    )
    if request.method == "POST" and form.is_valid():
        actions.crisis_text_save(by=request.user, clinic=clinic, **form.cleaned_data)
        messages.success(request, _("Crisis text saved."))
        return redirect("crisis_text")
    missing = dict(selectors.crisis_texts_missing(clinic))
    languages = [
        {"code": code, "name": name, "saved": texts.get(code), "missing": code in missing}
        for code, name in settings.LANGUAGES
    ]
    return render(
        request,
        "safety/crisis_text.html",
        {
            "form": form,
            "languages": languages,
            "missing": list(missing.values()),
            "editing": codes[language],
            "starting_point": bool(starting_point) and request.method == "GET",
        },
        status=400 if form.errors else 200,
    )


# The safety plan, as the care team sees and edits it with the client.


@role_required(Role.CLINICIAN, Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def safety_plan(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    write = request.method == "POST"
    client = plan_client(request, client_id, write=write)
    page = selectors.plan_page(client, number=request.GET.get("version"))
    form = SafetyPlanForm(posted(request), sections=selectors.plan_sections(), version=page["plan"])
    status = 400 if form.errors else 200
    if write and form.is_valid():
        try:
            version, _heard = actions.safety_plan_save(
                by=request.user,
                client=client,
                sections=form.section_texts(),
                based_on=form.cleaned_data["based_on"],
                role=Role.CLINICIAN,
            )
        except actions.PlanConflict:
            form = SafetyPlanForm.after_conflict(request.POST, page["plan"])
            status = 409
        else:
            messages.success(
                request,
                _("Safety plan saved (version %(n)s).") % {"n": version.number}
                if version
                else _("Nothing changed: the plan is as it was."),
            )
            return redirect("safety_plan", client_id=client.pk)
    can_write = client.may.write
    page.update(client=client, form=form, can_write=can_write)
    return render(request, "safety/safety_plan.html", page, status=status)


@role_required(Role.CLINICIAN, Role.SUPERVISOR)
def safety_plan_print(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = plan_client(request, client_id)
    page = selectors.plan_page(client, number=request.GET.get("version"))
    page.update(client=client, crisis_text=selectors.crisis_text_for(client.clinic, get_language()))
    return render(request, "safety/safety_plan_print.html", page)


@role_required(Role.CLINICIAN, Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def safety_plan_pdf(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """The plan as PDF for the care team to hand over, in the client's language, once the
    worker has made it; until then how far it has got (ADR 0063)."""
    client = plan_client(request, client_id)
    with override(client.language):  # the sections' names, in that language
        page = selectors.plan_page(client, number=request.GET.get("version"))
    page.update(
        client=client,
        crisis_text=selectors.crisis_text_for(client.clinic, client.language),
        url=reverse("safety_plan", args=[client.pk]),
        print_url=reverse("safety_plan_print", args=[client.pk]),
    )
    return pdf_or_progress(
        request, page, client.language, name="safety-plan.pdf", template="safety/plan_pdf.html"
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def safety_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    clinic = clinic_context(request).clinic
    assert clinic is not None  # role_required: the role is held in this clinic
    current = SafetySettings.objects.filter(clinic=clinic).first()
    form = SafetyLeadForm(
        posted(request),
        candidates=list(selectors.safety_lead_candidates(clinic)),
        initial={"safety_lead": current.safety_lead_id if current else None},
    )
    if request.method == "POST" and form.is_valid():
        actions.safety_lead_set(
            by=request.user, clinic=clinic, lead=form.cleaned_data["safety_lead"]
        )
        messages.success(request, _("Safety lead saved."))
        return redirect("safety_settings")
    return render(
        request,
        "safety/safety_settings.html",
        {"form": form, "delays": actions.escalation_delays()},
        status=400 if form.errors else 200,
    )
