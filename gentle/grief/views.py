"""The grief curve and the role-transition worksheet, in session."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients.access import client_for
from gentle.clients.sharing import share_view
from gentle.grief import actions, selectors
from gentle.grief.access import loss_for, transition_for
from gentle.grief.forms import ActivityForm, CheckInForm, LossForm, StepForm, TransitionForm
from gentle.lib.forms import posted

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)
TRANSITION_FIELDS = tuple(TransitionForm.base_fields)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def losses(request, client_id: int):
    write = request.method == "POST"
    client = client_for(
        request, client_id, write=write, action=Action.GRIEF_OPEN if write else Action.GRIEF_VIEW
    )
    form = LossForm(posted(request))
    if write and form.is_valid():
        loss = actions.loss_add(by=request.user, client=client, data=form.cleaned_data)
        return redirect("loss_detail", loss_id=loss.pk)
    return render(
        request,
        "grief/losses.html",
        {
            "client": client,
            "losses": list(client.losses.all()),
            "form": form,
            "transitions": list(client.transitions.all()),
            "can_write": client.may.write,
            "transition_form": TransitionForm(),
        },
        status=400 if form.errors else 200,
    )


def _loss_page(request, loss, *, activity_form=None, check_in_form=None):
    """The curve page; a refused entry comes back with what was typed and a 400."""
    series = selectors.curve_data(loss)
    return render(
        request,
        "grief/loss.html",
        {
            "loss": loss,
            "client": loss.client,
            "curve": selectors.curve_svg(loss, series),
            "series": series,
            "flag": selectors.prolonged_flag(loss, series),
            "activity_form": activity_form or ActivityForm(loss=loss),
            "check_in_form": check_in_form or CheckInForm(loss=loss),
            "can_write": loss.client.may.write,
            "share_url": reverse("loss_share", args=[loss.pk]),
        },
        status=400 if activity_form or check_in_form else 200,
    )


@role_required(*CLINICAL)
def loss_detail(request, loss_id: int):
    return _loss_page(request, loss_for(request, loss_id))


def _log(request, loss_id, form_class, add, message):
    loss = loss_for(request, loss_id, write=True)
    form = form_class(request.POST, loss=loss)
    if not form.is_valid():
        key = "activity_form" if form_class is ActivityForm else "check_in_form"
        return _loss_page(request, loss, **{key: form})
    add(by=request.user, loss=loss, data=form.cleaned_data)
    messages.success(request, message)
    return redirect("loss_detail", loss_id=loss.pk)


@role_required(Role.CLINICIAN)
@require_POST
def activity_add(request, loss_id: int):
    return _log(request, loss_id, ActivityForm, actions.activity_add, _("Added to the log."))


@role_required(Role.CLINICIAN)
@require_POST
def check_in_add(request, loss_id: int):
    return _log(request, loss_id, CheckInForm, actions.check_in_add, _("Check-in saved."))


@role_required(Role.CLINICIAN)
@require_POST
def transition_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.TRANSITION_OPEN)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the change (up to 150 characters)."))
        return redirect("losses", client_id=client.pk)
    transition, _heard = actions.transition_save(
        by=request.user, client=client, data=form.cleaned_data
    )
    return redirect("transition_detail", transition_id=transition.pk)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def transition_detail(request, transition_id: int):
    write = request.method == "POST"
    transition = transition_for(request, transition_id, write=write)
    initial = {name: getattr(transition, name) for name in TRANSITION_FIELDS}
    form = TransitionForm(posted(request), initial=initial)
    if write and form.is_valid():
        actions.transition_save(
            by=request.user,
            client=transition.client,
            data=form.cleaned_data,
            transition=transition,
        )
        messages.success(request, _("Worksheet saved."))
        return redirect("transition_detail", transition_id=transition.pk)
    return render(
        request,
        "grief/transition.html",
        {
            "transition": transition,
            "client": transition.client,
            "form": form,
            "steps": list(transition.steps.all()),
            "step_form": StepForm(),
            "can_write": transition.client.may.write,
            "share_url": reverse("transition_share", args=[transition.pk]),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def transition_step(request, transition_id: int):
    transition = transition_for(request, transition_id, write=True)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a short note of the progress."))
    else:
        actions.step_add(by=request.user, transition=transition, data=form.cleaned_data)
        messages.success(request, _("Progress noted."))
    return redirect("transition_detail", transition_id=transition.pk)


@role_required(Role.CLINICIAN)
@require_POST
def loss_share(request, loss_id: int):
    loss = loss_for(request, loss_id, write=True)
    return share_view(request, loss, verb="grief", page="loss_detail")


@role_required(Role.CLINICIAN)
@require_POST
def transition_share(request, transition_id: int):
    transition = transition_for(request, transition_id, write=True)
    return share_view(request, transition, verb="transition", page="transition_detail")
