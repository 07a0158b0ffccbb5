from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.courses import protocol
from gentle.courses.models import (
    Attendance,
    CancelReason,
    Course,
    CourseFormat,
    CourseKind,
    CourseStatus,
    Participants,
    Privacy,
    ProblemArea,
    RolePlayKind,
    SessionMode,
    Triage,
)
from gentle.lib.forms import not_future

TEXT = {"rows": 3}


class CourseForm(forms.Form):
    """A course's contract. Empty numbers take the format's defaults (data/formats.json)."""

    format = forms.ChoiceField(label=_("Format"), choices=CourseFormat.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices, initial=CourseKind.ACUTE)
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    contracted_sessions = forms.IntegerField(
        label=_("Contracted sessions"),
        min_value=2,
        max_value=40,
        required=False,
        help_text=_(
            "Leave empty for the format's usual number (individual 12, brief 8, IPC 6, group 8, "
            "maintenance 12 monthly)."
        ),
    )
    session_minutes = forms.IntegerField(
        label=_("Session length (minutes)"), min_value=10, max_value=180, required=False
    )
    initial_last = forms.IntegerField(
        label=_("Initial phase ends with session"), min_value=1, max_value=40, required=False
    )
    termination_first = forms.IntegerField(
        label=_("Termination phase starts with session"), min_value=2, max_value=40, required=False
    )

    def clean(self):
        cleaned = super().clean()
        course_format = cleaned.get("format")
        if not course_format:
            return cleaned
        defaults = protocol.defaults_for(course_format)
        if course_format == CourseFormat.MAINTENANCE:
            cleaned["kind"] = CourseKind.MAINTENANCE
        elif cleaned.get("kind") == CourseKind.MAINTENANCE:
            self.add_error(
                "format",
                _(
                    "A maintenance course uses the Maintenance IPT format (monthly sessions with "
                    "their own agenda)."
                ),
            )
        sessions = cleaned.get("contracted_sessions") or defaults.sessions
        cleaned["contracted_sessions"] = sessions
        cleaned["session_minutes"] = cleaned.get("session_minutes") or defaults.minutes
        initial_last = cleaned.get("initial_last") or min(defaults.initial_sessions, sessions)
        termination_first = cleaned.get("termination_first") or max(
            sessions - defaults.termination_sessions + 1, initial_last + 1
        )
        if termination_first > sessions or initial_last >= termination_first:
            self.add_error(
                "termination_first",
                _(
                    "The phases must fit the contract: the initial phase ends before the "
                    "termination phase starts, which is at the latest the last session."
                ),
            )
        cleaned["initial_last"], cleaned["termination_first"] = initial_last, termination_first
        return cleaned


class CourseEditForm(CourseForm):
    status = forms.ChoiceField(label=_("Status"), choices=CourseStatus.choices)
    end_reason = forms.CharField(
        label=_("Why the course ended early"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )
    focus = forms.ChoiceField(
        label=_("Focus (problem area)"), required=False, choices=[("", "—"), *ProblemArea.choices]
    )
    goals = forms.CharField(
        label=_("Goals"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == CourseStatus.ENDED_EARLY and not cleaned.get("end_reason"):
            self.add_error("end_reason", _("Say why the course ended early."))
        return cleaned


class TriageForm(forms.Form):
    """Where a counselling (IPC) course leads, decided with the client in its last session."""

    triage = forms.ChoiceField(
        label=_("Where the course leads"), choices=Triage.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("For example: which treatment comes next, or where the client is referred."),
    )


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=240)
    mode = forms.ChoiceField(label=_("Where"), choices=SessionMode.choices)
    confirm_overlap = forms.BooleanField(
        label=_("Schedule it anyway"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, adolescent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Who takes part: only a course for adolescents (IPT-A) has parent sessions.
        if adolescent:
            self.fields["participants"] = forms.ChoiceField(
                label=_("Who takes part"),
                choices=Participants.choices,
                initial=Participants.CLIENT,
            )

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day and time:
            if not 2000 <= day.year <= 2100:
                self.add_error("date", _("Choose a date between 2000 and 2100."))
            else:
                cleaned["starts_at"] = timezone.make_aware(
                    datetime.combine(day, time), timezone.get_current_timezone()
                )
        return cleaned


def course_label() -> Callable[[Course], str]:
    """How a list of a clinician's courses names each ("Amara Example · Individual IPT"), with
    each format's name translated once a list, not once a course (a clinician may have 200)."""
    formats = {value: str(label) for value, label in CourseFormat.choices}
    return lambda course: f"{course.client.full_name} · {formats.get(course.format, course.format)}"


class BookForm(SessionForm):
    """The session form reached from a free hour of the calendar: the course is chosen among
    the clinician's open courses."""

    course = forms.TypedChoiceField(label=_("Client and course"), coerce=int)

    field_order = ["course", "date", "time", "minutes", "mode"]

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        label = course_label()
        self.fields["course"].choices = [("", _("Choose…"))] + [(c.pk, label(c)) for c in courses]


class MoveForm(SessionForm):
    """Another date, time or length for a scheduled session (its mode stays)."""

    mode = None  # type: ignore[assignment]
    confirm_overlap = forms.BooleanField(
        label=_("Move it anyway"), required=False, widget=forms.HiddenInput
    )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=CancelReason.choices)
    confirm = forms.BooleanField(
        label=_("Yes, cancel this session"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class ParticipantsForm(forms.Form):
    participants = forms.ChoiceField(label=_("Who took part"), choices=Participants.choices)


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)


class AgendaForm(forms.Form):
    done = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done"].choices = [(item.id, item.text) for item in items]


class NoteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    mood = forms.IntegerField(
        label=_("Mood today (0–10)"),
        min_value=0,
        max_value=10,
        required=False,
        help_text=_("0 is the worst, 10 the best."),
    )
    interval_events = forms.CharField(
        label=_("Since the last session"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs=TEXT),
    )
    focus_work = forms.CharField(
        label=_("Work on the focus"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs=TEXT),
    )
    techniques = forms.MultipleChoiceField(
        label=_("Techniques used"), required=False, widget=forms.CheckboxSelectMultiple
    )
    risk_review = forms.CharField(
        label=_("Risk review"), required=False, max_length=10000, widget=forms.Textarea(attrs=TEXT)
    )
    plan = forms.CharField(
        label=_("Plan"), required=False, max_length=10000, widget=forms.Textarea(attrs=TEXT)
    )
    text = forms.CharField(
        label=_("Note"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["techniques"].choices = [(t.id, t.text) for t in protocol.techniques()]


class SignNoteForm(forms.Form):
    """The confirmation's "Sign": the version the person read, so that a note changed since
    (in another tab) is not signed unseen."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AddendumForm(forms.Form):
    text = forms.CharField(label=_("Addendum"), max_length=10000, widget=forms.Textarea(attrs=TEXT))


class ProcessNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Process note"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class RelapsePlanForm(forms.Form):
    warning_signs = forms.CharField(
        label=_("My warning signs"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )
    what_helped = forms.CharField(
        label=_("What helped me"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )
    people = forms.CharField(
        label=_("People I can turn to"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )
    what_to_do = forms.CharField(
        label=_("What I will do if the signs come back"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )


# The course fields CourseForm cleans, in the order the course is created with.
COURSE_FIELDS = (
    "format",
    "kind",
    "start_date",
    "contracted_sessions",
    "session_minutes",
    "initial_last",
    "termination_first",
)


class RemoteCheckForm(forms.Form):
    """Asked before a video or phone session starts (the RemoteCheck model says why)."""

    location = forms.CharField(
        label=_("Where are you now?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("An address or a place the client names, e.g. at home, at work, in a car."),
        error_messages={"required": _("Write where the client is now.")},
    )
    privacy = forms.ChoiceField(
        label=_("Can you talk privately?"),
        choices=Privacy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the client can talk privately.")},
    )
    with_whom = forms.CharField(
        label=_("Who is with you?"),
        max_length=500,
        required=False,
        widget=forms.TextInput,
        help_text=_("Leave empty if the client is alone."),
    )
    emergency_contact = forms.CharField(
        label=_("Whom to call there in an emergency"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The local emergency number for that place, or a person the client agrees may be "
            "called, with their number."
        ),
        error_messages={"required": _("Write whom to call where the client is now.")},
    )


class RolePlayForm(forms.Form):
    """A role play or role reversal done in the session, about a person in the client's
    inventory (``people``, offered by the inventory through gentle.lib.client_people) or about
    someone else, named in the text field. A posted id that is not among ``people`` (another
    client's person) is refused as an invalid choice."""

    SOMEONE_ELSE = ""

    kind = forms.ChoiceField(
        label=_("Who played whom"),
        choices=RolePlayKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who played the other person.")},
    )
    person = forms.TypedChoiceField(
        label=_("The other person"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Someone in the client's interpersonal inventory, or someone else."),
        error_messages={
            "invalid_choice": _("That person is not in this client's inventory. Choose again.")
        },
    )
    other_person = forms.CharField(
        label=_("The other person"),
        max_length=200,
        required=False,
        help_text=_("The person in the client's life the role play was about."),
    )
    practised = forms.CharField(
        label=_("What was practised"),
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        error_messages={"required": _("Write what was practised.")},
    )
    how_it_felt = forms.CharField(
        label=_("How it felt for the client"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )
    next_step = forms.CharField(
        label=_("What to try next"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.id: p for p in people}
        if not self.people:
            # Nobody in the inventory yet: only the name.
            del self.fields["person"]
            return
        self.fields["person"].choices = [
            (self.SOMEONE_ELSE, _("Someone else (write the name below)")),
            *((p.id, f"{p.name} · {p.relationship}") for p in people),
        ]
        other = self.fields["other_person"]
        other.label = _("Someone else's name")
        other.help_text = _(
            "Only if they are not in the inventory: the name the client uses for them."
        )

    def clean(self):
        cleaned = super().clean()
        person_id = cleaned.get("person")
        if "person" in self.errors:
            return cleaned
        if person_id is not None:
            # The inventory's name, as it is now; the link keeps the person if renamed.
            cleaned["other_person"] = self.people[person_id].name
        elif not cleaned.get("other_person", "").strip():
            self.add_error(
                "other_person",
                _("Choose a person from the inventory or write whom the role play was about.")
                if self.people
                else _("Write whom the role play was about."),
            )
        cleaned["inventory_person_id"] = person_id
        return cleaned


class CommentForm(forms.Form):
    """A supervision comment, or an answer in its thread (ADR 0055)."""

    text = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs=TEXT))


class NoteSettingsForm(forms.Form):
    cosign_supervisees = forms.BooleanField(
        label=_("A supervisee's signed notes need their supervisor's co-signature"),
        required=False,
        help_text=_(
            "The supervisor co-signs from the note; notes waiting for it are listed on their "
            "home. A co-signature never changes the note."
        ),
    )


class SupervisionMeetingForm(forms.Form):
    """A supervision meeting for the log (ADR 0055); ``courses`` are those it may name."""

    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=1, max_value=600)
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses discussed"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.CharField(label=_("Topics"), max_length=10000, widget=forms.Textarea(attrs=TEXT))
    actions = forms.CharField(
        label=_("Actions agreed"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )

    def __init__(self, *args, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["courses"]
        field.queryset = courses if courses is not None else Course.objects.none()
        field.label_from_instance = course_label()

    def clean_held_on(self):
        return not_future(self.cleaned_data["held_on"])
