"""Paper for group sessions (issue 24 part 6, ADR 0054): the facilitator guide and the
attendance and PHQ-9 sheet as PDF, in the group's language, for who runs the group, the
clinic's administrators and supervisors only."""

from __future__ import annotations

import io
import time
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from gentle.accounts.models import Role
from gentle.audit.models import AuditEvent
from gentle.courses import protocol
from gentle.groups.models import Group, GroupMember, GroupSession, GroupStatus
from gentle.lib import pdf
from gentle.safety.models import CrisisText
from tests.factories import count_queries, make_client, make_course, make_person, signed_in
from tests.world import another_client

pytestmark = pytest.mark.django_db

FIRST = date(2030, 3, 4)


@pytest.fixture
def world(world):
    world.facilitator = make_person(world.clinic, Role.FACILITATOR)
    return world


def make_group(world, *, language="en", **fields) -> Group:
    values = {
        "clinic": world.clinic,
        "name": "Tuesday group",
        "language": language,
        "setting": "in_person",
        "place": "Room 2",
        "starts_on": FIRST,
        "facilitator": world.facilitator,
        "status": GroupStatus.RUNNING,
    }
    return Group.objects.create(**(values | fields))


def join(group: Group, client, joined_on: date = FIRST, **fields) -> GroupMember:
    course = make_course(
        client,
        format="group",
        contracted_sessions=8,
        session_minutes=90,
        initial_last=1,
        termination_first=8,
    )
    return GroupMember.objects.create(
        group=group, client=client, course=course, joined_on=joined_on, **fields
    )


def text_of(response) -> tuple[str, int]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def guide(group: Group, number: int = 1, **query) -> str:
    url = reverse("group_session_guide", args=[group.pk, number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def sheet(group: Group, number: int = 1, **query) -> str:
    url = reverse("group_session_sheet", args=[group.pk, number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_sheet_lists_the_current_roster_and_the_phq9_with_the_item_9_rule(world):
    group = make_group(world)
    join(group, another_client(world, "Dora"))
    join(group, make_client(world.clinic, given_name="Eleanor", preferred_name="Nell"))
    left = join(group, another_client(world, "Lucius"))
    left.left_on, left.leave_reason = FIRST, "moved"
    left.save()
    started = time.perf_counter()
    response = signed_in(world.facilitator).get(sheet(group))
    elapsed = time.perf_counter() - started
    text, pages = text_of(response)
    assert "Dora Example" in text and "Nell Example" in text  # the name the group uses
    assert "Lucius" not in text  # who left is not on paper
    assert "Little interest or pleasure in doing things" in text
    assert "Thoughts that you would be better off dead" in text
    assert "Not at all" in text and "Nearly every day" in text
    assert "how difficult have these problems" not in text  # the nine scored items only
    assert "tell the supervising clinician the same day" in text
    assert "Follow up" in text and "Tuesday group" in text and "Room 2" in text
    assert pages == 1
    assert elapsed < 5  # answered in the request (ADR 0054 measured it)
    assert "no-store" in response["Cache-Control"]  # members' names: kept in no cache
    # Audited as a read: the sheet carries members' names.
    event = AuditEvent.objects.filter(action="group.paper").get()
    assert event.object_id == str(group.pk)


def test_a_spanish_group_gets_spanish_paper_and_english_on_request(world):
    group = make_group(world, language="es", name="Grupo del jueves")
    join(group, another_client(world, "Rosa"))
    http = signed_in(world.facilitator)
    text, _pages = text_of(http.get(sheet(group)))
    assert "Poco interés o placer en hacer cosas" in text
    assert "Ningún día" in text and "Rosa Example" in text
    assert "Little interest" not in text
    guide_text, _pages = text_of(http.get(guide(group, 4)))
    middle = protocol.agenda_for("group").phases["middle"]
    assert all(" ".join(item.es.split())[:30] in guide_text for item in middle)
    english, _pages = text_of(http.get(sheet(group, lang="en")))
    assert "Little interest or pleasure in doing things" in english


def test_the_guide_has_the_session_agenda_the_clinic_crisis_text_and_room_for_notes(world):
    group = make_group(world)
    join(group, another_client(world, "Dora"))
    CrisisText.objects.create(
        clinic=world.clinic, language="en", text="Hillside crisis line 0800 111 222"
    )
    http = signed_in(world.facilitator)
    text, pages = text_of(http.get(guide(group, 1)))
    for item in protocol.agenda_for("group").phases["initial"]:
        assert " ".join(item.en.split())[:30] in text
    assert "Hillside crisis line 0800 111 222" in text
    assert "If a member speaks of harming themselves" in text
    assert "Notes" in text and "1 member on the roster" in text
    assert "Dora" not in text  # the guide carries no names
    assert pages <= 2
    last, _pages = text_of(http.get(guide(group, 8)))
    for item in protocol.agenda_for("group").phases["termination"]:
        assert " ".join(item.en.split())[:30] in last


def test_a_scheduled_session_prints_its_date_and_an_unscheduled_one_prints_blanks(world):
    group = make_group(world)
    GroupSession.objects.create(
        group=group,
        number=2,
        starts_at=timezone.make_aware(datetime(2030, 3, 11, 17, 30)),
        minutes=75,
    )
    http = signed_in(world.facilitator)
    scheduled, _pages = text_of(http.get(sheet(group, 2)))
    assert "March 11, 2030" in scheduled or "11 March 2030" in scheduled
    assert "75 minutes" in scheduled
    blank, _pages = text_of(http.get(sheet(group, 3)))
    assert "______" in blank and "90 minutes" in blank


def test_letter_and_a4_have_their_page_sizes_and_bad_choices_are_refused(world):
    group = make_group(world)
    http = signed_in(world.facilitator)
    a4 = PdfReader(io.BytesIO(http.get(guide(group)).content)).pages[0].mediabox
    letter = PdfReader(io.BytesIO(http.get(guide(group, size="letter")).content)).pages[0]
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.mediabox.width)), round(float(letter.mediabox.height))) == (612, 792)
    landscape = PdfReader(io.BytesIO(http.get(sheet(group)).content)).pages[0].mediabox
    assert round(float(landscape.width)) == 842
    refused = http.get(sheet(group, size="a3"))
    assert refused.status_code == 400 and b"paper size" in refused.content
    assert http.get(sheet(group, lang="xx")).status_code == 400
    assert http.get(sheet(group, 9)).status_code == 404  # the format has 8 sessions
    assert http.get(reverse("group_session_sheet", args=[group.pk, 0])).status_code == 404


def test_who_may_print(world):
    group = make_group(world, co_facilitator=world.bob)
    join(group, another_client(world, "Dora"))  # on alice's care team
    other_facilitator = make_person(world.clinic, Role.FACILITATOR)
    far_admin = make_person(world.other, Role.ADMIN)
    allowed = [world.facilitator, world.bob, world.admin, world.sue]
    denied = [other_facilitator, world.alice, world.far_clinician, far_admin, world.portal]
    for user in allowed:
        assert signed_in(user).get(sheet(group)).status_code == 200, user
    for user in denied:
        for url in (sheet(group), guide(group)):
            response = signed_in(user).get(url)
            assert response.status_code == 404, (user, url)
    # alice reaches the group's page through her client, not its paper.
    assert signed_in(world.alice).get(reverse("group_detail", args=[group.pk])).status_code == 200


def test_the_group_page_links_the_paper_for_who_may_print_it(world):
    group = make_group(world)
    join(group, another_client(world, "Dora"))
    page = signed_in(world.facilitator).get(reverse("group_detail", args=[group.pk]))
    assert sheet(group, 8).encode() in page.content
    assert (guide(group, 1) + "?size=letter").encode() in page.content
    seen_by_alice = signed_in(world.alice).get(reverse("group_detail", args=[group.pk]))
    assert sheet(group, 1).encode() not in seen_by_alice.content


def test_the_fetcher_reads_only_our_print_files():
    fetcher = pdf.PrintFilesOnly()
    assert b"DejaVu" in fetcher.fetch(pdf.PRINT_CSS.as_uri()).read()
    for url in (
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/admin/",
        "file:///etc/passwd",
        pdf.PRINT_DIR.as_uri() + "/../gentle.css",
        "data:text/css,body{}",
    ):
        with pytest.raises(pdf.RefusedURL):
            fetcher.fetch(url)
    # A document asking for the network renders without it.
    html = '<html><body><img src="http://example.com/x.png"><p>Still here</p></body></html>'
    data = pdf.html_to_pdf(html)
    assert "Still here" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_sheet_makes_the_same_number_of_queries_as_the_roster_grows(world):
    group = make_group(world)
    join(group, another_client(world, "Dora"))
    http = signed_in(world.facilitator)
    few = count_queries(http, sheet(group))
    for name in ("Eve", "Fay", "Gus", "Hal"):
        join(group, another_client(world, name))
    assert count_queries(http, sheet(group)) == few


def test_the_group_page_offers_the_paper_in_the_readers_language_too(world):
    group = make_group(world, language="es")
    http = signed_in(world.facilitator)
    page = http.get(reverse("group_detail", args=[group.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert (sheet(group, 2) + "?lang=en").encode() in page.content
    text, _pages = text_of(http.get(sheet(group, 2, lang="en")))
    assert "Little interest or pleasure in doing things" in text
    same = signed_in(world.facilitator).get(
        reverse("group_detail", args=[group.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert b"?lang=" not in same.content
