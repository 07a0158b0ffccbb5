"""The client's own pages. Later issues add questionnaires, diary, practice and progress."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.clients.access import own_client_record
from gentle.communication import actions as communication_actions
from gentle.communication import selectors as communication_selectors
from gentle.communication.access import portal_exchange as portal_exchange_for
from gentle.communication.access import portal_worksheet as portal_worksheet_for
from gentle.communication.forms import ExchangeForm, StatementForm, WorksheetForm
from gentle.courses.selectors import latest_relapse_plan
from gentle.grief import actions as grief_actions
from gentle.grief import selectors as grief_selectors
from gentle.grief.access import portal_loss as portal_loss_for
from gentle.grief.access import portal_transition as portal_transition_for
from gentle.grief.forms import ActivityForm, CheckInForm, TransitionForm
from gentle.lib.forms import posted
from gentle.measures.access import portal_administration
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Mode, Status
from gentle.measures.views import answer_form
from gentle.roleplay import pages as roleplay_pages
from gentle.roleplay.access import portal_rehearsal as portal_rehearsal_for
from gentle.roleplay.access import portal_scenario as portal_scenario_for
from gentle.roleplay.forms import LibraryForm, ScenarioForm, StartForm
from gentle.safety.selectors import crisis_text_for


@role_required(Role.CLIENT)
def portal_home(request):
    client = own_client_record(request)
    team = list(client.care_team.select_related("user").filter(role="clinician"))
    grief = (
        client.losses.filter(shared_with_client=True).exists()
        or client.transitions.filter(shared_with_client=True).exists()
    )
    return render(
        request, "portal/home.html", {"client": client, "team": team, "grief_shared": grief}
    )


@role_required(Role.CLIENT)
def portal_plan(request):
    """The client's relapse-prevention plan from their latest course that has one."""
    client = own_client_record(request)
    plan = latest_relapse_plan(client)
    return render(request, "portal/plan.html", {"client": client, "plan": plan})


@role_required(Role.CLIENT)
def portal_questionnaires(request):
    client = own_client_record(request)
    assigned = Administration.objects.filter(client=client, mode=Mode.PORTAL).order_by(
        "status", "due_on", "-submitted_at"
    )
    return render(
        request,
        "portal/questionnaires.html",
        {
            "open": [a for a in assigned if a.status != Status.SUBMITTED],
            "done": [a for a in assigned if a.status == Status.SUBMITTED][:20],
            "names": {k: v.name for k, v in catalogue().items()},
        },
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_fill(request, administration_id: int):
    administration = portal_administration(request, administration_id)
    if administration.status == Status.SUBMITTED:
        return redirect("portal_questionnaires")

    def done(rules):
        if rules:
            # The client sees the clinic's crisis text at once; never the alert itself.
            return render(
                request,
                "portal/crisis_now.html",
                {"crisis_text": crisis_text_for(administration.client.clinic, get_language())},
            )
        if rules is not None:
            messages.success(request, _("Thank you. Your answers are with your clinician."))
        return redirect("portal_questionnaires")

    return answer_form(
        request,
        administration,
        role=Role.CLIENT,
        template="portal/questionnaire_fill.html",
        done=done,
    )


# Loss and change: the grief curve and transition worksheets the care team shared.


@role_required(Role.CLIENT)
def portal_loss_and_change(request):
    client = own_client_record(request)
    return render(
        request,
        "portal/loss_and_change.html",
        {
            "losses": list(client.losses.filter(shared_with_client=True)),
            "transitions": list(client.transitions.filter(shared_with_client=True)),
        },
    )


def _loss_page(request, loss, *, activity_form=None, check_in_form=None):
    """The client's curve: no clinician flag; a refused entry keeps what was typed (400)."""
    series = grief_selectors.curve_data(loss)
    return render(
        request,
        "portal/loss.html",
        {
            "loss": loss,
            "curve": grief_selectors.curve_svg(loss, series),
            "series": series,
            "activity_form": activity_form or ActivityForm(loss=loss),
            "check_in_form": check_in_form or CheckInForm(loss=loss),
        },
        status=400 if activity_form or check_in_form else 200,
    )


@role_required(Role.CLIENT)
def portal_loss(request, loss_id: int):
    return _loss_page(request, portal_loss_for(request, loss_id))


def _portal_log(request, loss_id, form_class, add, message):
    loss = portal_loss_for(request, loss_id, write=True)
    form = form_class(request.POST, loss=loss)
    if not form.is_valid():
        key = "activity_form" if form_class is ActivityForm else "check_in_form"
        return _loss_page(request, loss, **{key: form})
    add(by=request.user, request=request, loss=loss, data=form.cleaned_data, role=Role.CLIENT)
    messages.success(request, message)
    return redirect("portal_loss", loss_id=loss.pk)


@role_required(Role.CLIENT)
@require_POST
def portal_activity_add(request, loss_id: int):
    return _portal_log(
        request, loss_id, ActivityForm, grief_actions.activity_add, _("Added to your log.")
    )


@role_required(Role.CLIENT)
@require_POST
def portal_check_in_add(request, loss_id: int):
    return _portal_log(
        request, loss_id, CheckInForm, grief_actions.check_in_add, _("Check-in saved.")
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_transition(request, transition_id: int):
    write = request.method == "POST"
    transition = portal_transition_for(request, transition_id, write=write)
    initial = {name: getattr(transition, name) for name in TransitionForm.base_fields}
    form = TransitionForm(posted(request), initial=initial)
    form.fields["phase"].label = _("Where I am now (optional)")
    if write and form.is_valid():
        grief_actions.transition_save(
            by=request.user,
            request=request,
            client=transition.client,
            data=form.cleaned_data,
            transition=transition,
            role=Role.CLIENT,
        )
        messages.success(request, _("Saved. Your clinician will see it."))
        return redirect("portal_transition", transition_id=transition.pk)
    return render(
        request,
        "portal/transition.html",
        {"transition": transition, "form": form, "steps": list(transition.steps.all())},
        status=400 if form.errors else 200,
    )


# Communication: exchanges and worksheets the care team shared, and statement feedback.


@role_required(Role.CLIENT)
def portal_communication(request):
    client = own_client_record(request)
    return render(
        request,
        "portal/communication.html",
        {
            "exchanges": list(client.exchanges.filter(shared_with_client=True)),
            "worksheets": list(client.worksheets.filter(shared_with_client=True)),
        },
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_exchange(request, exchange_id: int):
    write = request.method == "POST"
    exchange = portal_exchange_for(request, exchange_id, write=write)
    form = ExchangeForm(
        posted(request),
        client=exchange.client,
        initial=communication_selectors.exchange_initial(exchange),
    )
    if write and form.is_valid():
        communication_actions.exchange_save(
            by=request.user,
            request=request,
            client=exchange.client,
            data=form.cleaned_data,
            exchange=exchange,
            role=Role.CLIENT,
        )
        messages.success(request, _("Saved. Your clinician will see it."))
        return redirect("portal_exchange", exchange_id=exchange.pk)
    return render(
        request,
        "portal/exchange.html",
        {
            "exchange": exchange,
            "form": form,
            "feedback": communication_selectors.feedback(exchange.could_have_said),
            "can_write": True,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_worksheet(request, worksheet_id: int):
    write = request.method == "POST"
    worksheet = portal_worksheet_for(request, worksheet_id, write=write)
    finish = write and "finish" in request.POST
    form = WorksheetForm(posted(request), worksheet=worksheet, finishing=finish)
    if write and form.is_valid():
        communication_actions.worksheet_save(
            by=request.user,
            request=request,
            worksheet=worksheet,
            answers=form.cleaned_data,
            finish=finish,
            role=Role.CLIENT,
        )
        messages.success(request, _("Finished. Well done.") if finish else _("Saved."))
        return redirect("portal_worksheet", worksheet_id=worksheet.pk)
    context = communication_selectors.worksheet_page(worksheet, form.steps)
    context.update(form=form, can_write=True)
    return render(request, "portal/worksheet.html", context, status=400 if form.errors else 200)


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_statement(request):
    """Statement feedback for the client. Nothing typed here is stored."""
    form = StatementForm(posted(request))
    found = communication_selectors.feedback(form.cleaned_data["text"]) if form.is_valid() else None
    return render(
        request,
        "portal/statement.html",
        {"form": form, "feedback": found},
        status=400 if form.errors else 200,
    )


# Role play: rehearsing a difficult conversation.


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_roleplay(request):
    client = own_client_record(request)
    forms = (ScenarioForm(client=client), LibraryForm(client=client))
    if request.method == "POST":
        scenario, forms = roleplay_pages.add_scenario(request, client, role=Role.CLIENT)
        if scenario:
            return redirect("portal_scenario", scenario_id=scenario.pk)
    return render(
        request,
        "portal/roleplay.html",
        {
            "scenarios": list(client.scenarios.filter(shared_with_client=True)),
            "form": forms[0],
            "library_form": forms[1],
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.CLIENT)
def portal_scenario(request, scenario_id: int):
    scenario = portal_scenario_for(request, scenario_id)
    return render(
        request,
        "portal/scenario.html",
        {
            "scenario": scenario,
            "rehearsals": list(scenario.rehearsals.all()),
            "start_form": StartForm(),
            "start_url": reverse("portal_rehearsal_start", args=[scenario.pk]),
            "can_write": True,
            "portal": True,
        },
    )


@role_required(Role.CLIENT)
@require_POST
def portal_rehearsal_start(request, scenario_id: int):
    scenario = portal_scenario_for(request, scenario_id, write=True)
    return roleplay_pages.start(
        request, scenario, role=Role.CLIENT, page="portal_rehearsal", back="portal_scenario"
    )


def _rehearsal_page(request, rehearsal, *, turn_form=None, end_form=None):
    context = roleplay_pages.rehearsal_context(rehearsal, turn_form=turn_form, end_form=end_form)
    context.update(
        can_write=True,
        portal=True,
        turn_url=reverse("portal_rehearsal", args=[rehearsal.pk]),
        end_url=reverse("portal_rehearsal_end", args=[rehearsal.pk]),
    )
    status = 400 if (turn_form or end_form) else 200
    return render(request, "portal/rehearsal.html", context, status=status)


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_rehearsal(request, rehearsal_id: int):
    write = request.method == "POST"
    rehearsal = portal_rehearsal_for(request, rehearsal_id, write=write)
    if not write:
        return _rehearsal_page(request, rehearsal)
    return roleplay_pages.take_turn(
        request,
        rehearsal,
        role=Role.CLIENT,
        page="portal_rehearsal",
        render_page=lambda **forms: _rehearsal_page(request, rehearsal, **forms),
    )


@role_required(Role.CLIENT)
@require_POST
def portal_rehearsal_end(request, rehearsal_id: int):
    rehearsal = portal_rehearsal_for(request, rehearsal_id, write=True)
    return roleplay_pages.finish(
        request,
        rehearsal,
        role=Role.CLIENT,
        page="portal_rehearsal",
        render_page=lambda **forms: _rehearsal_page(request, rehearsal, **forms),
    )
