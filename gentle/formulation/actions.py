"""Writes to formulations and goals, each audited without the text."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.formulation import rules
from gentle.formulation.models import Formulation, Goal, GoalRating

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
    """The formulation as the client reads it, in the client's language and plain words
    (docs/formulation-text.md): what they live with named as depression, a common, treatable
    illness that is not their fault; the focus in plain words, tied to the onset and the link
    as the clinician wrote them down; what we will do together, and for how many sessions."""
    with translation.override(course.client.language or None):
        return "\n\n".join(_paragraphs(course, data))


def _paragraphs(course, data: dict) -> list[str]:
    say = rules.sentence
    parts = []
    if data.get("symptoms"):
        parts.append(say("symptoms") % {"text": data["symptoms"].strip()})
    parts.append(say("illness"))
    link = [say("link") % {"area": rules.plain_name(data["primary_area"])}]
    if data.get("onset_events"):
        link.append(say("onset") % {"text": data["onset_events"].strip()})
    if data.get("connection"):
        link.append(say("connection") % {"text": data["connection"].strip()})
    parts.append("\n".join(link))
    work = [rules.client_aim(data["primary_area"])]
    if data.get("secondary_area"):
        work.append(say("secondary") % {"area": rules.plain_name(data["secondary_area"])})
    parts.append(" ".join(work))
    if data.get("strengths"):
        parts.append(say("strengths") % {"text": data["strengths"].strip()})
    n = course.contracted_sessions
    contract = [say("sessions", n) % {"n": n, "minutes": course.session_minutes}]
    if data.get("plan"):
        contract.append(say("plan") % {"text": data["plan"].strip()})
    parts.append(" ".join(contract))
    return parts


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
