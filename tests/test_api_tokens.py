"""The API for integrations with personal access tokens (ADR 0062), through HTTP: an
administrator makes a token (shown once, stored hashed); the token reads as its person, limited
by its scopes and their access rules; each use is audited with the token's id; expired, revoked
and unknown tokens get 401; a token over its rate gets 429; every list is a keyset page; each
endpoint's query count does not grow with the data."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentle.accounts.models import ApiToken
from gentle.audit.models import AuditEvent
from gentle.measures.models import Administration
from gentle.safety.models import Alert
from tests.factories import make_client, make_course, make_session, signed_in

pytestmark = pytest.mark.django_db

JSON = "application/json"
PHQ9_ITEM9 = {f"phq9_{n}": 1 for n in range(1, 9)} | {"phq9_9": 3}


def make_token(world, *, scopes=("read",), user=None, days=30) -> str:
    """A token made through the administrator's page; returns the secret shown once."""
    admin = signed_in(world.admin)
    response = admin.post(
        "/clinic/api-tokens/",
        {
            "name": "Reporting",
            "user": (user or world.alice).pk,
            "scopes": list(scopes),
            "days": days,
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    found = re.search(r'value="(gentle_[^"]+)"', response.content.decode())
    assert found, "the token is shown on the page"
    return found[1]


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def get(secret: str, url: str):
    return HttpClient().get(url, **bearer(secret))


# Making tokens -------------------------------------------------------------------------------


def test_an_administrator_makes_a_token_shown_once_and_stored_hashed(world):
    secret = make_token(world, scopes=("read", "administrations:write"))
    token = ApiToken.objects.get()
    assert token.token_hash != secret and secret not in json.dumps(
        list(ApiToken.objects.values()), default=str
    )
    assert token.prefix == secret[:11] and token.user == world.alice
    assert token.scopes == ["administrations:write", "read"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor_id, event.object_id) == (world.admin.pk, str(token.pk))
    # The list shows the token's prefix and state, never the secret again.
    page = signed_in(world.admin).get("/clinic/api-tokens/").content.decode()
    assert token.prefix in page and secret not in page and "Never" in page


def test_a_token_is_only_for_the_clinics_clinicians_and_supervisors(world):
    admin = signed_in(world.admin)
    for user in (world.admin, world.portal, world.far_clinician):
        response = admin.post(
            "/clinic/api-tokens/", {"name": "X", "user": user.pk, "scopes": ["read"], "days": 30}
        )
        assert response.status_code == 400
    response = admin.post("/clinic/api-tokens/", {"name": "X", "user": world.alice.pk, "days": 30})
    assert response.status_code == 400  # no scope
    response = admin.post(
        "/clinic/api-tokens/",
        {"name": "X", "user": world.alice.pk, "scopes": ["read"], "days": 10_000},
    )
    assert response.status_code == 400  # longer than GENTLE_API_TOKEN_MAX_DAYS
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working_at_once(world):
    secret = make_token(world)
    assert get(secret, "/api/v1/clients/").status_code == 200
    token = ApiToken.objects.get()
    response = signed_in(world.admin).post(f"/clinic/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    response = get(secret, "/api/v1/clients/")
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_expired_unknown_and_malformed_tokens_get_a_json_401(world):
    secret = make_token(world)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for value in (secret, "gentle_" + "x" * 43, "nonsense", ""):
        response = get(value, "/api/v1/clients/")
        assert response.status_code == 401, value
        assert response["Content-Type"] == JSON
        assert response.json()["error"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not AuditEvent.objects.filter(action="api_token.use").exists()


def test_a_bad_token_does_not_fall_back_to_the_session(world):
    http = signed_in(world.alice)
    assert http.get("/api/v1/clients/").status_code == 200
    assert http.get("/api/v1/clients/", **bearer("gentle_wrong")).status_code == 401


# Reading as the token's person ----------------------------------------------------------------


def test_a_token_reads_what_its_person_may_open_and_each_use_is_audited(world):
    secret = make_token(world)
    token = ApiToken.objects.get()
    body = get(secret, "/api/v1/clients/").json()
    assert [c["id"] for c in body["items"]] == [world.amara.pk]
    assert body["items"][0]["access"] == "care_team" and body["next"] is None
    # Another clinic's client and a colleague's client are not there: 404, as if missing.
    other = make_client(world.clinic, clinicians=[world.bob])
    for client in (world.far_client, other):
        response = get(secret, f"/api/v1/clients/{client.pk}/")
        assert response.status_code == 404 and response.json()["error"] == "not found"
    assert get(secret, f"/api/v1/clients/{world.amara.pk}/").json()["given_name"] == "Amara"
    uses = AuditEvent.objects.filter(action="api_token.use")
    assert uses.count() == 4
    assert {(e.actor_id, e.object_id) for e in uses} == {(world.alice.pk, str(token.pk))}
    # The read itself is audited as the token's person, in the same request.
    view = AuditEvent.objects.get(action="client.view", client_id=world.amara.pk)
    assert view.actor_id == world.alice.pk
    use = uses.order_by("-pk").first()
    assert use.request_id and use.request_id == view.request_id
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_for_a_supervisor_reads_and_cannot_write(world):
    secret = make_token(world, user=world.sue, scopes=("read", "administrations:write"))
    assert get(secret, f"/api/v1/clients/{world.amara.pk}/courses/").status_code == 200
    response = HttpClient().post(
        f"/api/v1/clients/{world.amara.pk}/administrations/",
        json.dumps({"instrument": "gad7", "mode": "in_session"}),
        content_type=JSON,
        **bearer(secret),
    )
    assert response.status_code == 404  # the supervisor's own rule: reads only
    assert not Administration.objects.exists()


def test_a_token_without_the_write_scope_gets_403_and_writes_nothing(world):
    secret = make_token(world, scopes=("read",))
    response = HttpClient().post(
        f"/api/v1/clients/{world.amara.pk}/administrations/",
        json.dumps({"instrument": "gad7", "mode": "in_session"}),
        content_type=JSON,
        **bearer(secret),
    )
    assert response.status_code == 403
    assert "administrations:write" in response.json()["message"]
    assert not Administration.objects.exists()


def test_a_write_only_token_cannot_read(world):
    secret = make_token(world, scopes=("administrations:write",))
    response = get(secret, "/api/v1/clients/")
    assert response.status_code == 403 and "read" in response.json()["message"]


def test_a_token_submits_a_phq9_and_item_9_raises_the_alert(world):
    secret = make_token(world, scopes=("read", "administrations:write"))
    response = HttpClient().post(
        f"/api/v1/clients/{world.amara.pk}/administrations/",
        json.dumps(
            {"instrument": "phq9", "mode": "in_session", "answers": PHQ9_ITEM9, "submit": True}
        ),
        content_type=JSON,
        **bearer(secret),
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["status"] == "submitted" and body["alerts_raised"]
    assert Alert.objects.filter(client=world.amara).exists()
    administration = Administration.objects.get()
    assert administration.created_by == world.alice
    submit = AuditEvent.objects.get(action="administration.submit")
    use = AuditEvent.objects.get(action="api_token.use")
    assert submit.actor_id == world.alice.pk and submit.request_id == use.request_id
    # No CSRF token is needed with a token (it is not a browser's ambient credential).
    assert get(secret, response["Location"]).json()["id"] == body["id"]


# Limits --------------------------------------------------------------------------------------


def test_a_token_over_its_rate_gets_a_json_429_with_retry_after(world, settings):
    settings.GENTLE_API_RATE_PER_MINUTE = 2
    secret = make_token(world)
    statuses = [get(secret, "/api/v1/clients/").status_code for _ in range(3)]
    assert statuses[:2] == [200, 200]
    response = get(secret, "/api/v1/clients/")
    assert response.status_code == 429
    assert response.json()["error"] == "too many requests"
    assert 1 <= int(response["Retry-After"]) <= 61
    # Another token has its own count.
    assert get(make_token(world), "/api/v1/clients/").status_code == 200


def test_a_body_over_one_megabyte_gets_413_before_it_is_read(world):
    secret = make_token(world, scopes=("read", "administrations:write"))
    body = json.dumps({"instrument": "gad7", "mode": "in_session", "pad": "x" * 1_048_576})
    response = HttpClient().post(
        f"/api/v1/clients/{world.amara.pk}/administrations/",
        body,
        content_type=JSON,
        **bearer(secret),
    )
    assert response.status_code == 413 and response.json()["error"] == "too large"
    assert not Administration.objects.exists()


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "after=-1", "after=x", "limit=1.5"])
def test_bad_page_parameters_get_a_json_400(world, query):
    secret = make_token(world)
    response = get(secret, f"/api/v1/clients/?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == "bad request"
    assert set(response.json()["errors"]) <= {"limit", "after"}


# Pages and query counts ----------------------------------------------------------------------


def _fill(world, n: int) -> None:
    for _ in range(n):
        course = make_course(world.amara)
        make_session(course, world.alice)
        make_client(world.clinic, clinicians=[world.alice])
        Administration.objects.create(
            client=world.amara,
            course=course,
            instrument_id="gad7",
            instrument_version=1,
            mode="in_session",
            created_by=world.alice,
        )


def test_every_list_is_a_keyset_page_with_a_next_link(world):
    _fill(world, 3)
    secret = make_token(world)
    for url, total in (
        ("/api/v1/clients/", 4),
        (f"/api/v1/clients/{world.amara.pk}/courses/", 3),
        (f"/api/v1/clients/{world.amara.pk}/sessions/", 3),
        (f"/api/v1/clients/{world.amara.pk}/administrations/", 3),
    ):
        seen, next_url = [], f"{url}?limit=2"
        while next_url:
            body = get(secret, next_url).json()
            assert len(body["items"]) <= 2
            seen += [item["id"] for item in body["items"]]
            next_url = body["next"]
        assert len(seen) == total and seen == sorted(seen), url


def _queries(secret: str, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get(secret, url).status_code == 200
    return len(queries)


def test_each_endpoints_query_count_does_not_grow_with_the_data(world):
    secret = make_token(world)
    course = make_course(world.amara)
    first = Administration.objects.create(
        client=world.amara,
        course=course,
        instrument_id="phq9",
        instrument_version=1,
        mode="in_session",
        created_by=world.alice,
    )
    urls = [
        "/api/v1/clients/",
        f"/api/v1/clients/{world.amara.pk}/",
        f"/api/v1/clients/{world.amara.pk}/courses/",
        f"/api/v1/clients/{world.amara.pk}/sessions/",
        f"/api/v1/clients/{world.amara.pk}/administrations/",
        f"/api/v1/administrations/{first.pk}/",
        f"/api/v1/courses/{course.pk}/outcome/",
    ]
    get(secret, urls[0])  # the first request of a token warms nothing the others need
    small = {url: _queries(secret, url) for url in urls}
    _fill(world, 8)
    large = {url: _queries(secret, url) for url in urls}
    assert large == small
    assert max(small.values()) <= 20, small


def test_a_course_outcome_through_the_selector(world):
    secret = make_token(world)
    course = make_course(world.amara)
    body = get(secret, f"/api/v1/courses/{course.pk}/outcome/").json()
    assert body == {
        "course_id": course.pk,
        "scored": False,
        "rule_set": "",
        "judged_on": [],
        "attended": None,
        "complete": None,
        "not_yet": [],
        "result": None,
    }
    other = make_course(world.far_client)
    assert get(secret, f"/api/v1/courses/{other.pk}/outcome/").status_code == 404


def test_the_openapi_document_names_the_token_and_the_session(client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    lists = [p for p in document["paths"] if p.endswith("s/")]
    for path in lists:
        names = {p["name"] for p in document["paths"][path]["get"]["parameters"]}
        assert {"after", "limit"} <= names, path
