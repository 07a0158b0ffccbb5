from django.conf import settings
from django.urls import reverse

from gentle.accounts.context import clinic_context
from gentle.nav import nav_for


def gentle(request):
    """What the base layout needs: clinic name, roles, navigation. One query when signed in."""
    context = clinic_context(request)
    current = getattr(getattr(request, "resolver_match", None), "view_name", None)
    nav = [
        {"label": item.label, "url": reverse(item.url_name), "current": item.url_name == current}
        for item in nav_for(context.roles)
    ]
    return {
        "clinic_name": context.clinic.name if context.clinic else settings.GENTLE_CLINIC_NAME,
        "current_clinic": context.clinic,
        "current_roles": context.roles,
        "other_clinics": [c for c in context.clinics if c != context.clinic],
        "nav_items": nav if context.user else [],
        "gentle_demo": settings.DEMO,
        "mfa_relaxed": settings.GENTLE_DEMO_MFA_OPTIONAL,
    }
