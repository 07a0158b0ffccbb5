from django.conf import settings
from django.db.models import F, Func, IntegerField, Subquery
from django.urls import reverse
from django.utils.translation import ngettext

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Clinic, Role
from gentle.intake.selectors import open_risk_requests
from gentle.nav import ALERTS, RISK_REQUESTS, nav_for
from gentle.safety.selectors import alerts_waiting_for


def _counted(queryset) -> Subquery:
    """COUNT(*) of ``queryset`` as a subquery (no GROUP BY), to count several in one query."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
        output_field=IntegerField(),
    )


def _badges(kinds: set[str], context) -> dict[str, dict]:
    """The counts beside navigation entries, and what a screen reader says for each; all of
    them in one query, whatever the numbers. Only counts above zero are returned."""
    wanted = {}
    if ALERTS in kinds:
        wanted[ALERTS] = alerts_waiting_for(
            clinic=context.clinic, user=context.user, roles=context.roles
        )
    if RISK_REQUESTS in kinds:
        wanted[RISK_REQUESTS] = open_risk_requests(
            clinic=context.clinic, user=context.user, is_admin=context.has(Role.ADMIN)
        )
    if not wanted:
        return {}
    counts = (
        Clinic.objects.filter(pk=context.clinic.pk)
        .annotate(**{kind: _counted(qs) for kind, qs in wanted.items()})
        .values(*wanted)
        .get()
    )
    spoken = {
        ALERTS: lambda n: ngettext("%(n)d open alert", "%(n)d open alerts", n),
        RISK_REQUESTS: lambda n: ngettext(
            "%(n)d open request with risk words", "%(n)d open requests with risk words", n
        ),
    }
    return {
        kind: {"count": n, "spoken": spoken[kind](n) % {"n": n}} for kind, n in counts.items() if n
    }


def gentle(request):
    """What the base layout needs: clinic name, roles, navigation with its badges. One query
    when signed in, and one more for the badges (open alerts, open risk requests)."""
    context = clinic_context(request)
    current = getattr(getattr(request, "resolver_match", None), "view_name", None)
    items = nav_for(context.roles) if context.user else []
    badges = (
        _badges({item.badge for item in items if item.badge}, context) if context.clinic else {}
    )
    nav = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "current": item.url_name == current,
            "badge": badges.get(item.badge),
        }
        for item in items
    ]
    return {
        "clinic_name": context.clinic.name if context.clinic else settings.GENTLE_CLINIC_NAME,
        "current_clinic": context.clinic,
        "current_roles": context.roles,
        "other_clinics": [c for c in context.clinics if c != context.clinic],
        "nav_items": nav,
        "gentle_demo": settings.DEMO,
        "mfa_relaxed": settings.GENTLE_DEMO_MFA_OPTIONAL,
    }
