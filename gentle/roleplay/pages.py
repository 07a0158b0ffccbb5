"""Page logic shared by the care team's and the client's role-play pages: adding a scenario,
starting a rehearsal, taking a turn, finishing, and what a rehearsal page shows."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gentle.roleplay import actions, selectors
from gentle.roleplay.forms import EndForm, LibraryForm, ScenarioForm, StartForm, TurnForm
from gentle.roleplay.models import Status
from gentle.safety.selectors import crisis_response


def add_scenario(request, client, *, role):
    """The scenario forms' POST (from the library or written out), for both sides: returns
    the new scenario and what the safety path heard in it (None for the care team), or the
    two forms with the errors of the one that was sent."""
    if "library" in request.POST:
        form = LibraryForm(request.POST, client=client)
        if form.is_valid():
            data = selectors.library_item(form.cleaned_data["library"])
            data["person"] = form.cleaned_data["person"]
            scenario, heard = actions.scenario_save(
                by=request.user, client=client, data=data, role=role
            )
            return scenario, None, heard
        return None, (ScenarioForm(client=client), form), None
    form = ScenarioForm(request.POST, client=client)
    if form.is_valid():
        scenario, heard = actions.scenario_save(
            by=request.user, client=client, data=form.cleaned_data, role=role
        )
        return scenario, None, heard
    return None, (form, LibraryForm(client=client)), None


def start(request, scenario, *, role, page, back):
    """Start a rehearsal from the confidence rating (both sides)."""
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how confident you feel, from 0 to 10."))
        return redirect(back, scenario.pk)
    rehearsal = actions.rehearsal_start(
        by=request.user,
        scenario=scenario,
        confidence_before=form.cleaned_data["confidence_before"],
        lang=selectors.language(),
        role=role,
    )
    return redirect(page, rehearsal.pk)


def take_turn(request, rehearsal, *, role, page, render_page):
    """A turn's POST, for both sides: refused input keeps the text (400); a double submission
    changes nothing; risk words pause the rehearsal and show the crisis text."""
    if rehearsal.status != Status.ACTIVE:
        messages.error(request, _("This rehearsal is not open for new turns."))
        return redirect(page, rehearsal.pk)
    form = TurnForm(request.POST)
    if not form.is_valid():
        return render_page(turn_form=form)
    outcome = actions.turn_take(
        by=request.user,
        rehearsal=rehearsal,
        text=form.cleaned_data["text"],
        number=form.cleaned_data["number"],
        role=role,
    )
    if outcome == "paused":
        rehearsal.status = Status.PAUSED
        return render_page()
    return redirect(reverse(page, args=[rehearsal.pk]) + "#latest")


def finish(request, rehearsal, *, role, page, render_page):
    form = EndForm(request.POST)
    if not form.is_valid():
        return render_page(end_form=form)
    heard = actions.rehearsal_end(
        by=request.user, rehearsal=rehearsal, data=form.cleaned_data, role=role
    )
    messages.success(request, _("Rehearsal finished. Your reflection is saved."))
    if heard is not None and heard.crisis:
        rehearsal.refresh_from_db()
        crisis = crisis_response(
            rehearsal.client.clinic, get_language(), client=rehearsal.client, request=request
        )
        return render_page(crisis=crisis)
    return redirect(page, rehearsal.pk)


def rehearsal_context(rehearsal, *, turn_form=None, end_form=None, request=None) -> dict:
    """The transcript with feedback and notes, the next turn's form (the opening line offered
    for the first), the reflection form, and the crisis response when paused for safety."""
    turns = selectors.transcript(rehearsal)
    client_turns = sum(1 for t in turns if t.speaker == "client")
    initial = {"number": (turns[-1].number if turns else 0) + 1}
    if not turns:
        initial["text"] = rehearsal.scenario.opening
    paused = rehearsal.status == Status.PAUSED
    client = rehearsal.client
    crisis = (
        crisis_response(client.clinic, get_language(), client=client, request=request)
        if paused
        else None
    )
    return {
        "rehearsal": rehearsal,
        "scenario": rehearsal.scenario,
        "turns": turns,
        "client_turns": client_turns,
        "turn_form": turn_form or TurnForm(initial=initial),
        "end_form": end_form or EndForm(),
        "crisis": crisis,
    }
