"""Form and wording details found walking every page (issue 21): confirmation messages that
are valid lists, checkboxes beside their labels, phone fields with a number pad, required
fields marked, and an empty consultation form told what is missing."""

from html.parser import HTMLParser

import pytest

from tests.factories import signed_in, visible_text

pytestmark = pytest.mark.django_db


class ListItems(HTMLParser):
    """Each <li> with the element it sits in (tag and role), as axe's listitem rule reads it."""

    VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.items: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.items.append(self.stack[-1] if self.stack else ("", None))
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("role")))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def list_item_parents(html: str) -> list[tuple[str, str | None]]:
    parser = ListItems()
    parser.feed(html)
    return parser.items


def test_a_confirmation_message_is_a_list_item_of_a_plain_list_in_a_status_region(world):
    http = signed_in(world.admin)
    response = http.post(
        "/clinic/public-pages/",
        {"section": "ipt", "language": "en", "title": "What IPT is", "body": "Our words."},
        follow=True,
    )
    html = response.content.decode()
    assert "Saved. It is on the public page now." in visible_text(html)
    assert '<div class="messages" role="status">' in html
    parents = list_item_parents(html)
    assert parents and all(tag in ("ul", "ol") and role is None for tag, role in parents)
