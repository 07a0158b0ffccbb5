"""The IPT course: course overview and contract, sessions with their phase agenda, progress
notes, process notes, termination, and the clinician's calendar. (The client's page and the
caseload, which combine courses with other apps, are in gentle.staff.)"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.formats import time_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts import kept
from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Membership, Role
from gentle.audit.names import Action
from gentle.clients.access import (
    care_team_clients,
    client_for,
    fidelity_rater_role,
    record_list_read,
    supervised_courses,
    supervision_log_for,
)
from gentle.courses import actions, calendar, protocol, selectors, strategies
from gentle.courses.access import (
    comment_for,
    course_for,
    process_note_for,
    role_play_for,
    session_for,
)
from gentle.courses.forms import (
    COURSE_FIELDS,
    AddendumForm,
    AgendaForm,
    AttendanceForm,
    BookForm,
    CancelForm,
    CommentForm,
    CourseEditForm,
    CourseForm,
    MoveForm,
    NoteForm,
    NoteSettingsForm,
    ParticipantsForm,
    ProcessNoteForm,
    RelapsePlanForm,
    RemoteCheckForm,
    RolePlayForm,
    SessionForm,
    SignNoteForm,
    SupervisionMeetingForm,
    TriageForm,
)
from gentle.courses.models import (
    NUMBERED,
    Attendance,
    CalendarFeed,
    Course,
    CourseFormat,
    CourseStatus,
    NoteSettings,
    NoteStatus,
    Participants,
    ProgressNote,
    RelapsePlan,
    RemoteCheck,
    RolePlay,
    Session,
    SessionTool,
    SessionToolKind,
    SupervisionComment,
    SupervisionMeeting,
)
from gentle.courses.selectors import PHASE_LABELS, mood_points
from gentle.lib import before_signing, client_people, course_focus, ical, session_panel, svg
from gentle.lib.forms import posted
from gentle.lib.siteurl import absolute_url
from gentle.lib.tokens import token_hash

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def course_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.COURSE_NEW_FORM)
    form = CourseForm(
        posted(request), initial={"start_date": timezone.localdate(), "format": "individual"}
    )
    if request.method == "POST" and form.is_valid():
        course = actions.course_create(
            by=request.user,
            client=client,
            **{name: form.cleaned_data[name] for name in COURSE_FIELDS},
        )
        messages.success(request, _("Course created. Schedule the first session."))
        return redirect("course_detail", course_id=course.pk)
    return render(
        request,
        "courses/course_form.html",
        {"client": client, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*CLINICAL)
def course_detail(request, course_id: int):
    """The course at a glance: sessions in their phases, attendance and mood."""
    course = course_for(request, course_id)
    return _course_page(request, course)


def _course_page(
    request,
    course,
    triage_form: TriageForm | None = None,
    status: int = 200,
    **extra: object,
):
    sessions = selectors.number_sessions(course, list(course.sessions.select_related("note")))
    phases = [
        {
            "key": key,
            "label": PHASE_LABELS[key],
            "sessions": [s for s in sessions if s.phase == key],
        }
        for key in protocol.PHASES
    ]
    slots = [
        {
            "number": n,
            "phase": course.phase_of(n),
            "session": next((s for s in sessions if s.number == n), None),
        }
        for n in range(1, course.contracted_sessions + 1)
    ]
    points = mood_points(sessions)
    # The focus guard: past the initial phase with no agreed focus (ADR 0045).
    reached_middle = any((s.number or 0) > course.initial_last for s in sessions)
    focus = course_focus.of(course)
    return render(
        request,
        "courses/course_detail.html",
        {
            "course": course,
            "focus_missing": reached_middle and not (focus.agreed and course.focus),
            "client": course.client,
            "phases": phases,
            "slots": slots,
            "mood_points": points,
            "mood_chart": svg.line_chart(
                points,
                x_max=course.contracted_sessions,
                y_max=10,
                label=_("Mood (0–10) by session"),
                x_title=_("Session"),
                y_title=_("Mood (0–10)"),
                keys={"line": _("Mood from the session's note")},
            )
            if points
            else "",
            "other_courses": course.client.courses.exclude(pk=course.pk),
            "can_write": course.client.may.write,
            "has_triage": course.format == CourseFormat.IPC or bool(course.triage),
            "triage_form": triage_form
            or TriageForm(initial={"triage": course.triage, "note": course.triage_note}),
            **_comments_context(course, None, **extra),
        },
        status=status,
    )


@role_required(Role.CLINICIAN)
@require_POST
def course_triage(request, course_id: int):
    """Record where the course leads (IPC's closing triage: finished, continue or refer)."""
    course = course_for(request, course_id, write=True)
    form = TriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where the course leads."))
        return _course_page(request, course, triage_form=form, status=400)
    actions.course_set_triage(
        by=request.user,
        course=course,
        triage=form.cleaned_data["triage"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Triage saved."))
    return redirect("course_detail", course_id=course.pk)


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def course_edit(request, course_id: int):
    course = course_for(
        request,
        course_id,
        write=True,
        action=Action.COURSE_OPEN if request.method == "POST" else Action.COURSE_VIEW,
    )
    initial = {
        name: getattr(course, name)
        for name in (*COURSE_FIELDS, "status", "end_reason", "focus", "goals")
    }
    form = CourseEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        numbered = sum(1 for s in selectors.course_sessions(course) if s.number)
        if form.cleaned_data["contracted_sessions"] < numbered:
            form.add_error(
                "contracted_sessions",
                ngettext(
                    "%(n)s session is already scheduled or held.",
                    "%(n)s sessions are already scheduled or held.",
                    numbered,
                )
                % {"n": numbered},
            )
        elif (
            form.cleaned_data["format"] == CourseFormat.IPC
            and form.cleaned_data["status"] == CourseStatus.COMPLETED
            and not course.triage
        ):
            form.add_error(
                "status",
                _(
                    "Record the closing triage on the course page (finished, continue or refer) "
                    "before completing an IPC course."
                ),
            )
        else:
            actions.course_update(by=request.user, course=course, **form.cleaned_data)
            messages.success(request, _("Course saved."))
            return redirect("course_detail", course_id=course.pk)
    return render(
        request,
        "courses/course_form.html",
        {"client": course.client, "course": course, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def session_new(request, course_id: int):
    course = course_for(request, course_id, write=True, action=Action.SESSION_NEW_FORM)
    sessions = selectors.course_sessions(course)
    next_number = sum(1 for s in sessions if s.number) + 1
    last = sessions[-1] if sessions else None
    initial = {
        "minutes": course.session_minutes,
        "mode": last.mode if last else "in_person",
        "date": (
            timezone.localtime(last.starts_at).date()
            + timedelta(days=protocol.defaults_for(course.format).spacing_days)
        )
        if last
        else course.start_date,
        "time": timezone.localtime(last.starts_at).time() if last else None,
    }
    form = SessionForm(
        posted(request), initial=initial, adolescent=course.format == CourseFormat.ADOLESCENT
    )
    overlaps: list = []
    beyond_contract = next_number > course.contracted_sessions
    if request.method == "POST" and form.is_valid() and not beyond_contract:
        done, overlaps = _schedule(request, course, form)
        if done:
            return done
    status = (
        400 if (form.errors or overlaps or (beyond_contract and request.method == "POST")) else 200
    )
    return render(
        request,
        "courses/session_form.html",
        {
            "course": course,
            "client": course.client,
            "form": form,
            "overlaps": overlaps,
            "next_number": next_number,
            "beyond_contract": beyond_contract,
            "phase": PHASE_LABELS[course.phase_of(min(next_number, course.contracted_sessions))],
        },
        status=status,
    )


def _overlaps(user, course, form, *, viewer, exclude_pk=None) -> list:
    """The clinician's other sessions at the form's time; asks the form to confirm them."""
    data = form.cleaned_data
    overlaps = selectors.overlapping(
        user, data["starts_at"], data["minutes"], exclude_pk=exclude_pk
    )
    for other in overlaps:
        # Another clinic's client is not named here, nor a client of a colleague's session
        # (moving a session of a colleague on the care team checks the colleague's time).
        other.same_clinic = other.course.client.clinic_id == course.client.clinic_id
        other.named = other.same_clinic and other.clinician_id == viewer.pk
    if overlaps and not data["confirm_overlap"]:
        form.data = form.data.copy()
        form.data["confirm_overlap"] = "on"
    return overlaps


def _schedule(request, course, form) -> tuple[HttpResponse | None, list]:
    """Schedule the form's session unless it overlaps another (and that is not confirmed)."""
    data = form.cleaned_data
    overlaps = _overlaps(request.user, course, form, viewer=request.user)
    if overlaps and not data["confirm_overlap"]:
        return None, overlaps
    session = actions.session_schedule(
        by=request.user,
        course=course,
        starts_at=data["starts_at"],
        minutes=data["minutes"],
        mode=data["mode"],
        participants=data.get("participants") or Participants.CLIENT,
    )
    number = next(s.number for s in selectors.course_sessions(course) if s.pk == session.pk)
    messages.success(request, _("Session %(n)s scheduled.") % {"n": number})
    return redirect("session_detail", session_id=session.pk), []


def _session_context(request, session):
    course = session.course
    sessions = selectors.course_sessions(course)
    index = next(i for i, s in enumerate(sessions) if s.pk == session.pk)
    current = sessions[index]
    previous = sessions[index - 1] if index > 0 else None
    agenda = protocol.agenda_of(course.format, session.agenda_format)
    focus = course_focus.of(course)
    groups = strategies.groups(agenda.format, current.phase, focus)
    items = strategies.flat(groups)
    shown = {item.id for item in items}
    done = set(session.agenda_done or ())
    names = {t.id: t.text for t in protocol.techniques()}
    note = (
        ProgressNote.objects.filter(session=session)
        .select_related("author", "signed_by", "cosigned_by")
        .first()
    )
    can_write = course.client.may.write
    remote_check = (
        RemoteCheck.objects.filter(session=session).select_related("recorded_by").first()
        if session.is_remote
        else None
    )
    # The check is asked before a remote session starts; a cancelled one never needs it.
    open_remote = session.is_remote and session.attendance in NUMBERED
    return {
        "remote_check": remote_check,
        "show_remote_check": remote_check is not None or open_remote,
        "remote_check_form": (
            RemoteCheckForm(
                initial={n: getattr(remote_check, n) for n in actions.REMOTE_CHECK_FIELDS}
                if remote_check
                else None
            )
            if can_write and open_remote
            else None
        ),
        "role_plays": _role_plays(session, course.client_id),
        "role_play_form": (
            RolePlayForm(people=client_people.offered(course.client_id))
            if can_write and not (note and note.is_signed)
            else None
        ),
        "role_plays_open": can_write and not (note and note.is_signed),
        "session": current,
        "course": course,
        "client": course.client,
        "phase_label": PHASE_LABELS[current.phase],
        "agenda": agenda,
        "agenda_items": [{"item": i, "done": i.id in done} for i in items],
        "agenda_groups": [
            {
                "group": g,
                "rows": [
                    {
                        "item": i,
                        "done": i.id in done,
                        "fits": [names[t] for t in getattr(i, "techniques", ())],
                    }
                    for i in g.items
                ],
            }
            for g in groups
        ],
        # Ticked when the agenda (or the focus) was another: kept, and shown as such.
        "agenda_earlier": strategies.named([i for i in session.agenda_done if i not in shown]),
        "focus_missing": current.phase == "middle" and not (focus.agreed and course.focus),
        "agenda_form": AgendaForm(items=items, initial={"done": session.agenda_done}),
        "attendance_form": AttendanceForm(initial={"attendance": session.attendance}),
        # Who took part: a course for adolescents only (the others' sessions are the client's).
        "adolescent": course.format == CourseFormat.ADOLESCENT,
        "participants_form": ParticipantsForm(initial={"participants": session.participants})
        if can_write and course.format == CourseFormat.ADOLESCENT
        else None,
        "note": note,
        "addenda": list(note.addenda.select_related("author")) if note else [],
        "techniques": names,
        "can_write": course.client.may.write,
        "is_clinician": course.client.may.write,
        "panel": session_panel.build(current, previous, course.client),
        "previous_plan": (
            ProgressNote.objects.filter(session=previous).values_list("plan", flat=True).first()
            if previous
            else None
        ),
        **_comments_context(course, session),
        "cosign_needed": selectors.needs_cosign(note, course.client.clinic_id),
        "may_cosign": course.client.may.supervise
        and note is not None
        and note.author_id != request.user.pk,
    }


def _role_plays(session: Session, client_id: int) -> list[RolePlay]:
    """The session's role plays, each with ``person``: the inventory person it is tied to as
    the inventory names them now (with a link), or None (someone else, or a person since
    removed: the name written when recorded is shown). Two queries, whatever their number."""
    plays = list(
        RolePlay.objects.filter(session=session).select_related("recorded_by", "edited_by")
    )
    linked = {p.inventory_person_id for p in plays if p.inventory_person_id is not None}
    people = client_people.named(client_id, linked)
    for play in plays:
        play.person = people.get(play.inventory_person_id) if play.inventory_person_id else None
    return plays


@role_required(*CLINICAL)
def session_detail(request, session_id: int):
    session = session_for(request, session_id)
    context = _session_context(request, session)
    note = context["note"]
    # Typed before the session ended and never saved: back into the form, unsaved; beside the
    # note if it was signed meanwhile (to be added as an addendum).
    typed = kept.take(request, page=request.path) if context["can_write"] else None
    if typed is not None and note is not None and note.is_signed:
        form = NoteForm(typed)
        form.is_valid()
        return _note_refused(request, context, form, actions.NoteSigned(), status=200)
    if context["can_write"] and (note is None or note.status == NoteStatus.DRAFT):
        context["note_kept"] = typed is not None
        form = NoteForm(typed) if typed is not None else NoteForm(initial=_note_initial(note))
        context["note_form"] = _with_plan_hint(form, context["previous_plan"])
    context["addendum_form"] = AddendumForm()
    context["may_rate"] = fidelity_rater_role(session, request.user) is not None
    return render(request, "courses/session_detail.html", context)


def _session_page_refused(
    request, session: Session, status: int = 400, **forms: object
) -> HttpResponse:
    """The session page again, with a form's errors and what was typed (nothing saved)."""
    context = _session_context(request, session)
    note = context["note"]
    if context["can_write"] and (note is None or note.status == NoteStatus.DRAFT):
        form = NoteForm(initial=_note_initial(note))
        context["note_form"] = _with_plan_hint(form, context["previous_plan"])
    context["addendum_form"] = AddendumForm()
    context.update(forms)
    return render(request, "courses/session_detail.html", context, status=status)


@role_required(Role.CLINICIAN)
@require_POST
def session_remote_check(request, session_id: int):
    """At the start of a video or phone session: where the client is, who is with them, and
    whom to call there in an emergency."""
    session = session_for(request, session_id, write=True)
    form = RemoteCheckForm(request.POST)
    if not session.is_remote or session.attendance not in NUMBERED:
        messages.error(
            request, _("Only a video or phone session that was not cancelled has this check.")
        )
        return redirect("session_detail", session_id=session.pk)
    if not form.is_valid():
        return _session_page_refused(request, session, remote_check_form=form)
    actions.remote_check_save(by=request.user, session=session, fields=form.cleaned_data)
    messages.success(request, _("Remote check recorded."))
    return redirect(f"{reverse('session_detail', kwargs={'session_id': session.pk})}#remote-check")


@role_required(Role.CLINICIAN)
@require_POST
def session_role_play(request, session_id: int):
    """A role play or role reversal done in the session with the clinician."""
    session = session_for(request, session_id, write=True)
    people = client_people.offered(session.course.client_id)
    form = RolePlayForm(request.POST, people=people)
    if not form.is_valid():
        return _session_page_refused(request, session, role_play_form=form)
    try:
        actions.role_play_add(by=request.user, session=session, fields=form.cleaned_data)
    except actions.SessionSigned:
        # Signed while the form was open: what was typed comes back, to go in an addendum.
        form.add_error(None, SIGNED_ROLE_PLAY)
        return _session_page_refused(request, session, status=409, role_play_form=form)
    except actions.NotThisClientsPerson:
        form.add_error("person", _("That person is not in this client's inventory. Choose again."))
        return _session_page_refused(request, session, role_play_form=form)
    messages.success(request, _("Role play recorded."))
    return redirect(f"{reverse('session_detail', kwargs={'session_id': session.pk})}#role-plays")


SIGNED_ROLE_PLAY = gettext_lazy(
    "The progress note of this session is signed, so the session is part of the record and "
    "no role play can be added to it. Write it in an addendum to the note."
)


def _role_play_page(request, play: RolePlay, template: str, status: int = 200, **context):
    """The edit or delete page of a role play; read-only once the session's note is signed."""
    session = play.session
    number = next(s.number for s in selectors.course_sessions(session.course) if s.pk == session.pk)
    signed = ProgressNote.objects.filter(session=session, status=NoteStatus.SIGNED).exists()
    play.person = (
        client_people.named(session.course.client_id, [play.inventory_person_id]).get(
            play.inventory_person_id
        )
        if play.inventory_person_id
        else None
    )
    return render(
        request,
        template,
        {
            "play": play,
            "session": session,
            "number": number,
            "course": session.course,
            "client": session.course.client,
            "signed": signed,
            **context,
        },
        status=status,
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def role_play_edit(request, role_play_id: int):
    """Correct a role play (a typo, the wrong person) while the session's note is not signed."""
    play = role_play_for(request, role_play_id, write=True)
    people = client_people.offered(play.session.course.client_id)
    template = "courses/role_play_edit.html"
    if request.method == "GET":
        # A person since removed from the inventory (or not offered) comes back as a name.
        linked = play.inventory_person_id in {p.id for p in people}
        form = RolePlayForm(
            people=people,
            initial={
                "kind": play.kind,
                "person": play.inventory_person_id if linked else None,
                "other_person": "" if linked else play.other_person,
                "practised": play.practised,
                "how_it_felt": play.how_it_felt,
                "next_step": play.next_step,
            },
        )
        return _role_play_page(request, play, template, form=form)
    form = RolePlayForm(request.POST, people=people)
    if not form.is_valid():
        return _role_play_page(request, play, template, status=400, form=form)
    try:
        actions.role_play_edit(by=request.user, play=play, fields=form.cleaned_data)
    except actions.SessionSigned:
        return _role_play_page(request, play, template, status=409, form=form)
    except actions.NotThisClientsPerson:
        form.add_error("person", _("That person is not in this client's inventory. Choose again."))
        return _role_play_page(request, play, template, status=400, form=form)
    messages.success(request, _("Role play corrected."))
    return redirect(
        f"{reverse('session_detail', kwargs={'session_id': play.session_id})}#role-plays"
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def role_play_delete(request, role_play_id: int):
    """Remove a role play recorded by mistake, after a confirmation that says what goes."""
    play = role_play_for(request, role_play_id, write=True)
    template = "courses/role_play_delete.html"
    if request.method == "GET":
        return _role_play_page(request, play, template)
    try:
        actions.role_play_delete(by=request.user, play=play)
    except actions.SessionSigned:
        return _role_play_page(request, play, template, status=409)
    messages.success(request, _("Role play removed."))
    return redirect(
        f"{reverse('session_detail', kwargs={'session_id': play.session_id})}#role-plays"
    )


def _posted_tool(value: str, client_id: int) -> tuple[str, int] | None:
    """The posted ``kind:id`` if it names one of this client's tools (asked of the app that
    keeps that kind), else None."""
    kind, _sep, raw_id = value.partition(":")
    tool = session_panel.tool_kinds().get(kind)
    if kind not in SessionToolKind.values or tool is None or not raw_id.isdigit():
        return None
    object_id = int(raw_id)
    if object_id not in tool.named(client_id, [object_id]):
        return None
    return kind, object_id


@role_required(Role.CLINICIAN)
@require_POST
def session_tool_link(request, session_id: int):
    """Link one of the client's tools (an analysis, worksheet, rehearsal, check-in) to the
    session it was used in, chosen from the session page's panel."""
    session = session_for(request, session_id, write=True)
    chosen = _posted_tool(request.POST.get("tool", ""), session.course.client_id)
    if chosen is None:
        messages.error(request, _("Choose one of this client's tools to link."))
    else:
        actions.session_tool_link(
            by=request.user, session=session, kind=chosen[0], object_id=chosen[1]
        )
        messages.success(request, _("Tool linked to this session."))
    return redirect(f"{reverse('session_detail', kwargs={'session_id': session.pk})}#panel-tools")


@role_required(Role.CLINICIAN)
@require_POST
def session_tool_unlink(request, session_id: int):
    session = session_for(request, session_id, write=True)
    raw = request.POST.get("link", "")
    link = (
        SessionTool.objects.filter(pk=int(raw), session=session).first() if raw.isdigit() else None
    )
    if link is None:
        messages.error(request, _("That tool is not linked to this session."))
    else:
        link.session = session
        actions.session_tool_unlink(by=request.user, link=link)
        messages.success(request, _("Link removed."))
    return redirect(f"{reverse('session_detail', kwargs={'session_id': session.pk})}#panel-tools")


def _note_initial(note: ProgressNote | None) -> dict:
    if note is None:
        return {}
    return {"version": note.version, **{name: getattr(note, name) for name in actions.NOTE_FIELDS}}


def _with_plan_hint(form: NoteForm, plan: str | None) -> NoteForm:
    """Last session's plan as a prompt beside "Since the last session", never as its text."""
    if plan:
        form.fields["interval_events"].help_text = _("Last session's plan: “%(plan)s”") % {
            "plan": Truncator(plan).words(60)
        }
    return form


@role_required(Role.CLINICIAN)
@require_POST
def session_attendance(request, session_id: int):
    session = session_for(request, session_id, write=True)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the session went."))
    else:
        actions.session_set_attendance(
            by=request.user,
            session=session,
            attendance=form.cleaned_data["attendance"],
        )
        messages.success(request, _("Attendance saved."))
    return redirect("session_detail", session_id=session.pk)


@role_required(Role.CLINICIAN)
@require_POST
def session_participants(request, session_id: int):
    """Who took part in a session of a course for adolescents (IPT-A): the client alone, with
    a parent or carer, or the parent or carer alone."""
    session = session_for(request, session_id, write=True)
    form = ParticipantsForm(request.POST)
    if session.course.format != CourseFormat.ADOLESCENT:
        messages.error(
            request, _("Who took part is recorded only on a course for adolescents (IPT-A).")
        )
        return redirect("session_detail", session_id=session.pk)
    if not form.is_valid():
        return _session_page_refused(request, session, participants_form=form)
    actions.session_set_participants(
        by=request.user, session=session, participants=form.cleaned_data["participants"]
    )
    messages.success(request, _("Who took part saved."))
    return redirect("session_detail", session_id=session.pk)


@role_required(Role.CLINICIAN)
@require_POST
def session_agenda(request, session_id: int):
    session = session_for(request, session_id, write=True)
    context = _session_context(request, session)
    agenda = context["agenda"]
    form = AgendaForm(request.POST, items=[row["item"] for row in context["agenda_items"]])
    if not form.is_valid():
        messages.error(request, _("Tick items from this session's agenda."))
    else:
        # Ticks of items no longer on this agenda (the focus changed since) are kept.
        earlier = [item_id for item_id, _text in context["agenda_earlier"]]
        actions.session_set_agenda(
            by=request.user,
            session=session,
            done=[*form.cleaned_data["done"], *earlier],
            version=agenda.version,
            agenda_format=agenda.format,
        )
        messages.success(request, _("Agenda saved."))
    return redirect("session_detail", session_id=session.pk)


@role_required(Role.CLINICIAN)
@require_POST
@kept.keeps_typed_text(return_to="session_detail")
def note_save(request, session_id: int):
    """Save the draft ("Save draft"), or save it and go to the confirmation to sign it."""
    session = session_for(request, session_id, write=True, action=Action.NOTE_OPEN)
    form = NoteForm(request.POST)
    context = _session_context(request, session)
    if not form.is_valid():
        context.update(
            note_form=_with_plan_hint(form, context["previous_plan"]), addendum_form=AddendumForm()
        )
        return render(request, "courses/session_detail.html", context, status=400)
    try:
        _save_note(request, session, form)
    except (actions.NoteSigned, actions.NoteConflict) as refused:
        return _note_refused(request, context, form, refused)
    if request.POST.get("sign") == "1":
        return redirect("note_sign", session_id=session.pk)
    messages.success(request, _("Draft saved."))
    return redirect("session_detail", session_id=session.pk)


def _save_note(request: AuthenticatedHttpRequest, session: Session, form: NoteForm) -> ProgressNote:
    return actions.note_save(
        by=request.user,
        session=session,
        base_version=form.cleaned_data["version"],
        fields={name: form.cleaned_data[name] for name in actions.NOTE_FIELDS},
    )


def _note_refused(
    request: AuthenticatedHttpRequest,
    context: dict,
    form: NoteForm,
    refused: Exception,
    status: int = 409,
) -> HttpResponse:
    """Signed or saved by someone else meanwhile: both texts on one page, nothing lost."""
    current = (
        refused.current
        if isinstance(refused, actions.NoteConflict)
        else ProgressNote.objects.select_related("signed_by").get(session=context["session"])
    )
    return render(
        request,
        "courses/note_conflict.html",
        {
            **context,
            "theirs": current,
            "note": current,
            "mine": form.cleaned_data if form.is_valid() else form.data,
            "note_form": None if current.is_signed else NoteForm(initial=_note_initial(current)),
            "addendum_form": AddendumForm(),
        },
        status=status,
    )


@role_required(Role.CLINICIAN)
@require_POST
@kept.keeps_typed_text(return_to="session_detail")
def note_autosave(request: AuthenticatedHttpRequest, session_id: int) -> JsonResponse:
    """The draft saving itself while it is typed (gentle.js): JSON with the new version and
    when it was saved. It renews the idle session as any request the person makes does: it is
    sent only after they type (ADR 0042)."""
    session = session_for(request, session_id, write=True, action=Action.NOTE_OPEN)
    form = NoteForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        )
        message = _("Not saved: %(problems)s") % {"problems": problems}
        return JsonResponse({"saved": False, "message": message}, status=400)
    try:
        note = _save_note(request, session, form)
    except actions.NoteSigned:
        message = _(
            "This note was signed meanwhile. Press “Save draft” to see your text beside it."
        )
        return JsonResponse({"saved": False, "message": message}, status=409)
    except actions.NoteConflict:
        message = _(
            "Someone saved this note after you opened it (in another tab or another person). "
            "Press “Save draft” to see both versions: nothing is lost."
        )
        return JsonResponse({"saved": False, "message": message}, status=409)
    saved = time_format(timezone.localtime(note.updated_at), "TIME_FORMAT")
    message = _("Draft saved at %(time)s") % {"time": saved}
    return JsonResponse({"saved": True, "version": note.version, "message": message})


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def note_sign(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The confirmation before a note is signed: the note as it will stay, what signing means,
    and warnings from other apps (an open alert, a risk answer of the day)."""
    session = session_for(request, session_id, write=True, action=Action.NOTE_OPEN)
    note = (
        ProgressNote.objects.filter(session=session).select_related("author", "updated_by").first()
    )
    if note is None or note.is_signed:
        messages.info(request, _("There is no draft to sign: the note is signed or not written."))
        return redirect("session_detail", session_id=session.pk)
    form = SignNoteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.note_sign(
                by=request.user,
                note=note,
                base_version=form.cleaned_data["version"],
                session=session,
            )
        except actions.NoteSigned:
            messages.info(request, _("This note is already signed."))
            return redirect("session_detail", session_id=session.pk)
        except actions.NoteConflict:
            messages.error(
                request,
                _(
                    "The note changed after you opened this page (saved in another tab or by "
                    "someone else). Check it again before you sign."
                ),
            )
            return redirect("note_sign", session_id=session.pk)
        messages.success(request, _("Note signed. It can no longer change."))
        return redirect("session_detail", session_id=session.pk)
    client = session.course.client
    context = _session_context(request, session)
    context.update(
        form=SignNoteForm(initial={"version": note.version}),
        out_of_date=bool(form.errors),
        warnings=before_signing.warnings(session, client),
    )
    return render(request, "courses/note_sign.html", context, status=400 if form.errors else 200)


@role_required(Role.CLINICIAN)
@require_POST
def note_addendum(request, session_id: int):
    session = session_for(request, session_id, write=True, action=Action.NOTE_OPEN)
    note = ProgressNote.objects.filter(session=session, status=NoteStatus.SIGNED).first()
    if note is None:
        raise Http404
    form = AddendumForm(request.POST)
    if not form.is_valid():
        context = _session_context(request, session)
        context["addendum_form"] = form
        return render(request, "courses/session_detail.html", context, status=400)
    actions.note_add_addendum(
        by=request.user, note=note, session=session, text=form.cleaned_data["text"]
    )
    messages.success(request, _("Addendum added."))
    return redirect("session_detail", session_id=session.pk)


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def process_note(request, session_id: int):
    """The author's private process note for a session: not part of the record."""
    action = Action.PROCESS_NOTE_OPEN if request.method == "POST" else Action.PROCESS_NOTE_READ
    session, note = process_note_for(request, session_id, action=action)
    form = ProcessNoteForm(
        posted(request),
        initial={"text": actions.keyring().decrypt(note.ciphertext) if note else ""},
    )
    if request.method == "POST" and form.is_valid():
        actions.process_note_save(by=request.user, session=session, text=form.cleaned_data["text"])
        messages.success(request, _("Process note saved. Only you can read it."))
        return redirect("process_note", session_id=session.pk)
    return render(
        request,
        "courses/process_note.html",
        {"session": session, "client": session.course.client, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def relapse_plan(request, course_id: int):
    course = course_for(
        request,
        course_id,
        write=True,
        action=Action.RELAPSE_PLAN_OPEN if request.method == "POST" else Action.RELAPSE_PLAN_VIEW,
    )
    plan = RelapsePlan.objects.filter(course=course).first()
    initial = {name: getattr(plan, name) for name in RelapsePlanForm.base_fields} if plan else {}
    form = RelapsePlanForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.relapse_plan_save(by=request.user, course=course, fields=form.cleaned_data)
        messages.success(request, _("Plan saved. The client can read it in their portal."))
        return redirect("course_detail", course_id=course.pk)
    return render(
        request,
        "courses/relapse_plan_form.html",
        {"course": course, "client": course.client, "form": form},
        status=400 if form.errors else 200,
    )


def _monday(request) -> date:
    raw = request.GET.get("week", "")
    try:
        year, week = raw.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        if not 2000 <= monday.year <= 2100:
            raise ValueError(raw)
        return monday
    except ValueError:
        today = timezone.localdate()
        return today - timedelta(days=today.weekday())


def _day(request) -> date | None:
    """The day asked for (``?day=2026-11-12``) for the day view, or None for the week."""
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


@role_required(*CLINICAL)
def calendar_week(request):
    """The clinician's week (or one day, ``?day=``) on a time grid: sessions at their time and
    length, free hours to book, sessions past their end with no attendance flagged. One query
    for the sessions, however many."""
    day = _day(request)
    first = day or _monday(request)
    days = [first] if day else [first + timedelta(days=i) for i in range(7)]
    sessions = selectors.week_sessions(
        request.user, clinic_context(request).clinic, first, days=len(days)
    )
    for s in sessions:
        s.number = s.before + 1 if s.attendance in NUMBERED else None
        s.phase = s.course.phase_of(s.number or max(s.before, 1))
    grid = calendar.build(days, sessions, now=timezone.now())
    record_list_read(request, Action.CALENDAR_VIEW, count=len(sessions))
    today = timezone.localdate()
    step = timedelta(days=1 if day else 7)
    return render(
        request,
        "courses/calendar_week.html",
        {
            "grid": grid,
            "day_view": day is not None,
            "day": day,
            "monday": first,
            "sunday": first + timedelta(days=6),
            "previous": (first - step).isoformat() if day else _iso_week(first - step),
            "next": (first + step).isoformat() if day else _iso_week(first + step),
            "week_of_day": _iso_week(first),
            "today": today,
            "flagged": sum(1 for d in grid.days for i in d.items if i.unrecorded),
            "can_book": clinic_context(request).has(Role.CLINICIAN),
        },
    )


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    link = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            actions.calendar_feed_revoke(by=request.user)
            messages.success(request, _("The calendar link no longer works."))
            return redirect("calendar_feed_settings")
        token = actions.calendar_feed_renew(by=request.user)
        link = absolute_url(f"/calendar/feed/{token}.ics")
    return render(
        request,
        "courses/calendar_feed.html",
        {"link": link, "active": CalendarFeed.objects.filter(user=request.user).exists()},
    )


def calendar_feed(request, token: str):
    """The iCalendar feed: times only, no client names or clinical detail. The token is the
    credential; an unknown or revoked token answers 404, and so does the link of someone who
    no longer holds a clinical role anywhere. Only sessions of clinics where the person is a
    clinician at this moment are listed."""
    if request.method != "GET" or len(token) > 100:
        raise Http404
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token, purpose=actions.FEED_PURPOSE), user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    memberships = Membership.objects.filter(
        user=feed.user_id, role__in=[Role.CLINICIAN, Role.SUPERVISOR]
    )
    if not memberships.exists():
        raise Http404
    since = timezone.now() - timedelta(days=30)
    sessions = (
        feed.user.ipt_sessions.filter(
            starts_at__gte=since,
            course__client__clinic__in=memberships.filter(role=Role.CLINICIAN).values("clinic_id"),
        )
        .exclude(attendance=Attendance.CANCELLED)
        .order_by("starts_at")[:500]
    )
    body = ical.calendar(
        name="Gentle",
        events=[
            ical.Event(
                uid=f"session-{s.pk}@gentle",
                start=s.starts_at,
                end=s.ends_at,
                summary="IPT session",
            )
            for s in sessions
        ],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    return response


def _slot_initial(request) -> dict:
    """The date and time of the free hour clicked (``?date=2026-11-12&time=09:00``); a value
    that does not read as one is left out, not an error."""
    initial: dict = {}
    with contextlib.suppress(ValueError):
        initial["date"] = date.fromisoformat(request.GET.get("date", ""))
    with contextlib.suppress(ValueError):
        initial["time"] = time.fromisoformat(request.GET.get("time", ""))
    return initial


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def calendar_book(request):
    """Book a session from a free hour of the calendar: the session form with a choice of the
    clinician's open courses, and the same contract and overlap checks as the course's own."""
    # The clients on the person's own care team, found from their care-team rows by index:
    # testing every client of the clinic for the ways of access took 11 ms at a programme's
    # size (issue 20).
    courses = selectors.bookable_courses(care_team_clients(request))
    record_list_read(request, Action.CALENDAR_BOOK_FORM, count=len(courses))
    initial = {"minutes": 50, "mode": "in_person", **_slot_initial(request)}
    form = BookForm(posted(request), initial=initial, courses=courses)
    overlaps: list = []
    if request.method == "POST" and form.is_valid():
        course = course_for(
            request, form.cleaned_data["course"], write=True, action=Action.SESSION_NEW_FORM
        )
        numbered = course.sessions.filter(attendance__in=NUMBERED).count()
        if numbered >= course.contracted_sessions:
            form.add_error(
                "course",
                _(
                    "The contract of this course is for %(n)s sessions, and all are scheduled "
                    "or held. To add another, change the contract first."
                )
                % {"n": course.contracted_sessions},
            )
        else:
            done, overlaps = _schedule(request, course, form)
            if done:
                return done
    return render(
        request,
        "courses/calendar_book.html",
        {"form": form, "overlaps": overlaps, "has_courses": bool(courses)},
        status=400 if (form.errors or overlaps) else 200,
    )


def _move_context(session, move_form, cancel_form, overlaps) -> dict:
    now = timezone.now()
    return {
        "session": session,
        "session_day": timezone.localtime(session.starts_at).date().isoformat(),
        "client": session.course.client,
        "course": session.course,
        "form": move_form,
        "cancel_form": cancel_form,
        "overlaps": overlaps,
        "scheduled": session.attendance == Attendance.SCHEDULED,
        "may_cancel": session.attendance == Attendance.SCHEDULED and now <= session.ends_at,
    }


def _outside_contract(course, form) -> None:
    """A move may not take a session before its course starts, or into a course that ended."""
    if course.status not in selectors.OPEN_STATUSES:
        form.add_error(None, _("This course has ended; its sessions can no longer be moved."))
    elif form.cleaned_data["starts_at"].date() < course.start_date:
        form.add_error(
            "date",
            _("The course starts on %(day)s; choose that day or later.")
            % {"day": formats.date_format(course.start_date, "DATE_FORMAT")},
        )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def session_move(request, session_id: int):
    """Move a scheduled session to another date, time or length (checked as when it was
    booked); the page also offers to cancel it."""
    session = session_for(request, session_id, write=True, action=Action.SESSION_MOVE_FORM)
    local = timezone.localtime(session.starts_at)
    form = MoveForm(
        posted(request),
        initial={"date": local.date(), "time": local.time(), "minutes": session.minutes},
    )
    overlaps: list = []
    if request.method == "POST" and session.attendance != Attendance.SCHEDULED:
        form.is_valid()
        form.add_error(None, _("Only a session that is still scheduled can be moved."))
    elif request.method == "POST" and form.is_valid():
        _outside_contract(session.course, form)
        if not form.errors:
            overlaps = _overlaps(
                session.clinician,
                session.course,
                form,
                viewer=request.user,
                exclude_pk=session.pk,
            )
        if not form.errors and (not overlaps or form.cleaned_data["confirm_overlap"]):
            try:
                actions.session_move(
                    by=request.user,
                    session=session,
                    starts_at=form.cleaned_data["starts_at"],
                    minutes=form.cleaned_data["minutes"],
                )
            except actions.SessionNotChangeable:
                form.add_error(None, _("Only a session that is still scheduled can be moved."))
            else:
                messages.success(request, _("Session moved."))
                return redirect(_calendar_url(form.cleaned_data["starts_at"]))
            overlaps = []
    return render(
        request,
        "courses/session_move.html",
        _move_context(session, form, CancelForm(), overlaps),
        status=400 if (form.errors or overlaps) else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def session_cancel(request, session_id: int):
    """Cancel a scheduled session, up to its end, once the clinician confirms."""
    session = session_for(request, session_id, write=True)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.session_cancel(
                by=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except actions.SessionNotChangeable:
            form.add_error(
                None,
                _(
                    "This session can no longer be cancelled: it has ended or its attendance "
                    "is recorded. Record how it went on its page."
                ),
            )
        else:
            messages.success(request, _("Session cancelled."))
            return redirect(_calendar_url(session.starts_at))
    local = timezone.localtime(session.starts_at)
    move_form = MoveForm(
        initial={"date": local.date(), "time": local.time(), "minutes": session.minutes}
    )
    return render(
        request,
        "courses/session_move.html",
        _move_context(session, move_form, form, []),
        status=400,
    )


def _calendar_url(moment: datetime) -> str:
    return f"{reverse('calendar_week')}?week={_iso_week(timezone.localtime(moment).date())}"


# --- supervision comments (ADR 0055) ----------------------------------------------------------


def _threads(
    course, session: Session | None, bound: tuple[int, CommentForm] | None = None
) -> list[SupervisionComment]:
    """The course's supervision threads (or one session's), oldest first, each with its
    answers and a form to answer: two queries whatever their number."""
    query = SupervisionComment.objects.filter(course=course, reply_to__isnull=True)
    if session is not None:
        query = query.filter(session=session)
    threads = list(
        query.select_related("author", "resolved_by", "session").prefetch_related(
            Prefetch("replies", queryset=SupervisionComment.objects.select_related("author"))
        )
    )
    for thread in threads:
        thread.reply_form = (
            bound[1]
            if bound is not None and bound[0] == thread.pk
            else CommentForm(auto_id=f"id_reply{thread.pk}_%s")
        )
    return threads


def _comments_context(
    course,
    session: Session | None,
    *,
    comment_form: CommentForm | None = None,
    bound: tuple[int, CommentForm] | None = None,
) -> dict[str, object]:
    may = course.client.may
    if not may.discuss:
        return {"threads": [], "may_discuss": False}
    return {
        "threads": _threads(course, session, bound),
        "may_discuss": True,
        "may_comment": may.supervise,
        "comment_form": comment_form or CommentForm(auto_id="id_comment_%s"),
        "comment_session": session,
    }


def _comments_refused(request, course, session: Session | None, **forms) -> HttpResponse:
    """The page the comment was written on, again, with the form's errors and what was typed."""
    if session is None:
        return _course_page(request, course, status=400, **forms)
    session.course = course
    context = _session_context(request, session)
    context.update(_comments_context(course, session, **forms))
    context["addendum_form"] = AddendumForm()
    return render(request, "courses/session_detail.html", context, status=400)


def _comment_page(comment: SupervisionComment) -> str:
    if comment.session_id:
        url = reverse("session_detail", kwargs={"session_id": comment.session_id})
    else:
        url = reverse("course_detail", kwargs={"course_id": comment.course_id})
    return f"{url}#comment-{comment.reply_to_id or comment.pk}"


@role_required(Role.SUPERVISOR)
@require_POST
def comment_add(request: AuthenticatedHttpRequest, course_id: int) -> HttpResponse:
    """A supervisor comments on the course, or on one session's note (``session``)."""
    course = course_for(request, course_id)
    if not course.client.may.supervise:
        raise Http404
    session = None
    if request.POST.get("session"):
        try:
            session = course.sessions.filter(pk=int(request.POST["session"])).first()
        except ValueError:
            session = None
        if session is None:
            return HttpResponse(_("That session is not in this course."), status=400)
    form = CommentForm(request.POST, auto_id="id_comment_%s")
    if not form.is_valid():
        return _comments_refused(request, course, session, comment_form=form)
    comment = actions.comment_add(
        by=request.user, course=course, session=session, text=form.cleaned_data["text"]
    )
    messages.success(request, _("Comment sent to the clinician."))
    return redirect(_comment_page(comment))


@role_required(*CLINICAL)
@require_POST
def comment_reply(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    """An answer in a thread, by the client's clinician or supervisor."""
    thread = comment_for(request, comment_id)
    if thread.reply_to_id is not None or thread.resolved_at is not None:
        messages.error(request, _("This thread is resolved: it takes no more answers."))
        return redirect(_comment_page(thread))
    form = CommentForm(request.POST, auto_id=f"id_reply{thread.pk}_%s")
    if not form.is_valid():
        return _comments_refused(request, thread.course, thread.session, bound=(thread.pk, form))
    actions.comment_reply(by=request.user, thread=thread, text=form.cleaned_data["text"])
    messages.success(request, _("Answer added."))
    return redirect(_comment_page(thread))


@role_required(*CLINICAL)
@require_POST
def comment_resolve(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    thread = comment_for(request, comment_id)
    if thread.reply_to_id is not None or thread.resolved_at is not None:
        messages.error(request, _("This thread is already resolved."))
        return redirect(_comment_page(thread))
    actions.comment_resolve(by=request.user, thread=thread)
    messages.success(request, _("Thread resolved."))
    return redirect(_comment_page(thread))


@role_required(Role.SUPERVISOR)
@require_POST
def note_cosign(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The supervisor co-signs a supervisee's signed note (ADR 0055); the note is unchanged."""
    session = session_for(request, session_id, action=Action.NOTE_OPEN)
    if not session.course.client.may.supervise:
        raise Http404
    note = ProgressNote.objects.filter(session=session).first()
    if note is None or not selectors.needs_cosign(note, session.course.client.clinic_id):
        messages.error(request, _("This note needs no co-signature."))
        return redirect("session_detail", session_id=session.pk)
    try:
        actions.note_cosign(by=request.user, note=note, session=session)
    except actions.NotCosignable:
        messages.error(request, _("This note needs no co-signature."))
    else:
        messages.success(request, _("Note co-signed."))
    return redirect("session_detail", session_id=session.pk)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def note_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Whether a supervisee's signed notes need their supervisor's co-signature."""
    clinic = clinic_context(request).clinic
    assert clinic is not None  # role_required: the role is held in this clinic
    current = NoteSettings.objects.filter(clinic=clinic).first()
    form = NoteSettingsForm(
        posted(request),
        initial={"cosign_supervisees": bool(current and current.cosign_supervisees)},
    )
    if request.method == "POST" and form.is_valid():
        actions.note_settings_set(
            by=request.user,
            clinic=clinic,
            cosign_supervisees=form.cleaned_data["cosign_supervisees"],
        )
        messages.success(request, _("Note settings saved."))
        return redirect("note_settings")
    return render(
        request, "courses/note_settings.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def supervision_log(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """A clinician's supervision log (ADR 0055): their supervisor records meetings; the
    clinician reads their own."""
    clinician, may_write = supervision_log_for(request, user_id)
    if request.method == "POST" and not may_write:
        raise Http404
    clinic = clinic_context(request).clinic
    courses = (
        supervised_courses(
            request,
            clinician,
            Course.objects.filter(status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE)),
        )
        .select_related("client")
        .order_by("client__family_name", "client__given_name", "pk")
        if may_write
        else Course.objects.none()
    )
    form = SupervisionMeetingForm(posted(request), courses=courses) if may_write else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.supervision_meeting_add(
            by=request.user,
            clinic=clinic,
            clinician=clinician,
            held_on=data["held_on"],
            minutes=data["minutes"],
            courses=list(data["courses"]),
            topics=data["topics"],
            actions=data["actions"],
        )
        messages.success(request, _("Supervision meeting recorded."))
        return redirect("supervision_log", user_id=clinician.pk)
    meetings = list(
        SupervisionMeeting.objects.filter(clinic=clinic, clinician=clinician)
        .select_related("supervisor")
        .prefetch_related(Prefetch("courses", queryset=Course.objects.select_related("client")))[
            :100
        ]
    )
    record_list_read(request, Action.SUPERVISION_LOG_VIEW, count=len(meetings))
    return render(
        request,
        "courses/supervision_log.html",
        {
            "clinician": clinician,
            "meetings": meetings,
            "form": form,
            "own": clinician.pk == request.user.pk,
        },
        status=400 if form is not None and form.errors else 200,
    )
