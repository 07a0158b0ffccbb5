"""At phone size the copy of the record reads part by part (issue 26): each part is folded
under its title, so the page opens as a short list of titles; a link in the contents opens its
part; the page uses the site's stylesheet."""

import pytest
from playwright.sync_api import expect

from gentle.portal.models import RecordExport
from gentle.portal.tasks import prepare_export
from tests.browser.test_record_copy_journey import ask_for_a_copy, hold_polls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_copy_opens_folded_and_a_part_opens_from_the_contents(live_server, page_at, tmp_path):
    base = live_server.url
    phone = page_at(360, 780)
    status_url = ask_for_a_copy(base, phone)
    hold_polls(phone, status_url)
    export = RecordExport.objects.get()
    prepare_export.call(export.pk)
    phone.goto(f"{base}/portal/record/{export.pk}/copy/")
    height = phone.evaluate("document.documentElement.scrollHeight")
    width = phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path=str(tmp_path / "copy-360.png"), full_page=True)
    assert width <= 360  # nothing wider than the phone
    assert height < 5000, height  # titles, not the whole record at once
    part = phone.locator("details#sessions")
    expect(part).not_to_have_attribute("open", "")
    phone.get_by_role("link", name="Sessions", exact=True).click()
    expect(part).to_have_attribute("open", "")
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)"  # the site's stylesheet is applied
