"""Reads about a course's goals for pages that other apps compose."""

from __future__ import annotations

from dataclasses import dataclass

from gentle.courses.models import Course
from gentle.formulation.models import Goal, GoalRating


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
