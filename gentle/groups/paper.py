"""Paper for places without a laptop (issue 24 part 6, ADR 0054): per group session, a printable
facilitator guide (the session's agenda from the group format's protocol, the group's practical
details, what to do if a member speaks of harming themselves, space for notes) and an attendance
and PHQ-9 sheet (the current roster, came or not, the nine items with their answer boxes, the
item-9 rule, a follow-up box). PDF in the group's language or the one asked for, on A4 or US
Letter, answered in the request (one or two pages render well under a second).

The sheet does not need the session to be scheduled: without a ``GroupSession`` row for that
number it prints with blank date and time, so a group can run on paper before anyone types a
schedule in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.audit.names import Action
from gentle.clients.access import GROUP_ROLES, group_for
from gentle.courses import protocol
from gentle.groups import actions
from gentle.groups.models import Group, GroupSession
from gentle.lib import pdf
from gentle.measures.instruments import catalogue
from gentle.safety.selectors import crisis_text_for

PHQ9 = "phq9"
ITEM_9 = "phq9_9"
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _paper(
    request: AuthenticatedHttpRequest, group_id: int, number: int
) -> tuple[Group, GroupSession | None, str, str] | HttpResponse:
    """The group (404 unless this person may print its paper; the opening is audited as a
    read: the sheet carries members' names), its session of this number if scheduled, the
    language and the paper size asked for."""
    group = group_for(
        request,
        Group.objects.select_related("clinic", "facilitator", "co_facilitator"),
        group_id,
        paper=True,
        action=Action.GROUP_PAPER,
    )
    if not 1 <= number <= protocol.defaults_for(group.format).sessions:
        raise Http404
    size = request.GET.get("size", pdf.DEFAULT_PAGE_SIZE)
    language = request.GET.get("lang", group.language)[:2]
    if size not in pdf.PAGE_SIZES or language not in LANGUAGES:
        return HttpResponseBadRequest(
            _("Choose a paper size (a4 or letter) and a language of this site."),
            content_type="text/plain; charset=utf-8",
        )
    session = GroupSession.objects.filter(group=group, number=number).first()
    return group, session, language, size


def _members(group: Group) -> list[Any]:
    """The current roster (who has left is not on paper), by the name the group calls them."""
    members = list(group.members.filter(left_on__isnull=True).select_related("client"))
    return sorted(members, key=lambda m: (m.client.called.casefold(), m.client.family_name, m.pk))


def _answer(html: str, *, filename: str, size: str, landscape: bool = False) -> HttpResponse:
    response = HttpResponse(
        pdf.html_to_pdf(html, page_size=size, landscape=landscape), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _common(group: Group, session: GroupSession | None, number: int) -> dict[str, Any]:
    defaults = protocol.defaults_for(group.format)
    return {
        "group": group,
        "session": session,
        "number": number,
        "sessions": defaults.sessions,
        "minutes": session.minutes if session else defaults.minutes,
        "phase": actions.session_phase(group, number),
    }


@role_required(*GROUP_ROLES)
def session_guide(request: AuthenticatedHttpRequest, group_id: int, number: int) -> HttpResponse:
    found = _paper(request, group_id, number)
    if isinstance(found, HttpResponse):
        return found
    group, session, language, size = found
    context = _common(group, session, number)
    with translation.override(language):
        agenda = protocol.agenda_for(group.format).phases[context["phase"]]
        html = render_to_string(
            "groups/print/guide.html",
            {
                **context,
                "agenda": [item.text for item in agenda],
                "members": _members(group),
                "crisis_text": crisis_text_for(group.clinic, language),
                "language": language,
            },
        )
    return _answer(html, filename=f"group-{group.pk}-session-{number}-guide.pdf", size=size)


@role_required(*GROUP_ROLES)
def session_sheet(request: AuthenticatedHttpRequest, group_id: int, number: int) -> HttpResponse:
    found = _paper(request, group_id, number)
    if isinstance(found, HttpResponse):
        return found
    group, session, language, size = found
    phq9 = catalogue()[PHQ9]
    with translation.override(language):
        html = render_to_string(
            "groups/print/sheet.html",
            {
                **_common(group, session, number),
                "members": _members(group),
                "instructions": phq9.instructions.get(language) or phq9.instructions.get("en"),
                # The nine scored items (the tenth, how difficult, is not on the sheet).
                "items": [phq9.item(item_id).text for item_id in phq9.main_score.items],
                "options": [(o.value, o.text) for o in phq9.item(ITEM_9).options],
                "language": language,
            },
        )
    return _answer(
        html,
        filename=f"group-{group.pk}-session-{number}-sheet.pdf",
        size=size,
        landscape=True,
    )
