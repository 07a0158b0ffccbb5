"""At phone size: a client asks for a copy of their record; the page asks for its progress in
the background (marked so, so that it does not keep the session alive) and shows the links by
itself once the worker has prepared it, then stops asking. A page left polling past the idle
limit goes to the sign-in page."""

import re
import time
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from gentle.accounts.middleware import SEEN
from gentle.accounts.models import Role
from gentle.portal.models import RecordExport
from gentle.portal.tasks import prepare_export
from tests.factories import make_client, make_clinic, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and private passphrase 42"


def ask_for_a_copy(base, phone) -> str:
    """Sign in as a new client, ask for a copy of the record; the URL the page polls."""
    clinic = make_clinic("Hillside Practice")
    alice = make_person(clinic, Role.CLINICIAN)
    person = make_person(clinic, Role.CLIENT, password=PASSWORD)
    make_client(clinic, clinicians=[alice], user=person)
    phone.goto(base + "/accounts/login/")
    phone.get_by_label("Email address").fill(person.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone).not_to_have_url(re.compile(r".*/accounts/login/.*"))
    phone.goto(f"{base}/portal/record/")
    phone.get_by_role("button", name="Prepare a copy").click()
    expect(phone.locator("main progress")).to_be_visible()
    return f"{base}/portal/record/{RecordExport.objects.get().pk}/status/"


def hold_polls(phone, status_url: str) -> None:
    """The test database is in memory with a shared cache, whose table locks do not wait: a poll
    served while this thread writes fails one side with "database table is locked". Routed
    requests are let through only while this thread is inside a Playwright call, so between
    calls the page's polls wait in the browser instead of meeting the test's writes."""
    phone.route(status_url, lambda route: route.continue_())
    with phone.expect_response(status_url):
        pass  # the poll in flight, if any, has been answered


def test_the_copy_appears_by_itself_when_it_is_ready(live_server, page_at):
    base = live_server.url
    phone = page_at(360, 780)
    status_url = ask_for_a_copy(base, phone)
    export = RecordExport.objects.get()

    with phone.expect_request(status_url) as polled:
        pass
    headers = polled.value.headers
    assert (headers.get("x-gentle-background"), headers.get("hx-request")) == ("1", "true")

    hold_polls(phone, status_url)
    prepare_export.call(export.pk)  # what the worker does
    expect(phone.get_by_role("link", name="Read or print")).to_be_visible(timeout=10_000)
    expect(phone.locator("main progress")).to_have_count(0)
    asked = []
    phone.on("request", lambda request: asked.append(request.url))
    phone.wait_for_timeout(4_500)  # two polling intervals and more
    assert status_url not in asked


def test_a_page_left_polling_past_the_idle_limit_goes_to_sign_in(live_server, page_at):
    base = live_server.url
    phone = page_at(360, 780)
    hold_polls(phone, ask_for_a_copy(base, phone))
    (cookie,) = [c for c in phone.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    session[SEEN] = time.time() - 60 * (settings.GENTLE_IDLE_MINUTES_CLIENT + 1)
    session.save()
    expect(phone).to_have_url(f"{base}/accounts/login/", timeout=10_000)
