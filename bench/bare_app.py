"""The framework floor: one Django view behind no middleware, no database and no templates.

Served by the same gunicorn command line as Gentle, it shows how fast Django itself can answer
on this machine, so Gentle's pages can be read as a ratio of that rather than as bare numbers.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    # Nothing is signed; a fresh key per process keeps a literal secret out of the source.
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_I18N=False,
    USE_TZ=True,
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"Hello from bare Django.\n", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
