"""The safety plan through HTTP: made with the client by the care team and by the client in
the portal, every save kept as a version, printable, and part of the crisis response."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.safety.models import Alert, CrisisText, SafetyPlanVersion
from tests.factories import make_client, signed_in

pytestmark = pytest.mark.django_db

RISK = "Honestly some days I want to die."
CRISIS_EN = "Hillside night line: 0100 200 300."


@pytest.fixture
def world(world):
    CrisisText.objects.create(clinic=world.clinic, language="en", text=CRISIS_EN)
    return world


def plan_url(client: Client) -> str:
    return f"/clients/{client.pk}/safety-plan/"


def test_clinician_writes_the_plan_and_every_save_keeps_the_earlier_version(world):
    http = signed_in(world.alice)
    assert "Write the plan" in http.get(plan_url(world.amara)).content.decode()
    first = {"based_on": "0", "coping": "Walk in the park", "help": "Ana: 555-0142"}
    response = http.post(plan_url(world.amara), first, follow=True)
    assert "Safety plan saved (version 1)." in response.content.decode()
    second = {**first, "based_on": "1", "coping": "Walk in the park with music"}
    response = http.post(plan_url(world.amara), second, follow=True)
    html = response.content.decode()
    assert "Safety plan saved (version 2)." in html
    assert "Walk in the park with music" in html and 'href="tel:5550142"' in html
    assert "Version 1" in html and "Version 2" in html  # the versions list
    versions = list(SafetyPlanVersion.objects.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].sections["coping"] == "Walk in the park"  # the earlier one is unchanged
    assert {v.saved_by for v in versions} == {world.alice}
    earlier = http.get(plan_url(world.amara) + "?version=1").content.decode()
    assert "an earlier version" in earlier and "Walk in the park<" in earlier
    saves = AuditEvent.objects.filter(action="safety_plan.save")
    assert saves.count() == 2 and all("park" not in e.detail for e in saves)
    assert AuditEvent.objects.filter(action="safety_plan.view", actor_id=world.alice.pk).exists()


def test_saving_an_unchanged_plan_adds_no_version(world):
    http = signed_in(world.alice)
    http.post(plan_url(world.amara), {"based_on": "0", "coping": "Walk"})
    response = http.post(plan_url(world.amara), {"based_on": "1", "coping": "Walk"}, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert SafetyPlanVersion.objects.count() == 1


def test_another_clinics_clinician_is_denied_and_nothing_changes(world):
    SafetyPlanVersion.objects.create(
        client=world.amara,
        number=1,
        sections={"coping": "Walk"},
        saved_by=world.alice,
        saved_as="clinician",
    )
    for user in (world.far_clinician, world.bob):
        http = signed_in(user)
        assert http.get(plan_url(world.amara)).status_code == 404
        assert http.get(plan_url(world.amara) + "print/").status_code == 404
        response = http.post(plan_url(world.amara), {"based_on": "1", "coping": "Changed"})
        assert response.status_code == 404
    assert SafetyPlanVersion.objects.count() == 1


def test_supervisor_reads_the_plan_but_cannot_save_it(world):
    http = signed_in(world.sue)
    page = http.get(plan_url(world.amara))
    assert page.status_code == 200 and "Save the plan" not in page.content.decode()
    assert http.post(plan_url(world.amara), {"based_on": "0", "coping": "x"}).status_code == 404
    assert not SafetyPlanVersion.objects.exists()


def test_client_writes_their_own_plan_in_the_portal_and_the_team_sees_it(world):
    http = signed_in(world.portal)
    assert 'href="/portal/safety-plan/"' in http.get("/portal/").content.decode()
    response = http.post("/portal/safety-plan/", {"based_on": "0", "reasons": "My niece"})
    assert response.status_code == 302
    version = SafetyPlanVersion.objects.get()
    assert (version.saved_by, version.saved_as) == (world.portal, "client")
    assert not Alert.objects.exists()
    html = signed_in(world.alice).get(plan_url(world.amara)).content.decode()
    assert "My niece" in html and "Client" in html
    assert AuditEvent.objects.filter(action="portal.safety_plan_open", role="client").exists()


def test_risk_words_in_the_portal_plan_raise_one_alert_and_show_the_crisis_response(world):
    http = signed_in(world.portal)
    http.post("/portal/safety-plan/", {"based_on": "0", "help": "Ana: 555-0142"})
    response = http.post(
        "/portal/safety-plan/",
        {"based_on": "1", "help": "Ana: 555-0142", "warning_signs": RISK},
    )
    html = response.content.decode()
    assert response.status_code == 200  # the same response, not a redirect
    assert "You do not have to wait for your next session" in html
    assert "Your clinician will see this when they next open Gentle" in html
    assert 'Hillside night line: <a href="tel:0100200300">0100 200 300</a>' in html
    assert "From your safety plan" in html and 'href="tel:5550142"' in html
    assert SafetyPlanVersion.objects.count() == 2  # saved, with the words
    alert = Alert.objects.get()
    assert (alert.source, alert.client_id) == ("safety_plan", world.amara.pk)
    # Changing another section later does not raise the same words again.
    response = http.post(
        "/portal/safety-plan/",
        {"based_on": "2", "help": "Ana: 555-0142", "warning_signs": RISK, "coping": "Tea"},
    )
    assert response.status_code == 302
    assert Alert.objects.count() == 1 and SafetyPlanVersion.objects.count() == 3


def test_the_clinicians_words_do_not_raise_an_alert(world):
    signed_in(world.alice).post(
        plan_url(world.amara), {"based_on": "0", "warning_signs": "Thinking 'I want to die'"}
    )
    assert SafetyPlanVersion.objects.count() == 1 and not Alert.objects.exists()


def test_a_100_kb_section_is_refused_and_what_was_typed_is_kept(world):
    long_text = "I go for a walk. " * 6000
    for http, url in (
        (signed_in(world.portal), "/portal/safety-plan/"),
        (signed_in(world.alice), plan_url(world.amara)),
    ):
        response = http.post(url, {"based_on": "0", "coping": long_text, "reasons": "My niece"})
        html = response.content.decode()
        assert response.status_code == 400
        assert "at most 4000 characters" in html
        assert "My niece" in html and "I go for a walk. I go for a walk." in html
    assert not SafetyPlanVersion.objects.exists()


def test_an_empty_plan_is_refused(world):
    response = signed_in(world.portal).post(
        "/portal/safety-plan/", {"based_on": "0", "coping": "   "}
    )
    assert response.status_code == 400
    assert "the plan cannot be empty" in response.content.decode()
    assert not SafetyPlanVersion.objects.exists()


def test_a_save_over_a_newer_version_is_refused_and_keeps_what_was_typed(world):
    signed_in(world.alice).post(plan_url(world.amara), {"based_on": "0", "coping": "Walk"})
    response = signed_in(world.portal).post(
        "/portal/safety-plan/", {"based_on": "0", "coping": "Swim"}
    )
    html = response.content.decode()
    assert response.status_code == 409 and "Someone saved a newer version" in html
    assert "Swim</textarea>" in html and 'name="based_on" value="1"' in html
    assert SafetyPlanVersion.objects.get().sections == {"coping": "Walk"}


def test_plan_text_is_escaped_everywhere_it_is_shown(world):
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)"> call 555-0100'
    signed_in(world.alice).post(plan_url(world.amara), {"based_on": "0", "help": attack})
    pages = [
        signed_in(world.alice).get(plan_url(world.amara)),
        signed_in(world.alice).get(plan_url(world.amara) + "print/"),
        signed_in(world.portal).get("/portal/safety-plan/print/"),
    ]
    for page in pages:
        html = page.content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html and 'href="tel:5550100"' in html


def test_print_page_shows_every_section_and_how_to_get_help_now(world):
    signed_in(world.alice).post(
        plan_url(world.amara), {"based_on": "0", "professionals": "Clinic 555-0100"}
    )
    for http, url in (
        (signed_in(world.alice), plan_url(world.amara) + "print/"),
        (signed_in(world.portal), "/portal/safety-plan/print/"),
    ):
        response = http.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "My safety plan" in html and "version 1" in html
        assert "My warning signs" in html and "What matters most to me" in html  # all seven
        assert 'href="tel:5550100"' in html and "Hillside night line" in html
        assert "Print command" in html


def test_portal_plan_is_in_spanish_for_a_spanish_reader(world):
    http = signed_in(world.portal)
    http.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = http.get("/portal/safety-plan/").content.decode()
    assert "Mis señales de alarma" in html and "Personas a las que puedo pedir ayuda" in html


def test_alert_page_include_shows_the_plans_crisis_parts_and_a_link(world):
    plan = SafetyPlanVersion.objects.create(
        client=world.amara,
        number=1,
        sections={"help": "Ana: 555-0142", "reasons": "My niece"},
        saved_by=world.alice,
        saved_as="clinician",
    )
    other = make_client(world.amara.clinic, clinicians=[world.alice])
    with translation.override("en"):  # a page rendered earlier may have left another active
        html = render_to_string(
            "safety/_alert_safety_plan.html", {"client": world.amara, "plan": plan}
        )
        empty = render_to_string("safety/_alert_safety_plan.html", {"client": other, "plan": None})
    assert "People I can ask for help" in html and 'href="tel:5550142"' in html
    assert "My niece" not in html  # only the parts for a crisis
    assert f'href="/clients/{world.amara.pk}/safety-plan/"' in html
    assert "no safety plan yet" in empty


def test_client_record_links_to_the_plan(world):
    html = signed_in(world.alice).get(f"/clients/{world.amara.pk}/").content.decode()
    assert f'href="/clients/{world.amara.pk}/safety-plan/"' in html
