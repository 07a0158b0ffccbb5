"""Gentle with two pages more, for the load benchmark only: the least a signed-in page that
reads clinical data can do, with and without a page read from the shared cache.

Every page that shows clinical data signs its person in from the database session, finds what
it shows through an access helper, writes an audit row in the same transaction
(docs/security.md) and renders the layout. These pages do exactly that for the signed-in
client's own record and add one line; `?cached=1` adds a 20 KB page read from Gentle's cache
(the database cache that every process shares, which a page cache would have to use to stay
correct across processes). Their throughput under load is the most any such page can reach on
this design, whatever its own work costs: the ceiling that the homes' ratios are read against
(issue 20; ADR 0067).

Served by `bench/run.py` with `gentle serve`'s command line, from bench/ (`--pythonpath`). Not
part of Gentle: nothing in `gentle/` links to these pages.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from gentle.lib.datadir import PRIVATE_UMASK

os.umask(PRIVATE_UMASK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentle.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

from gentle import urls as gentle_urls  # noqa: E402
from gentle.accounts.decorators import role_required  # noqa: E402
from gentle.accounts.models import Role  # noqa: E402
from gentle.clients.access import own_client_record  # noqa: E402

PATH = "/bench/minimum/"
CACHED_PAGE_KEY = "bench-minimum-page"
CACHED_PAGE = "<p>" + "A kept page. " * 1_500 + "</p>"  # about 20 KB, a home's size

TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}'
    "<h1>{{ client.full_name }}</h1>{{ kept|safe }}"
    "{% endblock %}"
)


@role_required(Role.CLIENT)
def minimum(request):
    client = own_client_record(request)  # one query and the audit row, as the portal's home
    kept = ""
    if request.GET.get("cached"):
        kept = cache.get(CACHED_PAGE_KEY)
        if not kept:
            cache.set(CACHED_PAGE_KEY, CACHED_PAGE, timeout=None)
            kept = CACHED_PAGE
    return HttpResponse(TEMPLATE.render({"client": client, "kept": kept}, request))


handler400 = gentle_urls.handler400
handler403 = gentle_urls.handler403
handler404 = gentle_urls.handler404
handler500 = gentle_urls.handler500
urlpatterns = [path(PATH.strip("/") + "/", minimum), *gentle_urls.urlpatterns]
settings.ROOT_URLCONF = __name__
