"""Gentle's routes and error handlers plus three views that fail, for tests/test_error_pages.py
only: a refusal (403), a malformed request (400) and an error of the code (500)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.urls import path

from gentle import urls, views

handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404


class QueryDuringErrorPage(AssertionError):
    """Not a database error, so that the 500 handler does not take it for a lost database."""


def _refuse(execute, sql, params, many, context):
    raise QueryDuringErrorPage(f"the 500 page ran a query: {sql}")


def handler500(request):
    """The real handler500, with every query refused while it runs: the 500 page must not
    touch the database."""
    with connection.execute_wrapper(_refuse):
        return views.server_error(request)


def refused(request):
    raise PermissionDenied


def malformed(request):
    raise SuspiciousOperation("a request no browser sends")


def broken(request):
    raise RuntimeError("an error in the code near Amara's note")


urlpatterns = [
    path("test-errors/403", refused),
    path("test-errors/400", malformed),
    path("test-errors/500", broken),
    *urls.urlpatterns,
]
