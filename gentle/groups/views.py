"""The groups' pages: the list, setting one up, its page with the roster, adding a member and
recording one leaving. Who sees what comes from the access helpers (ADR 0051)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from gentle.courses.protocol import agenda_for
from gentle.groups import actions
from gentle.groups.forms import (
    GroupEditForm,
    GroupForm,
    LeaveForm,
    MemberForm,
    MoveForm,
    ScheduleForm,
)
from gentle.groups.models import (
    Group,
    GroupMember,
    GroupSession,
    GroupSessionStatus,
    GroupStatus,
    LeaveReason,
)
from gentle.groups.sessions import member_alerts, phq9_scores
from gentle.lib.forms import posted
from gentle.lib.keyset import request_page
from gentle.measures.instruments import catalogue
from gentle.safety.selectors import crisis_text_for

WITH_PEOPLE = ("facilitator", "co_facilitator")


def _status(form_errors: bool) -> int:
    return 400 if form_errors else 200


# The groups list's order, newest first session first, over the indexes of the current and the
# finished groups (group_clinic_current, group_clinic_finished): id breaks ties and is the cursor.
GROUP_LIST_ORDER = ["-starts_on", "-id"]


def _member_count(**which: Any) -> Coalesce:
    """How many of a group's members are ``which``, one subquery a row over the members'
    index on their group: no join and no grouping of the page's rows."""
    counted = (
        GroupMember.objects.filter(group=OuterRef("pk"), **which)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


@role_required(*GROUP_ROLES)
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The groups this person sees, 50 a page (keyset, ADR 0027): the current ones (planned and
    running) with their members now, or with ``?show=finished`` the finished ones with how many
    completed; newest first session first."""
    finished = request.GET.get("show") == "finished"
    groups = visible_groups(request, Group.objects.select_related(*WITH_PEOPLE))
    if finished:
        groups = groups.filter(status=GroupStatus.FINISHED).annotate(
            counted=_member_count(leave_reason=LeaveReason.COMPLETED)
        )
    else:
        groups = groups.exclude(status=GroupStatus.FINISHED).annotate(
            counted=_member_count(left_on__isnull=True)
        )
    page = request_page(request, groups, order=GROUP_LIST_ORDER)
    record_list_read(request, Action.GROUP_LIST, count=len(page.rows))
    return render(
        request,
        "groups/group_list.html",
        {"page": page, "finished": finished, "may_create": may_create_groups(request)},
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
    current = [m for m in members if m.current]
    roster_may(
        request,
        [member.client for member in members],
        group=group,
        current=[m.client_id for m in current],
    )
    alerts = member_alerts(m.client for m in current)
    for member in current:
        cast(Any, member).alerts = alerts.get(member.client_id, [])
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "current": current,
            "past": [m for m in members if not m.current],
            "open": group.status != GroupStatus.FINISHED,
            "sessions": list(group.sessions.all()),
            "schedule_form": ScheduleForm(initial={"at": "17:00"}),
            **_alert_context(request, group, alerts),
        },
    )


def _alert_context(
    request: AuthenticatedHttpRequest, group: Group, alerts: dict[int, Any]
) -> dict[str, Any]:
    """Whether any member has an open risk alert, and then the clinic's crisis numbers."""
    risk = any(a.risk for found in alerts.values() for a in found)
    crisis = crisis_text_for(group.clinic, request.LANGUAGE_CODE) if risk else ""
    return {"risk": risk, "crisis_text": crisis}


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


@role_required(Role.ADMIN, Role.CLINICIAN)
def schedule_make(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = group_for(request, Group.objects.all(), group_id, manage=True, action=Action.GROUP_OPEN)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the time of the sessions."))
    else:
        try:
            actions.schedule_make(by=request.user, group=group, at=form.cleaned_data["at"])
        except actions.GroupRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Schedule made."))
    return redirect("group_detail", group_id=group.pk)


def _group_session(
    request: AuthenticatedHttpRequest, group_id: int, number: int, *, run: bool
) -> tuple[Group, GroupSession]:
    group = group_for(
        request,
        Group.objects.select_related(*WITH_PEOPLE, "clinic"),
        group_id,
        run=run,
        action=Action.GROUP_OPEN if run else Action.GROUP_SESSION_VIEW,
    )
    session = GroupSession.objects.filter(group=group, number=as_id(number)).first()
    if session is None:
        raise Http404
    session.group = group
    return group, session


@role_required(*GROUP_ROLES)
def session_phq9_send(
    request: AuthenticatedHttpRequest, group_id: int, number: int
) -> HttpResponse:
    """Send the PHQ-9 to the phones of the members with a portal account, before the meeting."""
    _group, session = _group_session(request, group_id, number, run=True)
    try:
        sent = actions.phq9_send(by=request.user, session=session)
    except actions.GroupRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "PHQ-9 sent to %(count)d member's phone.",
                "PHQ-9 sent to %(count)d members' phones.",
                sent,
            )
            % {"count": sent},
        )
    return redirect("group_session", group_id=group_id, number=session.number)


@role_required(*GROUP_ROLES)
def session_move(request: AuthenticatedHttpRequest, group_id: int, number: int) -> HttpResponse:
    """Move a session not yet held, or cancel it."""
    group, session = _group_session(request, group_id, number, run=True)
    local = timezone.localtime(session.starts_at)
    form = MoveForm(posted(request), initial={"day": local.date(), "at": local.time()})
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                actions.session_cancel(by=request.user, session=session)
                messages.success(request, _("Session cancelled."))
                return redirect("group_detail", group_id=group.pk)
            if form.is_valid():
                starts_at = actions._local(form.cleaned_data["day"], form.cleaned_data["at"])
                actions.session_move(by=request.user, session=session, starts_at=starts_at)
                messages.success(request, _("Session moved."))
                return redirect("group_detail", group_id=group.pk)
        except actions.GroupRefused as refused:
            form.add_error(None, str(refused))
    return render(
        request,
        "groups/session_move.html",
        {"form": form, "group": group, "session": session},
        status=_status(bool(form.errors)),
    )


PHQ_ITEMS = 10  # nine items and the difficulty question


def _marks(post: Any) -> dict[int, actions.Mark]:
    """What was typed for each member, by the member id in the field names (any id: those
    not on the roster are refused by the action, not dropped here)."""
    marks: dict[int, actions.Mark] = {}
    item_ids = [item.id for item in catalogue()[actions.PHQ9].items]
    for key in post:
        head, _sep, rest = key.partition("-")
        if head not in {"came", "note", "follow", "reason", "phq"} or not rest:
            continue
        member_id = rest.split("-")[0]
        if not member_id.isdigit() or int(member_id) in marks:
            continue
        pk = int(member_id)
        came = post.get(f"came-{pk}", "")
        phq: dict[str, Any] = {}
        for item in item_ids:
            value = post.get(f"phq-{pk}-{item}", "").strip()
            if value:
                phq[item] = int(value) if value.isdigit() else value
        marks[pk] = actions.Mark(
            attended={"1": True, "0": False}.get(came),
            note=post.get(f"note-{pk}", "").strip(),
            follow_up=bool(post.get(f"follow-{pk}")),
            follow_up_reason=post.get(f"reason-{pk}", "").strip(),
            phq9=phq,
        )
    return marks


@role_required(*GROUP_ROLES)
def group_session(request: AuthenticatedHttpRequest, group_id: int, number: int) -> HttpResponse:
    """One shared record per group session (ADR 0053): attendance, the agenda, a short note, a
    follow-up flag and a PHQ-9 per member, the group's summary and practice, on one screen.
    Whoever sees the group reads it; who runs it records it (also typed in from paper)."""
    write = request.method == "POST"
    group, session = _group_session(request, group_id, number, run=write)
    may_past = cast(Any, group).may.past_members
    roster = actions.session_roster(session, past_members=may_past)
    existing = {a.member_id: a for a in session.attendance.all()}
    errors: dict[int, list[str]] = {}
    if write:
        marks = _marks(request.POST)
        done = request.POST.getlist("agenda")
        try:
            rules = actions.session_record(
                by=request.user,
                session=session,
                marks=marks,
                agenda_done=done,
                summary=request.POST.get("summary", "").strip(),
                practice=request.POST.get("practice", "").strip(),
                past_members=may_past,
            )
        except actions.SessionRefused as refused:
            errors = refused.errors
        else:
            if rules:
                messages.warning(
                    request,
                    _(
                        "A member's answer raised a safety alert. Tell the supervising "
                        "clinician now."
                    ),
                )
            messages.success(request, _("Session %(n)s recorded.") % {"n": session.number})
            return redirect("group_session", group_id=group.pk, number=session.number)
    roster_may(
        request,
        [m.client for m in roster],
        group=group,
        current=[m.client_id for m in roster if m.current],
    )
    alerts = member_alerts(m.client for m in roster)
    scores = phq9_scores([a.course_session_id for a in existing.values() if a.course_session_id])
    items = catalogue()[actions.PHQ9].items
    item_ids = [item.id for item in items]
    phone = actions.phone_answers(session)
    rows = []
    for member in roster:
        saved = existing.get(member.pk)
        if write:
            typed = request.POST
            came = typed.get(f"came-{member.pk}", "")
            note, reason = typed.get(f"note-{member.pk}", ""), typed.get(f"reason-{member.pk}", "")
            follow = bool(typed.get(f"follow-{member.pk}"))
            phq = [typed.get(f"phq-{member.pk}-{i}", "") for i in item_ids]
        else:
            came = "" if saved is None else ("1" if saved.attended else "0")
            note = saved.note if saved else ""
            reason = saved.follow_up_reason if saved else ""
            follow = bool(saved and saved.follow_up)
            phq = [""] * len(item_ids)
        score = scores.get(saved.course_session_id) if saved and saved.course_session_id else None
        entered = bool(saved and saved.course_session_id in scores)
        sent = phone.get(member.pk)
        answered = sent is not None and sent.status == "submitted"
        if sent is not None and answered and not entered:
            entered, score = True, (sent.scores or {}).get("total")
        rows.append(
            {
                "member": member,
                "came": came,
                "note": note,
                "follow": follow,
                "reason": reason,
                "phq": list(zip(items, phq, strict=True)),
                "score": score,
                "entered": entered,
                "phone": sent,
                "answered_on_phone": answered,
                "errors": errors.get(member.pk, []),
                "alerts": alerts.get(member.client_id, []),
            }
        )
    phase = actions.session_phase(group, session.number)
    agenda = agenda_for(group.format).phases[phase]
    done = request.POST.getlist("agenda") if write else session.agenda_done
    return render(
        request,
        "groups/group_session.html",
        {
            "group": group,
            "session": session,
            "rows": rows,
            "items": [(item, item.id in done) for item in agenda],
            "summary": request.POST.get("summary", "") if write else session.summary,
            "practice": request.POST.get("practice", "") if write else session.practice,
            "errors": errors.get(0, []),
            "any_errors": bool(errors),
            "may_record": cast(Any, group).may.run
            and session.status != GroupSessionStatus.CANCELLED
            and group.status != GroupStatus.FINISHED,
            "phase": phase,
            **_alert_context(request, group, alerts),
        },
        status=_status(bool(errors)),
    )
