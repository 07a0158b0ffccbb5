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


# The consultation form: an empty submit is told what is missing -------------------------


def test_an_empty_consultation_form_sent_at_once_is_told_what_is_missing(client):
    """Walking the pages: an empty form sent straight away was told "That was very quick",
    and the missing answers only further down."""
    import time

    from django.core import signing

    from gentle.intake.forms import STARTED_SALT
    from gentle.intake.models import IntakeRequest
    from tests.factories import make_clinic

    clinic = make_clinic("Harbour Clinic")
    url = f"/c/{clinic.slug}/reach-out/"
    started = signing.dumps(time.time(), salt=STARTED_SALT)  # opened this very second
    response = client.post(url, {"started": started, "name": "", "message": ""})
    text = visible_text(response)
    assert response.status_code == 400
    assert "That was very quick" not in text
    summary = text.split("Something is missing or needs a change:", 1)[1]
    for missing in (
        "Tell us what to call you: a first name or alias.",
        "Choose how we should contact you.",
        "Tell us a little about what brings you, even one sentence.",
        "We can only reply if you agree to be contacted.",
    ):
        assert missing in summary
    assert not IntakeRequest.objects.exists()
    # The stamp was not spent on a form that could not be sent: once complete, it goes.
    complete = {
        "name": "Robin",
        "contact": "email",
        "email": "robin@example.test",
        "message": "Since the move I feel alone.",
        "consent": "on",
        "started": signing.dumps(time.time() - 30, salt=STARTED_SALT),
    }
    assert client.post(url, complete).status_code == 200
    assert IntakeRequest.objects.count() == 1


# Checkboxes, phone fields and required marks ----------------------------------------------


def check_row(html: str, name: str) -> str:
    import re

    found = re.search(
        rf'<div class="check-row">(<input type="checkbox" name="{name}"[^>]*>)'
        rf'<label for="id_{name}">(.*?)</label></div>',
        html,
    )
    assert found, f"no checkbox {name} beside its label"
    return found.group(0)


def test_a_single_checkbox_comes_before_its_label_on_the_public_form(client):
    from tests.factories import make_clinic

    html = client.get(f"/c/{make_clinic().slug}/reach-out/").content.decode()
    row = check_row(html, "consent")
    assert "I agree that the clinic may contact me about this request." in row
    assert " required" in row and '<span class="required-mark" aria-hidden="true"> *</span>' in row


def test_single_checkboxes_on_the_person_form_and_role_play_settings(world):
    person_form = signed_in(world.alice).get(f"/clients/{world.amara.pk}/inventory/new/")
    for name in ("deceased", "in_conflict", "supportive"):
        assert "required" not in check_row(person_form.content.decode(), name)
    settings_page = signed_in(world.admin).get("/clinic/role-play/").content.decode()
    check_row(settings_page, "enabled")


def test_phone_fields_open_the_number_pad(client, world):
    from tests.factories import make_clinic

    public = client.get(f"/c/{make_clinic().slug}/reach-out/").content.decode()
    assert (
        '<input type="tel" name="phone" inputmode="tel" autocomplete="tel" maxlength="40"' in public
    )
    assert 'type="email" name="email" autocomplete="email"' in public
    staff = signed_in(world.alice).get(f"/clients/{world.amara.pk}/edit/").content.decode()
    for name in ("phone", "emergency_contact_phone"):
        # Staff type a client's number: the browser must not offer their own.
        assert f'<input type="tel" name="{name}" inputmode="tel" autocomplete="off"' in staff


def test_required_fields_are_marked_and_the_mark_explained_once_per_form(client, world):
    import re

    from tests.factories import make_clinic

    public = client.get(f"/c/{make_clinic().slug}/reach-out/").content.decode()
    assert public.count("Fields marked * must be filled in.") == 1
    mark = '<span class="required-mark" aria-hidden="true"> *</span>'
    assert f"Your name, or a name we can call you{mark}</label>" in public
    assert re.search(r'<input type="text" name="name"[^>]* required ', public)
    assert f"Email address{mark}" not in public  # optional: no mark, no required
    assert not re.search(r'<input type="email" name="email"[^>]* required', public)
    # A form drawn by includes/fields.html says it once too; one without required fields not.
    editor = signed_in(world.admin).get("/clinic/public-pages/").content.decode()
    assert editor.count("Fields marked * must be filled in.") == 1
    assert f"Heading{mark}</label>" in editor
    audit = signed_in(world.admin).get("/clinic/audit/").content.decode()
    assert "Fields marked *" not in audit and mark not in audit
    # A list that always has a choice made cannot be left empty: no mark (and Django gives it
    # no "required"); a required list with an empty first choice is marked.
    person = signed_in(world.alice).get(f"/clients/{world.amara.pk}/inventory/new/")
    person = person.content.decode()
    assert f"Knows about the depression{mark}" not in person
    assert "Knows about the depression</label>" in person
    assert f"Name or label{mark}</label>" in person
