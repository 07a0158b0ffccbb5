"""Pages of the project itself: home, health check, crisis resources and the CSRF failure page."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Clinic, Role
from gentle.demo import DEMO_LOGINS, DEMO_PASSWORD
from gentle.lib.api_errors import api_error, is_api
from gentle.safety.selectors import crisis_text_for, crisis_texts_missing


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(
            request,
            "gentle/welcome.html",
            {
                "demo_logins": DEMO_LOGINS,
                "demo_password": DEMO_PASSWORD,
                "clinics": list(Clinic.objects.order_by("name")[:10]),
            },
        )
    context = clinic_context(request)
    role_labels = [role.label for role in Role if role in context.roles]
    missing = crisis_texts_missing(context.clinic) if context.has(Role.ADMIN) else []
    return render(
        request,
        "gentle/home.html",
        {
            "roles": context.roles,
            "Role": Role,
            "role_labels": role_labels,
            "crisis_missing": [name for _code, name in missing],
        },
    )


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not. No detail leaves the server."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
def crisis(request):
    clinic = clinic_context(request).clinic
    return render(
        request,
        "gentle/crisis.html",
        {"clinic": clinic, "crisis_text": crisis_text_for(clinic, get_language() or "en")},
    )


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a plain page in the site's layout (Django's own has inline styles that
    the CSP blocks), or JSON under /api/. The reason is for developers and is not shown."""
    if is_api(request):
        return api_error(
            403, _("The CSRF token is missing or wrong: send it in the X-CSRFToken header.")
        )
    return render(request, "gentle/csrf_failure.html", status=403)
