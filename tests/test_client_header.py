"""Issue 21: every page of a client carries the client header (name, key facts) and the record's
tabs, from one include, with the tab of the page's area marked. Checked over the pages the demo
reaches from its records, as the demo clinicians see them."""

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from gentle.accounts.models import User
from gentle.clients.models import Client
from gentle.communication.models import Exchange, Worksheet
from gentle.demo import DEMO_DOMAIN, seed_demo
from gentle.grief.models import Transition
from gentle.inventory.models import Person
from gentle.measures.models import Administration, Status
from gentle.roleplay.models import Rehearsal, Scenario

pytestmark = pytest.mark.django_db

# Each page of a client, by route, and the tab it belongs to.
CLIENT_PAGES = {
    "client_detail": "Record",
    "client_edit": "Record",
    "client_access_log": "Record",
    "portal_invite": "Record",
    "course_new": "Record",
    "course_detail": "Record",
    "course_edit": "Record",
    "course_summary": "Record",
    "course_letters": "Record",
    "fidelity_rate": "Record",
    "session_new": "Record",
    "session_detail": "Record",
    "session_move": "Record",
    "process_note": "Record",
    "relapse_plan": "Record",
    "measure_schedule": "Record",
    "formulation": "Record",
    "goals": "Record",
    "alert_detail": "Record",
    "client_measures": "Measures",
    "administration_fill": "Measures",
    "inventory": "Inventory and circle",
    "person_new": "Inventory and circle",
    "person_edit": "Inventory and circle",
    "attachment": "Inventory and circle",
    "snapshot_compare": "Inventory and circle",
    "timeline": "Timeline",
    "event_new": "Timeline",
    "episode_new": "Timeline",
    "losses": "Loss and change",
    "loss_detail": "Loss and change",
    "transition_detail": "Loss and change",
    "communication": "Communication",
    "style_reflect": "Communication",
    "exchange_new": "Communication",
    "exchange_detail": "Communication",
    "worksheet_detail": "Communication",
    "roleplay": "Role play",
    "scenario_detail": "Role play",
    "rehearsal_detail": "Role play",
    "client_tasks": "Tasks",
    "safety_plan": "Safety plan",
}
TABS = re.compile(r'<nav class="client-tabs[^"]*" aria-label="Record of ([^"]+)">(.*?)</nav>', re.S)


def route_of(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def crawl(browser, starts: list[str]) -> dict[str, tuple[str, str]]:
    """Breadth first over same-site links, one page per route: {route: (path, html)}."""
    seen: dict[str, tuple[str, str]] = {}
    queue = deque(starts)
    routes = {route_of(p) for p in starts}
    while queue:
        path = queue.popleft()
        response = browser.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        seen[route_of(path) or path] = (path, html)
        for href in re.findall(r'href="([^"]+)"', html):
            target = urldefrag(unescape(href))[0]
            parts = urlsplit(target)
            if parts.scheme or not target.startswith("/") or target.startswith("/static/"):
                continue
            route = route_of(parts.path)
            if route and route not in routes and route != "account_logout":
                routes.add(route)
                queue.append(target)
    return seen


def test_every_page_of_a_client_has_the_client_header_and_its_tab(client, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True  # the demo's staff have no authenticator app
    seed_demo()
    pages: dict[str, tuple[str, str]] = {}
    for who in ("clinician", "clinician3"):
        user = User.objects.get(email=f"{who}@{DEMO_DOMAIN}")
        client.force_login(user)
        theirs = Client.objects.filter(care_team__user=user)
        starts = [f"/clients/{record.pk}/" for record in theirs]
        # Pages the records do not link to for this clinician (work kept elsewhere in the demo).
        for model, path in [
            (Transition, "/transitions/{}/"),
            (Scenario, "/scenarios/{}/"),
            (Rehearsal, "/rehearsals/{}/"),
            (Exchange, "/exchanges/{}/"),
            (Worksheet, "/worksheets/{}/"),
            (Person, "/inventory/people/{}/"),
            (Administration, "/administrations/{}/"),
        ]:
            found = model.objects.filter(client__in=theirs)
            if model is Administration:  # a submitted one's page is its result, elsewhere
                found = found.exclude(status=Status.SUBMITTED)
            found = found.order_by("pk").first()
            if found:
                starts.append(path.format(found.pk))
        for route, page in crawl(client, starts).items():
            pages.setdefault(route, page)
    reached = {route: page for route, page in pages.items() if route in CLIENT_PAGES}
    for route, (path, html) in reached.items():
        name = Client.objects.get(pk=int(re.search(r"Record #(\d+)", html).group(1))).full_name
        assert html.count('<header class="client-header">') == 1, path
        (label, tabs), *more = TABS.findall(html)
        assert not more and unescape(label) == name, path
        assert len(re.findall(r"<li><a ", tabs)) == 9, path
        current = re.findall(r'aria-current="(?:page|true)">([^<]+)</a>', tabs)
        assert current == [CLIENT_PAGES[route]], (path, current)
    # Pages of a client that do not carry it: none among those reached.
    client_paths = re.compile(r"^/(clients/\d+|courses|sessions|scenarios|rehearsals|losses)/")
    missing = [
        path
        for route, (path, html) in pages.items()
        if route not in CLIENT_PAGES and client_paths.match(path) and "client-header" not in html
    ]
    # Every kind was seen, but the comparison of two inventory snapshots (the demo keeps one).
    assert set(CLIENT_PAGES) - set(pages) == {"snapshot_compare"}
    assert not missing, missing
    # Every page the demo's clinicians reach stays light on a phone's slow network (issue 22).
    heavy = {
        path: len(html.encode()) for path, html in pages.values() if len(html.encode()) >= 100_000
    }
    assert not heavy, heavy


def test_the_record_names_the_client_once_as_its_heading(client, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    user = User.objects.get(email=f"clinician@{DEMO_DOMAIN}")
    record = Client.objects.filter(care_team__user=user).first()
    client.force_login(user)
    html = client.get(f"/clients/{record.pk}/").content.decode()
    assert re.findall(r"<h1[^>]*>([^<]*)</h1>", html) == [record.full_name]
    assert 'aria-current="page">Record</a>' in html


def test_an_administrator_reading_the_access_log_sees_the_name_without_tabs(world):
    from tests.factories import signed_in

    html = signed_in(world.admin).get(f"/clients/{world.amara.pk}/access-log/").content.decode()
    assert '<header class="client-header">' in html
    assert f'<p class="client-name">{world.amara.full_name}</p>' in html
    assert "client-tabs" not in html and f"/clients/{world.amara.pk}/timeline/" not in html
