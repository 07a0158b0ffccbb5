"""Group IPT as the WHO manual runs it (issue 24, ADR 0051): a group with its facilitators and
its roster. Each member is a client with a course of the group's format, so the rest of Gentle
(measures, safety, the record copy) sees a member's group work through their course.

The later parts hang on these rows: the shared session record per group session, each member's
short note and PHQ-9 (on the member's course), the programme view (ADR 0051).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client
from gentle.courses.models import Course, CourseFormat

# The course formats a group runs (formats.json): WHO Group IPT, 8 sessions.
GROUP_FORMATS = (CourseFormat.GROUP.value,)


class GroupStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Setting(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")


class Group(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=120)
    format = models.CharField(
        _("format"),
        max_length=20,
        choices=[(f, CourseFormat(f).label) for f in GROUP_FORMATS],
        default=CourseFormat.GROUP,
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    setting = models.CharField(
        _("where it meets"), max_length=10, choices=Setting.choices, default=Setting.IN_PERSON
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Where the group meets in person (a room, an address)."),
    )
    starts_on = models.DateField(
        _("first session"),
        help_text=_("Members join before it; anyone who joins after it is a late join."),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="groups_facilitated",
        verbose_name=_("facilitator"),
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="groups_co_facilitated",
        verbose_name=_("co-facilitator"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name", "pk"]
        indexes = [
            models.Index(fields=["clinic", "status"], name="group_clinic_status"),
            # The programme view: a clinic's groups newest first, and a period of first sessions.
            models.Index(fields=["clinic", "-starts_on"], name="group_clinic_first_session"),
            # The groups list, a page at a time (keyset by first session, then id; ADR 0027):
            # the current groups (planned, running) and, on their own page, the finished ones,
            # each walked in order without reading the other kind, which grows every season.
            models.Index(
                fields=["clinic", "-starts_on", "-id"],
                condition=~models.Q(status=GroupStatus.FINISHED),
                name="group_clinic_current",
            ),
            models.Index(
                fields=["clinic", "-starts_on", "-id"],
                condition=models.Q(status=GroupStatus.FINISHED),
                name="group_clinic_finished",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(facilitator=models.F("co_facilitator")),
                name="group_co_facilitator_not_facilitator",
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=GROUP_FORMATS), name="group_format_is_a_group_format"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=GroupStatus.values), name="group_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(setting=Setting.VIDEO) | ~models.Q(place=""),
                name="group_in_person_has_a_place",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LeaveReason(models.TextChoices):
    COMPLETED = "completed", _("Completed the group")
    DROPPED_OUT = "dropped_out", _("Stopped coming")
    MOVED = "moved", _("Moved away or could not attend")
    REFERRED = "referred", _("Referred for other care")
    OTHER = "other", _("Other reason")


class GroupMember(models.Model):
    """A client on a group's roster, with their course of the group's format. A client is on
    at most one roster at a time: the membership stays open until they leave (or the group
    finishes, which closes every open membership as completed)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="group_memberships")
    # RESTRICT: a course on a roster is not deleted alone, but goes with its client's record.
    course = models.ForeignKey(Course, on_delete=models.RESTRICT, related_name="group_memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(
        _("why they left"), max_length=20, choices=LeaveReason.choices, blank=True
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_on", "pk"]
        indexes = [
            # The groups list's count of each group's current members, looked up by group.
            models.Index(
                fields=["group"],
                condition=models.Q(left_on__isnull=True),
                name="group_member_current",
            ),
        ]
        constraints = [
            # A member in two groups at the same time is refused (issue 24).
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(left_on__isnull=True),
                name="group_member_one_open_group",
            ),
            models.CheckConstraint(
                condition=(models.Q(left_on__isnull=True) & models.Q(leave_reason=""))
                | (
                    models.Q(left_on__isnull=False)
                    & ~models.Q(leave_reason="")
                    & models.Q(left_on__gte=models.F("joined_on"))
                ),
                name="group_member_leaves_with_reason_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"member {self.pk} of group {self.group_id}"

    @property
    def late(self) -> bool:
        """Joined after the group's first session (derived, never stored: moving the first
        session moves who is late)."""
        return self.joined_on > self.group.starts_on

    @property
    def current(self) -> bool:
        return self.left_on is None


class GroupSessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class GroupSession(models.Model):
    """One meeting of the whole group, with one shared record (issue 24 part 3, ADR 0051): its
    number in the group's schedule (1 to the format's number of sessions), when it is, whether
    it was held, the agenda items done (ids of the group format's agenda), what the group did
    and the practice the group agreed for the week. Each member's part is a ``GroupAttendance``.
    The individual pre-group session is not one of these: it is a session of the member's own
    course, before the group's first."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"))
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GroupSessionStatus.choices,
        default=GroupSessionStatus.SCHEDULED,
    )
    agenda_done = models.JSONField(default=list, blank=True)
    summary = models.TextField(
        _("what the group did"),
        blank=True,
        help_text=_("The shared part of the record: no member's private detail."),
    )
    practice = models.TextField(_("practice for the week"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="group_session_number_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="group_session_number_from_1"
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=5, minutes__lte=240),
                name="group_session_minutes_5_240",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=GroupSessionStatus.values),
                name="group_session_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.number} of group {self.group_id}"


class GroupAttendance(models.Model):
    """A member's part of one group session: whether they came, a short note about them (read
    by the group's runners and the member's care team, never with their other notes), and a
    flag for follow-up with its reason. The member's attendance is also a session of their own
    course (``course_session``), so the course's numbering, phases, measures schedule and a
    PHQ-9 given at the group reach the member's record as any session's do."""

    group_session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField(_("came"))
    note = models.TextField(_("short note"), blank=True)
    follow_up = models.BooleanField(_("flag for follow-up"), default=False)
    follow_up_reason = models.CharField(_("why follow up"), max_length=300, blank=True)
    course_session = models.OneToOneField(
        "courses.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_attendance",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group_session", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["group_session", "member"], name="group_attendance_once_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(follow_up=True) | models.Q(follow_up_reason=""),
                name="group_attendance_reason_only_with_follow_up",
            ),
        ]

    def __str__(self) -> str:
        return f"member {self.member_id} at group session {self.group_session_id}"
