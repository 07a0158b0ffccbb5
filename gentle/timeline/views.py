"""The client's timeline: life events, symptom episodes, mood and sessions over time."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients.access import client_for
from gentle.inventory.selectors import accepted_people
from gentle.lib import svg
from gentle.lib.forms import posted
from gentle.timeline import actions, selectors
from gentle.timeline.access import event_for
from gentle.timeline.forms import EpisodeForm, EventForm

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)


@role_required(*CLINICAL)
def timeline(request, client_id: int):
    client = client_for(request, client_id, action=Action.TIMELINE_VIEW)
    items = selectors.rows(client)
    today = timezone.localdate()
    sessions = selectors.session_days(client)
    zoom = request.GET.get("zoom", "")
    if zoom not in selectors.ZOOMS:
        zoom = selectors.default_zoom(items, sessions, today)
    start, end = selectors.span(items, zoom, today)
    events = [
        {
            "date": r.start,
            "label": r.obj.get_category_display() + ": " + r.obj.description,
            "highlight": r.near_onset,
            "planned": r.obj.planned,
        }
        for r in items
        if r.kind == "event" and r.start and start <= r.start <= end
    ]
    episodes = [
        {"start": r.start, "end": r.end}
        for r in items
        if r.kind == "episode" and r.start and r.start <= end and (r.end is None or r.end >= start)
    ]
    moods = [(d, m) for d, m in selectors.moods(client) if start <= d <= end]
    diary = [(d, m) for d, m in selectors.diary_moods(client) if start <= d <= end]
    window = settings.GENTLE_ONSET_WINDOW_MONTHS
    perinatal = settings.GENTLE_PERINATAL_ONSET_WINDOW_MONTHS
    perinatal_key = ""
    if perinatal > window:
        birth = _("(a birth or pregnancy: in the %(n)s months before)")
        perinatal_key = " " + birth % {"n": perinatal}
    chart = svg.timeline(
        start=start,
        end=end,
        events=events,
        episodes=episodes,
        moods=moods,
        diary=diary,
        sessions=[d for d in sessions if start <= d <= end],
        ticks=selectors.ticks(start, end),
        label=_("Timeline of %(name)s: life events, symptom episodes and mood")
        % {"name": client.called},
        titles=(_("Life events"), _("Mood (0–10)")),
        keys={
            "episode": _("symptom episode"),
            "event": _("life event"),
            "highlight": ngettext(
                "event in the month before an episode began",
                "event in the %(n)s months before an episode began",
                window,
            )
            % {"n": window}
            + perinatal_key,
            "planned": _("planned event"),
            "mood": _("mood (session ratings, 0–10)"),
            "diary": _("mood (the client's diary, 0–10)"),
            "session": _("attended session"),
        },
    )
    outside = sum(1 for r in items if r.kind == "event" and r.start and not start <= r.start <= end)
    return render(
        request,
        "timeline/timeline.html",
        {
            "client": client,
            "rows": items,
            "chart": chart,
            "zoom": zoom,
            "zooms": [
                ("all", _("All")),
                ("5y", _("5 years")),
                ("1y", _("1 year")),
                ("6m", _("6 months")),
                ("3m", _("3 months (weeks)")),
            ],
            "outside": outside,
            "diary": diary,
            "can_write": client.may.write,
        },
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def event_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.TIMELINE_OPEN)
    people = accepted_people(client)
    form = EventForm(posted(request), people=people)
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in people if str(p.pk) in form.cleaned_data["people"]]
        actions.event_add(by=request.user, client=client, data=form.cleaned_data, people=chosen)
        messages.success(request, _("Event added to the timeline."))
        return redirect("timeline", client_id=client.pk)
    return render(
        request,
        "timeline/event_form.html",
        {"client": client, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def event_remove(request, event_id: int):
    event = event_for(request, event_id, write=True)
    client_id = event.client_id
    actions.event_remove(by=request.user, event=event)
    messages.success(request, _("Event removed."))
    return redirect("timeline", client_id=client_id)


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def episode_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.TIMELINE_OPEN)
    form = EpisodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.episode_add(by=request.user, client=client, data=form.cleaned_data)
        messages.success(request, _("Episode added to the timeline."))
        return redirect("timeline", client_id=client.pk)
    return render(
        request,
        "timeline/episode_form.html",
        {"client": client, "form": form},
        status=400 if form.errors else 200,
    )
