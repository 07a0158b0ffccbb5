from django.conf import settings
from django.urls import reverse

from gentle.accounts.selectors import memberships_of
from gentle.nav import nav_for


def gentle(request):
    """What the base layout needs: clinic name, roles, navigation. One query when signed in."""
    memberships = getattr(request, "_gentle_memberships", None)
    if memberships is None:
        memberships = memberships_of(getattr(request, "user", None))
        request._gentle_memberships = memberships
    clinic = memberships[0].clinic if memberships else None
    roles = {m.role for m in memberships if clinic and m.clinic_id == clinic.pk}
    current = getattr(getattr(request, "resolver_match", None), "view_name", None)
    nav = (
        [
            {
                "label": item.label,
                "url": reverse(item.url_name),
                "current": item.url_name == current,
            }
            for item in nav_for(roles)
        ]
        if memberships
        else []
    )
    return {
        "clinic_name": clinic.name if clinic else settings.GENTLE_CLINIC_NAME,
        "current_clinic": clinic,
        "current_roles": roles,
        "nav_items": nav,
        "gentle_demo": settings.DEMO,
    }
