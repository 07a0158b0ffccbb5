"""Demo formulations and goals, one for each problem area (fictional)."""

from __future__ import annotations

from gentle.courses.selectors import course_sessions
from gentle.formulation.actions import compose_text
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.formulation.rules import goal_templates

DETAILS = {
    "grief": (
        "Low mood, tearfulness and poor sleep for four months.",
        "Their mother died after a short illness in the spring.",
        "The low mood began in the months after the death, with little chance to grieve.",
        "A close sister; the walking group.",
        "talk about their mother and the loss, and take up again what was set aside.",
    ),
    "dispute": (
        "Low mood and irritability, withdrawing in the evenings.",
        "Arguments with their partner about money and housework began last winter.",
        "The mood drops after each argument that ends in silence.",
        "A sister who listens; the children.",
        "understand the disagreement and try new ways of raising it.",
    ),
    "transition": (
        "Low mood and feeling out of place since the move.",
        "Moved country and started night shifts within a few months.",
        "The old role and friends were lost all at once.",
        "Curiosity; a friend from before the move.",
        "mourn what was left behind and build support in the new life.",
    ),
    # The perinatal course (its format, not a fifth area): the transition to parenthood.
    "perinatal": (
        "Low mood, tearfulness and feeling a failure as a parent, since months after the birth.",
        "Their baby was born eleven months ago; their partner went back to work after two weeks.",
        "The low mood began as the days alone with the baby took the place of work and friends.",
        "Loves the baby; a mother who offers help; a neighbour with a child the same age.",
        "grieve what the old life gave, grow confident as a parent and share the baby's care.",
    ),
    "deficits": (
        "Long-standing low mood and loneliness.",
        "No single event; few close relationships for years.",
        "Isolation keeps the mood low, and low mood keeps them isolated.",
        "Reliable at work; a neighbour who says hello.",
        "practise reaching out and look at the pattern of pulling back.",
    ),
}
LEVELS = (
    "Not at all",
    "Once or twice",
    "Most weeks",
    "Every week",
    "Every week, and it feels easier",
)


def seed(rng, context: dict) -> None:
    done = set()
    for client in context["clients"]:
        course = client.courses.first()
        story = "perinatal" if course and course.format == "perinatal" else ""
        story = story or (course.focus if course else "")
        if course is None or not course.focus or story not in DETAILS or story in done:
            continue
        done.add(story)
        clinician = client.care_team.get(role="clinician").user
        symptoms, onset, connection, strengths, plan = DETAILS[story]
        data = {
            "primary_area": course.focus,
            "secondary_area": "",
            "dispute_stage": "renegotiation" if course.focus == "dispute" else "",
            "symptoms": symptoms,
            "onset_events": onset,
            "connection": connection,
            "strengths": strengths,
            "plan": plan,
        }
        sessions = [s for s in course_sessions(course) if s.number and s.attendance == "attended"]
        Formulation.objects.create(
            course=course,
            text=compose_text(course, data),
            updated_by=clinician,
            agreed_on=sessions[min(2, len(sessions) - 1)].starts_at.date() if sessions else None,
            **data,
        )
        for text in goal_templates(course.focus):
            goal = Goal.objects.create(
                course=course,
                area=course.focus,
                text=text,
                minus2=LEVELS[0],
                minus1=LEVELS[1],
                zero=LEVELS[2],
                plus1=LEVELS[3],
                plus2=LEVELS[4],
                created_by=clinician,
            )
            rating = -2
            for session in sessions[3:]:
                rating = min(2, rating + rng.choice([0, 1, 1]))
                GoalRating.objects.create(
                    goal=goal, session=session, rating=rating, rated_by=clinician
                )
    context.setdefault("counts", {}).update(formulations=len(done))


def remove(clinic_slug: str) -> None:
    Formulation.objects.filter(course__client__clinic__slug=clinic_slug).delete()
    Goal.objects.filter(course__client__clinic__slug=clinic_slug).delete()
