"""The administrator's People and Outgoing mail pages, a page at a time by keyset (ADR 0027).

People shows the clinic's staff first; its clients with a portal login (one for each activated
portal, so they can outnumber the staff a hundred times) are on a page of their own. Both list 50
people a page in the order they got their accounts, with counts read from an index. Outgoing mail
lists the clinic's messages and the account messages to its members, 50 a page, newest first.
Neither page grows, nor makes more queries, with the rows behind it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import make_password

from gentle.accounts.models import Membership, Role, User
from gentle.notify.models import MailStatus, OutboundMail, Purpose
from tests.factories import count_queries, make_clinic, make_person, signed_in
from tests.test_keyset_pages import BAD_LINK, get, link, messages_in, pager

pytestmark = pytest.mark.django_db

PEOPLE = "/clinic/people/"
CLIENTS = "/clinic/people/?show=clients"
MAIL = "/clinic/mail/"
SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def portal_clients(clinic, count: int, *, start: int = 0) -> list[str]:
    """``count`` people with the client role in ``clinic`` (as portal activation gives them),
    by address, in the order their accounts were made."""
    emails = [f"portal-{clinic.pk}-{n}@example.test" for n in range(start, start + count)]
    unusable = make_password(None)
    User.objects.bulk_create(
        User(email=e, display_name=f"Portal {n}", password=unusable)
        for n, e in enumerate(emails, start=start)
    )
    users = User.objects.filter(email__in=emails)
    Membership.objects.bulk_create(
        Membership(user=u, clinic=clinic, role=Role.CLIENT) for u in users
    )
    return [u.email for u in users.order_by("pk")]


def emails(page: str) -> list[str]:
    """The addresses in the People table, in order."""
    return re.findall(r'data-label="Email address">([^<]+)<', page)


def recipients(page: str) -> list[str]:
    """The "To" column of the Outgoing mail table, in order."""
    return re.findall(r'data-label="To">([^<]+)<', page)


def staff_of(world) -> list[str]:
    """The world's staff in the order of their accounts."""
    staff = (world.alice, world.sue, world.bob, world.admin)
    return [p.email for p in sorted(staff, key=lambda person: person.pk)]


# People ---------------------------------------------------------------------------------------


def test_people_shows_the_staff_and_counts_the_portal_clients_without_listing_them(world):
    portal_clients(world.clinic, 60)
    page = get(signed_in(world.admin), PEOPLE)
    assert emails(page) == staff_of(world)
    assert world.portal.email not in page and "portal-" not in page
    assert world.far_clinician.email not in page
    assert "65 people in Hillside Practice." in page  # four staff, Amara's login and 60 more
    assert re.search(r'<a href="\?show=staff" aria-current="page">Staff \(4\)</a>', page)
    assert '<a href="?show=clients">Clients with a portal login (61)</a>' in page
    assert pager(page) == ""


def test_someone_with_two_staff_roles_is_one_person_with_both(world):
    Membership.objects.create(user=world.alice, clinic=world.clinic, role=Role.SUPERVISOR)
    page = get(signed_in(world.admin), PEOPLE)
    assert emails(page).count(world.alice.email) == 1
    assert "Clinician, Supervisor" in page
    assert "Staff (4)" in page and "5 people in" in page  # and Amara's login


def test_the_clients_with_a_portal_login_page_through_fifty_at_a_time(world):
    expected = [world.portal.email, *portal_clients(world.clinic, 120)]
    portal_clients(world.other, 10)
    http = signed_in(world.admin)
    page = get(http, CLIENTS)
    assert 'aria-label="Pages of people"' in pager(page)
    assert '<a href="?show=clients" aria-current="page">' in page
    assert link(page, "Previous people") is None
    seen, pages = [], 0
    while True:
        rows = emails(page)
        assert 0 < len(rows) <= 50
        seen += rows
        pages += 1
        following = link(page, "Next people")
        if following is None:
            break
        assert re.fullmatch(r"\?show=clients&after=\d+", following)  # a number, no address
        page = get(http, PEOPLE + following)
    assert seen == expected  # every client once, in the order of their accounts, no staff
    assert pages == 3
    back = get(http, PEOPLE + link(page, "Previous people"))
    assert emails(back) == expected[50:100]
    assert messages_in(back) == []


def test_the_staff_page_through_fifty_at_a_time_once_each(world):
    added = [make_person(world.clinic, Role.CLINICIAN, mfa=False) for _ in range(30)]
    added += [
        make_person(world.clinic, Role.CLINICIAN, Role.SUPERVISOR, mfa=False) for _ in range(30)
    ]
    portal_clients(world.clinic, 40)  # interleaved accounts, never on these pages
    added += [make_person(world.clinic, Role.FACILITATOR, mfa=False) for _ in range(5)]
    everyone = [*staff_of(world), *(p.email for p in added)]
    expected = [u.email for u in User.objects.filter(email__in=everyone).order_by("pk")]
    http = signed_in(world.admin)
    first = get(http, PEOPLE)
    second = get(http, PEOPLE + link(first, "Next people"))
    assert link(second, "Next people") is None
    assert emails(first) + emails(second) == expected  # 69 staff, each once
    assert "Staff (69)" in first


def test_a_clinic_without_portal_logins_says_so(world):
    admin = make_person(make_clinic("Lakeside"), Role.ADMIN)
    page = get(signed_in(admin), CLIENTS)
    assert "Clients with a portal login (0)" in page and "No one here yet." in page
    assert "1 person in Lakeside." in page


def test_a_persons_page_leads_back_to_their_list(world):
    http = signed_in(world.admin)
    assert 'href="/clinic/people/?show=clients">' in get(http, f"{PEOPLE}{world.portal.pk}/")
    assert 'href="/clinic/people/">' in get(http, f"{PEOPLE}{world.alice.pk}/")


@pytest.mark.parametrize(
    "query", ["after=abc", "after=0", "before=-1", "after=5&before=9", "after=99999999"]
)
def test_a_bad_people_link_gives_the_first_page_and_says_so(world, query):
    clients = [world.portal.email, *portal_clients(world.clinic, 60)]
    page = get(signed_in(world.admin), f"{CLIENTS}&{query}")
    assert BAD_LINK in messages_in(page)
    assert emails(page) == clients[:50]
    assert link(page, "Next people") is not None


def test_a_people_link_naming_another_clinics_person_shows_only_this_clinics_people(world):
    clients = [world.portal.email, *portal_clients(world.clinic, 60)]
    page = get(signed_in(world.admin), f"{CLIENTS}&after={world.far_portal.pk}")
    assert world.far_portal.email not in page
    # The number is only a place in the order: this clinic's clients after it.
    assert emails(page) == clients[1:51]


@pytest.mark.parametrize("who", ["alice", "sue", "portal", "far_clinician"])
def test_only_the_clinics_administrator_opens_people(world, who):
    http = signed_in(getattr(world, who))
    assert http.get(PEOPLE).status_code == 404
    assert http.get(CLIENTS).status_code == 404


def test_people_query_count_and_weight_do_not_grow_with_portal_clients(world):
    http = signed_in(world.admin)
    few = count_queries(http, PEOPLE), count_queries(http, CLIENTS)
    clients = portal_clients(world.clinic, 250)
    many = count_queries(http, PEOPLE), count_queries(http, CLIENTS)
    assert few == many
    deep = User.objects.get(email=clients[100]).pk
    assert count_queries(http, f"{CLIENTS}&after={deep}") == many[1]
    sizes = {url: len(get(http, url).encode()) for url in (PEOPLE, CLIENTS)}
    assert all(size < 100_000 for size in sizes.values()), sizes
    portal_clients(world.clinic, 300, start=250)
    for url, size in sizes.items():  # only the counts change
        assert abs(len(get(http, url).encode()) - size) < 20, url


# Outgoing mail --------------------------------------------------------------------------------


def add_mail(clinic_id: int | None, tos: list[str]) -> list[int]:
    """One sent reminder (or, without a clinic, a password reset) to each address, in order;
    their ids."""
    before = OutboundMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    OutboundMail.objects.bulk_create(
        OutboundMail(
            to=to,
            subject="Appointment at Hillside Practice",
            body="Your next appointment is on Monday at 10:00. If you cannot come, please "
            "tell the clinic as soon as you can.\n" * 3,
            attachment_name="appointment.ics",
            attachment_type="text/calendar",
            attachment="BEGIN:VCALENDAR\n" + "X-FILLER:" + "x" * 600 + "\nEND:VCALENDAR\n",
            clinic_id=clinic_id,
            purpose=Purpose.SESSION_REMINDER if clinic_id else Purpose.PASSWORD_RESET,
            status=MailStatus.SENT,
            attempts=1,
            sent_at=SENT_AT,
            created_at=SENT_AT,
        )
        for to in tos
    )
    return list(
        OutboundMail.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    )


def mixed_outbox(world, count: int) -> list[str]:
    """``count`` messages of the clinic, with a password reset to one of its people after every
    fourth; mail of the other clinic and resets of people of no clinic between them. The
    addresses the page should list, newest first."""
    shown = []
    for n in range(count):
        add_mail(world.clinic.pk, [f"m{n}@example.test"])
        shown.append(f"m{n}@example.test")
        add_mail(world.other.pk, [f"other{n}@example.test"])
        if n % 4 == 3:
            add_mail(None, [world.alice.email, "stranger@example.test", world.far_clinician.email])
            shown.append(world.alice.email)
    return shown[::-1]


def test_outgoing_mail_pages_through_every_message_newest_first(world):
    expected = mixed_outbox(world, 100)  # 125 messages
    http = signed_in(world.admin)
    page = get(http, MAIL)
    assert 'aria-label="Pages of outgoing mail"' in pager(page)
    assert link(page, "Newer") is None
    seen, pages = [], 0
    while True:
        rows = recipients(page)
        assert 0 < len(rows) <= 50
        seen += rows
        pages += 1
        older = link(page, "Older")
        if older is None:
            break
        assert re.fullmatch(r"\?after=\d+", older)
        page = get(http, MAIL + older)
    assert seen == expected  # the clinic's mail and its people's resets, once each, in order
    assert "stranger@example.test" not in seen and world.far_clinician.email not in seen
    assert pages == 3
    back = get(http, MAIL + link(page, "Newer"))
    assert recipients(back) == expected[50:100]


@pytest.mark.parametrize("query", ["after=abc", "after=-5", "after=1", "before=99999999"])
def test_a_bad_outgoing_mail_link_gives_the_first_page_and_says_so(world, query):
    expected = mixed_outbox(world, 60)
    page = get(signed_in(world.admin), f"{MAIL}?{query}")
    assert BAD_LINK in messages_in(page)
    assert recipients(page) == expected[:50]
    assert link(page, "Older") is not None and link(page, "Newer") is None


def test_a_link_to_another_clinics_mail_shows_only_this_clinics(world):
    mixed_outbox(world, 60)
    theirs = OutboundMail.objects.filter(clinic_id=world.other.pk).order_by("-pk")[0].pk
    page = get(signed_in(world.admin), f"{MAIL}?after={theirs}")
    assert not any(r.startswith("other") for r in recipients(page))


@pytest.mark.parametrize("who", ["alice", "sue", "portal", "far_clinician"])
def test_only_the_clinics_administrator_opens_outgoing_mail(world, who):
    mixed_outbox(world, 2)
    assert signed_in(getattr(world, who)).get(MAIL).status_code == 404


def test_outgoing_mail_query_count_and_weight_do_not_grow_with_the_outbox(world, settings):
    settings.DEMO = True  # the message text is on the page
    http = signed_in(world.admin)
    few = count_queries(http, MAIL)
    mixed_outbox(world, 5)
    portal_clients(world.clinic, 200)
    ids = add_mail(world.clinic.pk, [f"r{n}@example.test" for n in range(400)])
    add_mail(None, [f"portal-{world.clinic.pk}-{n}@example.test" for n in range(200)])
    assert count_queries(http, MAIL) == few
    assert count_queries(http, f"{MAIL}?after={ids[200]}") == few
    for url in (MAIL, f"{MAIL}?after={ids[200]}"):
        page = get(http, url)
        assert "Show the message" in page and len(recipients(page)) == 50
        assert len(page.encode()) < 100_000, url
