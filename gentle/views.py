"""Pages of the project itself: home, health check and crisis resources."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gentle.accounts.models import Role
from gentle.accounts.selectors import memberships_of
from gentle.demo import DEMO_LOGINS, DEMO_PASSWORD


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(
            request,
            "gentle/welcome.html",
            {"demo_logins": DEMO_LOGINS, "demo_password": DEMO_PASSWORD},
        )
    memberships = memberships_of(request.user)
    request._gentle_memberships = memberships
    clinic = memberships[0].clinic if memberships else None
    roles = {m.role for m in memberships if clinic and m.clinic_id == clinic.pk}
    return render(
        request,
        "gentle/home.html",
        {"roles": roles, "Role": Role, "memberships": memberships},
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
    memberships = memberships_of(request.user)
    request._gentle_memberships = memberships
    clinic = memberships[0].clinic if memberships else None
    return render(request, "gentle/crisis.html", {"clinic": clinic})
