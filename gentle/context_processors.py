from django.conf import settings
from django.urls import reverse
from django.utils.translation import ngettext

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Role
from gentle.intake.selectors import open_risk_request_count
from gentle.nav import ALERTS, RISK_REQUESTS, nav_for
from gentle.safety.selectors import open_alert_count


def _badge(kind: str, context) -> dict | None:
    """The count beside a navigation entry and what a screen reader says for it (one query);
    None when there is nothing waiting."""
    if kind == ALERTS:
        count = open_alert_count(clinic=context.clinic, user=context.user, roles=context.roles)
        spoken = ngettext("%(n)d open alert", "%(n)d open alerts", count)
    elif kind == RISK_REQUESTS:
        count = open_risk_request_count(
            clinic=context.clinic, user=context.user, is_admin=context.has(Role.ADMIN)
        )
        spoken = ngettext(
            "%(n)d open request with risk words", "%(n)d open requests with risk words", count
        )
    else:
        return None
    return {"count": count, "spoken": spoken % {"n": count}} if count else None


def gentle(request):
    """What the base layout needs: clinic name, roles, navigation with its badges. One query
    when signed in, and one more for each badge shown (open alerts, open risk requests)."""
    context = clinic_context(request)
    current = getattr(getattr(request, "resolver_match", None), "view_name", None)
    nav = (
        [
            {
                "label": item.label,
                "url": reverse(item.url_name),
                "current": item.url_name == current,
                "badge": _badge(item.badge, context) if context.clinic else None,
            }
            for item in nav_for(context.roles)
        ]
        if context.user
        else []
    )
    return {
        "clinic_name": context.clinic.name if context.clinic else settings.GENTLE_CLINIC_NAME,
        "current_clinic": context.clinic,
        "current_roles": context.roles,
        "other_clinics": [c for c in context.clinics if c != context.clinic],
        "nav_items": nav,
        "gentle_demo": settings.DEMO,
        "mfa_relaxed": settings.GENTLE_DEMO_MFA_OPTIONAL,
    }
