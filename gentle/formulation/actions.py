"""Writes to formulations and goals, each audited without the text."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.formulation.rules import area_name

FIELDS = (
    "primary_area",
    "dispute_stage",
    "secondary_area",
    "secondary_dispute_stage",
    "symptoms",
    "onset_events",
    "connection",
    "strengths",
    "plan",
)


def compose_text(course, data: dict) -> str:
    """The plain-language formulation made from the structured fields."""
    focus = area_name(data["primary_area"])
    if data.get("secondary_area"):
        focus += " " + _("and, second, %(area)s") % {"area": area_name(data["secondary_area"])}
    parts = []
    if data.get("symptoms"):
        parts.append(_("What brought you here: %(text)s") % {"text": data["symptoms"]})
    if data.get("onset_events"):
        parts.append(_("Around the time it began: %(text)s") % {"text": data["onset_events"]})
    parts.append(_("We agreed to work on %(focus)s.") % {"focus": focus})
    if data.get("connection"):
        parts.append(data["connection"])
    if data.get("strengths"):
        parts.append(_("What you bring: %(text)s") % {"text": data["strengths"]})
    plan = data.get("plan") or ""
    parts.append(
        _("Over %(n)s sessions we will %(plan)s")
        % {"n": course.contracted_sessions, "plan": plan or _("work on this together.")}
    )
    return "\n\n".join(parts)


def formulation_save(*, by, course, data: dict, text: str) -> Formulation:
    generated = compose_text(course, data)
    with transaction.atomic():
        fields = {name: data[name] for name in FIELDS}
        text = text or generated
        edited = text.strip() != generated.strip()
        formulation, created = Formulation.objects.update_or_create(
            course=course,
            defaults={
                **fields,
                "text": text,
                "text_edited": edited,
                "updated_by": by,
                "updated_at": timezone.now(),
            },
        )
        # The course summary names the agreed focus.
        course.__class__.objects.filter(pk=course.pk).update(focus=data["primary_area"])
        record(
            Action.FORMULATION_CREATE if created else Action.FORMULATION_UPDATE,
            actor=by,
            client=course.client,
            object_type="formulation",
            object_id=formulation.pk,
            detail=f"focus={data['primary_area']}",
        )
    return formulation


def formulation_regenerate(*, by, formulation: Formulation) -> None:
    course = formulation.course
    data = {name: getattr(formulation, name) for name in FIELDS}
    with transaction.atomic():
        Formulation.objects.filter(pk=formulation.pk).update(
            text=compose_text(course, data),
            text_edited=False,
            updated_by=by,
            updated_at=timezone.now(),
        )
        record(
            Action.FORMULATION_REGENERATE,
            actor=by,
            client=course.client,
            object_type="formulation",
            object_id=formulation.pk,
        )


def formulation_agree(*, by, formulation: Formulation) -> None:
    with transaction.atomic():
        Formulation.objects.filter(pk=formulation.pk).update(agreed_on=timezone.localdate())
        record(
            Action.FORMULATION_AGREE,
            actor=by,
            client=formulation.course.client,
            object_type="formulation",
            object_id=formulation.pk,
        )


def goal_add(*, by, course, data: dict) -> Goal:
    with transaction.atomic():
        goal = Goal.objects.create(course=course, created_by=by, **data)
        record(
            Action.GOAL_ADD,
            actor=by,
            client=course.client,
            object_type="goal",
            object_id=goal.pk,
            detail=f"area={goal.area}",
        )
    return goal


def goal_rate(*, by, goal: Goal, session, rating: int) -> None:
    with transaction.atomic():
        GoalRating.objects.update_or_create(
            goal=goal,
            session=session,
            defaults={"rating": rating, "rated_by": by, "rated_at": timezone.now()},
        )
        record(
            Action.GOAL_RATE,
            actor=by,
            client=goal.course.client,
            object_type="goal",
            object_id=goal.pk,
            detail=f"session={session.pk} rating={rating}",
        )


def session_goals_rate(*, by, session, ratings: dict[Goal, int]) -> None:
    """Record this session's rating of several goals at once (the session page's panel)."""
    with transaction.atomic():
        for goal, rating in ratings.items():
            GoalRating.objects.update_or_create(
                goal=goal,
                session=session,
                defaults={"rating": rating, "rated_by": by, "rated_at": timezone.now()},
            )
            record(
                Action.GOAL_RATE,
                actor=by,
                client=session.course.client,
                object_type="goal",
                object_id=goal.pk,
                detail=f"session={session.pk} rating={rating}",
            )
