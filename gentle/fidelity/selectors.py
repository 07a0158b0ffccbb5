"""Reads of session fidelity (ADR 0057): the sampling rule, a session's ratings, a course's
summary and a clinician's ratings by month. Each a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Mod, RowNumber
from django.utils import timezone

from gentle.accounts.models import User
from gentle.courses.models import Attendance, Session
from gentle.fidelity.models import (
    DEFAULT_SAMPLE_EVERY,
    FidelityRating,
    FidelitySettings,
    RaterRole,
    RecordedSession,
    SampledSession,
)

SHOWN = 10  # sessions to rate listed on the supervisor's home
# Sessions to rate are those held in the last RATE_WEEKS weeks: feedback on fidelity is for
# recent work, while the session is remembered and its recording kept; older unrated ones drop
# off the list (their place in the sample stays). It also bounds the home's reads (issue 20).
RATE_WEEKS = 8
MONTHS = 24  # months on a clinician's page


def sample_every(clinic_id: int) -> int:
    """The clinic's sampling rate N: supervisors rate one in N of each clinician's held
    sessions (the clinic's setting, else DEFAULT_SAMPLE_EVERY)."""
    found = (
        FidelitySettings.objects.filter(clinic_id=clinic_id)
        .values_list("sample_every", flat=True)
        .first()
    )
    return found or DEFAULT_SAMPLE_EVERY


def held_sessions(clinic_id: int, now: datetime) -> QuerySet[Session]:
    return Session.objects.filter(
        course__client__clinic_id=clinic_id,
        attendance=Attendance.ATTENDED,
        starts_at__lte=now,
    )


def sample(clinic_id: int, every: int, now: datetime) -> list[tuple[int, int, datetime, int]]:
    """The sampled sessions as (id, place, time, client): of each clinician's held sessions in the
    clinic, in time order, the N-th, 2N-th, 3N-th... (deterministic: a session's place never
    depends on who asks, and held sessions only add to the end). It ranks every held session of
    the clinic, so only the worker runs it (``actions.sample_refresh``); pages read the stored
    ``SampledSession`` rows."""
    ranked = held_sessions(clinic_id, now).annotate(
        place=Window(
            RowNumber(),
            partition_by=[F("clinician_id")],
            order_by=[F("starts_at").asc(), F("pk").asc()],
        )
    )
    query = ranked.annotate(rest=Mod(F("place"), every)).filter(rest=0)
    return list(query.order_by().values_list("pk", "place", "starts_at", "course__client_id"))


@dataclass
class ToRate:
    shown: list[Any] = field(default_factory=list)  # sessions, each with ``recorded``
    count: int = 0
    weeks: int = RATE_WEEKS  # how far back the list goes


def to_rate_ids(
    user_id: int,
    supervised: Callable[..., Q],
    clinic_id: int,
    since: datetime,
    now: datetime,
) -> QuerySet[Session, int]:
    """The ids of the sessions of the clients ``supervised`` tests (given the path to a
    client, the condition ``clients.access.under_supervision`` gives), held between ``since``
    and ``now``, in the stored sample or recorded for supervision, that this supervisor has not
    rated and did not hold themself: newest first. One query, with only ``since`` and ``now``
    as moments: built once and bound to each request's values (``gentle.lib.prepared``). No
    ranking (the worker keeps the sample).

    The candidates are the clinic's recent sample (by its time index) and the recorded
    sessions, each narrowed to these clients before any session is read: not every recent
    session of the supervised clients, nor every session of the clinic's sample (issue 20: at
    a programme's size these were the largest reads of the supervisor's home). Each candidate's
    client is tested, not looked up in a list of the supervised clients: listing 2,000 of them
    cost SQLite about 2.5 ms for each of the two kinds, for one recorded session. Only the ids
    come back: reading each one's time cost more than the query."""
    sampled = SampledSession.objects.filter(clinic_id=clinic_id, starts_at__gte=since).filter(
        supervised("client", clinic_kept=True)  # a sample's clinic is its client's
    )
    recorded = RecordedSession.objects.filter(supervised("session__course__client"))
    candidates = sampled.values("session_id").union(recorded.values("session_id"))
    # The candidates are sessions of these clients, so of the clinic: the session itself says
    # whether it is still held, and when.
    return (
        Session.objects.filter(
            pk__in=candidates,
            attendance=Attendance.ATTENDED,
            starts_at__gte=since,
            starts_at__lte=now,
        )
        .exclude(clinician_id=user_id)
        .exclude(Exists(FidelityRating.objects.filter(session=OuterRef("pk"), rater_id=user_id)))
        .order_by("-starts_at", "-pk")
        .values_list("pk", flat=True)
    )


def to_rate(ids: list[int]) -> ToRate:
    """The list of sessions to rate from ``to_rate_ids``'s ids (the sessions held in the last
    RATE_WEEKS weeks): how many, and the first SHOWN read by id."""
    shown = list(
        Session.objects.filter(pk__in=ids[:SHOWN])
        .select_related("course__client", "clinician")
        .annotate(recorded=Exists(RecordedSession.objects.filter(session=OuterRef("pk"))))
        .order_by("-starts_at", "-pk")
    )
    return ToRate(shown=shown, count=len(ids))


@dataclass
class SessionFidelity:
    self_rating: FidelityRating | None = None
    supervisor: list[FidelityRating] = field(default_factory=list)


def by_session(session_ids: list[int]) -> dict[int, SessionFidelity]:
    """Each session's ratings (one query)."""
    found: dict[int, SessionFidelity] = defaultdict(SessionFidelity)
    for rating in FidelityRating.objects.filter(session_id__in=session_ids).select_related("rater"):
        entry = found[rating.session_id]
        if rating.role == RaterRole.SELF:
            entry.self_rating = rating
        else:
            entry.supervisor.append(rating)
    return dict(found)


@dataclass
class Summary:
    """Ratings of one role: how many, and their mean scores (None without any)."""

    count: int = 0
    adherence: float | None = None
    quality: float | None = None


def _summary(ratings: list[FidelityRating]) -> Summary:
    adherence = [r.adherence for r in ratings if r.adherence is not None]
    quality = [r.quality for r in ratings if r.quality is not None]
    return Summary(
        count=len(ratings),
        adherence=round(mean(adherence), 1) if adherence else None,
        quality=round(mean(quality), 2) if quality else None,
    )


def summarise(ratings: list[FidelityRating]) -> dict[str, Summary]:
    """Self-ratings and supervisors' ratings, each summarised."""
    return {
        "self": _summary([r for r in ratings if r.role == RaterRole.SELF]),
        "supervisor": _summary([r for r in ratings if r.role == RaterRole.SUPERVISOR]),
    }


@dataclass
class Month:
    month: date  # its first day
    self_rating: Summary
    supervisor: Summary
    pairs: int  # sessions rated by both the clinician and a supervisor
    difference: float | None  # mean absolute difference of their adherence, in points


def agreement(pairs: list[tuple[float, float]]) -> float | None:
    """The mean absolute difference of paired adherence percentages (None without pairs)."""
    return round(mean(abs(a - b) for a, b in pairs), 1) if pairs else None


def clinician_months(clinic_id: int, clinician: User, now: datetime | None = None) -> list[Month]:
    """A clinician's sessions' ratings by the month the session was held, the last MONTHS
    months with any rating, oldest first (one query)."""
    now = now or timezone.now()
    since = now.replace(day=1) - timedelta(days=31 * MONTHS)
    ratings = list(
        FidelityRating.objects.filter(
            session__clinician=clinician,
            session__course__client__clinic_id=clinic_id,
            session__starts_at__gte=since,
        ).annotate(held=F("session__starts_at"))
    )
    by_month: dict[date, list[Any]] = defaultdict(list)
    for rating in ratings:
        held = timezone.localtime(rating.held)
        by_month[date(held.year, held.month, 1)].append(rating)
    months = []
    for first in sorted(by_month):
        rows = by_month[first]
        own = {r.session_id: r for r in rows if r.role == RaterRole.SELF}
        pairs = [
            (own[r.session_id].adherence, r.adherence)
            for r in rows
            if r.role == RaterRole.SUPERVISOR
            and r.session_id in own
            and r.adherence is not None
            and own[r.session_id].adherence is not None
        ]
        summary = summarise(rows)
        months.append(
            Month(
                month=first,
                self_rating=summary["self"],
                supervisor=summary["supervisor"],
                pairs=len(pairs),
                difference=agreement(pairs),
            )
        )
    return months
