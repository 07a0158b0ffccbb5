"""Every string has a Spanish translation, and Spanish pages render in Spanish."""

import re
from pathlib import Path

import pytest

from gentle.accounts.models import Role
from tests.factories import make_clinic, make_person

PO = Path(__file__).resolve().parents[1] / "gentle/locale/es/LC_MESSAGES/django.po"


def po_entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        strings = dict(
            re.findall(
                r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)', block, re.M
            )
        )
        if "msgid" in strings:
            yield block, {k: "".join(re.findall(r'"(.*)"', v)) for k, v in strings.items()}


def test_spanish_catalogue_is_complete_and_not_fuzzy():
    missing = []
    for block, strings in po_entries():
        translations = [v for k, v in strings.items() if k.startswith("msgstr")]
        if "#, fuzzy" in block or not translations or not all(translations):
            missing.append(strings["msgid"])
    assert missing == []


def test_compiled_catalogue_matches_the_source():
    import gettext

    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for _, strings in po_entries():
        if "msgid_plural" in strings:
            continue
        source = strings["msgid"].encode().decode("unicode_escape").encode("latin-1").decode()
        expected = strings["msgstr"].encode().decode("unicode_escape").encode("latin-1").decode()
        context = strings.get("msgctxt")
        found = compiled.pgettext(context, source) if context else compiled.gettext(source)
        if found != expected:
            stale.append(source)
    assert stale == [], "recompile the .mo (see docs/translating.md)"


@pytest.mark.django_db
def test_administrator_pages_render_in_spanish(client):
    clinic = make_clinic()
    client.force_login(make_person(clinic, Role.ADMIN))
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = client.get("/clinic/people/").content.decode()
    assert '<html lang="es">' in html
    assert "Personas" in html and "Registro de auditoría" in html


def test_a_chart_by_session_is_labelled_in_the_readers_language():
    """The label was built in English ("… by session") whatever the reader's language."""
    from django.utils import translation

    from gentle.measures.instruments import catalogue
    from gentle.measures.selectors import ResultRow, _chart

    phq9 = catalogue()["phq9"]
    rows = [
        ResultRow(administration=None, value=value, band=None, number=number)  # type: ignore[arg-type]
        for number, value in ((1, 15), (2, 11))
    ]
    with translation.override("es"):
        svg = _chart(phq9, phq9.scores[0], rows, None)
    assert "por sesión" in svg and "by session" not in svg
