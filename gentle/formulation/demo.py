"""Demo formulations for every course past its initial phase, and goals for one course of each
problem area (fictional)."""

from __future__ import annotations

from gentle.courses.selectors import course_sessions
from gentle.formulation.actions import compose_text
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.formulation.rules import goal_templates

# Written as a clinician would for the client to read (the formulation text quotes them).
DETAILS = {
    "grief": (
        "feeling low and tearful most days, and sleeping badly, for four months.",
        "in the months after your mother died, last spring, after a short illness.",
        "you had little chance to grieve her; since then, nothing has felt right.",
        "your sister, who is close to you; the walking group.",
        "talk about your mother and the loss, and take up again what you set aside.",
    ),
    "dispute": (
        "feeling low and irritable, and pulling away from everyone in the evenings.",
        "last winter, when the arguments with your partner about money and housework began.",
        "your mood drops after each argument that ends in silence.",
        "a sister who listens; your children.",
        "understand the disagreement and try new ways of raising it.",
    ),
    "transition": (
        "feeling low and out of place.",
        "a few months after you moved country and started night shifts.",
        "you lost your old work and your friends all at once.",
        "your curiosity; a friend from before the move.",
        "say goodbye to what you left behind and build support in your new life.",
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
        "low mood and loneliness, for many years.",
        "there was no single event; close relationships have been few for a long time.",
        "being alone keeps your mood low, and low mood makes it harder to reach out.",
        "you are reliable at work; a neighbour who always says hello.",
        "practise reaching out, and look at the moments you pull back.",
    ),
}
LEVELS = (
    "Not at all",
    "Once or twice",
    "Most weeks",
    "Every week",
    "Every week, and it feels easier",
)


# The IPT-A course (docs/adolescents.md): the change of school as a role transition, written
# for a 15-year-old to read.
ADOLESCENT = {
    "primary_area": "transition",
    "secondary_area": "",
    "secondary_dispute_stage": "",
    "dispute_stage": "",
    "symptoms": "feeling low and irritable, staying in your room and missing some mornings at "
    "school.",
    "onset_events": "a few weeks after your family moved across town and you started at a new "
    "school.",
    "connection": "you left your friends, your football team and a school you knew, all at "
    "once; the new one has not yet become yours.",
    "strengths": "your brother Theo; Jonah, a friend from before; the form tutor who noticed you.",
    "plan": "say goodbye to what the old school gave, find your place in the new one, and talk "
    "with your mum about how she can help.",
}


def _adolescent(client) -> None:
    course = client.courses.get()
    clinician = client.care_team.get(role="clinician").user
    sessions = [s for s in course_sessions(course) if s.number and s.attendance == "attended"]
    Formulation.objects.create(
        course=course,
        text=compose_text(course, ADOLESCENT),
        updated_by=clinician,
        agreed_on=sessions[min(course.initial_last, len(sessions)) - 1].starts_at.date(),
        **ADOLESCENT,
    )


def seed(rng, context: dict) -> None:
    if context.get("adolescent") is not None:
        _adolescent(context["adolescent"])
    # Every course past its initial phase has an agreed formulation (the focus guard, ADR 0045);
    # goals and their ratings for one course of each area.
    done = set()
    created = 0
    for client in context["clients"]:
        course = client.courses.first()
        if course is None or course.focus not in DETAILS:
            continue
        _formulation(rng, context, client, course, done)
        created += 1
    context.setdefault("counts", {})["formulations"] = created


def seed_group_courses(rng, context: dict) -> None:
    """The group members' courses whose pre-group session named the problem area (the groups
    demo lists them in ``group_courses``): their formulation, agreed at that session."""
    for course in context.get("group_courses", []):
        _formulation(rng, context, course.client, course, set(DETAILS))


def _formulation(rng, context: dict, client, course, done: set) -> None:
    """One course's agreed formulation, and goals with ratings for the first course of each
    area (``done``: the areas that have them)."""
    areas = context.get("focus_areas", {}).get(course.pk, ((course.focus, ""),))
    (_, stage), (secondary, secondary_stage) = areas[0], (areas[1:] or [("", "")])[0]
    # The perinatal course tells its own story (its format, not a fifth area).
    story = "perinatal" if course.format == "perinatal" else course.focus
    clinician = client.care_team.get(role="clinician").user
    symptoms, onset, connection, strengths, plan = DETAILS[story]
    data = {
        "primary_area": course.focus,
        "secondary_area": secondary,
        "secondary_dispute_stage": secondary_stage,
        "dispute_stage": stage,
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
        agreed_on=sessions[min(course.initial_last, len(sessions)) - 1].starts_at.date()
        if sessions
        else None,
        **data,
    )
    if course.focus in done:
        return
    done.add(course.focus)
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
            GoalRating.objects.create(goal=goal, session=session, rating=rating, rated_by=clinician)


def remove(clinic_slug: str) -> None:
    Formulation.objects.filter(course__client__clinic__slug=clinic_slug).delete()
    Goal.objects.filter(course__client__clinic__slug=clinic_slug).delete()
