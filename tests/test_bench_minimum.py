"""bench/minimum_app.py, the least audited page that the load benchmark measures (ADR 0067):
it does what a page that reads clinical data must do (the person signed in, their own record
found, one audit row, the layout) and no more, for its person only. No timings."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from gentle.audit.models import AuditEvent
from tests.factories import count_queries, visible_text

MINIMUM_PY = Path(__file__).resolve().parent.parent / "bench" / "minimum_app.py"
MODULE = "bench_minimum_app"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def minimum():
    """The module loaded as gunicorn loads it, with what it sets for the process (the URL
    configuration, the file mode mask) put back for the rest of the suite."""
    urlconf, umask = settings.ROOT_URLCONF, os.umask(0o022)
    os.umask(umask)
    spec = importlib.util.spec_from_file_location(MODULE, MINIMUM_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    try:
        spec.loader.exec_module(module)
        assert settings.ROOT_URLCONF == MODULE  # what the benchmark's server runs
    finally:
        settings.ROOT_URLCONF = urlconf
        os.umask(umask)
    with override_settings(ROOT_URLCONF=MODULE):
        yield module
    sys.modules.pop(MODULE, None)


def test_the_client_gets_their_own_record_in_the_layout_with_one_audit_row(client, world, minimum):
    client.force_login(world.portal)
    before = AuditEvent.objects.count()
    page = client.get(minimum.PATH)
    assert page.status_code == 200
    text = visible_text(page)
    assert world.amara.full_name in text
    assert "A kept page." not in text
    assert 'action="/accounts/logout/"' in page.content.decode()  # the layout, signed in
    rows = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(row.action, row.client_id) for row in rows] == [("portal.view", world.amara.pk)]
    # The Gentle pages are still there beside it, as the benchmark's server serves them.
    assert client.get("/portal/").status_code == 200


def test_the_cached_page_is_read_from_the_shared_cache(client, world, minimum):
    client.force_login(world.portal)
    first = client.get(f"{minimum.PATH}?cached=1")
    assert "A kept page." in visible_text(first)
    second = client.get(f"{minimum.PATH}?cached=1")
    assert second.content.count(b"A kept page.") == first.content.count(b"A kept page.")
    # Its queries are the minimum's and one read of the cache, however many times it is read.
    assert count_queries(client, f"{minimum.PATH}?cached=1") == (
        count_queries(client, minimum.PATH) + 1
    )


def test_no_one_else_gets_it(client, world, minimum):
    before = AuditEvent.objects.count()
    anonymous = client.get(minimum.PATH)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(world.alice)  # a clinician: the page is the client's own record
    assert client.get(minimum.PATH).status_code == 404
    assert AuditEvent.objects.count() == before
