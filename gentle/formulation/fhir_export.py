"""The agreed focus and the goals as FHIR R4 resources (docs/fhir.md "Export", ADR 0061), for
a batch of clients in three queries:

- a Condition (a problem-list item, not a diagnosis) for each focus of a course's
  formulation, confirmed once the client agreed to it, provisional before;
- a Goal per goal, its Goal Attainment Scaling levels in its note, addressing the Condition of
  its focus when the formulation names that focus;
- an Observation per GAS rating (−2 to +2) given in a session, pointing at its Goal.

The formulation's free text (symptoms, onset events, plan) is not written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gentle.clients.models import Client
from gentle.courses.models import FINISHED_STATUSES, ProblemArea
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.lib.fhir import Resource, compact, concept, gentle_code, instant, ref

CONDITION = "http://terminology.hl7.org/CodeSystem/"
AREAS = dict(ProblemArea.choices)
GAS = gentle_code("gas", "rating", "Goal attainment scaling rating")


def _area(area: str) -> str:
    return str(AREAS.get(area, area))


def _condition_id(formulation_id: int, which: str) -> str:
    return f"{formulation_id}-{which}"


def resources(clients: Sequence[Client]) -> Iterator[Resource]:
    formulations = (
        Formulation.objects.filter(course__client__in=list(clients))
        .select_related("course")
        .only("pk", "primary_area", "secondary_area", "agreed_on", "updated_at", "course")
        .order_by("course__client_id", "pk")
    )
    focus_of: dict[tuple[int, str], str] = {}
    for formulation in formulations:
        course = formulation.course
        finished = course.status in FINISHED_STATUSES
        for which, area in (
            ("primary", formulation.primary_area),
            ("secondary", formulation.secondary_area),
        ):
            if not area:
                continue
            condition_id = _condition_id(formulation.pk, which)
            focus_of.setdefault((course.pk, area), condition_id)
            yield compact(
                {
                    "resourceType": "Condition",
                    "id": condition_id,
                    "clinicalStatus": concept(
                        "",
                        (
                            CONDITION + "condition-clinical",
                            "resolved" if finished else "active",
                            "",
                        ),
                    ),
                    "verificationStatus": concept(
                        "",
                        (
                            CONDITION + "condition-ver-status",
                            "confirmed" if formulation.agreed_on else "provisional",
                            "",
                        ),
                    ),
                    "category": [
                        concept(
                            "",
                            (CONDITION + "condition-category", "problem-list-item", ""),
                        )
                    ],
                    "code": concept(
                        f"Interpersonal psychotherapy focus: {_area(area)}",
                        gentle_code("ipt-focus", area, _area(area)),
                    ),
                    "subject": ref("Patient", course.client_id),
                    "recordedDate": instant(formulation.updated_at),
                    "abatementDateTime": instant(course.ended_on) if finished else None,
                    "note": [{"text": f"{which.capitalize()} focus of course {course.pk}."}],
                }
            )
    goals = (
        Goal.objects.filter(course__client__in=list(clients))
        .select_related("course")
        .order_by("course__client_id", "created_at", "pk")
    )
    for goal in goals:
        course = goal.course
        condition_id = focus_of.get((course.pk, goal.area))
        levels = "; ".join(f"{level:+d}: {text}" for level, text in goal.levels)
        yield compact(
            {
                "resourceType": "Goal",
                "id": str(goal.pk),
                "lifecycleStatus": "completed" if course.status in FINISHED_STATUSES else "active",
                "category": [concept(_area(goal.area), gentle_code("ipt-focus", goal.area))],
                "description": {"text": goal.text},
                "subject": ref("Patient", course.client_id),
                "startDate": instant(goal.created_at.date()),
                "expressedBy": ref("Practitioner", goal.created_by_id),
                "addresses": [ref("Condition", condition_id)] if condition_id else [],
                "target": [
                    {
                        "measure": concept("Goal attainment scaling rating", GAS),
                        "detailInteger": 0,
                    }
                ],
                "note": [{"text": f"Goal attainment scale — {levels}"}],
            }
        )
    ratings = (
        GoalRating.objects.filter(goal__course__client__in=list(clients))
        .select_related("goal__course")
        .only(
            "pk",
            "goal_id",
            "goal__course__client_id",
            "session_id",
            "rating",
            "rated_at",
            "rated_by",
        )
        .order_by("goal__course__client_id", "rated_at", "pk")
    )
    for rating in ratings:
        yield compact(
            {
                "resourceType": "Observation",
                "id": f"gas-{rating.pk}",
                "status": "final",
                "code": concept("Goal attainment scaling rating", GAS),
                "subject": ref("Patient", rating.goal.course.client_id),
                "focus": [ref("Goal", rating.goal_id)],
                "encounter": ref("Encounter", rating.session_id),
                "effectiveDateTime": instant(rating.rated_at),
                "performer": [ref("Practitioner", rating.rated_by_id)],
                "valueInteger": rating.rating,
            }
        )
