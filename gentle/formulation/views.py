"""The focus, the interpersonal formulation and contract, and goals with GAS ratings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.clients.access import client_object
from gentle.courses.access import course_for, session_for
from gentle.courses.models import Attendance
from gentle.courses.selectors import course_sessions
from gentle.formulation import actions, rules
from gentle.formulation.forms import FormulationForm, GoalForm, RatingForm, SessionGoalsForm
from gentle.formulation.models import Formulation, Goal
from gentle.inventory.selectors import accepted_people
from gentle.lib import svg
from gentle.lib.forms import posted
from gentle.timeline.selectors import rows as timeline_rows

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def formulation(request, course_id: int):
    write = request.method == "POST"
    course = course_for(request, course_id, write=write)
    current = Formulation.objects.filter(course=course).first()
    initial = (
        {name: getattr(current, name) for name in (*actions.FIELDS, "text")} if current else {}
    )
    form = FormulationForm(posted(request), initial=initial)
    if write and form.is_valid():
        actions.formulation_save(
            by=request.user,
            course=course,
            data=form.cleaned_data,
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Formulation saved."))
        return redirect("formulation", course_id=course.pk)
    people = accepted_people(course.client)
    items = timeline_rows(course.client)
    suggestions = rules.suggest(people, items)
    for suggestion in suggestions:
        suggestion.name = rules.area_name(suggestion.area)
        suggestion.aim = rules.aim(suggestion.area)
    return render(
        request,
        "formulation/formulation.html",
        {
            "course": course,
            "client": course.client,
            "form": form,
            "formulation": current,
            "suggestions": suggestions,
            "can_write": course.may.write,
            "goals": list(course.ipt_goals.all()),
            "focus_name": rules.area_name(current.primary_area) if current else "",
            "secondary_name": rules.area_name(current.secondary_area)
            if current and current.secondary_area
            else "",
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def formulation_regenerate(request, course_id: int):
    course = course_for(request, course_id, write=True)
    current = Formulation.objects.filter(course=course).first()
    if current is None:
        raise Http404
    if current.text_edited and request.POST.get("replace") != "1":
        current.course = course
        return render(
            request,
            "formulation/regenerate.html",
            {
                "course": course,
                "client": course.client,
                "formulation": current,
                "new_text": actions.compose_text(
                    course, {n: getattr(current, n) for n in actions.FIELDS}
                ),
            },
        )
    current.course = course
    actions.formulation_regenerate(by=request.user, formulation=current)
    messages.success(request, _("The text was made again from the fields."))
    return redirect("formulation", course_id=course.pk)


@role_required(Role.CLINICIAN)
@require_POST
def formulation_agree(request, course_id: int):
    course = course_for(request, course_id, write=True)
    current = Formulation.objects.filter(course=course).first()
    if current is None:
        raise Http404
    current.course = course
    actions.formulation_agree(by=request.user, formulation=current)
    messages.success(request, _("The client's agreement is recorded with today's date."))
    return redirect("formulation", course_id=course.pk)


def _rated_sessions(course):
    return [s for s in course_sessions(course) if s.number and s.attendance == Attendance.ATTENDED]


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def goals(request, course_id: int):
    write = request.method == "POST"
    course = course_for(request, course_id, write=write)
    current = Formulation.objects.filter(course=course).first()
    areas = []
    if current:
        areas = [(current.primary_area, rules.area_name(current.primary_area))]
        if current.secondary_area:
            areas.append((current.secondary_area, rules.area_name(current.secondary_area)))
    template = request.GET.get("template", "")
    initial = {"area": areas[0][0]} if areas else {}
    if areas and template.isdigit():
        options = rules.goal_templates(areas[0][0])
        if int(template) < len(options):
            initial["text"] = options[int(template)]
    form = GoalForm(posted(request), areas=areas, initial=initial)
    if write:
        if not areas:
            messages.error(
                request, _("Agree the focus in the formulation first: goals belong to a focus.")
            )
            return redirect("formulation", course_id=course.pk)
        if form.is_valid():
            actions.goal_add(by=request.user, course=course, data=form.cleaned_data)
            messages.success(request, _("Goal added."))
            return redirect("goals", course_id=course.pk)
    sessions = _rated_sessions(course)
    numbers = {s.pk: s.number for s in sessions}
    goal_rows = []
    for goal in course.ipt_goals.prefetch_related("ratings"):
        points = sorted(
            (numbers[r.session_id], r.rating) for r in goal.ratings.all() if r.session_id in numbers
        )
        chart = (
            svg.line_chart(
                [(n, r) for n, r in points],
                x_max=course.contracted_sessions,
                y_max=2,
                y_min=-2,
                label=_("Goal attainment by session: %(goal)s") % {"goal": goal.text},
                x_title=_("Session"),
                y_title=_("Rating (−2 to +2)"),
                keys={"line": _("Rating")},
                height=190,
            )
            if points
            else ""
        )
        goal_rows.append(
            {
                "goal": goal,
                "points": points,
                "chart": chart,
                "form": RatingForm(
                    sessions=sessions,
                    prefix=f"g{goal.pk}",
                    initial={"session": sessions[-1].pk, "rating": 0} if sessions else {},
                ),
            }
        )
    return render(
        request,
        "formulation/goals.html",
        {
            "course": course,
            "client": course.client,
            "form": form,
            "areas": areas,
            "templates": [(i, t) for i, t in enumerate(rules.goal_templates(areas[0][0]))]
            if areas
            else [],
            "rows": goal_rows,
            "can_write": course.may.write,
            "sessions": sessions,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def goal_rate(request, goal_id: int):
    goal = client_object(request, Goal, goal_id, write=True, verb="goal", through="course")
    sessions = _rated_sessions(goal.course)
    form = RatingForm(request.POST, sessions=sessions, prefix=f"g{goal.pk}")
    if not form.is_valid():
        messages.error(request, _("Rate from −2 to +2, for one of the sessions held."))
    else:
        session = next(s for s in sessions if s.pk == form.cleaned_data["session"])
        actions.goal_rate(
            by=request.user,
            goal=goal,
            session=session,
            rating=form.cleaned_data["rating"],
        )
        messages.success(request, _("Rating saved."))
    return redirect("goals", course_id=goal.course_id)


@role_required(Role.CLINICIAN)
@require_POST
def session_goals_rate(request, session_id: int):
    """This session's ratings of the course's goals, from the session page's panel."""
    session = session_for(request, session_id, write=True)
    course = session.course
    numbered = next(s for s in course_sessions(course) if s.pk == session.pk)
    form = SessionGoalsForm(request.POST, goals=Goal.objects.filter(course=course))
    if numbered.number is None:
        messages.error(
            request, _("Goals are rated in a session that is held, not a cancelled one.")
        )
    elif not form.is_valid():
        for error in form.non_field_errors() or [
            _("Rate each goal from −2 to +2, or leave it not rated.")
        ]:
            messages.error(request, error)
    else:
        actions.session_goals_rate(by=request.user, session=session, ratings=form.ratings())
        messages.success(request, _("Ratings saved."))
    url = reverse("session_detail", kwargs={"session_id": session.pk})
    return redirect(f"{url}#panel-formulation")
