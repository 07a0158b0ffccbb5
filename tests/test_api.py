"""The JSON API for administrations, through HTTP: creating (saving or submitting), reading,
refused bodies and answers, who gets 404, CSRF, and the OpenAPI document."""

import json
import re

import pytest
from django.test import Client as HttpClient
from django.urls import resolve

from gentle.audit.models import AuditEvent
from gentle.clients.models import Client
from gentle.lib.routes import RULES
from gentle.measures.models import Administration
from gentle.safety.models import Alert
from tests.factories import signed_in

pytestmark = pytest.mark.django_db

# Items 1-9 sum to 10 (Moderate); the difficulty item is not part of the total.
PHQ9_MODERATE = [1, 2, 1, 2, 1, 1, 1, 1, 0]
JSON = "application/json"


@pytest.fixture
def alice(client, world) -> HttpClient:
    client.force_login(world.alice)
    return client


def create_url(record: Client) -> str:
    return f"/api/v1/clients/{record.pk}/administrations/"


def detail_url(administration_id: int) -> str:
    return f"/api/v1/administrations/{administration_id}/"


def phq9(items, difficulty=None) -> dict[str, int]:
    answers = {f"phq9_{n}": value for n, value in enumerate(items, start=1)}
    if difficulty is not None:
        answers["phq9_difficulty"] = difficulty
    return answers


def post(http: HttpClient, record: Client, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return http.post(create_url(record), data, content_type=JSON, **extra)


def submit_phq9(http: HttpClient, record: Client, items) -> dict:
    response = post(
        http,
        record,
        {"instrument": "phq9", "mode": "in_session", "answers": phq9(items), "submit": True},
    )
    assert response.status_code == 201, response.content.decode()
    return response.json()


def refused(response, field: str, message: str | None = None) -> dict:
    assert response.status_code == 400, response.content.decode()
    assert response["Content-Type"] == JSON
    errors = response.json()["errors"]
    assert field in errors, errors
    if message is not None:
        assert errors[field] == message
    return errors


NOT_FOUND = {"error": "not found", "message": "There is nothing here, or nothing you may see."}


def assert_not_found(response) -> None:
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def api_error(response, status: int, code: str) -> dict:
    """A JSON error of the API's one shape: {"error": code, "message": ...}."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == JSON
    body = response.json()
    assert body["error"] == code and body["message"], body
    return body


# Creating ------------------------------------------------------------------------------------


def test_create_and_submit_a_phq9_answers_201_with_scores_and_is_audited(alice, world):
    response = post(
        alice,
        world.amara,
        {
            "instrument": "phq9",
            "mode": "in_session",
            "answers": phq9(PHQ9_MODERATE, difficulty=3),
            "submit": True,
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    administration = Administration.objects.get(client=world.amara)
    assert response["Location"] == detail_url(administration.pk)
    assert body["id"] == administration.pk
    assert body["client_id"] == world.amara.pk
    assert body["instrument"] == {"id": "phq9", "version": 1, "name": "PHQ-9 (depression)"}
    assert (body["mode"], body["status"], body["corrects"]) == ("in_session", "submitted", None)
    assert body["submitted_at"] is not None
    assert body["answers"] == phq9(PHQ9_MODERATE, difficulty=3)
    assert body["scores"] == [
        {"id": "total", "label": "PHQ-9 total", "value": 10, "band": "Moderate", "loinc": "44261-6"}
    ]
    assert body["change_from_first"] == {
        "score": "total",
        "first_administration_id": administration.pk,
        "first_value": 10,
        "change": 0,
    }
    assert body["alerts_raised"] == []
    assert (administration.status, administration.scores) == ("submitted", {"total": 10})
    assert administration.submitted_by == world.alice
    for action in ("measures.open", "administration.create", "administration.submit"):
        event = AuditEvent.objects.get(action=action)
        assert event.actor_id == world.alice.pk
        assert event.client_id == world.amara.pk
    assert "channel=api" in AuditEvent.objects.get(action="measures.open").detail


def test_an_epds_answered_through_the_api_carries_its_loinc_total(alice, world):
    """Finding (issue 23): the EPDS had no LOINC codes, so its scores left Gentle uncoded."""
    answers = {f"epds_{n}": 0 for n in range(1, 11)}
    response = post(
        alice,
        world.amara,
        {"instrument": "epds", "mode": "in_session", "answers": answers, "submit": True},
    )
    assert response.status_code == 201, response.content.decode()
    [total] = response.json()["scores"]
    assert (total["id"], total["value"], total["loinc"]) == ("total", 0, "99046-5")


def test_submitted_answers_that_trigger_a_safety_rule_raise_an_alert(alice, world):
    body = submit_phq9(alice, world.amara, [1, 1, 1, 1, 1, 1, 1, 1, 2])
    assert [(a["rule"], a["severity"]) for a in body["alerts_raised"]] == [
        ("phq9_item9_often", "high")
    ]
    alert = Alert.objects.get(client=world.amara)
    assert (alert.source_id, alert.rule_id) == (str(body["id"]), "phq9_item9_often")


def test_saved_answers_that_trigger_a_safety_rule_raise_an_alert_at_once(alice, world):
    response = post(
        alice,
        world.amara,
        {"instrument": "phq9", "mode": "in_session", "answers": {"phq9_9": 1}},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "in_progress"
    assert [(a["rule"], a["severity"]) for a in body["alerts_raised"]] == [
        ("phq9_item9_some", "moderate")
    ]
    alert = Alert.objects.get(client=world.amara)
    assert (alert.source_id, alert.rule_id) == (str(body["id"]), "phq9_item9_some")


def test_save_only_creates_an_in_progress_administration_without_scores(alice, world):
    response = post(
        alice,
        world.amara,
        {"instrument": "phq9", "mode": "in_session", "answers": {"phq9_1": 1, "phq9_2": 3}},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["submitted_at"], body["scores"]) == ("in_progress", None, [])
    assert body["answers"] == {"phq9_1": 1, "phq9_2": 3}
    assert body["change_from_first"] is None
    administration = Administration.objects.get(pk=body["id"])
    assert administration.status == "in_progress"
    assert administration.answers == {"phq9_1": 1, "phq9_2": 3}
    assert administration.scores == {}
    assert AuditEvent.objects.filter(
        action="administration.save", object_id=str(administration.pk)
    ).exists()


def test_a_self_report_instrument_is_assigned_to_the_portal_with_its_due_date(alice, world):
    response = post(
        alice, world.amara, {"instrument": "gad7", "mode": "portal", "due_on": "2026-03-02"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["mode"], body["status"], body["due_on"]) == ("portal", "assigned", "2026-03-02")


def test_change_from_first_for_a_later_phq9(alice, world):
    first = submit_phq9(alice, world.amara, [2] * 9)  # 18
    later = submit_phq9(alice, world.amara, PHQ9_MODERATE)  # 10
    assert later["change_from_first"] == {
        "score": "total",
        "first_administration_id": first["id"],
        "first_value": 18,
        "change": -8,
    }
    read = alice.get(detail_url(later["id"])).json()
    assert read["change_from_first"] == later["change_from_first"]


# Refused bodies and answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        "",
        '"phq9"',
    ],
)
def test_a_bad_json_body_is_refused(alice, world, body):
    refused(post(alice, world.amara, body), "body")
    assert not Administration.objects.exists()


def test_a_form_body_is_refused_as_not_json(alice, world):
    response = alice.post(create_url(world.amara), {"instrument": "phq9", "mode": "in_session"})
    refused(response, "body")
    assert not Administration.objects.exists()


def test_an_unknown_instrument_is_refused(alice, world):
    refused(post(alice, world.amara, {"instrument": "bdi2", "mode": "in_session"}), "instrument")
    errors = refused(
        post(alice, world.amara, {"instrument": 9, "mode": "in_session"}), "instrument"
    )
    assert errors["instrument"] == "Expected a string."
    assert not Administration.objects.exists()


def test_unknown_fields_and_wrong_types_are_refused(alice, world):
    errors = refused(
        post(
            alice,
            world.amara,
            {
                "instrument": "phq9",
                "mode": "in_session",
                "submitted": True,
                "submit": "yes",
                "answers": [1, 2],
                "due_on": "02/03/2026",
            },
        ),
        "submitted",
    )
    assert set(errors) == {"submitted", "submit", "answers", "due_on"}
    assert not Administration.objects.exists()


def test_out_of_range_answer_is_refused_naming_the_question_and_nothing_is_stored(alice, world):
    events = AuditEvent.objects.exclude(action="measures.open").count()
    for submit in (True, False):
        answers = phq9([1, 1, 7, 1, 1, 1, 1, 1, 1])
        response = post(
            alice,
            world.amara,
            {"instrument": "phq9", "mode": "in_session", "answers": answers, "submit": submit},
        )
        errors = refused(response, "phq9_3", "Question 3: choose one of the answers offered.")
        assert list(errors) == ["phq9_3"]
    assert not Administration.objects.exists()
    assert AuditEvent.objects.exclude(action="measures.open").count() == events


@pytest.mark.parametrize("value", [True, 1.0, "1", [1], {"a": 1}])
def test_answers_must_be_whole_numbers(alice, world, value):
    answers = {**phq9(PHQ9_MODERATE), "phq9_1": value}
    response = post(
        alice,
        world.amara,
        {"instrument": "phq9", "mode": "in_session", "answers": answers, "submit": True},
    )
    refused(response, "phq9_1", "Question 1: choose one of the answers offered.")
    assert not Administration.objects.exists()


def test_missing_and_unknown_questions_are_refused_on_submit(alice, world):
    answers = phq9(PHQ9_MODERATE)
    del answers["phq9_4"]
    answers["phq9_10"] = 1
    response = post(
        alice,
        world.amara,
        {"instrument": "phq9", "mode": "in_session", "answers": answers, "submit": True},
    )
    errors = refused(response, "phq9_4", "Question 4 needs an answer.")
    assert "phq9_10" in errors
    assert not Administration.objects.exists()


def test_a_clinician_rated_instrument_cannot_go_to_the_portal(alice, world):
    response = post(alice, world.amara, {"instrument": "hamd17", "mode": "portal"})
    refused(response, "mode", "This questionnaire is rated by the clinician, not the client.")
    assert not Administration.objects.exists()


def test_a_portal_assignment_takes_no_answers(alice, world):
    response = post(
        alice,
        world.amara,
        {"instrument": "phq9", "mode": "portal", "answers": phq9(PHQ9_MODERATE), "submit": True},
    )
    refused(response, "answers")
    assert not Administration.objects.exists()


# Who may do what -----------------------------------------------------------------------------

GAD7_IN_SESSION = {"instrument": "gad7", "mode": "in_session"}


def test_a_clinician_of_another_clinic_gets_404_on_post(world):
    http = signed_in(world.far_clinician)
    assert_not_found(post(http, world.amara, GAD7_IN_SESSION))
    assert not Administration.objects.exists()
    assert not AuditEvent.objects.filter(client_id=world.amara.pk).exists()


def test_a_supervisor_gets_404_on_post(world):
    http = signed_in(world.sue)
    assert_not_found(post(http, world.amara, GAD7_IN_SESSION))
    assert not Administration.objects.exists()


def test_denied_people_get_404_before_the_body_is_read(world):
    for user in (world.sue, world.far_clinician, world.portal):
        response = post(signed_in(user), world.amara, "{not json")
        assert_not_found(response)


def test_an_unknown_client_gets_the_same_404(alice, world):
    assert_not_found(post(alice, Client(pk=world.amara.pk + 1000), GAD7_IN_SESSION))


def test_anonymous_gets_a_json_401_naming_the_ways_in_not_a_sign_in_redirect(client, world):
    response = post(client, world.amara, GAD7_IN_SESSION)
    body = api_error(response, 401, "unauthorized")
    assert "Bearer" in body["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Administration.objects.exists()


def test_a_supervisor_can_read_an_administration_and_it_is_audited(alice, world):
    created = submit_phq9(alice, world.amara, PHQ9_MODERATE)
    response = signed_in(world.sue).get(detail_url(created["id"]))
    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if k != "alerts_raised"} == {
        k: v for k, v in created.items() if k != "alerts_raised"
    }
    assert "alerts_raised" not in body
    event = AuditEvent.objects.get(action="administration.view")
    assert (event.actor_id, event.object_id) == (world.sue.pk, str(created["id"]))


def test_a_client_cannot_read_through_the_api(alice, world):
    created = submit_phq9(alice, world.amara, PHQ9_MODERATE)
    assert_not_found(signed_in(world.portal).get(detail_url(created["id"])))
    assert_not_found(signed_in(world.far_clinician).get(detail_url(created["id"])))
    assert_not_found(alice.get(detail_url(created["id"] + 1000)))


def test_reading_a_correction_names_what_it_corrects(alice, world):
    first = submit_phq9(alice, world.amara, PHQ9_MODERATE)
    assert alice.post(f"/administrations/{first['id']}/correct/").status_code == 302
    correction = Administration.objects.get(corrects_id=first["id"])
    body = alice.get(detail_url(correction.pk)).json()
    assert (body["corrects"], body["status"]) == (first["id"], "in_progress")
    assert body["answers"] == first["answers"]


# CSRF ----------------------------------------------------------------------------------------


def test_csrf_is_enforced(world):
    http = signed_in(world.alice, enforce_csrf_checks=True)
    response = post(http, world.amara, GAD7_IN_SESSION)
    assert response.status_code == 403
    assert not Administration.objects.exists()
    # The OpenAPI document sets the CSRF cookie; its value goes in X-CSRFToken.
    assert http.get("/api/v1/openapi.json").status_code == 200
    token = http.cookies["csrftoken"].value
    response = post(http, world.amara, GAD7_IN_SESSION, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content.decode()
    assert Administration.objects.filter(client=world.amara).count() == 1


def test_a_missing_csrf_token_gets_a_json_403(world):
    http = signed_in(world.alice, enforce_csrf_checks=True)
    body = api_error(post(http, world.amara, GAD7_IN_SESSION), 403, "forbidden")
    assert "X-CSRFToken" in body["message"]
    assert not Administration.objects.exists()


# Errors outside the views, and error bodies of bounded size ----------------------------------


def test_the_wrong_method_gets_a_json_405_naming_the_allowed_ones(alice, world):
    response = alice.put(create_url(world.amara), "{}", content_type=JSON)
    api_error(response, 405, "method not allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    response = alice.delete(detail_url(1))
    api_error(response, 405, "method not allowed")
    assert response["Allow"] == "GET"
    assert "no-store" in response["Cache-Control"]  # headers set inside are kept


def test_an_unknown_api_address_gets_the_same_json_404_as_a_forbidden_thing(client, alice, world):
    for http in (client, alice):
        for path in ("/api/v1/nothing/", "/api/v2/clients/1/administrations/", "/api/"):
            assert_not_found(http.get(path))
        assert_not_found(http.post("/api/v1/nothing/", "{}", content_type=JSON))
    # Pages outside the API keep their HTML 404.
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_a_body_over_the_upload_limit_gets_a_json_413_and_stores_nothing(alice, world, settings):
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({**GAD7_IN_SESSION, "padding": padding})
    api_error(post(alice, world.amara, body), 413, "too large")
    assert not Administration.objects.exists()


def test_two_megabytes_of_unknown_ids_get_a_short_json_413_not_an_echo(alice, world):
    """Issue 26: a 2 MB body of unknown ids got a 2.9 MB error echoing them all."""
    answers = {f"unknown_question_{n:07d}": 1 for n in range(70_000)}
    body = json.dumps({**GAD7_IN_SESSION, "answers": answers})
    assert len(body) > 2_000_000
    response = post(alice, world.amara, body)
    api_error(response, 413, "too large")
    assert len(response.content) < 500
    assert not Administration.objects.exists()


def test_fifty_thousand_unknown_answers_get_a_short_summary(alice, world):
    answers = {f"q{n}": 1 for n in range(50_000)}  # 0.6 MB, under the 1 MB limit
    response = post(alice, world.amara, {**GAD7_IN_SESSION, "answers": answers})
    body = api_error(response, 400, "bad request")
    assert len(response.content) < 5_000
    assert len(body["errors"]) == 20
    assert body["errors"]["q0"] == "This question is not part of the questionnaire."
    assert body["more_errors"] == 49_980 and "and 49,980 more" in body["message"]
    assert not Administration.objects.exists()


def test_long_ids_and_values_are_not_echoed_back_in_full(alice, world):
    long = "q" * 200_000
    for request in (
        {**GAD7_IN_SESSION, long: 1},
        {**GAD7_IN_SESSION, "answers": {long: 1}},
        {"instrument": long, "mode": "in_session"},
    ):
        response = post(alice, world.amara, request)
        body = api_error(response, 400, "bad request")
        assert len(response.content) < 5_000
        assert all(len(key) <= 64 and len(text) <= 300 for key, text in body["errors"].items())
    assert not Administration.objects.exists()


def test_an_unexpected_error_gets_a_json_500_without_detail(world, monkeypatch):
    from gentle.measures import api

    def broken(*args, **kwargs):
        raise RuntimeError("Amara said: I feel alone")

    monkeypatch.setattr(api, "administration_for", broken)
    http = signed_in(world.alice, raise_request_exception=False)
    response = http.get(detail_url(1))
    api_error(response, 500, "server error")
    assert "alone" not in response.content.decode()


# The OpenAPI document ------------------------------------------------------------------------


def openapi_document(http: HttpClient) -> dict:
    response = http.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON
    return json.loads(response.content)


def test_the_openapi_document_describes_every_operation(client):
    document = openapi_document(client)
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    assert set(paths) == {
        "/api/v1/clients/",
        "/api/v1/clients/{client_id}/",
        "/api/v1/clients/{client_id}/courses/",
        "/api/v1/clients/{client_id}/sessions/",
        "/api/v1/clients/{client_id}/administrations/",
        "/api/v1/administrations/{administration_id}/",
        "/api/v1/courses/{course_id}/outcome/",
    }
    create = paths["/api/v1/clients/{client_id}/administrations/"]["post"]
    assert set(create["responses"]) >= {"201", "400", "401", "403", "404", "405", "413", "429"}
    assert "requestBody" in create
    read = paths["/api/v1/administrations/{administration_id}/"]["get"]
    assert set(read["responses"]) >= {"200", "404", "405"}
    schemas = document["components"]["schemas"]
    assert "phq9" in schemas["AdministrationCreate"]["properties"]["instrument"]["enum"]
    assert set(schemas["AdministrationOut"]["required"]) >= {
        "id",
        "client_id",
        "instrument",
        "mode",
        "status",
        "created_at",
        "submitted_at",
        "corrects",
        "answers",
        "scores",
    }


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_in_the_openapi_document_resolves(client):
    document = openapi_document(client)
    for ref in _refs(document):
        node = document
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]


def test_every_openapi_path_resolves_to_a_declared_route(client):
    document = openapi_document(client)
    for template, operations in document["paths"].items():
        url = re.sub(r"\{[a-z_]+\}", "1", template)
        match = resolve(url)
        assert match.url_name in RULES, template
        for method in operations:
            assert method.upper() in RULES[match.url_name].methods, (template, method)
        names = set(re.findall(r"\{([a-z_]+)\}", template))
        assert names == set(match.kwargs), template
