"""The clinic's crisis text in every enabled language, phone numbers tap-to-call, and Spanish
pages with the Spanish text."""

import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from gentle.accounts.models import Role
from gentle.lib.phones import tel_links
from gentle.safety import demo as safety_demo
from gentle.safety.models import CrisisText
from gentle.safety.selectors import crisis_response, crisis_text_for, crisis_texts_missing
from tests.factories import make_clinic, make_person

CRISIS_EN = "Hillside night line: 0100 200 300."
CRISIS_ES = "Línea nocturna de Hillside: 0100 200 300. En España, llama al 024."


def signed_in(user, language=None) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    if language:
        http.post("/i18n/setlang/", {"language": language, "next": "/"})
    return http


@pytest.mark.django_db
def test_spanish_crisis_page_shows_the_spanish_text():
    clinic = make_clinic()
    CrisisText.objects.create(clinic=clinic, language="en", text=CRISIS_EN)
    CrisisText.objects.create(clinic=clinic, language="es", text=CRISIS_ES)
    person = make_person(clinic, Role.CLIENT)
    spanish = signed_in(person, "es").get("/crisis/").content.decode()
    assert "Línea nocturna de Hillside" in spanish and "Hillside night line" not in spanish
    assert 'llama al <a href="tel:024">024</a>' in spanish
    english = signed_in(person).get("/crisis/").content.decode()
    assert "Hillside night line" in english and "Línea nocturna" not in english


@pytest.mark.django_db
def test_crisis_response_picks_the_text_by_language():
    clinic = make_clinic()
    clinic.crisis_text = "Clinic default 555-0100"
    clinic.save()
    CrisisText.objects.create(clinic=clinic, language="es", text=CRISIS_ES)
    assert crisis_response(clinic, "es")["text"] == CRISIS_ES
    assert crisis_response(clinic, "es-ES")["text"] == CRISIS_ES
    assert crisis_text_for(clinic, "en") == "Clinic default 555-0100"
    CrisisText.objects.create(clinic=clinic, language="en", text=CRISIS_EN)
    assert crisis_text_for(clinic, "en") == CRISIS_EN


@pytest.mark.django_db
def test_administrator_is_warned_where_a_language_has_no_crisis_text():
    clinic = make_clinic()
    clinic.crisis_text = "Clinic line 555-0100"
    clinic.save()
    admin = signed_in(make_person(clinic, Role.ADMIN))
    page = admin.get("/clinic/crisis-text/").content.decode()
    assert 'id="crisis-missing"' in page and "No crisis text yet in:" in page
    assert "<strong>Spanish</strong>" in page
    assert 'Clinic line <a href="tel:5550100">555-0100</a>' in page  # English: the clinic's own
    home = admin.get("/").content.decode()
    assert 'id="crisis-missing"' in home and "Spanish" in home
    # The Spanish starting point is offered, not saved.
    start = admin.get("/clinic/crisis-text/?language=es").content.decode()
    assert "suggested starting point" in start and "024" in start and "112" in start
    assert not CrisisText.objects.filter(language="es").exists()
    response = admin.post("/clinic/crisis-text/", {"language": "es", "text": CRISIS_ES})
    assert response.status_code == 302
    assert crisis_texts_missing(clinic) == []
    assert 'id="crisis-missing"' not in admin.get("/clinic/crisis-text/").content.decode()
    assert 'id="crisis-missing"' not in admin.get("/").content.decode()


@pytest.mark.django_db
def test_a_clinic_without_any_crisis_text_is_missing_every_language():
    clinic = make_clinic()
    assert [code for code, _ in crisis_texts_missing(clinic)] == [
        code for code, _ in settings.LANGUAGES
    ]
    clinician_home = signed_in(make_person(clinic, Role.CLINICIAN)).get("/").content.decode()
    assert 'id="crisis-missing"' not in clinician_home  # the warning is for administrators


@pytest.mark.django_db
def test_bad_crisis_text_is_refused_and_kept():
    clinic = make_clinic()
    admin = signed_in(make_person(clinic, Role.ADMIN))
    response = admin.post("/clinic/crisis-text/", {"language": "es", "text": "Llama 024 " * 500})
    assert response.status_code == 400 and "Llama 024 Llama 024" in response.content.decode()
    response = admin.post("/clinic/crisis-text/", {"language": "xx", "text": "Probe"})
    assert response.status_code == 400
    assert not CrisisText.objects.exists()


@pytest.mark.django_db
def test_demo_clinic_has_a_crisis_text_in_every_language():
    clinic = make_clinic()
    safety_demo.seed(None, {"clinic": clinic, "clients": []})
    assert crisis_texts_missing(clinic) == []
    spanish = crisis_text_for(clinic, "es")
    assert "112 en España y en toda la UE" in spanish and "024" in spanish
    assert "llama" in spanish.lower()


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Call 112 or 024.", 'Call <a href="tel:112">112</a> or <a href="tel:024">024</a>.'),
        ("Samaritans: 116 123", 'Samaritans: <a href="tel:116123">116 123</a>'),
        ("+34 91 123 45 67", '<a href="tel:+34911234567">+34 91 123 45 67</a>'),
        ("(0100) 200-300", '<a href="tel:0100200300">(0100) 200-300</a>'),
        ("Open 8:00-18:00, since 2026", "Open 8:00-18:00, since 2026"),
        ("Text SHOUT to 85258", "Text SHOUT to 85258"),
        ("Room 12, 1.5 km", "Room 12, 1.5 km"),
        ("<b>555-0100</b>", '&lt;b&gt;<a href="tel:5550100">555-0100</a>&lt;/b&gt;'),
    ],
)
def test_phone_numbers_become_tel_links(text, html):
    assert tel_links(text) == html


ANCHOR = re.compile(r'<a href="tel:\+?\d{3,15}">([^<>"]*)</a>')


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&'\"+()-. 0123456789")))
def test_tel_links_never_output_unescaped_html(text):
    html = str(tel_links(text))
    # Take away the links it made: what is left is exactly the escaped text.
    assert ANCHOR.sub(r"\1", html) == escape(text)
    for inner in ANCHOR.findall(html):
        assert re.fullmatch(r"[+\d ().\-\u00a0]+", inner)
