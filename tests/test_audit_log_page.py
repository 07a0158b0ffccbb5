"""The audit log as an administrator reads it (issue 21): each action by a label with its code
beside it, roles by name, the action filter a choice of labelled families; the public-page
editor names sections by their headings. (Paging: tests/test_keyset_pages.py.)"""

import re

import pytest
from django.db import transaction

from gentle.audit.log import record
from gentle.audit.names import Action
from tests.factories import signed_in, visible_text

pytestmark = pytest.mark.django_db

AUDIT = "/clinic/audit/"


def add_rows(world, *actions: Action, role: str = "clinician") -> None:
    with transaction.atomic():
        for action in actions:
            record(action, actor=world.alice, role=role, clinic_id=world.clinic.pk)


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [visible_text(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_each_row_reads_as_a_label_with_its_code_small_beside_it(world):
    add_rows(world, Action.NOTE_SIGN)
    html = signed_in(world.admin).get(AUDIT).content.decode()
    assert 'Signed a progress note <code class="action-code">note.sign</code>' in html
    (row,) = [r for r in rows(html) if "note.sign" in r]
    assert "Clinician" in row and " clinician " not in f" {row} "


def test_a_row_recorded_without_a_role_says_so(world):
    add_rows(world, Action.ALERT_ESCALATE, role="")
    html = signed_in(world.admin).get(AUDIT).content.decode()
    (row,) = [r for r in rows(html) if "alert.escalate" in r]
    assert "Escalated a safety alert" in row and "Not recorded" in row


def test_the_action_filter_is_a_choice_of_labelled_families(world):
    html = signed_in(world.admin).get(AUDIT).content.decode()
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert '<option value="" selected>Every action</option>' in select
    assert '<option value="note">Progress notes</option>' in select
    assert '<option value="role">Roles</option>' in select
    assert 'type="text" name="action"' not in html


def test_filtering_by_a_family_shows_its_actions_only(world):
    add_rows(world, Action.CLIENT_VIEW, Action.CLIENT_ACCESS_LOG_VIEW, Action.CLINIC_SWITCH)
    add_rows(world, Action.CLINIC_STATISTICS_COMPUTE, Action.ROLE_ADD)
    http = signed_in(world.admin)
    shown = " ".join(rows(http.get(f"{AUDIT}?action=client").content.decode()))
    assert "client.view" in shown and "client.access_log.view" in shown
    # "client" is a family, not a prefix of the code: clinic.* rows are not in it.
    assert "clinic.switch" not in shown and "clinic_statistics" not in shown
    assert "role.add" not in shown and "audit.view" not in shown
    html = http.get(f"{AUDIT}?action=role").content.decode()
    assert '<option value="role" selected>Roles</option>' in html
    assert [r for r in rows(html) if "role.add" in r] and "client.view" not in html


def test_an_unknown_family_is_refused_clearly_and_nothing_is_filtered(world):
    add_rows(world, Action.CLIENT_VIEW)
    response = signed_in(world.admin).get(f"{AUDIT}?action=client.vi")
    text = visible_text(response)
    assert response.status_code == 200
    assert "Select a valid choice." in text
    assert "client.view" in text


def test_the_clients_access_log_shows_labels_too(world):
    with transaction.atomic():
        record(Action.CLIENT_VIEW, actor=world.alice, role="clinician", client=world.amara)
    html = signed_in(world.alice).get(f"/clients/{world.amara.pk}/access-log/").content.decode()
    assert 'Viewed a client record <code class="action-code">client.view</code>' in html


def test_the_public_page_editor_names_sections_by_their_headings(world):
    html = signed_in(world.admin).get("/clinic/public-pages/").content.decode()
    select = re.search(r'<select id="pick-section"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert '<option value="ipt" selected>What IPT is</option>' in select
    assert '<option value="reach">Reaching out</option>' in select
    assert ">ipt<" not in select
    spanish = signed_in(world.admin, HTTP_ACCEPT_LANGUAGE="es").get("/clinic/public-pages/")
    assert '<option value="ipt" selected>Qué es la TIP</option>' in spanish.content.decode()


def test_filtering_by_a_persons_address_shows_that_persons_rows_only(world):
    add_rows(world, Action.NOTE_SIGN)
    with transaction.atomic():
        record(Action.ROLE_ADD, actor=world.bob, role="clinician", clinic_id=world.clinic.pk)
    http = signed_in(world.admin)
    shown = rows(http.get(AUDIT, {"actor": world.alice.email.upper()}).content.decode())
    assert shown and all(world.alice.email in row for row in shown)
    assert any("note.sign" in row for row in shown)
    assert not any("role.add" in row for row in shown)


def test_part_of_an_address_is_refused_clearly_and_kept_in_the_field(world):
    """It was a substring search over every label of the clinic (issue 20); now a person."""
    add_rows(world, Action.NOTE_SIGN)
    part = world.alice.email.split("@")[0]
    response = signed_in(world.admin).get(AUDIT, {"actor": part})
    text = visible_text(response)
    assert "Enter a valid email address." in text
    assert f'value="{part}"' in response.content.decode()
    assert "note.sign" in text  # nothing filtered while the filter is wrong


def test_an_address_without_an_account_finds_nothing_and_says_no_more(world):
    add_rows(world, Action.NOTE_SIGN)
    response = signed_in(world.admin).get(AUDIT, {"actor": "nobody@example.org"})
    assert response.status_code == 200
    assert rows(response.content.decode()) == ["Nothing recorded."]
    assert "Enter a valid" not in visible_text(response)
