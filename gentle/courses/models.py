"""Courses of IPT, their sessions and agendas, progress notes and process notes.

Session numbers and phases are derived (see ``gentle.courses.selectors``), never stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import Clinic
from gentle.clients.models import Client


class CourseFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual IPT")
    BRIEF = "brief", _("Brief IPT")
    IPC = "ipc", _("Interpersonal Counseling (IPC)")
    GROUP = "group", _("Group IPT")
    MAINTENANCE = "maintenance", _("Maintenance IPT")
    PERINATAL = "perinatal", _("Perinatal IPT")
    ADOLESCENT = "adolescent", _("IPT for adolescents (IPT-A)")


class CourseKind(models.TextChoices):
    ACUTE = "acute", _("Acute treatment")
    CONTINUATION = "continuation", _("Continuation")
    MAINTENANCE = "maintenance", _("Maintenance")


class CourseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")


#: A course in one of these has finished: its outcome can be judged (docs/outcomes.md).
FINISHED_STATUSES = (CourseStatus.COMPLETED, CourseStatus.ENDED_EARLY)


class Triage(models.TextChoices):
    """Where an interpersonal counselling (IPC) course leads, decided in its last session."""

    FINISHED = "finished", _("Finished: no further treatment needed")
    CONTINUE = "continue", _("Continue: more treatment (for example full IPT)")
    REFER = "refer", _("Refer elsewhere")


class ProblemArea(models.TextChoices):
    GRIEF = "grief", _("Grief")
    DISPUTE = "dispute", _("Role dispute")
    TRANSITION = "transition", _("Role transition")
    DEFICITS = "deficits", _("Interpersonal deficits")


class Course(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="courses")
    format = models.CharField(_("format"), max_length=20, choices=CourseFormat.choices)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CourseKind.choices, default=CourseKind.ACUTE
    )
    contracted_sessions = models.PositiveSmallIntegerField(_("contracted sessions"))
    session_minutes = models.PositiveSmallIntegerField(_("session length (minutes)"))
    initial_last = models.PositiveSmallIntegerField(
        _("last session of the initial phase"),
        help_text=_("Sessions 1 to this number are the initial phase."),
    )
    termination_first = models.PositiveSmallIntegerField(
        _("first session of the termination phase"),
        help_text=_("From this session on, the course is in its termination phase."),
    )
    start_date = models.DateField(_("start date"))
    status = models.CharField(
        _("status"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    end_reason = models.TextField(_("why the course ended early"), blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    focus = models.CharField(
        _("focus"),
        max_length=20,
        choices=ProblemArea.choices,
        blank=True,
        help_text=_("The agreed problem area (the formulation is written in the initial phase)."),
    )
    goals = models.TextField(_("goals"), blank=True)
    triage = models.CharField(
        _("closing triage"),
        max_length=10,
        choices=Triage.choices,
        blank=True,
        help_text=_("Decided in the last session of an IPC course; needed to complete it."),
    )
    triage_note = models.TextField(_("triage note"), blank=True)
    triage_on = models.DateField(_("triage decided on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-pk"]
        # A client's latest course (the caseload's current course, per client row).
        indexes = [models.Index(fields=["client", "start_date", "id"], name="course_client_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contracted_sessions__gte=1, contracted_sessions__lte=40),
                name="course_sessions_1_to_40",
            ),
            models.CheckConstraint(
                condition=models.Q(session_minutes__gte=10, session_minutes__lte=180),
                name="course_minutes_10_to_180",
            ),
            models.CheckConstraint(
                condition=models.Q(initial_last__gte=1)
                & models.Q(termination_first__gt=models.F("initial_last"))
                & models.Q(termination_first__lte=models.F("contracted_sessions")),
                name="course_phases_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CourseStatus.ENDED_EARLY) | ~models.Q(end_reason=""),
                name="course_early_end_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(triage="") | models.Q(triage_on__isnull=False),
                name="course_triage_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} for client {self.client_id}"

    @property
    def ended_early(self) -> bool:
        return self.status == CourseStatus.ENDED_EARLY

    def phase_of(self, number: int) -> str:
        if number <= self.initial_last:
            return "initial"
        if number >= self.termination_first:
            return "termination"
        return "middle"


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")


class Attendance(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not attend")


class CancelReason(models.TextChoices):
    """Who called a session off (a code, never free text: the reason stays out of mail and
    logs)."""

    CLIENT = "client", _("The client asked")
    CLINICIAN = "clinician", _("The clinician called it off")
    OTHER = "other", _("Another reason")


class Participants(models.TextChoices):
    """Who took part in a session. Offered only on courses for adolescents (IPT-A), where a
    parent or carer joins some sessions (docs/adolescents.md); every other session is the
    client's own. A session with the parent or carer alone keeps its place in the course's
    numbering (it is one of the contracted sessions), but every count of sessions held says
    how many of them the client was not in (ADR 0049)."""

    CLIENT = "client", _("The client alone")
    WITH_PARENT = "with_parent", _("The client with a parent or carer")
    PARENT_ONLY = "parent_only", _("A parent or carer alone")


# Sessions that take a place in the course's numbering.
NUMBERED = (Attendance.SCHEDULED, Attendance.ATTENDED)


class Session(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ipt_sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    mode = models.CharField(_("where"), max_length=20, choices=SessionMode.choices)
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.SCHEDULED
    )
    cancel_reason = models.CharField(
        _("why it was cancelled"), max_length=10, choices=CancelReason.choices, blank=True
    )
    participants = models.CharField(
        _("who took part"),
        max_length=12,
        choices=Participants.choices,
        default=Participants.CLIENT,
    )
    agenda_version = models.PositiveSmallIntegerField(default=1)
    agenda_format = models.CharField(
        max_length=20,
        blank=True,
        help_text="The format whose agenda was ticked (kept if the course's format changes).",
    )
    agenda_done = models.JSONField(
        default=list, blank=True, help_text="Ids of the agenda items ticked in this session."
    )
    # Set by gentle.courses.selectors.number_sessions on the sessions it is given; not stored.
    number: int | None
    phase: str

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="session_clinician_time"),
            # A course's sessions in time: where it stands now (the caseload's phase filter).
            # With what numbering them needs, in their order (time, then id), read from the
            # index alone: the clinician's home numbers every held session of the caseload's
            # courses (6 -> 2 ms on SQLite for 2,700 sessions, issue 20).
            models.Index(
                fields=["course", "starts_at", "id", "attendance", "participants"],
                name="session_course_time",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=5, minutes__lte=240), name="session_minutes_5_240"
            ),
            models.CheckConstraint(
                condition=models.Q(cancel_reason="") | models.Q(attendance=Attendance.CANCELLED),
                name="session_cancel_reason_only_when_cancelled",
            ),
            models.CheckConstraint(
                condition=models.Q(participants__in=Participants.values),
                name="session_participants_known",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} of course {self.course_id}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def is_remote(self) -> bool:
        """A video or phone session: it starts with a remote check (RemoteCheck)."""
        return self.mode in (SessionMode.VIDEO, SessionMode.PHONE)

    @property
    def parent_only(self) -> bool:
        """Held with a parent or carer alone: not a session the client attended."""
        return self.participants == Participants.PARENT_ONLY

    @property
    def attendance_recorded(self) -> bool:
        """Whether it is known if the client came (the session is no longer only scheduled)."""
        return self.attendance != Attendance.SCHEDULED


class SessionReminder(models.Model):
    """The marker that a reminder for a session at this time was queued: the unique constraint
    makes the worker's job queue it once, however many workers run it. A session moved to
    another time gets one reminder for its new time."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reminders")
    starts_at = models.DateTimeField(help_text="The session's time the reminder was for.")
    mail_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The OutboundMail queued (its id; mail is pruned)."
    )
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "starts_at"], name="session_reminder_once_per_time"
            )
        ]

    def __str__(self) -> str:
        return f"reminder for session {self.session_id}"


class SessionToolKind(models.TextChoices):
    """The tools, kept by other apps, that can be linked to the session they were used in."""

    EXCHANGE = "exchange", _("Communication analysis")
    WORKSHEET = "worksheet", _("Worksheet")
    REHEARSAL = "rehearsal", _("Role play")
    CHECKIN = "checkin", _("Grief check-in")


class SessionTool(models.Model):
    """A tool used in a session: its kind and the id of the object in the app that keeps it
    (courses knows no other app's models; the session page's panel names them)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="tools")
    kind = models.CharField(max_length=12, choices=SessionToolKind.choices)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind", "object_id"], name="session_tool_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} used in session {self.session_id}"


class Privacy(models.TextChoices):
    """Whether the client can talk freely where they are (asked at the start of a remote
    session)."""

    PRIVATE = "private", _("Alone, can talk freely")
    OTHERS_NEARBY = "others_nearby", _("Others nearby, but can talk")
    NOT_PRIVATE = "not_private", _("Cannot talk privately")


class RemoteCheck(models.Model):
    """Asked at the start of a video or phone session: where the client is now, who is with
    them, and whom to call for help there if the session raises a concern for their safety.
    Clinical data (the client's whereabouts): audited and in the client's record copy."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="remote_check")
    location = models.TextField(
        _("where the client is now"),
        help_text=_("An address or a place the client names, e.g. at home, at work, in a car."),
    )
    privacy = models.CharField(
        _("can they talk privately?"), max_length=20, choices=Privacy.choices
    )
    with_whom = models.TextField(_("who is with them"), blank=True)
    emergency_contact = models.TextField(
        _("whom to call there in an emergency"),
        help_text=_(
            "The local emergency number for that place, or a person the client agrees may be "
            "called, with their number."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(location="") & ~models.Q(emergency_contact=""),
                name="remote_check_has_place_and_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"remote check of session {self.session_id}"


class RolePlayKind(models.TextChoices):
    """Who played whom in a role play done in the session, with the clinician."""

    CLINICIAN_AS_OTHER = "clinician_as_other", _("Role play: the clinician played the other person")
    ROLE_REVERSAL = "role_reversal", _("Role reversal: the client played the other person")


class RolePlay(models.Model):
    """A role play or role reversal done in the session with the clinician (the automated
    rehearsal tool, which the client may use alone, is gentle.roleplay)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="role_plays")
    kind = models.CharField(_("who played whom"), max_length=20, choices=RolePlayKind.choices)
    other_person = models.CharField(
        _("the other person"),
        max_length=200,
        help_text=_("The person in the client's life the role play was about, as you call them."),
    )
    # The person in the client's inventory, if the clinician chose one: an id, not a foreign
    # key (courses may not read the inventory; ADR 0050). ``other_person`` keeps the name as
    # it was when recorded, so the record reads even if the person is renamed or removed.
    inventory_person_id = models.PositiveIntegerField(null=True, blank=True)
    practised = models.TextField(_("what was practised"))
    how_it_felt = models.TextField(_("how it felt for the client"), blank=True)
    next_step = models.TextField(_("what to try next"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(other_person="") & ~models.Q(practised=""),
                name="role_play_has_person_and_practice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} in session {self.session_id}"


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class ProgressNote(models.Model):
    """The session's note in the record. Signed notes never change; corrections are addenda."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mood = models.PositiveSmallIntegerField(
        _("mood (0–10)"), null=True, blank=True, help_text=_("0 is the worst, 10 the best.")
    )
    interval_events = models.TextField(_("since the last session"), blank=True)
    focus_work = models.TextField(_("work on the focus"), blank=True)
    techniques = models.JSONField(_("techniques used"), default=list, blank=True)
    risk_review = models.TextField(_("risk review"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    text = models.TextField(_("note"), blank=True)
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every save; a save based on an older version conflicts."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The supervisor's co-signature where the clinic asks for one (NoteSettings, ADR 0055):
    # it never changes the note.
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cosigned_at__isnull=True, cosigned_by__isnull=True)
                | models.Q(
                    status=NoteStatus.SIGNED, cosigned_at__isnull=False, cosigned_by__isnull=False
                ),
                name="note_cosigned_when_signed",
            ),
            models.CheckConstraint(
                condition=models.Q(mood__isnull=True) | models.Q(mood__lte=10),
                name="note_mood_0_10",
            ),
            models.CheckConstraint(
                condition=models.Q(status=NoteStatus.DRAFT)
                | (models.Q(signed_at__isnull=False) & models.Q(signed_by__isnull=False)),
                name="note_signed_has_signer",
            ),
        ]
        indexes = [
            # Drafts are few among a clinic's notes (most are signed within a day): the
            # supervisor's "stale drafts" looks each recent session's note up here, not in
            # every note (issue 20: 64 -> 16 ms over 130,000 notes on SQLite).
            models.Index(
                fields=["session"], condition=models.Q(status="draft"), name="note_draft_session"
            ),
        ]

    def __str__(self) -> str:
        return f"note {self.pk} ({self.status})"

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED


class NoteAddendum(models.Model):
    note = models.ForeignKey(ProgressNote, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("addendum"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"addendum {self.pk} to note {self.note_id}"


class ProcessNote(models.Model):
    """Psychotherapy (process) notes: the author's alone, encrypted at rest, kept apart from the
    record. Never shown in the portal, exports, search, supervision or logs."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="process_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="processnote_one_per_author")
        ]

    def __str__(self) -> str:
        return f"process note {self.pk}"


class RelapsePlan(models.Model):
    """Written at termination; the client sees it in the portal."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="relapse_plan")
    warning_signs = models.TextField(_("my warning signs"), blank=True)
    what_helped = models.TextField(_("what helped me"), blank=True)
    people = models.TextField(_("people I can turn to"), blank=True)
    what_to_do = models.TextField(_("what I will do"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"relapse plan for course {self.course_id}"


class CalendarFeed(models.Model):
    """An opaque, revocable token for a clinician's iCalendar feed (no clinical detail)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"


class SupervisionComment(models.Model):
    """A supervisor's comment on a course, or on one session's progress note, and the thread
    under it (``reply_to`` the comment it answers; ADR 0055). Not part of the client's record:
    never in the record copy or the portal; read and written through the client's door,
    audited as clinical data. A thread is resolved on its first comment."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="comments")
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    reply_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["course", "resolved_at"], name="comment_course_open")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True) | models.Q(reply_to__isnull=True),
                name="comment_resolved_on_thread",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | models.Q(resolved_at__isnull=False, resolved_by__isnull=False),
                name="comment_resolved_has_resolver",
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on course {self.course_id}"


class NoteSettings(models.Model):
    """The clinic's rules for progress notes, set by its administrator (ADR 0055)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="note_settings")
    cosign_supervisees = models.BooleanField(
        _("a supervisee's signed notes need their supervisor's co-signature"), default=False
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"note settings of clinic {self.clinic_id}"


class SupervisionMeeting(models.Model):
    """One supervision meeting of a supervisor with a clinician they supervise, in the
    supervision log (ADR 0055): when, how long, the courses discussed, the topics and the
    actions agreed. The clinician reads their own log. Not part of any client's record."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_meetings"
    )
    held_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    courses = models.ManyToManyField(
        Course, blank=True, related_name="+", verbose_name=_("courses discussed")
    )
    topics = models.TextField(_("topics"))
    actions = models.TextField(_("actions agreed"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=600),
                name="supervision_meeting_minutes_1_600",
            ),
        ]

    def __str__(self) -> str:
        return f"supervision meeting {self.pk}"


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class PdfStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be made")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be made")


class Letter(models.Model):
    """The end-of-course letter to the referrer (ADR 0063): a draft pre-filled from the course
    (the staff app composes it from courses, measures and the relapse plan), edited by the
    care team's clinician, then made final (read-only; a new version may be started). The
    scores and the chart are kept as they were when the draft was started; the PDF is made by
    the worker once the letter is final."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="letters")
    version = models.PositiveSmallIntegerField(default=1)
    language = models.CharField(
        _("language of the letter"), max_length=8, choices=settings.LANGUAGES
    )
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    recipient = models.TextField(_("to"), blank=True)
    focus = models.TextField(_("focus of the work"), blank=True)
    attendance = models.TextField(_("sessions"), blank=True)
    outcome = models.TextField(_("scores and outcome"), blank=True)
    relapse_plan = models.TextField(_("staying well"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    scores = models.JSONField(default=list, blank=True, help_text="First and last scores, frozen.")
    chart = models.TextField(blank=True, help_text="The score chart (SVG), frozen.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, blank=True)
    pdf_progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    pdf = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["course", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="letter_version_once"),
        ]

    def __str__(self) -> str:
        return f"letter {self.version} of course {self.course_id}"

    @property
    def is_final(self) -> bool:
        return self.status == LetterStatus.FINAL

    @property
    def pdf_pending(self) -> bool:
        return self.pdf_status in (PdfStatus.QUEUED, PdfStatus.RUNNING)
