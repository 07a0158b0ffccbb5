"""The administrator's pages (people, roles, invitations, outgoing mail, audit log) and clinic
switching."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts import actions
from gentle.accounts.context import SESSION_KEY, clinic_context
from gentle.accounts.decorators import role_required
from gentle.accounts.forms import (
    ApiTokenForm,
    AuditFilterForm,
    InviteStaffForm,
    RoleForm,
    SupervisorsForm,
    SwitchClinicForm,
)
from gentle.accounts.models import ApiToken, Invitation, Membership, Role, User
from gentle.accounts.selectors import (
    administers_every_clinic_of,
    clinic_members,
    member_of_clinic,
    other_administrators,
    people_counts,
    people_of,
)
from gentle.audit.log import record
from gentle.audit.models import ActionFamily, AuditEvent
from gentle.audit.names import Action
from gentle.lib.forms import posted
from gentle.lib.keyset import read_request_page, request_page
from gentle.lib.siteurl import absolute_url
from gentle.notify.selectors import mail_page


def not_offered(request, **kwargs):
    """An allauth page Gentle closes (gentle.accounts.urls.CLOSED_ALLAUTH_PAGES)."""
    raise Http404


OWN_ROLES = gettext_lazy(
    "You cannot change your own roles. Another administrator of this clinic can."
)
OTHER_CLINICS = gettext_lazy(
    "This person also works in another clinic. Disabling their account or signing them out "
    "would reach that clinic too, so only an administrator of every clinic they work in can do "
    "it. You can remove their roles here: that ends their access to this clinic."
)


@role_required(Role.ADMIN)
def clinic_people_view(request):
    """The clinic's staff, or (``?show=clients``) its clients with a portal login: 50 people a
    page in the order they got their accounts (keyset, ADR 0027), so that a clinic's many
    portal logins neither hide its staff nor make the page grow with them."""
    clinic = clinic_context(request).clinic
    clients = request.GET.get("show") == "clients"
    page = request_page(request, clinic_members(clinic, clients=clients), order=["user_id"])
    return render(
        request,
        "accounts/people.html",
        {
            "clinic": clinic,
            "show": "clients" if clients else "staff",
            "page": page,
            "people": people_of(clinic, [row["user_id"] for row in page.rows]),
            "counts": people_counts(clinic),
        },
    )


@role_required(Role.ADMIN)
def person_detail(request, user_id: int):
    clinic = clinic_context(request).clinic
    person = member_of_clinic(clinic, user_id)
    roles = set(
        Membership.objects.filter(clinic=clinic, user=person).values_list("role", flat=True)
    )
    supervisors_form = None
    if Role.CLINICIAN in roles:
        supervisors_form = SupervisorsForm(
            candidates=User.objects.filter(
                memberships__clinic=clinic, memberships__role=Role.SUPERVISOR
            )
            .exclude(pk=person.pk)
            .order_by("display_name"),
            initial={
                "supervisors": list(
                    person.supervisors.filter(clinic=clinic).values_list("supervisor_id", flat=True)
                )
            },
        )
    staff_roles = [r for r in Role if r != Role.CLIENT]
    is_self = person == request.user
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "role_rows": [
                {"value": r.value, "label": r.label, "held": r.value in roles} for r in staff_roles
            ],
            "is_client": Role.CLIENT in roles,
            "supervisors_form": supervisors_form,
            "is_self": is_self,
            "own_roles": OWN_ROLES,
            "other_admins": other_administrators(clinic, person) if is_self else [],
            "account_reachable": is_self or administers_every_clinic_of(request.user, person),
            "other_clinics": OTHER_CLINICS,
        },
    )


def _person_action(request, user_id):
    clinic = clinic_context(request).clinic
    return clinic, member_of_clinic(clinic, user_id)


@role_required(Role.ADMIN)
@require_POST
def person_role(request, user_id: int, change: str):
    clinic, person = _person_action(request, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid() or change not in ("add", "remove"):
        messages.error(request, _("Choose a staff role."))
        return redirect("person_detail", user_id=person.pk)
    role = form.cleaned_data["role"]
    if person == request.user:
        messages.error(request, OWN_ROLES)
        return redirect("person_detail", user_id=person.pk)
    if change == "add":
        actions.membership_add(by=request.user, clinic=clinic, user=person, role=role)
    else:
        actions.membership_remove(by=request.user, clinic=clinic, user=person, role=role)
        if not Membership.objects.filter(clinic=clinic, user=person).exists():
            messages.success(
                request,
                _("Roles saved. %(name)s no longer has a role in this clinic.") % {"name": person},
            )
            return redirect("clinic_people")
    messages.success(request, _("Roles saved."))
    return redirect("person_detail", user_id=person.pk)


@role_required(Role.ADMIN)
@require_POST
def person_supervisors(request, user_id: int):
    clinic, person = _person_action(request, user_id)
    form = SupervisorsForm(
        request.POST,
        candidates=User.objects.filter(
            memberships__clinic=clinic, memberships__role=Role.SUPERVISOR
        ).exclude(pk=person.pk),
    )
    if not Membership.objects.filter(clinic=clinic, user=person, role=Role.CLINICIAN).exists():
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Choose supervisors from the list."))
        return redirect("person_detail", user_id=person.pk)
    try:
        actions.supervisors_set(
            by=request.user,
            clinic=clinic,
            clinician=person,
            supervisors=list(form.cleaned_data["supervisors"]),
        )
    except actions.ChangeRefused:
        messages.error(
            request,
            _(
                "You cannot make yourself someone's supervisor: it opens their clients to you. "
                "Another administrator of this clinic can."
            ),
        )
        return redirect("person_detail", user_id=person.pk)
    messages.success(request, _("Supervisors saved."))
    return redirect("person_detail", user_id=person.pk)


@role_required(Role.ADMIN)
@require_POST
def person_active(request, user_id: int):
    clinic, person = _person_action(request, user_id)
    active = request.POST.get("active") == "1"
    if person == request.user and not active:
        messages.error(request, _("You cannot disable your own account."))
        return redirect("person_detail", user_id=person.pk)
    if not administers_every_clinic_of(request.user, person):
        messages.error(request, OTHER_CLINICS)
        return redirect("person_detail", user_id=person.pk)
    actions.account_set_active(by=request.user, clinic=clinic, user=person, active=active)
    messages.success(request, _("Account enabled.") if active else _("Account disabled."))
    return redirect("person_detail", user_id=person.pk)


@role_required(Role.ADMIN)
@require_POST
def person_end_sessions(request, user_id: int):
    clinic, person = _person_action(request, user_id)
    if person != request.user and not administers_every_clinic_of(request.user, person):
        messages.error(request, OTHER_CLINICS)
        return redirect("person_detail", user_id=person.pk)
    actions.sessions_end(by=request.user, clinic=clinic, user=person)
    messages.success(request, _("Every session of this person has ended."))
    if person == request.user:
        return redirect("account_login")
    return redirect("person_detail", user_id=person.pk)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def invitations(request):
    clinic = clinic_context(request).clinic
    form = InviteStaffForm(posted(request), inviter=request.user)
    if request.method == "POST" and form.is_valid():
        invitation, token = actions.invitation_create(
            by=request.user,
            clinic=clinic,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
        link = absolute_url(reverse("invitation_accept", args=[token]))
        return render(
            request, "accounts/invitation_created.html", {"invitation": invitation, "link": link}
        )
    rows = Invitation.objects.filter(clinic=clinic).select_related("created_by")[:100]
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "invitations": rows},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
@require_POST
def invitation_revoke(request, invitation_id: int):
    clinic = clinic_context(request).clinic
    invitation = Invitation.objects.filter(clinic=clinic, pk=invitation_id).first()
    if invitation is None:
        raise Http404
    if actions.invitation_revoke(by=request.user, invitation=invitation):
        messages.success(request, _("Invitation revoked."))
    else:
        messages.error(
            request,
            _(
                "This invitation was already used or withdrawn. To take a role away, use the "
                "People page."
            ),
        )
    return redirect("invitations")


@role_required(Role.ADMIN)
def audit_log(request):
    clinic = clinic_context(request).clinic
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(clinic_id=clinic.pk)
    order = ["-seq"]
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            # One person's rows over an index, not a substring search of every label of the
            # clinic (issue 20). An address no one has finds nothing, as one that did nothing
            # here does: the page does not tell which addresses have accounts elsewhere.
            person = (
                User.objects.alias(address=Lower("email"))  # the unique index on lower(email)
                .filter(address=data["actor"].lower())
                .values("pk")
                .first()
            )
            events = events.filter(actor_id=person["pk"]) if person else events.none()
        if data["action"]:  # a family: "note" is note.create, note.sign, ...
            # Over the index on the family, not every newer row of the clinic read and
            # skipped until 50 of a rare family are found (issue 20). By time, below.
            events = events.alias(family=ActionFamily("action")).filter(family=data["action"])
        if data["client_id"]:
            events = events.filter(client_id=data["client_id"])
        zone = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, zone))
        if data["until"]:
            events = events.filter(at__lte=datetime.combine(data["until"], time.max, zone))
        if data["since"] or data["until"] or data["action"]:
            # Newest first by time, so that the dates bound a range of an index instead of
            # every newer row being read and skipped (issue 20); seq breaks ties. A family
            # is read by time too: its index, by time, serves it with dates and without.
            order = ["-at", "-seq"]
    page = request_page(request, events, order=order)
    with transaction.atomic():
        record(Action.AUDIT_VIEW, role=Role.ADMIN, clinic_id=clinic.pk)
    return render(request, "accounts/audit_log.html", {"form": form, "page": page})


@role_required(Role.ADMIN)
def outgoing_mail(request):
    """The clinic's outgoing mail and whether it went; the text only in the demo."""
    clinic = clinic_context(request).clinic
    members = User.objects.filter(memberships__clinic=clinic).values("email")
    page = read_request_page(
        request, lambda cursor, bad: mail_page(clinic.pk, members, cursor=cursor, bad_cursor=bad)
    )
    with transaction.atomic():
        record(Action.MAIL_LIST, role=Role.ADMIN, clinic_id=clinic.pk)
    return render(
        request, "accounts/outgoing_mail.html", {"page": page, "show_bodies": settings.DEMO}
    )


@require_POST
def switch_clinic(request):
    if not request.user.is_authenticated:
        raise Http404
    form = SwitchClinicForm(request.POST)
    context = clinic_context(request)
    if not form.is_valid() or form.cleaned_data["clinic"] not in {c.pk for c in context.clinics}:
        raise Http404
    request.session[SESSION_KEY] = form.cleaned_data["clinic"]
    with transaction.atomic():
        record(Action.CLINIC_SWITCH, clinic_id=form.cleaned_data["clinic"])
    return redirect("home")


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The clinic's personal access tokens for the API (ADR 0062): make one (its secret is
    shown once, on the next page), see when each was last used, revoke."""
    clinic = clinic_context(request).clinic
    form = ApiTokenForm(posted(request), clinic=clinic, max_days=settings.GENTLE_API_TOKEN_MAX_DAYS)
    if request.method == "POST" and form.is_valid():
        token, secret = actions.api_token_create(
            by=request.user,
            clinic=clinic,
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            days=form.cleaned_data["days"],
        )
        return render(
            request, "accounts/api_token_created.html", {"token": token, "secret": secret}
        )
    rows = list(ApiToken.objects.filter(clinic=clinic).select_related("user", "created_by")[:200])
    with transaction.atomic():
        record(
            Action.API_TOKEN_LIST,
            role=Role.ADMIN,
            clinic_id=clinic.pk,
            detail=f"count={len(rows)}",
        )
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": rows},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
@require_POST
def api_token_revoke(request, token_id: int):
    clinic = clinic_context(request).clinic
    token = ApiToken.objects.filter(clinic=clinic, pk=token_id).first()
    if token is None:
        raise Http404
    if actions.api_token_revoke(by=request.user, token=token):
        messages.success(request, _("Token revoked: it no longer works."))
    else:
        messages.error(request, _("This token was already revoked."))
    return redirect("api_tokens")
