"""Reads about a course's goals for pages that other apps compose."""

from __future__ import annotations

from dataclasses import dataclass, field

from gentle.clients.models import Client
from gentle.courses.models import Attendance, Course, CourseStatus, RelapsePlan, Session
from gentle.formulation.models import Formulation, Goal, GoalRating
from gentle.formulation.rules import plain_name


@dataclass(frozen=True)
class Rating:
    number: int  # the goal's place in the course's list, from 1
    rating: int

    @property
    def signed(self) -> str:
        """The rating as GAS writes it: +1, 0, −2 (a minus sign, not a hyphen)."""
        return f"+{self.rating}" if self.rating > 0 else str(self.rating).replace("-", "\u2212")


def ratings_by_session(course: Course) -> tuple[list[Goal], dict[int, list[Rating]]]:
    """The course's goals in order, and each session's GAS ratings by goal number: two queries,
    whatever the number of goals and sessions."""
    goals = list(Goal.objects.filter(course=course).only("pk", "text", "course_id"))
    numbers = {goal.pk: n for n, goal in enumerate(goals, start=1)}
    found: dict[int, list[Rating]] = {}
    for goal_id, session_id, rating in GoalRating.objects.filter(goal__course=course).values_list(
        "goal_id", "session_id", "rating"
    ):
        if goal_id in numbers:
            found.setdefault(session_id, []).append(Rating(numbers[goal_id], rating))
    for ratings in found.values():
        ratings.sort(key=lambda r: r.number)
    return goals, found


@dataclass(frozen=True)
class GoalProgress:
    """A goal as the client reads it: its ratings in order and the level it stands at."""

    text: str
    rated: list[GoalRating]
    now: str  # the words of the latest rating's level, "" before any rating


@dataclass
class ClientPlan:
    """What the client's "My focus and plan" page shows of their latest course."""

    course: Course | None = None
    formulation: Formulation | None = None  # only once the client has agreed it
    focus: str = ""  # plain names, never the clinical labels
    secondary: str = ""
    held: int = 0
    left: int = 0
    goals: list[GoalProgress] = field(default_factory=list)
    relapse_plan: RelapsePlan | None = None
    ending: bool = False  # the termination phase has begun, or the course is over


def client_plan(client: Client) -> ClientPlan:
    """The client's latest course as they read it: the agreed formulation, sessions held and
    left, goals with their ratings, and the plan for staying well once the course ends. Five
    queries, whatever the number of sessions and goals."""
    course = Course.objects.filter(client=client).order_by("-start_date", "-pk").first()
    if course is None:
        return ClientPlan()
    course.client = client
    held = Session.objects.filter(course=course, attendance=Attendance.ATTENDED).count()
    formulation = Formulation.objects.filter(course=course, agreed_on__isnull=False).first()
    goals = []
    for goal in Goal.objects.filter(course=course).prefetch_related("ratings"):
        rated = sorted(goal.ratings.all(), key=lambda r: r.rated_at)
        now = dict(goal.levels)[rated[-1].rating] if rated else ""
        goals.append(GoalProgress(goal.text, rated, now))
    ending = course.status in {CourseStatus.COMPLETED, CourseStatus.ENDED_EARLY} or (
        held + 1 >= course.termination_first
    )
    plan = RelapsePlan.objects.filter(course=course).first()
    return ClientPlan(
        course=course,
        formulation=formulation,
        focus=plain_name(formulation.primary_area) if formulation else "",
        secondary=plain_name(formulation.secondary_area) if formulation else "",
        held=held,
        left=max(course.contracted_sessions - held, 0),
        goals=goals,
        relapse_plan=plan,
        ending=ending,
    )
