"""Dates read one way on every page, in each language (issue 21): one long and one short date
and one time of day per language (gentle/formats/), which templates name instead of spelling
a format out. Spanish says "de" and keeps its months in lower case."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from gentle.portal.models import Task
from gentle.timeline.selectors import ticks
from tests.factories import make_course, make_session, signed_in

GENTLE = Path(__file__).resolve().parents[1] / "gentle"
NAMED = {
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "TIME_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
}
# Not dates for reading: the machine form in <time datetime="…"> and in a form's hidden date
# field (Y-m-d), a weekday set beside a named date, the week calendar's column heads (weekday
# and day), and the audit log, read to the second.
OTHER = {"c", "l", "D", "D j", "Y-m-d", "Y-m-d H:i:s"}
MONDAY = datetime(2030, 12, 9, 9, 30, tzinfo=UTC)

ENGLISH = {
    "DATE_FORMAT": "9 December 2030",
    "SHORT_DATE_FORMAT": "9 Dec 2030",
    "MONTH_DAY_FORMAT": "9 Dec",
    "YEAR_MONTH_FORMAT": "Dec 2030",
    "TIME_FORMAT": "09:30",
    "DATETIME_FORMAT": "9 December 2030, 09:30",
    "SHORT_DATETIME_FORMAT": "9 Dec 2030, 09:30",
    "l": "Monday",
}
SPANISH = {
    "DATE_FORMAT": "9 de diciembre de 2030",
    "SHORT_DATE_FORMAT": "9 dic 2030",
    "MONTH_DAY_FORMAT": "9 dic",
    "YEAR_MONTH_FORMAT": "dic 2030",
    "TIME_FORMAT": "09:30",
    "DATETIME_FORMAT": "9 de diciembre de 2030, 09:30",
    "SHORT_DATETIME_FORMAT": "9 dic 2030, 09:30",
    "l": "lunes",
}


def test_templates_name_their_date_formats():
    spelled = {}
    for path in GENTLE.rglob("templates/**/*"):
        if path.suffix in {".html", ".txt"}:
            for double, single in re.findall(
                r"\|date:(?:\"([^\"]*)\"|'([^']*)')", path.read_text(encoding="utf-8")
            ):
                if (double or single) not in NAMED | OTHER:
                    spelled.setdefault(str(path.relative_to(GENTLE)), set()).add(double or single)
    assert spelled == {}, "name a format of gentle/formats/ instead"


@pytest.mark.parametrize(("language", "expected"), [("en", ENGLISH), ("es", SPANISH)])
def test_each_language_has_its_named_formats(language, expected):
    with translation.override(language):
        shown = {
            name: Template(f"{{{{ d|date:'{name}' }}}}").render(Context({"d": MONDAY}))
            for name in expected
        }
    assert shown == expected


@pytest.mark.django_db
def test_the_portal_gives_the_next_session_and_due_dates_in_the_readers_language(world):
    make_session(make_course(world.amara), world.alice, starts_at=MONDAY)
    Task.objects.create(
        client=world.amara,
        kind="diary",
        title="Diary",
        due_on=date(2030, 12, 5),
        created_by=world.alice,
    )
    http = signed_in(world.portal)
    english = http.get("/portal/").content.decode()
    assert "Monday, 9 December 2030, 09:30" in english and "by 5 Dec" in english
    http.post("/i18n/setlang/", {"language": "es", "next": "/"})
    spanish = http.get("/portal/").content.decode()
    assert "lunes, 9 de diciembre de 2030, 09:30" in spanish
    assert "para el 5 dic" in spanish and "Dic" not in spanish


@pytest.mark.django_db
def test_staff_pages_use_the_same_formats(world):
    session = make_session(make_course(world.amara), world.alice, starts_at=MONDAY)
    http = signed_in(world.alice)
    http.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = http.get(f"/sessions/{session.pk}/").content.decode()
    assert "lunes, 9 de diciembre de 2030, 09:30" in html
    caseload = http.get("/caseload/").content.decode()
    assert "lun 9 dic, 09:30" in caseload


MONTHS = (date(2030, 10, 20), date(2031, 3, 10))  # over 120 days: a tick a month
WEEKS = (date(2030, 12, 1), date(2030, 12, 20))


@pytest.mark.parametrize(
    ("language", "span", "labels"),
    [
        ("en", MONTHS, ["Nov 2030", "Dec", "Jan 2031", "Feb", "Mar"]),
        ("es", MONTHS, ["nov 2030", "dic", "ene 2031", "feb", "mar"]),
        ("es", WEEKS, ["2 dic", "9 dic", "16 dic"]),
    ],
)
def test_timeline_ticks_are_in_the_readers_language(language, span, labels):
    with translation.override(language):
        shown = [label for _, label in ticks(*span)]
    assert shown == labels


@pytest.mark.django_db
def test_who_opened_my_record_gives_dates_not_iso_strings(world):
    http = signed_in(world.portal)
    http.post("/i18n/setlang/", {"language": "es", "next": "/"})
    http.get("/portal/")
    html = http.get("/portal/record/").content.decode()
    table = html.split('id="opened-title"', 1)[1]
    shown = re.sub(r"<[^>]+>", " ", table)  # what is read, not <time datetime="..."> for machines
    assert not re.search(r"\d{4}-\d{2}-\d{2}", shown)
    with translation.override("es"):
        today = Template("{% now 'SHORT_DATE_FORMAT' %}").render(Context())
    assert today in table
