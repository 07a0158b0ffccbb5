from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gentle.accounts.models import User
from gentle.courses.models import CourseFormat
from gentle.groups.models import GROUP_FORMATS, GroupStatus, LeaveReason, Setting

DATE = forms.DateInput(attrs={"type": "date"})


class PersonChoice(forms.ModelChoiceField):
    """One of the clinic's staff: a clinic of 50 clinicians lists them all."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(f, CourseFormat(f).label) for f in GROUP_FORMATS],
        initial=CourseFormat.GROUP,
        help_text=_("Group IPT as the WHO manual runs it: 8 weekly sessions of 90 minutes."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    setting = forms.ChoiceField(
        label=_("Where it meets"),
        choices=Setting.choices,
        initial=Setting.IN_PERSON,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where the group meets in person (a room, an address)."),
    )
    starts_on = forms.DateField(label=_("First session"), widget=DATE)
    facilitator = PersonChoice(label=_("Facilitator"), queryset=User.objects.none())
    co_facilitator = PersonChoice(
        label=_("Co-facilitator"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, facilitators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]
        self.fields["co_facilitator"].queryset = facilitators  # type: ignore[attr-defined]


class GroupEditForm(GroupForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=GroupStatus.choices,
        help_text=_("Finishing the group records every current member as having completed it."),
    )


class MemberForm(forms.Form):
    client: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Client"),
        queryset=None,
        help_text=_(
            "Clients on your care team. Their group course is the open one of this format, or a "
            "new one is started on the group's first session."
        ),
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE)

    def __init__(self, *args: Any, clients: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        self.fields["client"].label_from_instance = lambda c: c.full_name  # type: ignore[attr-defined]


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE, initial=timezone.localdate)
    reason = forms.ChoiceField(
        label=_("Why they left"),
        choices=[(v, label) for v, label in LeaveReason.choices if v != LeaveReason.COMPLETED],
    )


class ScheduleForm(forms.Form):
    at = forms.TimeField(
        label=_("Time of each session"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Weekly from the first session's date, on the same weekday."),
    )


class MoveForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    at = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
