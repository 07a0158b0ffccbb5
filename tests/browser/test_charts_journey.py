"""Charts in Chromium (issue 21): at 360 px and 1366 px every chart's text is at least 12 CSS
px as drawn (its font size times the drawing's scale on screen) and inside its drawing; and the
closeness circle is used with the keyboard alone: Tab to a person, move them with the arrow
keys, the focus stays on them, no one else moves, and the move is saved. Screenshots land in
test-artifacts/ (charts-*)."""

import pytest

from gentle.clients.models import Client
from gentle.demo import seed_demo
from gentle.grief.models import Loss
from gentle.inventory.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each chart's visible text: its size as drawn, in CSS px, and whether it lies inside the
# drawing (an outer <svg> clips what runs past its edge).
CHARTS = "svg.chart, svg.timeline, svg.circle, svg.grief, svg.plane"
MEASURE = """() => Array.from(document.querySelectorAll('CHARTS')).flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text'))
    .filter(t => t.getClientRects().length > 0 && t.textContent.trim())
    .map(t => {
      const m = t.getScreenCTM();
      const r = t.getBoundingClientRect();
      return {
        chart: svg.getAttribute('class'),
        text: t.textContent,
        px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
        inside: r.left >= box.left - 1 && r.right <= box.right + 1 &&
                r.top >= box.top - 1 && r.bottom <= box.bottom + 1,
      };
    });
})""".replace("CHARTS", CHARTS)


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/**")


def test_chart_text_is_at_least_12px_and_inside_its_drawing(
    live_server, page_at, screenshot, settings
):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    nic = Client.objects.get(user__email="client@demo.gentle.test")
    course = nic.courses.order_by("-pk").first()
    loss = Loss.objects.first()
    grieving = loss.client.care_team.get(role="clinician").user.email
    visits = [
        ("client@demo.gentle.test", "/portal/progress/", "progress"),
        ("clinician@demo.gentle.test", f"/clients/{nic.pk}/timeline/", "timeline"),
        ("clinician@demo.gentle.test", f"/clients/{nic.pk}/inventory/", "circle"),
        ("clinician@demo.gentle.test", f"/clients/{nic.pk}/measures/", "measures"),
        ("clinician@demo.gentle.test", f"/clients/{nic.pk}/attachment/", "attachment"),
        ("clinician@demo.gentle.test", f"/courses/{course.pk}/", "course"),
        (grieving, f"/losses/{loss.pk}/", "grief"),
    ]
    for width in (360, 1366):
        pages = {}
        for email, path, name in visits:
            if email not in pages:
                pages[email] = page_at(width, 800)
                sign_in(pages[email], live_server.url, email)
            page = pages[email]
            page.goto(live_server.url + path)
            texts = page.evaluate(MEASURE)
            assert texts, (name, width)
            small = [t for t in texts if t["px"] < 11.95]
            assert not small, (name, width, small[:5])
            clipped = [t for t in texts if not t["inside"]]
            assert not clipped, (name, width, clipped[:5])
            assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
            screenshot(page, f"charts-{name}-{width}")


def dots(page) -> dict[str, tuple[str, str]]:
    """Where each person's dot is drawn on the circle, by their id."""
    return page.evaluate(
        """() => Object.fromEntries(Array.from(
          document.querySelectorAll('svg.circle g[data-person]'), g => {
            const dot = g.querySelector('circle');
            return [g.dataset.person, [dot.getAttribute('cx'), dot.getAttribute('cy')]];
          }))"""
    )


def tab_to(page, predicate: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches the JS predicate (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached {predicate}")


def test_the_closeness_circle_by_keyboard_alone(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    nic = Client.objects.get(user__email="client@demo.gentle.test")
    rosa = Person.objects.get(client=nic, name="Rosa")
    assert rosa.ring == 2
    page = page_at(1366, 900)
    sign_in(page, live_server.url, "clinician@demo.gentle.test")
    page.goto(f"{live_server.url}/clients/{nic.pk}/inventory/")
    before = dots(page)

    node = f"circle-person-{rosa.pk}"
    tab_to(page, f"el.id === '{node}'")
    caption = page.locator(f"#{node} .caption")
    assert caption.is_visible() and caption.text_content() == "Rosa · ring 2"
    screenshot(page, "charts-circle-focus-1366")

    page.keyboard.press("ArrowUp")  # one ring further out
    page.get_by_text("Rosa is now on ring 3.").wait_for()
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{node}'")
    assert page.locator(f"#{node}").get_attribute("aria-valuenow") == "3"
    assert caption.is_visible() and caption.text_content() == "Rosa · ring 3"
    rosa.refresh_from_db()
    assert rosa.ring == 3
    after = dots(page)
    assert {k: v for k, v in after.items() if k != str(rosa.pk)} == {
        k: v for k, v in before.items() if k != str(rosa.pk)
    }
    assert after[str(rosa.pk)] != before[str(rosa.pk)]

    page.keyboard.press("Home")  # to the closest ring
    page.get_by_text("Rosa is now on ring 1.").wait_for()
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{node}'")
    rosa.refresh_from_db()
    assert rosa.ring == 1
    page.keyboard.press("ArrowDown")  # already closest: nothing is sent
    assert page.locator(f"#{node}").get_attribute("aria-valuenow") == "1"

    phone = page_at(360, 780)
    sign_in(phone, live_server.url, "clinician@demo.gentle.test")
    phone.goto(f"{live_server.url}/clients/{nic.pk}/inventory/")
    tab_to(phone, f"el.id === '{node}'")
    assert phone.locator(f"#{node} .caption").text_content() == "Rosa · ring 1"
    screenshot(phone, "charts-circle-focus-360")
