"""Communication and conflict in session: the style map, communication analysis, step
worksheets and statement feedback."""

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
from gentle.communication import actions, selectors
from gentle.communication.access import exchange_for, worksheet_for
from gentle.communication.forms import (
    ExchangeForm,
    StatementForm,
    StyleForm,
    WorksheetForm,
    WorksheetNewForm,
)
from gentle.lib.forms import posted

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
def communication(request, client_id: int):
    client = client_for(request, client_id, action=Action.COMMUNICATION_VIEW)
    return render(
        request,
        "communication/hub.html",
        {
            "client": client,
            "rows": selectors.style_map(client),
            "styles": selectors.styles(),
            "labels": selectors.style_labels(),
            "exchanges": list(client.exchanges.all()),
            "worksheets": list(client.worksheets.all()),
            "kinds": selectors.kind_names(),
            "can_write": client.may.write,
            "new_form": WorksheetNewForm(client=client),
        },
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def style_reflect(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.COMMUNICATION_OPEN)
    form = StyleForm(posted(request), client=client)
    if request.method == "POST" and form.is_valid():
        actions.reflection_add(by=request.user, client=client, data=form.cleaned_data)
        messages.success(request, _("Reflection saved."))
        return redirect("communication", client_id=client.pk)
    return render(
        request,
        "communication/styles.html",
        {"client": client, "form": form, "styles": selectors.styles()},
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def exchange_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.EXCHANGE_OPEN)
    initial = {"area": getattr(client.courses.order_by("-start_date").first(), "focus", "")}
    form = ExchangeForm(posted(request), client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        exchange, _heard = actions.exchange_save(
            by=request.user, client=client, data=form.cleaned_data
        )
        messages.success(request, _("Exchange saved."))
        return redirect("exchange_detail", exchange_id=exchange.pk)
    return render(
        request,
        "communication/exchange.html",
        {"client": client, "form": form, "can_write": True, "exchange": None},
        status=400 if form.errors else 200,
    )


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def exchange_detail(request, exchange_id: int):
    write = request.method == "POST"
    exchange = exchange_for(request, exchange_id, write=write)
    client = exchange.client
    form = ExchangeForm(
        posted(request), client=client, initial=selectors.exchange_initial(exchange)
    )
    if write and form.is_valid():
        actions.exchange_save(
            by=request.user,
            client=client,
            data=form.cleaned_data,
            exchange=exchange,
        )
        messages.success(request, _("Exchange saved."))
        return redirect("exchange_detail", exchange_id=exchange.pk)
    return render(
        request,
        "communication/exchange.html",
        {
            "client": client,
            "exchange": exchange,
            "form": form,
            "feedback": selectors.feedback(exchange.could_have_said),
            "can_write": client.may.write,
            "share_url": reverse("exchange_share", args=[exchange.pk]),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def worksheet_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.WORKSHEET_OPEN)
    form = WorksheetNewForm(request.POST, client=client)
    if not form.is_valid():
        messages.error(request, _("Choose a worksheet and give it a title (up to 150 characters)."))
        return redirect("communication", client_id=client.pk)
    worksheet = actions.worksheet_new(by=request.user, client=client, data=form.cleaned_data)
    return redirect("worksheet_detail", worksheet_id=worksheet.pk)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def worksheet_detail(request, worksheet_id: int):
    write = request.method == "POST"
    worksheet = worksheet_for(request, worksheet_id, write=write)
    # Finishing happens once: a finished worksheet offers "Save changes" only (a "finish" sent
    # from a page opened before it was finished saves, and it stays finished).
    finish = write and "finish" in request.POST and worksheet.completed_at is None
    form = WorksheetForm(posted(request), worksheet=worksheet, finishing=finish)
    if write and form.is_valid():
        actions.worksheet_save(
            by=request.user,
            worksheet=worksheet,
            answers=form.cleaned_data,
            finish=finish,
        )
        messages.success(request, _("Worksheet finished.") if finish else _("Worksheet saved."))
        return redirect("worksheet_detail", worksheet_id=worksheet.pk)
    context = selectors.worksheet_page(worksheet, form.steps)
    context.update(
        form=form,
        client=worksheet.client,
        can_write=worksheet.client.may.write,
        share_url=reverse("worksheet_share", args=[worksheet.pk]),
    )
    return render(
        request, "communication/worksheet.html", context, status=400 if form.errors else 200
    )


@role_required(Role.CLINICIAN)
@require_POST
def exchange_share(request, exchange_id: int):
    exchange = exchange_for(request, exchange_id, write=True)
    return share_view(request, exchange, verb="exchange", page="exchange_detail")


@role_required(Role.CLINICIAN)
@require_POST
def worksheet_share(request, worksheet_id: int):
    worksheet = worksheet_for(request, worksheet_id, write=True)
    return share_view(request, worksheet, verb="worksheet", page="worksheet_detail")


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def statement(request):
    """Statement feedback in session. Nothing typed here is stored, so nothing is audited."""
    form = StatementForm(posted(request))
    found, own_risk = None, False
    if form.is_valid():
        own_risk = selectors.own_risk(form.cleaned_data["text"])
        found = None if own_risk else selectors.feedback(form.cleaned_data["text"])
    return render(
        request,
        "communication/statement.html",
        {"form": form, "feedback": found, "own_risk": own_risk},
        status=400 if form.errors else 200,
    )
