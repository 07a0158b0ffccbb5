"""Client records as their care team sees them, break-glass access, and the administrator's
management of records and care teams."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts import actions as account_actions
from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import role_required
from gentle.accounts.models import InvitationPurpose, Role, User
from gentle.audit.log import record
from gentle.audit.models import AuditEvent
from gentle.audit.names import Action
from gentle.clients import access, actions
from gentle.clients.forms import (
    BreakGlassForm,
    CareTeamForm,
    ClientDetailsForm,
    ClientForm,
    ClientSearchForm,
    ConsentForm,
    FindClientForm,
    InvitationAcceptForm,
    PortalActivationForm,
)
from gentle.clients.models import BreakGlassGrant, CareTeamMember, Client, TeamRole
from gentle.lib.forms import posted
from gentle.lib.keyset import request_page
from gentle.lib.routes import url_of
from gentle.lib.search import search

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
def client_list(request):
    """The clients this person may open, 50 a page by name (keyset, ADR 0027)."""
    page = request_page(
        request, access.visible_clients(request), order=["family_name", "given_name", "id"]
    )
    context = clinic_context(request)
    with transaction.atomic():
        record(
            Action.CLIENT_LIST,
            role=context.primary_role(),
            clinic_id=context.clinic.pk,
            detail=f"count={len(page.rows)}",
        )
    rows = [{"client": c, "via": access.access_path(c)} for c in page.rows]
    return render(
        request,
        "clients/client_list.html",
        {"rows": rows, "page": page, "find_form": FindClientForm()},
    )


def _team_initial(client: Client) -> dict:
    team = _care_team(client)
    return {
        "clinicians": [m.user for m in team if m.role == TeamRole.CLINICIAN],
        "supervisor": next((m.user for m in team if m.role == TeamRole.SUPERVISOR), None),
    }


def _care_team(client: Client) -> list[CareTeamMember]:
    return list(client.care_team.select_related("user").order_by("role", "user__display_name"))


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def client_edit(request, client_id: int):
    """The client's details (contact, emergency contact, language) and consents."""
    client = access.client_for(
        request,
        client_id,
        write=True,
        action=Action.CLIENT_OPEN if request.method == "POST" else Action.CLIENT_VIEW,
    )
    initial = {name: getattr(client, name) for name in actions.DETAIL_FIELDS}
    form = ClientDetailsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.client_update(by=request.user, client=client, fields=form.cleaned_data)
        messages.success(request, _("Details saved."))
        return redirect("client_detail", client_id=client.pk)
    return render(
        request,
        "clients/client_edit.html",
        {
            "client": client,
            "form": form,
            "consent_form": ConsentForm(),
            "consents": list(client.consents.all()),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def consent_add(request, client_id: int):
    client = access.client_for(request, client_id, write=True, action=Action.CLIENT_OPEN)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "clients/client_edit.html",
            {
                "client": client,
                "consent_form": form,
                "consents": list(client.consents.all()),
                "form": ClientDetailsForm(
                    initial={n: getattr(client, n) for n in actions.DETAIL_FIELDS}
                ),
            },
            status=400,
        )
    actions.consent_record(by=request.user, client=client, **form.cleaned_data)
    messages.success(request, _("Consent recorded."))
    return redirect("client_edit", client_id=client.pk)


@role_required(Role.CLINICIAN)
@require_POST
def consent_withdraw(request, client_id: int, consent_id: int):
    client = access.client_for(request, client_id, write=True, action=Action.CLIENT_OPEN)
    consent = client.consents.filter(pk=access.as_id(consent_id)).first()
    if consent is None:
        raise Http404
    actions.consent_withdraw(by=request.user, client=client, consent=consent)
    messages.success(request, _("Consent marked as withdrawn today."))
    return redirect("client_edit", client_id=client.pk)


@role_required(*CLINICAL, Role.ADMIN)
def client_access_log(request, client_id: int):
    """Who opened this record, newest first, 50 a page (keyset by seq, ADR 0027): for the care
    team and the clinic's administrators. Every opening adds a row, so no count and no OFFSET."""
    context = clinic_context(request)
    try:
        client = access.client_for(request, client_id, action=Action.CLIENT_ACCESS_LOG_VIEW)
    except Http404:
        client = access.managed_client(request, client_id)
        with transaction.atomic():
            record(
                Action.CLIENT_ACCESS_LOG_VIEW,
                role=Role.ADMIN,
                clinic_id=context.clinic.pk,
                client_id=client.pk,
                object_type="client",
                object_id=client.pk,
            )
    # Process notes are not part of the record: their events stay out of this page. The rows
    # come newest first from the index on (client_id, seq).
    events = AuditEvent.objects.filter(client_id=client.pk, clinic_id=client.clinic_id).exclude(
        object_type="process_note"
    )
    page = request_page(request, events, order=["-seq"])
    return render(request, "clients/access_log.html", {"client": client, "page": page})


@role_required(Role.CLINICIAN)
def find_client(request):
    form = FindClientForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Enter a client record number."))
        return redirect("client_list")
    return redirect("break_glass", client_id=form.cleaned_data["client_id"])


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def break_glass(request, client_id: int):
    client = access.break_glass_candidate(request, client_id)
    if access.visible_clients(request).filter(pk=client.pk).exists():
        return redirect("client_detail", client_id=client.pk)
    form = BreakGlassForm(posted(request))
    if request.method == "POST" and form.is_valid():
        grant = actions.break_glass_open(
            by=request.user, client=client, reason=form.cleaned_data["reason"]
        )
        messages.warning(
            request,
            _(
                "Emergency access granted until %(time)s. The clinic's administrators and "
                "supervisors have been told."
            )
            % {"time": time_format(timezone.localtime(grant.expires_at), "TIME_FORMAT")},
        )
        return redirect("client_detail", client_id=client.pk)
    return render(request, "clients/break_glass.html", {"client_id": client.pk, "form": form})


# The administrator's pages -------------------------------------------------------------


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def clinic_clients(request):
    context = clinic_context(request)
    form = ClientForm(posted(request))
    if request.method == "POST" and form.is_valid():
        client = actions.client_create(by=request.user, clinic=context.clinic, **form.cleaned_data)
        messages.success(request, _("Client record created. Now choose the care team."))
        return redirect("clinic_client_team", client_id=client.pk)
    records = Client.objects.filter(clinic=context.clinic).prefetch_related("care_team__user")
    finder = ClientSearchForm(request.GET or None)
    if finder.is_valid():
        records = search(records, finder.cleaned_data["q"])
    elif finder.is_bound:
        records = records.none()  # a refused search lists nothing, not everything; it says why
    page = request_page(request, records, order=["family_name", "given_name", "id"])
    # Each row's two links from URLs reversed once a page: reversing them in the template, row
    # by row, was a tenth of a full page's time (issue 20).
    team_url, log_url = url_of("clinic_client_team"), url_of("client_access_log")
    for client in page.rows:
        client.team_url, client.log_url = team_url(client.pk), log_url(client.pk)
    with transaction.atomic():
        record(
            Action.CLIENT_ADMIN_LIST,
            role=Role.ADMIN,
            clinic_id=context.clinic.pk,
            detail=f"count={len(page.rows)}",
        )
    searching = bool(request.GET.get("q", "").strip())
    return render(
        request,
        "clients/clinic_clients.html",
        {"page": page, "form": form, "finder": finder, "searching": searching},
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def clinic_client_team(request, client_id: int):
    client = access.managed_client(request, client_id)
    form = CareTeamForm(posted(request), clinic=client.clinic, initial=_team_initial(client))
    if request.method == "POST" and form.is_valid():
        try:
            actions.care_team_set(
                by=request.user,
                client=client,
                clinicians=list(form.cleaned_data["clinicians"]),
                supervisor=form.cleaned_data["supervisor"],
            )
        except actions.CareTeamError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Care team saved."))
            return redirect("clinic_clients")
    with transaction.atomic():
        record(
            Action.CLIENT_ADMIN_VIEW,
            role=Role.ADMIN,
            clinic_id=client.clinic_id,
            client_id=client.pk,
            object_type="client",
            object_id=client.pk,
        )
    return render(
        request,
        "clients/care_team_form.html",
        {
            "client": client,
            "form": form,
            "may_be_on_teams": clinic_context(request).has(*CLINICAL),
        },
    )


#: The emergency accesses listed for review (those still to review first).
SHOWN_GRANTS = 200


@role_required(Role.ADMIN, Role.SUPERVISOR)
def break_glass_reviews(request):
    """Emergency access to review: for the clinic's administrators and supervisors, so that a
    clinic whose only administrator also sees clients still has someone else to review."""
    context = clinic_context(request)
    # Those still to review first (newest first), then the reviewed (latest review first): a
    # long history of reviewed grants must not push one still to review off the page.
    grants = list(
        BreakGlassGrant.objects.filter(client__clinic=context.clinic)
        .select_related("user", "client", "reviewed_by")
        .order_by(F("reviewed_at").desc(nulls_first=True), "-granted_at", "-pk")[: SHOWN_GRANTS + 1]
    )
    more = len(grants) > SHOWN_GRANTS
    with transaction.atomic():
        record(
            Action.BREAK_GLASS_LIST,
            role=Role.ADMIN if context.has(Role.ADMIN) else Role.SUPERVISOR,
            clinic_id=context.clinic.pk,
        )
    return render(
        request,
        "clients/break_glass_reviews.html",
        {
            "grants": grants[:SHOWN_GRANTS],
            "more": more,
            "shown": SHOWN_GRANTS,
            "is_admin": context.has(Role.ADMIN),
            "my_reviewers": [
                u for u in access.break_glass_reviewers(context.clinic) if u != request.user
            ],
        },
    )


@role_required(Role.ADMIN, Role.SUPERVISOR)
@require_POST
def break_glass_review(request, grant_id: int):
    context = clinic_context(request)
    grant = get_object_or_404(
        BreakGlassGrant.objects.select_related("client"), pk=grant_id, client__clinic=context.clinic
    )
    try:
        reviewed = actions.break_glass_review(by=request.user, grant=grant)
    except actions.ReviewRefused:
        messages.error(
            request,
            _(
                "Nobody reviews their own emergency access. Another administrator or a "
                "supervisor of this clinic does."
            ),
        )
    else:
        if reviewed:
            messages.success(request, _("Marked as reviewed."))
        else:
            messages.info(request, _("This was already reviewed."))
    return redirect("break_glass_reviews")


# Invitations (public: the link is the credential; for the portal, with the letter's code) -


def _refused(request, invitation, state: str, *, audit: bool = True):
    if audit:
        with transaction.atomic():
            record(
                Action.INVITATION_REFUSED,
                detail=f"state={state}",
                object_type="invitation",
                object_id=getattr(invitation, "pk", ""),
                clinic_id=getattr(invitation, "clinic_id", None),
            )
    status = 403 if state == "staff_account" else 410
    return render(request, "accounts/invitation_invalid.html", {"state": state}, status=status)


def _welcome(request, invitation, user, *, new: bool):
    if new:
        user.backend = "gentle.accounts.backends.AuthenticationBackend"
        get_account_adapter(request).login(request, user)
    request.session["gentle_clinic_id"] = invitation.clinic_id
    messages.success(request, _("Welcome to %(clinic)s.") % {"clinic": invitation.clinic})
    return redirect("home")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = account_actions.invitation_by_token(token)
    state = invitation.state if invitation else "unknown"
    if state != "open":
        return _refused(request, invitation, state)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing and request.user != existing:
        return render(
            request, "accounts/invitation_sign_in.html", {"invitation": invitation}, status=200
        )
    if invitation.purpose == InvitationPurpose.CLIENT_PORTAL:
        return _portal_activation(request, invitation, existing)
    form = None if existing else InvitationAcceptForm(posted(request), email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = account_actions.invitation_accept(
                invitation=invitation,
                user=existing,
                display_name=form.cleaned_data["display_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except account_actions.InvitationUnusable as refusal:
            return _refused(request, invitation, refusal.state, audit=False)
        return _welcome(request, invitation, user, new=not existing)
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _portal_activation(request, invitation, existing):
    """The emailed link opens this form; the letter's code and the date of birth complete it."""
    if existing and account_actions.holds_staff_role(invitation.clinic, existing.email):
        return _refused(request, invitation, "staff_account")
    form = PortalActivationForm(
        posted(request),
        email=invitation.email,
        ask_birth_date=access.portal_invitation_asks_birth_date(invitation),
        new_login=existing is None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome, user = actions.portal_activate(
                invitation=invitation,
                user=existing,
                code=data["code"],
                date_of_birth=data.get("date_of_birth"),
                display_name=data.get("display_name", ""),
                password=data.get("password1", ""),
            )
        except account_actions.InvitationUnusable as refusal:
            return _refused(request, invitation, refusal.state)
        except actions.PortalLinkError:
            return _refused(request, invitation, "used")
        if outcome == actions.Activation.LOCKED:
            return _refused(request, invitation, "locked", audit=False)
        if outcome == actions.Activation.DONE:
            return _welcome(request, invitation, user, new=not existing)
        invitation.refresh_from_db(fields=["failed_attempts"])
        left = invitation.attempts_left
        form.refuse(
            ngettext(
                "The code or the date of birth does not match. You can try %(count)s more time.",
                "The code or the date of birth does not match. You can try %(count)s more times.",
                left,
            )
            % {"count": left}
        )
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "portal": True},
        status=400 if form.errors else 200,
    )
