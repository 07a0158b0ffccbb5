"""Accessibility in CI: a crawl of the demo as each role, at phone and desktop width.

From the demo data, a visitor and each demo login (clinician, supervisor, administrator, client)
follow the links they are shown, breadth first, GET only, on this site only. Each route is
visited once per role (one client record, one note, one worksheet...: pages of one route share a
template), which keeps the crawl to a couple of minutes. The staff start from the home page, the
record the demo fills most (the portal client's) and one without a portal login; the demo's
clinician whose clients have the grief and role-transition work then crawls what the first
clinician did not reach. On every page, at both widths, axe-core (vendored:
tests/browser/vendor/) checks WCAG 2.2 A and AA; at 360 px no page may be wider than the screen,
and no link may lead to an error; the page for an address that leads nowhere is checked too.
The design's hierarchy (docs/design.md, ADR 0038) is checked on the same pages: at most one
primary action in <main> at either width, and at 360 px no row of buttons spilling past the
screen or wrapping into more than two lines.
The test fails listing every problem: role, width, page, rule and element.

The crawl checks pages, not the database: it runs once, in the SQLite pass of CI.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import connection
from django.urls import Resolver404, resolve, reverse

from gentle.accounts.models import User
from gentle.clients.models import Client
from gentle.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from gentle.grief.models import Loss, Transition
from gentle.portal.models import RecordExport
from gentle.portal.tasks import prepare_export
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP, PHONE = (1366, 900), (360, 780)
ROLES = ("visitor", "clinician", "supervisor", "admin", "client")
# The demo's third clinician keeps the grief curve and the transition worksheet: they crawl only
# the routes the demo clinician did not reach.
MORE = {"clinician3": "clinician"}
# Signing out would end the crawl's session; the record copy's data file is a download.
SKIP_ROUTES = {"account_logout", "portal_export_json"}
SKIP_PREFIXES = ("/static/", "/api/", "/healthz")
MISSING = "/no-such-page/"
MAX_ROUTES_PER_ROLE = 120  # a bound far above what the demo shows; the test fails if it is hit

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => ({rule: v.id, help: v.help, target: n.target.join(" ")})));
}"""


# The hierarchy of a page as displayed (docs/design.md, "One primary action per page" and "Button
# groups that fold on a phone"). Only what is displayed counts: the course's "More…" keeps a second
# copy of its actions, hidden at each width.
#
# A row of buttons is a .button-group, an .actions or .filter-actions row, or any element with two
# or more buttons displayed among its direct children; its items are the actions among those
# children (a button, a link, the form that holds a button, a "More…" menu), not its fields.
# Lines are counted from the items' boxes, not their tops: an item starts a new line when its top
# is at or below the bottom of the line so far, so buttons of different heights centred on one
# line count as one line. More than two lines, or an item whose right edge passes the screen's
# (or a row that scrolls sideways), is a problem: such a row needs fewer actions beside the
# primary, the rest under "More…". Two lines are allowed: a primary with one long secondary may
# wrap, and a form's two stacked buttons are two lines by design.
HIERARCHY = """() => {
  const main = document.querySelector("main");
  if (!main) return {primaries: [], rows: []};
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
  const label = (el) => (el.innerText || el.value || "").replace(/\\s+/g, " ").trim().slice(0, 40);
  const primaries = [...main.querySelectorAll(".button-primary")].filter(shown).map(label);
  const BUTTON = "button, .button, details.group-more, form:has(> button)";
  const isItem = (el) => el.matches(BUTTON) && shown(el);
  const ACTION = `${BUTTON}, a, details, form`;
  const rows = new Set(main.querySelectorAll(".button-group, .actions, .filter-actions"));
  for (const el of main.querySelectorAll("*")) {
    if ([...el.children].filter(isItem).length >= 2) rows.add(el);
  }
  const screen = document.documentElement.clientWidth;
  const found = [];
  for (const row of rows) {
    if (!shown(row)) continue;
    const items = [...row.children].filter((el) => el.matches(ACTION) && shown(el));
    const boxes = items.map((el) => el.getBoundingClientRect())
      .filter((box) => box.width > 0).sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity, right = 0;
    for (const box of boxes) {
      if (box.top >= bottom - 1) { lines += 1; bottom = box.bottom; }
      else bottom = Math.max(bottom, box.bottom);
      right = Math.max(right, box.right);
    }
    const scrolls = getComputedStyle(row).display !== "inline"
      && row.scrollWidth > row.clientWidth + 1;
    const spills = right > screen + 0.5 || scrolls;
    if (lines > 2 || spills) {
      const what = items.map(label).filter(Boolean).join(" | ");
      found.push({lines, spills, what});
    }
  }
  return {primaries, rows: found};
}"""


@dataclass
class Crawl:
    base: str
    views: int = 0  # pages checked, counting each width
    routes: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def route_of(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).url_name
    except Resolver404:
        return None


def same_site(base: str, href: str) -> str | None:
    """The page a link leads to on this site, without its fragment; None for anything else."""
    url, _fragment = urldefrag(href)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base or parts.path.startswith(SKIP_PREFIXES):
        return None  # mailto:, tel:, other sites, files
    return url


def start_pages(role: str) -> list[str]:
    """Where a role's crawl begins: the home page and, for staff, the fullest records."""
    if role == "visitor":
        return ["/", reverse("account_login")]
    if role not in ("clinician", "supervisor", *MORE):
        return ["/"]
    user = User.objects.get(email=f"{role}@{DEMO_DOMAIN}")
    theirs = Client.objects.filter(care_team__user=user)
    pages = [] if role in MORE else ["/"]
    # The portal client's record, then one without a portal login (it offers the invitation).
    for record in (theirs.filter(user__isnull=False).first(), theirs.filter(user=None).first()):
        if record and role not in MORE:
            pages.append(reverse("client_detail", args=[record.pk]))
    for model in (Loss, Transition):
        work = model.objects.filter(client__in=theirs).first()
        if work:
            pages.append(reverse("losses", args=[work.client_id]))
    return pages


def a_prepared_record_copy() -> None:
    """What the portal client's "Prepare a copy" and the worker make (the crawl only reads)."""
    client = Client.objects.get(user__email=f"client@{DEMO_DOMAIN}")
    export = RecordExport.objects.create(client=client, requested_by=client.user)
    prepare_export.call(export.pk)


def sign_in(page, base: str, role: str) -> None:
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email address").fill(f"{role}@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: reverse("account_login") not in url)


def check_here(crawl: Crawl, page, where: str) -> None:
    """axe on the page as it is; at phone width, also its width."""
    crawl.views += 1
    for found in page.evaluate(RUN_AXE, WCAG_22_AA):
        crawl.problems.append(f"{where}: {found['rule']} ({found['help']}) at {found['target']}")
    width = page.viewport_size["width"]
    if width <= PHONE[0]:
        # Against the screen, not innerWidth: a page without a viewport tag is laid out 980 px
        # wide on a phone, and its innerWidth says so.
        wider = page.evaluate("document.documentElement.scrollWidth") - width
        if wider > 0:
            crawl.problems.append(f"{where}: {wider} px wider than the {width} px screen")
    hierarchy = page.evaluate(HIERARCHY)
    if len(hierarchy["primaries"]) > 1:
        crawl.problems.append(
            f"{where}: {len(hierarchy['primaries'])} primary actions in <main>, at most one: "
            + " | ".join(hierarchy["primaries"])
        )
    if width <= PHONE[0]:
        for row in hierarchy["rows"]:
            how = "spills past the screen" if row["spills"] else f"wraps into {row['lines']} lines"
            crawl.problems.append(f"{where}: a row of buttons {how}: {row['what']}")


def check(crawl: Crawl, page, url: str, role: str) -> list[str] | None:
    """Open url at the page's width and check it; returns its links (None if not a page)."""
    parts = urlsplit(url)
    where = f"[{role} {page.viewport_size['width']}] {parts.path}"
    where += f"?{parts.query}" if parts.query else ""
    response = page.goto(url)
    if response is None or response.status >= 400:
        crawl.problems.append(f"{where}: HTTP {response.status if response else 'no answer'}")
        return None
    if "text/html" not in response.headers.get("content-type", ""):
        return None
    check_here(crawl, page, where)
    return page.eval_on_selector_all("a[href]:not([download])", "all => all.map((a) => a.href)")


def check_missing_page(crawl: Crawl, page, role: str) -> None:
    """The answer to an address that leads nowhere is a page like the others."""
    where = f"[{role} {page.viewport_size['width']}] {MISSING} (a page that does not exist)"
    response = page.goto(crawl.base + MISSING)
    if response is None or response.status != 404:
        crawl.problems.append(f"{where}: HTTP {response.status if response else 'no answer'}")
        return
    check_here(crawl, page, where)


def crawl_as(crawl: Crawl, browser, role: str, known: frozenset[str] = frozenset()) -> None:
    """Breadth first from the role's start pages, one page per route not known already (start
    pages always)."""
    pages = []
    for width, height in (DESKTOP, PHONE):
        # The phone is a phone: it honours (or misses) the page's viewport meta tag.
        phone = width == PHONE[0]
        context = browser.new_context(
            viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
        )
        context.add_init_script(path=str(AXE))  # in every page, before its own scripts
        page = context.new_page()
        pages.append(page)
        if role != "visitor":
            sign_in(page, crawl.base, role)
            # The page the sign-in lands on, with whatever it says about signing in.
            check_here(crawl, page, f"[{role} {width}] after signing in")
    starts = [crawl.base + path for path in start_pages(role)]
    queue = deque(starts)
    routes = set(known) | {route_of(url) or url for url in starts}
    try:
        while queue:
            url = queue.popleft()
            desktop, phone = pages
            links = check(crawl, desktop, url, role)
            if links is None:
                continue
            check(crawl, phone, url, role)
            for href in links:
                target = same_site(crawl.base, href)
                route = route_of(target) if target else None
                if route and route not in SKIP_ROUTES and route not in routes:
                    routes.add(route)
                    queue.append(target)
            if len(routes) > MAX_ROUTES_PER_ROLE:
                pytest.fail(f"the {role}'s crawl reached {MAX_ROUTES_PER_ROLE} routes: raise it")
        for page in pages:
            check_missing_page(crawl, page, role)
    finally:
        for page in pages:
            page.context.close()
    crawl.routes[role] = sorted(routes - known)


def test_every_page_the_demo_reaches_passes_axe_and_fits_a_phone(browser, live_server, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the crawl checks pages, not the database: it runs in the SQLite pass only")
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    a_prepared_record_copy()
    crawl = Crawl(base=live_server.url)
    started = time.monotonic()
    for role in ROLES:
        crawl_as(crawl, browser, role)
    for role, like in MORE.items():
        crawl_as(crawl, browser, role, known=frozenset(crawl.routes[like]))
    seconds = time.monotonic() - started

    counts = ", ".join(f"{role} {len(routes)}" for role, routes in crawl.routes.items())
    summary = f"{crawl.views} pages checked in {seconds:.0f} s; routes per role: {counts}"
    ARTIFACTS.mkdir(exist_ok=True)
    report = "\n".join([summary, *crawl.problems]) + "\n"
    reached = "".join(f"{role}: {' '.join(routes)}\n" for role, routes in crawl.routes.items())
    (ARTIFACTS / "accessibility-crawl.txt").write_text(report + reached, encoding="utf-8")
    assert min(len(crawl.routes[role]) for role in ROLES) > 3, summary
    assert not crawl.problems, (
        f"{len(crawl.problems)} accessibility problems ({summary}). One a line: [role width] "
        "page: rule (what it asks) at element. Also in test-artifacts/accessibility-crawl.txt, "
        "with the routes each role reached.\n" + "\n".join(crawl.problems)
    )
