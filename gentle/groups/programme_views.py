"""The programme view (issue 24 part 5): every group a person sees, with its numbers, and the
same by facilitator; filters; a CSV of the same table. Who sees which groups is
``visible_groups`` (the clinic's administrators and supervisors: all; a clinician: theirs and
their clients'; a lay facilitator: their own). The numbers are aggregates, no member's name."""

from __future__ import annotations

import csv
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import User
from gentle.audit.names import Action
from gentle.clients.access import GROUP_ROLES, record_list_read, visible_groups
from gentle.groups.forms import DATE, PersonChoice
from gentle.groups.models import Group, GroupStatus
from gentle.groups.programme import (
    PAGE_SIZE,
    Figures,
    Ratio,
    by_facilitator,
    group_figures,
    phq9_caseness,
)


class ProgrammeFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any"))] + GroupStatus.choices,
        required=False,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("Any"))] + list(settings.LANGUAGES),
        required=False,
    )
    facilitator = PersonChoice(
        label=gettext_lazy("Facilitator"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    starts_from = forms.DateField(
        label=gettext_lazy("First session from"), required=False, widget=DATE
    )
    starts_to = forms.DateField(label=gettext_lazy("First session to"), required=False, widget=DATE)

    def __init__(self, *args: Any, facilitators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_from"), data.get("starts_to")
        if start and end and end < start:
            self.add_error("starts_to", _("The end of the period is before its start."))
        return data


def _filtered(request: AuthenticatedHttpRequest) -> tuple[ProgrammeFilter, QuerySet[Group], Any]:
    """The filter form and the groups it leaves (only valid filters apply: a bad date is said
    and ignored, the rest still filter), and the facilitators of the groups this person sees."""
    seen = visible_groups(request, Group.objects.all())
    # The ids in the groups' two columns: no DISTINCT over a join of every user to the groups.
    runners = (
        seen.order_by()
        .values("facilitator_id")
        .union(seen.order_by().filter(co_facilitator__isnull=False).values("co_facilitator_id"))
    )
    facilitators = User.objects.filter(pk__in=runners).order_by("display_name", "email")
    form = ProgrammeFilter(request.GET or None, facilitators=facilitators)
    groups = seen
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        if data.get("status"):
            groups = groups.filter(status=data["status"])
        if data.get("language"):
            groups = groups.filter(language=data["language"])
        if data.get("facilitator"):
            person = data["facilitator"]
            groups = groups.filter(Q(facilitator=person) | Q(co_facilitator=person))
        if data.get("starts_from"):
            groups = groups.filter(starts_on__gte=data["starts_from"])
        if data.get("starts_to") and "starts_to" not in form.errors:
            groups = groups.filter(starts_on__lte=data["starts_to"])
    return form, groups, facilitators


def _query(request: AuthenticatedHttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@role_required(*GROUP_ROLES)
def programme(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, groups, facilitators = _filtered(request)
    figures = group_figures(groups)
    page = Paginator(
        groups.select_related("facilitator", "co_facilitator").order_by("-starts_on", "name", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    for group in page.object_list:
        cast(Any, group).figures = figures[group.pk]
    runners = groups.order_by().values_list("pk", "facilitator_id", "co_facilitator_id")
    people = {person.pk: person for person in facilitators}
    totals = Figures()
    for one in figures.values():
        totals.add(one)
    record_list_read(request, Action.GROUP_PROGRAMME, count=len(figures))
    return render(
        request,
        "groups/programme.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "totals": totals,
            "by_facilitator": by_facilitator(runners, figures, people),
            "caseness": int(phq9_caseness()),
        },
        status=400 if form.errors else 200,
    )


def _percent(ratio: Ratio) -> str:
    return "" if ratio.percent is None else str(ratio.percent)


def _cell(text: str) -> str:
    """A spreadsheet does not run a cell that starts with a formula character."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = (
    "group_id",
    "group",
    "facilitators",
    "language",
    "status",
    "first_session",
    "joined",
    "current",
    "late_joins",
    "left",
    "left_completed",
    "left_dropped_out",
    "left_moved",
    "left_referred",
    "left_other",
    "sessions_held",
    "member_sessions_attended",
    "member_sessions_expected",
    "attendance_percent",
    "completed",
    "completion_n",
    "completion_percent",
    "phq9_mean_change",
    "phq9_change_n",
    "phq9_recovered",
    "phq9_cases_at_first",
    "recovery_percent",
)


@role_required(*GROUP_ROLES)
def programme_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The programme table as CSV, for the same filters, every group (not one page). Group and
    facilitator names and counts only: no member's name."""
    _form, groups, _people = _filtered(request)
    figures = group_figures(groups)
    rows = groups.select_related("facilitator", "co_facilitator").order_by(
        "-starts_on", "name", "pk"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="group-programme-{day}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for group in rows:
        one = figures[group.pk]
        people = [str(group.facilitator)]
        if group.co_facilitator:
            people.append(str(group.co_facilitator))
        mean = one.mean_change
        writer.writerow(
            [
                group.pk,
                _cell(group.name),
                _cell("; ".join(people)),
                group.language,
                group.status,
                group.starts_on.isoformat(),
                one.joined,
                one.current,
                one.late,
                one.left_total,
                *one.left.values(),
                one.held,
                one.attended,
                one.expected,
                _percent(one.attendance),
                one.completed,
                one.completion_n,
                _percent(one.completion),
                "" if mean is None else mean,
                one.change_n,
                one.recovered,
                one.cases,
                _percent(one.recovery),
            ]
        )
        count += 1
    record_list_read(request, Action.GROUP_PROGRAMME_CSV, count=count)
    return response
