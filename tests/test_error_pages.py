"""Error pages (issue 21): denied, missing, refused, malformed and failed requests get a page in
the site's layout, with navigation when signed in, the crisis link always, a plain explanation
and a way back; responsive and CSP-clean; in the visitor's language. The 500 page needs no
query. Under /api/ errors stay JSON."""

import re

import pytest
from django.test import Client as Browser
from django.test import override_settings

from tests.factories import signed_in, visible_text

pytestmark = pytest.mark.django_db

CRISIS = {"en": "In crisis? Get help now", "es": "¿En crisis? Pide ayuda ahora"}
START = {"en": "Go to the start page", "es": "Ir a la página de inicio"}
NAV = {"en": "Caseload", "es": "Casos"}
HEADINGS = {
    400: "This request could not be understood",
    403: "This page is not open to you",
    404: "Page not found",
    500: "Something went wrong",
}
ERRORS = override_settings(ROOT_URLCONF="tests.error_urls")


def browser(world, who: str, language: str) -> Browser:
    options = {"HTTP_ACCEPT_LANGUAGE": language, "raise_request_exception": False}
    return Browser(**options) if who == "visitor" else signed_in(world.alice, **options)


def assert_error_page(
    response, status: int, language: str, *, navigation: bool, way_back: bool = True
) -> str:
    """The page a person sees: the status, the layout (viewport, stylesheet, crisis link, a way
    back), navigation only when asked, nothing the CSP refuses, nothing for developers."""
    html = response.content.decode()
    text = visible_text(html)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'rel="stylesheet" href="/static/gentle/gentle.css"' in html
    assert '<a href="/crisis/">' in html and CRISIS[language] in text
    assert (
        '<a class="button button-primary" href="/">' in html and START[language] in text
    ) is way_back
    assert ('<nav class="main-nav"' in html) is navigation
    assert (NAV[language] in text) is navigation
    # CSP-clean: no inline style or script, no event handler attributes.
    assert "<style" not in html and "style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert not re.search(r"<[a-z]+ [^>]*\bon[a-z]+=", html)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    for leak in ("Traceback", "Amara", "RuntimeError", "no browser sends", "Not Found</h1>"):
        assert leak not in html
    return text


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("who", ["visitor", "clinician"])
def test_an_unknown_address_gets_the_404_page(world, who, language):
    response = browser(world, who, language).get("/no-such-page/")
    text = assert_error_page(response, 404, language, navigation=who == "clinician")
    if language == "en":
        assert "Page not found" in text
        assert "There is nothing at this address that you can open." in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_page_denied_to_the_role_gets_the_same_404_page_with_navigation(world, language):
    """A clinician opening the administrator's People page: denied looks like missing."""
    response = browser(world, "clinician", language).get("/clinic/people/")
    assert_error_page(response, 404, language, navigation=True)


def test_a_visitor_is_offered_to_sign_in_and_a_signed_in_person_is_not(world):
    visitor = browser(world, "visitor", "en").get("/no-such-page/").content.decode()
    member = browser(world, "clinician", "en").get("/no-such-page/").content.decode()
    assert 'class="button button-secondary" href="/accounts/login/"' in visitor
    assert 'href="/accounts/login/"' not in member


@ERRORS
@pytest.mark.parametrize("status", [403, 400])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("who", ["visitor", "clinician"])
def test_refused_and_malformed_requests_get_their_page(world, status, who, language):
    response = browser(world, who, language).get(f"/test-errors/{status}")
    text = assert_error_page(response, status, language, navigation=who == "clinician")
    if language == "en":
        assert HEADINGS[status] in text


@ERRORS
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("who", ["visitor", "clinician"])
def test_an_error_in_the_code_gets_the_500_page_without_a_query(world, who, language):
    """tests/error_urls.py refuses every query while the real handler500 runs. The page has no
    navigation or account menu (they need the database) but has the crisis link."""
    response = browser(world, who, language).get("/test-errors/500")
    text = assert_error_page(response, 500, language, navigation=False)
    html = response.content.decode()
    assert 'class="user-menu"' not in html and 'href="/accounts/login/"' not in html
    if language == "en":
        assert "Something went wrong" in text
        assert "call your local emergency number" in text


def test_a_refused_host_name_gets_the_400_page_without_reading_the_session(world):
    """DisallowedHost arises before authentication: the page is the static one."""
    http = signed_in(world.alice, raise_request_exception=False)
    response = http.get("/", HTTP_HOST="gentle.evil.test")
    assert_error_page(response, 400, "en", navigation=False)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("who", ["visitor", "clinician"])
def test_a_form_without_its_csrf_token_gets_the_csrf_page_in_the_layout(world, who, language):
    http = browser(world, who, language)
    http.handler.enforce_csrf_checks = True
    response = http.post("/i18n/setlang/", {"language": language, "next": "/"})
    text = assert_error_page(response, 403, language, navigation=who == "clinician")
    assert {"en": "This form could not be sent", "es": "No se ha podido enviar este formulario"}[
        language
    ] in text


def test_api_errors_stay_json(world):
    http = signed_in(world.alice, raise_request_exception=False)
    response = http.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not found"
    assert "<html" not in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_503_page_keeps_the_layout_without_the_database(world, language, monkeypatch):
    from django.db import OperationalError, connection

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection")

    http = browser(world, "clinician", language)
    monkeypatch.setattr(connection, "ensure_connection", down)
    response = http.get("/")
    assert response["Retry-After"] == "30"
    # No way back to the start page, which needs the database too: the page says to reload.
    assert_error_page(response, 503, language, navigation=False, way_back=False)
