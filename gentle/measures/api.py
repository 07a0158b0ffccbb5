"""A small JSON API for administrations: start (and save or submit) one, read one, and the
OpenAPI document that describes both.

The same doors and rules as the HTML pages: the client is fetched through ``client_for`` and an
administration through ``administration_for`` (audited; forbidden and missing both answer 404),
writes go through ``gentle.measures.actions``, and the start rules are ``StartForm``'s. Requests
use the signed-in session and Django's CSRF protection (send the token in ``X-CSRFToken``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients.access import client_for
from gentle.clients.models import Client
from gentle.lib.api_errors import api_error, field_errors
from gentle.measures import actions, selectors
from gentle.measures.access import administration_for
from gentle.measures.forms import StartForm
from gentle.measures.instruments import Rule, catalogue, localized
from gentle.measures.models import Administration, Mode, Status

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)
FIELDS = ("instrument", "mode", "answers", "submit", "due_on")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadRequest(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("bad request")
        self.errors = errors


def not_found() -> JsonResponse:
    """The same answer as an unknown address under /api/."""
    return api_error(404)


def bad_request(errors: dict[str, str]) -> JsonResponse:
    return field_errors(errors)


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """JSON 404 for anyone who may not see the thing (anonymous people included, instead of the
    sign-in redirect), and for things that do not exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return not_found()
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return not_found()

    return wrapped


# Serialising ---------------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _scores(administration: Administration) -> list[dict[str, Any]]:
    instrument = catalogue().get(administration.instrument_id)
    stored = dict(administration.scores or {})
    rows = []
    for score in instrument.scores if instrument else ():
        if score.id not in stored:
            continue
        value = stored.pop(score.id)
        band = score.band_for(value)
        rows.append(
            {
                "id": score.id,
                "label": score.text,
                "value": value,
                "band": band.text if band else None,
                "loinc": score.loinc or None,
            }
        )
    # Scores the current definition no longer names (an older version): shown as stored.
    rows.extend(
        {"id": key, "label": key, "value": value, "band": None, "loinc": None}
        for key, value in stored.items()
    )
    return rows


def _change_from_first(administration: Administration, client: Client) -> dict[str, Any] | None:
    """For submitted measures with outcome rules (PHQ-9, GAD-7): this main score minus the
    client's first one (corrected answers replaced by their correction, as on the results
    page). The first administration itself has a change of 0."""
    instrument = catalogue().get(administration.instrument_id)
    if (
        administration.status != Status.SUBMITTED
        or instrument is None
        or administration.instrument_id not in selectors.outcome_rules()["measures"]
    ):
        return None
    score_id = instrument.main_score.id
    value = administration.scores.get(score_id)
    if value is None:
        return None
    first = next(
        (
            a
            for a in selectors.submitted(client)
            if a.instrument_id == administration.instrument_id
            and a.scores.get(score_id) is not None
        ),
        None,
    )
    if first is None:
        return None
    first_value = first.scores[score_id]
    return {
        "score": score_id,
        "first_administration_id": first.pk,
        "first_value": first_value,
        "change": value - first_value,
    }


def administration_json(administration: Administration, client: Client) -> dict[str, Any]:
    instrument = catalogue().get(administration.instrument_id)
    return {
        "id": administration.pk,
        "client_id": administration.client_id,
        "instrument": {
            "id": administration.instrument_id,
            "version": administration.instrument_version,
            "name": instrument.name if instrument else administration.instrument_id,
        },
        "mode": administration.mode,
        "status": administration.status,
        "created_at": _iso(administration.created_at),
        "submitted_at": _iso(administration.submitted_at),
        "due_on": _iso(administration.due_on),
        "corrects": administration.corrects_id,
        "answers": administration.answers,
        "scores": _scores(administration),
        "change_from_first": _change_from_first(administration, client),
    }


# Reading the request -------------------------------------------------------------------------


def read_json(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise BadRequest({"body": _("Send a JSON object with Content-Type: application/json.")})
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):
        raise BadRequest({"body": _("The body is not valid JSON.")}) from None
    if not isinstance(data, dict):
        raise BadRequest({"body": _("The body must be a JSON object.")})
    return data


def _engine_value(value: object) -> int | str | None:
    """Whole numbers (or null for an unscored answer) go to the engine as they are; anything
    else goes as text, which the engine refuses as not an offered answer, naming the question
    (true is not taken for 1, nor 1.0)."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return json.dumps(value)


def read_start(data: dict[str, Any]) -> dict[str, Any]:
    """The start fields checked with the HTML view's StartForm (same rules and messages), plus
    the answers and whether to submit them."""
    errors = {key: _("Unknown field.") for key in data if key not in FIELDS}
    for key in ("instrument", "mode"):
        if key in data and not isinstance(data[key], str):
            errors[key] = _("Expected a string.")
    due_on = data.get("due_on")
    if due_on is not None and not (isinstance(due_on, str) and ISO_DATE.match(due_on)):
        errors["due_on"] = _("Expected a date as YYYY-MM-DD.")
    submit = data.get("submit", False)
    if not isinstance(submit, bool):
        errors["submit"] = _("Expected true or false.")
    answers = data.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        errors["answers"] = _("Expected an object of question ids and answers.")
    if errors:
        raise BadRequest(errors)
    form = StartForm(
        {"instrument": data.get("instrument", ""), "mode": data.get("mode", ""), "due_on": due_on}
    )
    if not form.is_valid():
        raise BadRequest(
            {field: " ".join(str(m) for m in messages) for field, messages in form.errors.items()}
        )
    if form.cleaned_data["mode"] == Mode.PORTAL and (answers or submit):
        raise BadRequest(
            {"answers": _("A questionnaire assigned to the portal is answered by the client.")}
        )
    return {
        **form.cleaned_data,
        "instrument": catalogue()[form.cleaned_data["instrument"]],
        "answers": {item_id: _engine_value(value) for item_id, value in answers.items()},
        "submit": submit,
    }


# Views ---------------------------------------------------------------------------------------


@api_view
@role_required(Role.CLINICIAN)
@require_POST
def administration_create(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = client_for(
        request, client_id, write=True, action=Action.MEASURES_OPEN, detail="channel=api"
    )
    try:
        start = read_start(read_json(request))
    except BadRequest as bad:
        return bad_request(bad.errors)
    course, session = selectors.course_and_session(client, start["mode"])
    rules: list[Rule] = []
    try:
        with transaction.atomic():  # a refused answer leaves nothing behind, not even the start
            administration = actions.administration_start(
                by=request.user,
                client=client,
                instrument=start["instrument"],
                mode=start["mode"],
                course=course,
                session=session,
                due_on=start["due_on"],
            )
            write: dict[str, Any] = dict(
                by=request.user,
                administration=administration,
                answers=start["answers"],
                role=Role.CLINICIAN,
            )
            if start["submit"]:
                rules = actions.administration_submit(**write)
            elif start["answers"]:
                rules = actions.administration_save(**write)
    except actions.AnswersInvalid as invalid:
        return bad_request(invalid.errors)
    administration.refresh_from_db()
    body = administration_json(administration, client)
    body["alerts_raised"] = [
        {"rule": rule.id, "severity": rule.severity, "reason": localized(rule.reason)}
        for rule in rules
    ]
    response = JsonResponse(body, status=201)
    response["Location"] = reverse(
        "api_administration_detail", kwargs={"administration_id": administration.pk}
    )
    return response


@api_view
@role_required(*CLINICAL)
@require_GET
def administration_detail(
    request: AuthenticatedHttpRequest, administration_id: int
) -> HttpResponse:
    administration = administration_for(request, administration_id)
    return JsonResponse(administration_json(administration, administration.client))


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document (no data). Also sets the CSRF cookie for clients that start here."""
    get_token(request)
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 2})


# The OpenAPI document ------------------------------------------------------------------------


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def openapi_document() -> dict[str, Any]:
    not_found_response = {"$ref": "#/components/responses/NotFound"}
    method_not_allowed = {
        "description": "This address does not take this method (see the Allow header).",
        "headers": {"Allow": {"schema": {"type": "string"}}},
        "content": _json("Error"),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Gentle administrations API",
            "version": "1.0.0",
            "description": (
                "Start, save, submit and read questionnaire administrations with the same rules "
                "as the site. Requests use the signed-in session cookie; POST requests also "
                "send the CSRF token in X-CSRFToken (the csrftoken cookie, which this document "
                "sets, or the csrfmiddlewaretoken of any form page). Anything a person may not "
                "see answers 404, exactly like something that does not exist. Every read and "
                "write is written to the audit log. Every error under /api/, wherever it "
                'arises, is JSON: {"error": code, "message": text}.'
            ),
        },
        "paths": {
            "/api/v1/clients/{client_id}/administrations/": {
                "post": {
                    "operationId": "createAdministration",
                    "summary": "Start an administration, and save or submit its answers",
                    "description": (
                        "For clinicians on the client's care team (or holding a break-glass "
                        "grant). Clinician-rated instruments cannot go to the portal, and a "
                        "portal assignment is answered by the client. Answers are checked by "
                        "the instrument engine; if any is refused nothing is stored."
                    ),
                    "parameters": [{"$ref": "#/components/parameters/ClientId"}],
                    "security": [{"session": [], "csrf": []}],
                    "requestBody": {"required": True, "content": _json("AdministrationCreate")},
                    "responses": {
                        "201": {
                            "description": "Created (and scored if submitted).",
                            "headers": {
                                "Location": {
                                    "description": "The new administration's URL.",
                                    "schema": {"type": "string"},
                                }
                            },
                            "content": _json("AdministrationCreated"),
                        },
                        "400": {
                            "description": (
                                "Refused: errors by field, or by question id for answers. "
                                "Nothing was stored."
                            ),
                            "content": _json("Errors"),
                        },
                        "403": {
                            "description": "The CSRF token is missing or wrong.",
                            "content": _json("Error"),
                        },
                        "404": not_found_response,
                        "405": method_not_allowed,
                        "413": {
                            "description": (
                                "The body is larger than the server accepts (2.5 MB by default)."
                            ),
                            "content": _json("Error"),
                        },
                    },
                }
            },
            "/api/v1/administrations/{administration_id}/": {
                "get": {
                    "operationId": "getAdministration",
                    "summary": "An administration with its answers and scores",
                    "description": "For the client's care team (clinicians and supervisors).",
                    "parameters": [{"$ref": "#/components/parameters/AdministrationId"}],
                    "security": [{"session": []}],
                    "responses": {
                        "200": {
                            "description": "The administration.",
                            "content": _json("Administration"),
                        },
                        "404": not_found_response,
                        "405": method_not_allowed,
                    },
                }
            },
        },
        "components": {
            "parameters": {
                "ClientId": {
                    "name": "client_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                },
                "AdministrationId": {
                    "name": "administration_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                },
            },
            "responses": {
                "NotFound": {
                    "description": "Missing, or not for this person (the same answer).",
                    "content": _json("NotFound"),
                }
            },
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": settings.SESSION_COOKIE_NAME,
                    "description": "The session of a signed-in person (with two-factor set up).",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "Django's CSRF token, for POST requests.",
                },
            },
            "schemas": _schemas(),
        },
    }


def _schemas() -> dict[str, Any]:
    answers = {
        "type": "object",
        "description": (
            "Question id to the chosen answer's value; null for an unscored answer such as "
            "'not applicable'. Questions not answered (or not asked) are left out."
        ),
        "additionalProperties": {"type": ["integer", "null"]},
    }
    return {
        "AdministrationCreate": {
            "type": "object",
            "required": ["instrument", "mode"],
            "additionalProperties": False,
            "properties": {
                "instrument": {"type": "string", "enum": sorted(catalogue())},
                "mode": {"type": "string", "enum": list(Mode.values)},
                "answers": answers,
                "submit": {
                    "type": "boolean",
                    "default": False,
                    "description": "true: check, score and submit; false: save and continue.",
                },
                "due_on": {"type": ["string", "null"], "format": "date"},
            },
        },
        "Instrument": {
            "type": "object",
            "required": ["id", "version", "name"],
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "integer"},
                "name": {"type": "string"},
            },
        },
        "Score": {
            "type": "object",
            "required": ["id", "label", "value", "band", "loinc"],
            "properties": {
                "id": {"type": "string"},
                "label": {"type": "string"},
                "value": {"type": ["number", "null"]},
                "band": {"type": ["string", "null"], "description": "The band's label."},
                "loinc": {"type": ["string", "null"]},
            },
        },
        "ChangeFromFirst": {
            "type": "object",
            "description": "PHQ-9 and GAD-7: this main score minus the client's first one.",
            "required": ["score", "first_administration_id", "first_value", "change"],
            "properties": {
                "score": {"type": "string"},
                "first_administration_id": {"type": "integer"},
                "first_value": {"type": "number"},
                "change": {"type": "number"},
            },
        },
        "Administration": {
            "type": "object",
            "required": [
                "id",
                "client_id",
                "instrument",
                "mode",
                "status",
                "created_at",
                "submitted_at",
                "due_on",
                "corrects",
                "answers",
                "scores",
                "change_from_first",
            ],
            "properties": {
                "id": {"type": "integer"},
                "client_id": {"type": "integer"},
                "instrument": {"$ref": "#/components/schemas/Instrument"},
                "mode": {"type": "string", "enum": list(Mode.values)},
                "status": {"type": "string", "enum": list(Status.values)},
                "created_at": {"type": "string", "format": "date-time"},
                "submitted_at": {"type": ["string", "null"], "format": "date-time"},
                "due_on": {"type": ["string", "null"], "format": "date"},
                "corrects": {
                    "type": ["integer", "null"],
                    "description": "The administration whose answers this one corrects.",
                },
                "answers": answers,
                "scores": {"type": "array", "items": {"$ref": "#/components/schemas/Score"}},
                "change_from_first": _nullable({"$ref": "#/components/schemas/ChangeFromFirst"}),
            },
        },
        "AdministrationCreated": {
            "allOf": [
                {"$ref": "#/components/schemas/Administration"},
                {
                    "type": "object",
                    "required": ["alerts_raised"],
                    "properties": {
                        "alerts_raised": {
                            "type": "array",
                            "description": "Safety rules the saved or submitted answers triggered.",
                            "items": {"$ref": "#/components/schemas/AlertRaised"},
                        }
                    },
                },
            ]
        },
        "AlertRaised": {
            "type": "object",
            "required": ["rule", "severity", "reason"],
            "properties": {
                "rule": {"type": "string"},
                "severity": {"type": "string", "enum": ["low", "moderate", "high"]},
                "reason": {"type": "string"},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {
                    "type": "string",
                    "description": (
                        "bad request, forbidden, not found, method not allowed, too large or "
                        "server error."
                    ),
                },
                "message": {"type": "string", "description": "In the person's language."},
            },
        },
        "Errors": {
            "type": "object",
            "required": ["error", "message", "errors"],
            "properties": {
                "error": {"const": "bad request"},
                "message": {"type": "string"},
                "errors": {
                    "type": "object",
                    "description": (
                        "Messages by field (body, instrument, mode, due_on, submit, answers) or "
                        "by question id: at most 20, with ids cut at 64 characters and messages "
                        "at 300."
                    ),
                    "maxProperties": 20,
                    "additionalProperties": {"type": "string"},
                },
                "more_errors": {
                    "type": "integer",
                    "description": "How many further problems were left out (only if any).",
                },
            },
        },
        "NotFound": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {"error": {"const": "not found"}, "message": {"type": "string"}},
        },
    }
