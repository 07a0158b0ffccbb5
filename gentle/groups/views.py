"""The groups' pages: the list, setting one up, its page with the roster, adding a member and
recording one leaving. Who sees what comes from the access helpers (ADR 0051)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients.access import (
    GROUP_ROLES,
    as_id,
    care_team_clients,
    group_facilitators,
    group_for,
    may_create_groups,
    record_list_read,
    roster_may,
    visible_groups,
)
from gentle.groups import actions
from gentle.groups.forms import GroupEditForm, GroupForm, LeaveForm, MemberForm
from gentle.groups.models import Group, GroupMember, GroupStatus
from gentle.lib.forms import posted

WITH_PEOPLE = ("facilitator", "co_facilitator")


def _status(form_errors: bool) -> int:
    return 400 if form_errors else 200


@role_required(*GROUP_ROLES)
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = list(
        visible_groups(request, Group.objects.select_related(*WITH_PEOPLE)).annotate(
            current=Count("members", filter=Q(members__left_on__isnull=True))
        )
    )
    record_list_read(request, Action.GROUP_LIST, count=len(groups))
    return render(
        request,
        "groups/group_list.html",
        {"groups": groups, "may_create": may_create_groups(request)},
    )


@role_required(Role.ADMIN, Role.CLINICIAN)
def group_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    clinic = clinic_context(request).clinic
    if clinic is None:  # role_required found a role: never, but say so for the types
        raise Http404
    form = GroupForm(
        posted(request),
        facilitators=group_facilitators(clinic),
        initial={"language": request.LANGUAGE_CODE[:2]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = actions.group_create(by=request.user, clinic=clinic, **form.cleaned_data)
        except actions.GroupRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Group set up. Add its members."))
            return redirect("group_detail", group_id=group.pk)
    return render(
        request, "groups/group_form.html", {"form": form}, status=_status(bool(form.errors))
    )


@role_required(*GROUP_ROLES)
def group_detail(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = group_for(request, Group.objects.select_related(*WITH_PEOPLE), group_id)
    roster = group.members.select_related("client").order_by("joined_on", "pk")
    if not cast(Any, group).may.past_members:  # a lay facilitator: the current members only
        roster = roster.filter(left_on__isnull=True)
    members = list(roster)
    roster_may(request, [member.client for member in members])
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "current": [m for m in members if m.current],
            "past": [m for m in members if not m.current],
            "open": group.status != GroupStatus.FINISHED,
        },
    )


@role_required(Role.ADMIN, Role.CLINICIAN)
def group_edit(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = group_for(request, Group.objects.all(), group_id, manage=True, action=Action.GROUP_OPEN)
    fields = ("name", "format", "language", "setting", "place", "starts_on", "status")
    initial = {name: getattr(group, name) for name in fields}
    initial |= {"facilitator": group.facilitator_id, "co_facilitator": group.co_facilitator_id}
    form = GroupEditForm(
        posted(request), facilitators=group_facilitators(group.clinic), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.group_update(by=request.user, group=group, **form.cleaned_data)
        except actions.GroupRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Group saved."))
            return redirect("group_detail", group_id=group.pk)
    return render(
        request,
        "groups/group_form.html",
        {"form": form, "group": group},
        status=_status(bool(form.errors)),
    )


@role_required(Role.ADMIN, Role.CLINICIAN)
def member_add(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = group_for(request, Group.objects.all(), group_id, manage=True, action=Action.GROUP_OPEN)
    # Clients on the person's own care team (an administrator has none: clinicians add them).
    clients = care_team_clients(request)
    form = MemberForm(posted(request), clients=clients, initial={"joined_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.member_add(
                by=request.user,
                group=group,
                client=form.cleaned_data["client"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except actions.GroupRefused as refused:
            form.add_error(None, str(refused))
        else:
            if member.late:
                messages.success(request, _("Member added, as a late join."))
            else:
                messages.success(request, _("Member added."))
            return redirect("group_detail", group_id=group.pk)
    return render(
        request,
        "groups/member_form.html",
        {"form": form, "group": group},
        status=_status(bool(form.errors)),
    )


@role_required(*GROUP_ROLES)
def member_leave(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    found = GroupMember.objects.filter(pk=as_id(member_id)).values_list("group_id", flat=True)
    group_id = found.first()
    if group_id is None:
        raise Http404
    group = group_for(request, Group.objects.all(), group_id, run=True, action=Action.GROUP_OPEN)
    member = GroupMember.objects.select_related("client").get(pk=member_id)
    member.group = group
    roster_may(request, [member.client])
    if member.left_on is not None:
        messages.info(request, _("This member's leaving is already recorded."))
        return redirect("group_detail", group_id=group.pk)
    form = LeaveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.member_leave(
                by=request.user,
                member=member,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
            )
        except actions.GroupRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Leaving recorded."))
            return redirect("group_detail", group_id=group.pk)
    return render(
        request,
        "groups/leave_form.html",
        {"form": form, "group": group, "member": member},
        status=_status(bool(form.errors)),
    )
