"""Role play in session: scenarios, rehearsals turn by turn, review notes, and the clinic's
partner settings."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients.access import client_for
from gentle.clients.sharing import share_view
from gentle.lib.forms import posted
from gentle.lib.outbound import host_label
from gentle.roleplay import actions, pages, selectors
from gentle.roleplay.access import rehearsal_for, scenario_for
from gentle.roleplay.forms import (
    AnnotationForm,
    LibraryForm,
    PartnerSettingsForm,
    ScenarioForm,
    StartForm,
)
from gentle.roleplay.models import PartnerSettings

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def roleplay(request, client_id: int):
    write = request.method == "POST"
    client = client_for(
        request,
        client_id,
        write=write,
        action=Action.ROLEPLAY_OPEN if write else Action.ROLEPLAY_VIEW,
    )
    forms = (ScenarioForm(client=client), LibraryForm(client=client))
    if write:
        scenario, forms, _heard = pages.add_scenario(request, client, role=Role.CLINICIAN)
        if scenario:
            return redirect("scenario_detail", scenario_id=scenario.pk)
    return render(
        request,
        "roleplay/roleplay.html",
        {
            "client": client,
            "scenarios": list(client.scenarios.all()),
            "rehearsals": list(client.rehearsals.select_related("scenario")),
            "form": forms[0],
            "library_form": forms[1],
            "can_write": client.may.write,
        },
        status=400 if write else 200,
    )


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def scenario_detail(request, scenario_id: int):
    write = request.method == "POST"
    scenario = scenario_for(request, scenario_id, write=write)
    client = scenario.client
    initial = {f: getattr(scenario, f) for f in ("title", "person", "goal", "opening", "manner")}
    form = ScenarioForm(posted(request), client=client, initial=initial)
    if write and form.is_valid():
        data = form.cleaned_data | {"relationship": scenario.relationship}
        actions.scenario_save(by=request.user, client=client, data=data, scenario=scenario)
        messages.success(request, _("Scenario saved."))
        return redirect("scenario_detail", scenario_id=scenario.pk)
    return render(
        request,
        "roleplay/scenario.html",
        {
            "client": client,
            "scenario": scenario,
            "form": form,
            "start_form": StartForm(),
            "start_url": reverse("rehearsal_start", args=[scenario.pk]),
            "rehearsals": list(scenario.rehearsals.all()),
            "can_write": client.may.write,
            "share_url": reverse("scenario_share", args=[scenario.pk]),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def scenario_share(request, scenario_id: int):
    scenario = scenario_for(request, scenario_id, write=True)
    return share_view(request, scenario, verb="scenario", page="scenario_detail")


@role_required(Role.CLINICIAN)
@require_POST
def rehearsal_start(request, scenario_id: int):
    scenario = scenario_for(request, scenario_id, write=True)
    return pages.start(
        request, scenario, role=Role.CLINICIAN, page="rehearsal_detail", back="scenario_detail"
    )


def _page(request, rehearsal, *, turn_form=None, end_form=None):
    context = pages.rehearsal_context(
        rehearsal, turn_form=turn_form, end_form=end_form, request=request
    )
    context.update(
        client=rehearsal.client,
        can_write=rehearsal.client.may.write,
        turn_url=reverse("rehearsal_detail", args=[rehearsal.pk]),
        end_url=reverse("rehearsal_end", args=[rehearsal.pk]),
        annotation_form=AnnotationForm(),
    )
    status = 400 if (turn_form or end_form) else 200
    return render(request, "roleplay/rehearsal.html", context, status=status)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def rehearsal_detail(request, rehearsal_id: int):
    write = request.method == "POST"
    rehearsal = rehearsal_for(request, rehearsal_id, write=write)
    if not write:
        return _page(request, rehearsal)
    return pages.take_turn(
        request,
        rehearsal,
        role=Role.CLINICIAN,
        page="rehearsal_detail",
        render_page=lambda **forms: _page(request, rehearsal, **forms),
    )


@role_required(Role.CLINICIAN)
@require_POST
def rehearsal_end(request, rehearsal_id: int):
    rehearsal = rehearsal_for(request, rehearsal_id, write=True)
    return pages.finish(
        request,
        rehearsal,
        role=Role.CLINICIAN,
        page="rehearsal_detail",
        render_page=lambda **forms: _page(request, rehearsal, **forms),
    )


@role_required(Role.CLINICIAN)
@require_POST
def rehearsal_annotate(request, rehearsal_id: int):
    rehearsal = rehearsal_for(request, rehearsal_id, write=True)
    form = AnnotationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note of up to 1000 characters."))
    else:
        actions.annotate(by=request.user, rehearsal=rehearsal, data=form.cleaned_data)
        messages.success(request, _("Note added."))
    return redirect("rehearsal_detail", rehearsal.pk)


@role_required(Role.CLINICIAN)
@require_POST
def rehearsal_resume(request, rehearsal_id: int):
    rehearsal = rehearsal_for(request, rehearsal_id, write=True)
    actions.rehearsal_resume(by=request.user, rehearsal=rehearsal)
    messages.success(request, _("The rehearsal can go on."))
    return redirect("rehearsal_detail", rehearsal.pk)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def partner_settings(request):
    clinic = clinic_context(request).clinic
    found = PartnerSettings.objects.filter(clinic=clinic).first()
    initial = {"enabled": False, "timeout": 8}
    if found:
        initial = {f: getattr(found, f) for f in ("enabled", "endpoint", "model", "timeout")}
    endpoints = selectors.allowed_endpoints()
    form = PartnerSettingsForm(posted(request), initial=initial, endpoints=endpoints)
    if request.method == "POST" and form.is_valid():
        actions.partner_settings_save(by=request.user, clinic=clinic, data=form.cleaned_data)
        messages.success(request, _("Role-play partner settings saved."))
        return redirect("partner_settings")
    return render(
        request,
        "roleplay/partner_settings.html",
        {
            "form": form,
            "has_key": bool(found and found.api_key_encrypted),
            "endpoints": endpoints,
            "status": selectors.partner_status(found),
            "saved_host": host_label(found.endpoint) if found else "",
        },
        status=400 if form.errors else 200,
    )
