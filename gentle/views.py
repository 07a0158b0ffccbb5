"""Pages of the project itself: home, health check, crisis resources, and the error pages
(400, 403, 404, 500, 503 and the CSRF failure page)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Clinic, Role
from gentle.demo import DEMO_LOGINS, DEMO_PASSWORD
from gentle.home import staff_home
from gentle.lib.api_errors import api_error, is_api
from gentle.safety.selectors import crisis_text_for


@require_GET
def home(request):
    """The welcome page for visitors; for a person, the parts of each role they hold
    (gentle/home.py, staff only). A client and nothing else goes to their portal."""
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
    if context.clinic is None:
        return render(request, "gentle/home_unlinked.html")
    if context.roles == {Role.CLIENT}:
        return redirect("portal_home")
    return staff_home(request, context)


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
    return _error_page(request, "gentle/csrf_failure.html", 403)


def static_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """A page in the site's layout rendered without the database: no context processors (they
    read the person, the clinic and the navigation's counts), in the visitor's language (from
    the cookie or the browser, never the session). For the 500 and 503 pages, and errors that
    arise before the person is known."""
    context = {
        "clinic_name": settings.GENTLE_CLINIC_NAME,
        "static_page": True,
        "request": request,
        "csrf_token": get_token(request),  # the language switch; read from the cookie
    }
    with translation.override(translation.get_language_from_request(request)):
        return HttpResponse(loader.render_to_string(template, context), status=status)


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """An error page in the layout with navigation when the person is known; the static page
    when the error arose before authentication (a refused host name, say). The templates are
    in errors/, not named 404.html and so on, so that Django's own handlers (under a URLconf
    without these, in tests) never render a page whose links that URLconf lacks."""
    if getattr(request, "user", None) is None:
        return static_page(request, template, status)
    return render(request, template, status=status)


def bad_request(request, exception):
    """handler400. A session that could not be saved because the database was lost gets the
    503 (found by drills/database_unavailable.py --fault disk-full); a refused host name is
    answered without reading anything for it; under /api/ the API's JSON."""
    if _database_down(exception):
        return _unavailable(request)
    if is_api(request):
        return api_error(400)
    if isinstance(exception, DisallowedHost):
        return static_page(request, "errors/400.html", 400)
    return _error_page(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403 (most refusals answer 404, like a missing page: ADR 0007)."""
    if is_api(request):
        return api_error(403)
    return _error_page(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: missing and not yours look the same, in the site's layout."""
    if is_api(request):
        return api_error(404)
    return _error_page(request, "errors/404.html", 404)


DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
log = logging.getLogger(__name__)


def _database_down(error: BaseException | None) -> bool:
    """Whether ``error`` is, or arose from, a lost database (Django turns a failed session save
    into SessionInterrupted, a 400, with the database error as its context)."""
    while error is not None:
        if isinstance(error, DATABASE_DOWN):
            return True
        error = error.__cause__ or error.__context__
    return False


def _unavailable(request):
    log.warning("database unavailable: answered 503")
    page = "errors/503.html"
    response = api_error(503) if is_api(request) else static_page(request, page, 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """handler500. When the database cannot be reached (the server stopped, a dropped
    connection, a full disk), answer 503 with Retry-After; the transaction in progress was
    rolled back whole. Any other error gets the 500 page. Both are rendered without a query,
    in the visitor's language (the JSON error under /api/)."""
    if _database_down(sys.exc_info()[1]):
        return _unavailable(request)
    if is_api(request):
        return api_error(500)
    return static_page(request, "errors/500.html", 500)
