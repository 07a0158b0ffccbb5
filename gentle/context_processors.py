from django.conf import settings
from django.db.models import F, Func, IntegerField, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Clinic, Role, User
from gentle.intake.selectors import open_risk_requests
from gentle.lib.prepared import PreparedQuery
from gentle.nav import ALERTS, RISK_REQUESTS, Badge, NavEntry, badges_counted, nav_for, nav_html
from gentle.safety.selectors import alerts_waiting_for


def _counted(queryset) -> Subquery:
    """COUNT(*) of ``queryset`` as a subquery (no GROUP BY), to count several in one query."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
        output_field=IntegerField(),
    )


def _badge_counts(shape: tuple, *, clinic_id: int, user_id: int):
    """One row: the count of each wanted kind, for a person holding ``roles`` in the clinic."""
    wanted, roles = shape
    clinic, user = Clinic(pk=clinic_id), User(pk=user_id)
    querysets = {
        ALERTS: lambda: alerts_waiting_for(clinic=clinic, user=user, roles=roles),
        RISK_REQUESTS: lambda: open_risk_requests(
            clinic=clinic, user=user, is_admin=Role.ADMIN in roles
        ),
    }
    return (
        Clinic.objects.filter(pk=clinic_id)
        .annotate(**{kind: _counted(querysets[kind]()) for kind in wanted})
        .values_list(*wanted)
    )


# Built and compiled once per combination of badges and roles (issue 20: building this query
# took more than half of a signed-in page's time); each page only binds the clinic and the user.
BADGE_COUNTS = PreparedQuery(_badge_counts, values=("clinic_id", "user_id"))


def _badges(kinds: set[str], context, counted: dict[str, int]) -> dict[str, Badge]:
    """The counts beside navigation entries, and what a screen reader says for each; all of
    them in one query, whatever the numbers, except those the page has ``counted`` already
    (``nav.badge_counted``). Only counts above zero are returned."""
    counts = {kind: n for kind, n in counted.items() if kind in kinds}
    wanted = tuple(kind for kind in (ALERTS, RISK_REQUESTS) if kind in kinds - set(counts))
    if wanted:
        (row,) = BADGE_COUNTS.rows(
            (wanted, context.roles), clinic_id=context.clinic.pk, user_id=context.user.pk
        )
        counts.update(zip(wanted, row, strict=True))
    spoken = {
        ALERTS: lambda n: ngettext("%(n)d open alert", "%(n)d open alerts", n),
        RISK_REQUESTS: lambda n: ngettext(
            "%(n)d open request with risk words", "%(n)d open requests with risk words", n
        ),
    }
    return {kind: Badge(n, spoken[kind](n) % {"n": n}) for kind, n in counts.items() if n}


def gentle(request):
    """What the base layout needs: clinic name, roles, navigation with its badges. One query
    when signed in, and one more for the badges (open alerts, open risk requests) unless the
    page counted them already."""
    context = clinic_context(request)
    current = getattr(getattr(request, "resolver_match", None), "view_name", None)
    items = nav_for(context.roles) if context.user else []
    badges = (
        _badges({item.badge for item in items if item.badge}, context, badges_counted(request))
        if context.clinic
        else {}
    )
    shown: list = []  # an entry, or a group's label where the group's heading goes
    grouped: dict[str, list[NavEntry]] = {}
    for item in items:
        entry = NavEntry(
            label=str(item.label),
            url=reverse(item.url_name),
            current=item.url_name == current,
            badge=badges.get(item.badge),
        )
        if not item.group:
            shown.append(entry)
            continue
        if item.group not in grouped:
            shown.append(item.group)
        grouped.setdefault(item.group, []).append(entry)
    entries = tuple(
        entry
        if isinstance(entry, NavEntry)
        else NavEntry(
            label=str(entry),
            url="",
            current=any(child.current for child in grouped[entry]),
            children=tuple(grouped[entry]),
        )
        for entry in shown
    )
    return {
        "clinic_name": context.clinic.name if context.clinic else settings.GENTLE_CLINIC_NAME,
        "current_clinic": context.clinic,
        "current_roles": context.roles,
        "other_clinics": [c for c in context.clinics if c != context.clinic],
        "nav_items": entries,
        "nav_html": nav_html(entries, translation.get_language()) if entries else "",
        "gentle_demo": settings.DEMO,
        "mfa_relaxed": settings.GENTLE_DEMO_MFA_OPTIONAL,
    }
