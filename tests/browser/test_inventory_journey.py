"""The closeness circle in Chromium: rearranged by keyboard alone, and the circle, the snapshot
comparison and the attachment plane at phone and desktop widths."""

import pytest

from gentle.clients.models import Client
from gentle.demo import seed_demo
from gentle.inventory.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("gentle-demo")
    page.get_by_role("button", name="Sign in").click()
    # Staff land on the home page, a client on the portal's (issue 22).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def tab_to(page, predicate: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches the JS predicate (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached {predicate}")


def test_the_circle_can_be_rearranged_by_keyboard_alone(live_server, page_at, screenshot, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    client = Client.objects.get(user__email="client@demo.gentle.test")
    rosa = Person.objects.get(client=client, name="Rosa")
    assert rosa.ring == 2
    page = page_at(1280, 900)
    sign_in(page, live_server.url, "clinician@demo.gentle.test")
    page.goto(f"{live_server.url}/clients/{client.pk}/inventory/")
    screenshot(page, "inventory-1280")

    label = page.locator(f"label[for='id_p{rosa.pk}-ring']").inner_text()
    assert label == "Ring for Rosa"
    tab_to(page, f"el.id === 'id_p{rosa.pk}-ring'")
    page.keyboard.press("ArrowUp")  # ring 2 -> ring 1
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Rosa')", limit=3)
    page.keyboard.press("Enter")
    page.get_by_text("Rosa is now on ring 1.").wait_for()
    rosa.refresh_from_db()
    assert rosa.ring == 1
    ring_one = page.locator("#rings-title ~ ul").first
    assert "Rosa" in ring_one.inner_text()

    page.get_by_role("button", name="Compare").click()
    page.get_by_role("heading", name="What changed").wait_for()
    assert "came closer (ring 2 → 1)" in page.locator(".changes").inner_text()
    screenshot(page, "inventory-compare-1280")

    page.goto(f"{live_server.url}/clients/{client.pk}/attachment/")
    assert page.locator("svg.plane circle.dot").count() == 2
    screenshot(page, "attachment-1280")

    phone = page_at(360, 780)
    sign_in(phone, live_server.url, "clinician@demo.gentle.test")
    for path, name in (
        (f"/clients/{client.pk}/inventory/", "inventory-360"),
        (f"/clients/{client.pk}/attachment/", "attachment-360"),
    ):
        phone.goto(live_server.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(phone, name)


def test_a_person_can_be_dragged_to_another_ring(live_server, page_at, settings):
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    client = Client.objects.get(user__email="client@demo.gentle.test")
    priya = Person.objects.get(client=client, name="Priya")
    assert priya.ring == 3
    page = page_at(1280, 900)
    sign_in(page, live_server.url, "clinician@demo.gentle.test")
    page.goto(f"{live_server.url}/clients/{client.pk}/inventory/")
    node = page.locator(f"svg.circle g[data-person='{priya.pk}'] circle").first.bounding_box()
    me = page.locator("svg.circle circle.me").bounding_box()
    centre = (me["x"] + me["width"] / 2, me["y"] + me["height"] / 2)
    # Drop it about one ring-step from the centre: ring 1.
    step = me["width"] / 2 / 0.55
    page.mouse.move(node["x"] + node["width"] / 2, node["y"] + node["height"] / 2)
    page.mouse.down()
    page.mouse.move(centre[0] + step, centre[1], steps=8)
    page.mouse.up()
    page.get_by_text("Priya is now on ring 1.").wait_for()
    priya.refresh_from_db()
    assert priya.ring == 1
