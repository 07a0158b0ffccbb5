"""The JSON API for integrations (ADR 0062), under /api/v1/: clients, courses, sessions,
questionnaire administrations and course outcomes to read; administrations to start, save and
submit. Built with django-ninja: every operation's parameters and answers are typed schemas,
and the OpenAPI document (/api/v1/openapi.json) is generated from them.

Two ways in: a personal access token (``Authorization: Bearer gentle_…``, made by a clinic
administrator, with scopes) or the signed-in browser session (POST with Django's CSRF token in
``X-CSRFToken``). A token acts as its person in its clinic, limited by its scopes; the person's
own access rules still apply, through the same doors as the HTML pages: clients through
``gentle.clients.access``, objects through their client, writes through
``gentle.measures.actions``. Anything a person may not see answers 404, like something that
does not exist. Each request runs in one transaction, with its audit rows, and a request made
with a token also writes one ``api_token.use`` row naming the token.

Every error is JSON (``gentle.lib.api_errors``); every list is a keyset page (``after``,
``limit``, and a ``next`` link); each token has a rate limit counted in its own row.
"""

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status as Answer
from ninja.security import HttpBearer, SessionAuth
from pydantic import BaseModel, ConfigDict, WithJsonSchema
from pydantic import ValidationError as PydanticValidationError

from gentle.accounts import actions as account_actions
from gentle.accounts.context import bind_token_user, clinic_context
from gentle.accounts.models import ApiScope, ApiToken, Role
from gentle.audit.names import Action
from gentle.clients.access import access_path, client_for, record_list_read, visible_clients
from gentle.clients.models import Client
from gentle.courses.access import course_for
from gentle.courses.models import Course, Session
from gentle.lib.api_errors import api_error, field_errors
from gentle.measures import actions, selectors
from gentle.measures.access import administration_for
from gentle.measures.forms import StartForm
from gentle.measures.instruments import Rule, catalogue, localized
from gentle.measures.models import Administration, Mode, Status

MAX_KEY = 2**63 - 1
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


# Signing in: a token, or the browser session ------------------------------------------------


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


class ScopeMissing(Exception):
    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


def _scope_for(request: HttpRequest) -> str:
    return ApiScope.READ if request.method in ("GET", "HEAD") else ApiScope.ADMINISTRATIONS_WRITE


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gentle_…``. A wrong, expired or revoked token is refused (401)
    without falling back to the session."""

    openapi_description = (
        "A personal access token made by a clinic administrator (Clinic settings → API "
        "tokens), with the scopes read and administrations:write."
    )

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = account_actions.api_token_find(token)
        if found is None:
            raise AuthenticationError
        bind_token_user(request, found.user, found.clinic_id)
        request.api_token = found  # type: ignore[attr-defined]  # no session is kept for it
        scope = _scope_for(request)
        match = getattr(request, "resolver_match", None)
        route = match.url_name if match is not None else ""
        wait = account_actions.api_token_used(
            found, limit=settings.GENTLE_API_RATE_PER_MINUTE, detail=f"scope={scope} route={route}"
        )
        if wait is not None:
            raise RateLimited(wait)
        if scope not in found.scopes:
            raise ScopeMissing(scope)
        return found


class BrowserSession(SessionAuth):
    """The signed-in person's session (two-factor set up); POST also needs the CSRF token."""

    openapi_description = (
        "The session of a person signed in to the site; POST requests also send Django's CSRF "
        "token in X-CSRFToken."
    )


api = NinjaAPI(
    title="Gentle API",
    version="1",
    description=(
        "Clients, courses, sessions, questionnaires (administrations) and course outcomes to "
        "read; questionnaires to start, save and submit, scored with the same rules as the "
        "site. Send a personal access token as `Authorization: Bearer gentle_…`, or use the "
        "signed-in browser session. Anything a person may not see answers 404, exactly like "
        "something that does not exist. Every error is JSON: "
        '{"error": code, "message": text}. Lists are pages: follow `next` until it is null. '
        "See docs/api.md."
    ),
    auth=[TokenAuth(), BrowserSession()],
    docs_url=None,
    openapi_url=None,
    urls_namespace="api_v1",
)


# Errors --------------------------------------------------------------------------------------


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api_error(401)
    response["WWW-Authenticate"] = 'Bearer realm="gentle"'
    return response


@api.exception_handler(ScopeMissing)
def _scope_missing(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
    return api_error(403, _("This token does not have the %(scope)s scope.") % {"scope": exc.scope})


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api_error(429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api_error(404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403:  # ninja's CSRF check
        return api_error(
            403,
            _(
                "The CSRF token is missing or wrong: send the csrftoken cookie's value in the "
                "X-CSRFToken header."
            ),
        )
    return api_error(exc.status_code)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Query and path parameters that do not fit their schema: 400, by parameter."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        name = loc[-1] if loc else "request"
        message = _PARAMETER_MESSAGES.get(error.get("type", ""), _("Not valid."))
        errors.setdefault(name, str(message))
    return field_errors(errors)


_PARAMETER_MESSAGES: dict[str, Any] = {
    "int_parsing": gettext_lazy("Expected a whole number."),
    "int_type": gettext_lazy("Expected a whole number."),
    "greater_than_equal": gettext_lazy("Too small."),
    "less_than_equal": gettext_lazy("Too large."),
}


# Pages ---------------------------------------------------------------------------------------


class PageParams(Schema):
    after: int = Field(
        0, ge=0, le=MAX_KEY, description="The id after which this page starts (from `next`)."
    )
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items on the page.")


def _page(request: HttpRequest, query: QuerySet, params: PageParams) -> tuple[list, str | None]:
    """One keyset page of ``query`` by id: the rows after ``params.after`` and the link to the
    next page (None on the last). One query, whatever the page."""
    rows = list(query.filter(pk__gt=params.after).order_by("pk")[: params.limit + 1])
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, f"{request.path}?after={rows[-1].pk}&limit={params.limit}"


def _listing(
    request: HttpRequest, query: QuerySet, params: PageParams, as_json: Callable[[Any], dict]
) -> dict[str, Any]:
    """A list operation's answer: one page of ``query`` as ``as_json`` gives each row, and the
    link to the next page."""
    rows, next_url = _page(request, query, params)
    return {"items": [as_json(row) for row in rows], "next": next_url}


# Schemas -------------------------------------------------------------------------------------

ANSWERS_SCHEMA = {
    "type": "object",
    "description": (
        "Question id to the chosen answer's value; null for an unscored answer such as 'not "
        "applicable'. Questions not answered (or not asked) are left out."
    ),
    "additionalProperties": {"type": ["integer", "null"]},
}
Answers = Annotated[dict[str, Any], WithJsonSchema(ANSWERS_SCHEMA)]


def _instrument_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(catalogue())  # read when the document is made: clinics add their own


class Error(Schema):
    error: str = Field(
        description=(
            "bad request, unauthorized, forbidden, not found, method not allowed, too large, "
            "too many requests or server error."
        )
    )
    message: str = Field(description="In the person's language.")


class Errors(Error):
    errors: dict[str, str] = Field(
        description=(
            "Messages by field or parameter, or by question id for answers: at most 20, with "
            "ids cut at 64 characters and messages at 300."
        ),
        json_schema_extra={"maxProperties": 20},
    )
    more_errors: int | None = Field(
        None, description="How many further problems were left out (only if any)."
    )


class ClientOut(Schema):
    id: int
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    language: str
    access: str = Field(
        description="How the token's person reaches the record: care_team, supervision or "
        "break_glass."
    )


class ClientPage(Schema):
    items: list[ClientOut]
    next: str | None = Field(description="The next page's address; null on the last page.")


class CourseOut(Schema):
    id: int
    client_id: int
    format: str
    status: str
    start_date: date
    ended_on: date | None
    contracted_sessions: int
    session_minutes: int
    focus: str | None = Field(description="The agreed problem area, if any.")


class CoursePage(Schema):
    items: list[CourseOut]
    next: str | None


class SessionOut(Schema):
    id: int
    course_id: int
    starts_at: datetime
    minutes: int
    mode: str
    attendance: str


class SessionPage(Schema):
    items: list[SessionOut]
    next: str | None


class InstrumentOut(Schema):
    id: str
    version: int
    name: str


class ScoreOut(Schema):
    id: str
    label: str
    value: float | None
    band: str | None = Field(description="The band's label.")
    loinc: str | None


class ChangeFromFirst(Schema):
    """PHQ-9 and GAD-7: this main score minus the client's first one."""

    score: str
    first_administration_id: int
    first_value: float
    change: float


class AdministrationOut(Schema):
    id: int
    client_id: int
    instrument: InstrumentOut
    mode: str = Field(json_schema_extra={"enum": list(Mode.values)})
    status: str = Field(json_schema_extra={"enum": list(Status.values)})
    created_at: datetime
    submitted_at: datetime | None
    due_on: date | None
    corrects: int | None = Field(description="The administration whose answers this corrects.")
    answers: Answers
    scores: list[ScoreOut]


class AdministrationPage(Schema):
    items: list[AdministrationOut]
    next: str | None


class AdministrationDetail(AdministrationOut):
    change_from_first: ChangeFromFirst | None


class AlertRaised(Schema):
    rule: str
    severity: str = Field(json_schema_extra={"enum": ["low", "moderate", "high"]})
    reason: str


class AdministrationCreated(AdministrationDetail):
    alerts_raised: list[AlertRaised] = Field(
        description="Safety rules the saved or submitted answers triggered."
    )


class AdministrationCreate(BaseModel):
    """Start an administration; with answers, save them, or submit them (checked and scored)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    instrument: str = Field(json_schema_extra=_instrument_enum)
    mode: str = Field(json_schema_extra={"enum": list(Mode.values)})
    answers: Answers | None = None
    submit: bool = Field(
        False, description="true: check, score and submit; false: save and continue."
    )
    due_on: date | None = None


class OutcomeResult(Schema):
    """The NHS Talking Therapies outcomes of a finished course (null: cannot be applied)."""

    case_at_start: bool | None
    recovered: bool | None
    reliable_improvement: bool | None
    reliable_recovery: bool | None
    reliable_deterioration: bool | None
    response: bool | None
    remission: bool | None


class OutcomeOut(Schema):
    course_id: int
    scored: bool = Field(description="Whether the course has any score of its depression measure.")
    rule_set: str = Field(description="The format whose rules judge it; empty: the clinic's.")
    judged_on: list[str]
    attended: int | None
    complete: bool | None = Field(description="Whether first and last scores paired by date.")
    not_yet: list[str] = Field(description="Why there is no result yet.")
    result: OutcomeResult | None


ERRORS: dict[int, Any] = {
    401: Error,
    403: Error,
    404: Error,
    405: Error,
    429: Error,
}
READ_ERRORS: dict[int, Any] = {**ERRORS, 400: Errors}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 400: Errors, 413: Error}


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


def administration_json(
    administration: Administration, client: Client | None = None
) -> dict[str, Any]:
    """The administration; with ``client``, also its change from the client's first score
    (a query: for one administration, not for a list)."""
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
    } | (
        {} if client is None else {"change_from_first": _change_from_first(administration, client)}
    )


# Reading the create body ---------------------------------------------------------------------

_BODY_MESSAGES: dict[str, Any] = {
    "extra_forbidden": gettext_lazy("Unknown field."),
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Expected a string."),
    "bool_type": gettext_lazy("Expected true or false."),
    "dict_type": gettext_lazy("Expected an object of question ids and answers."),
}


class BadRequest(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("bad request")
        self.errors = errors


def _body_errors(error: PydanticValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors(include_input=False, include_url=False):
        loc = item["loc"]
        kind = item["type"]
        if kind == "json_invalid":
            errors["body"] = _("The body is not valid JSON.")
        elif not loc:
            errors["body"] = _("The body must be a JSON object.")
        else:
            field = str(loc[0])
            if field == "due_on":
                message: Any = _("Expected a date as YYYY-MM-DD.")
            else:
                message = _BODY_MESSAGES.get(kind, _("Not valid."))
            errors.setdefault(field, str(message))
    return errors


def _engine_value(value: object) -> int | str | None:
    """Whole numbers (or null for an unscored answer) go to the engine as they are; anything
    else goes as text, which the engine refuses as not an offered answer, naming the question
    (true is not taken for 1, nor 1.0)."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return json.dumps(value)


def read_start(request: HttpRequest) -> dict[str, Any]:
    """The body checked against ``AdministrationCreate``, then by the HTML view's StartForm
    (the same rules and messages), with the answers and whether to submit them."""
    if request.content_type != "application/json":
        raise BadRequest({"body": _("Send a JSON object with Content-Type: application/json.")})
    try:
        body = AdministrationCreate.model_validate_json(request.body or b"")
    except PydanticValidationError as invalid:
        raise BadRequest(_body_errors(invalid)) from None
    except RecursionError:
        raise BadRequest({"body": _("The body is not valid JSON.")}) from None
    answers = body.answers or {}
    form = StartForm({"instrument": body.instrument, "mode": body.mode, "due_on": body.due_on})
    if not form.is_valid():
        raise BadRequest(
            {field: " ".join(str(m) for m in messages) for field, messages in form.errors.items()}
        )
    if form.cleaned_data["mode"] == Mode.PORTAL and (answers or body.submit):
        raise BadRequest(
            {"answers": _("A questionnaire assigned to the portal is answered by the client.")}
        )
    return {
        **form.cleaned_data,
        "instrument": catalogue()[form.cleaned_data["instrument"]],
        "answers": {item_id: _engine_value(value) for item_id, value in answers.items()},
        "submit": body.submit,
    }


# Operations ----------------------------------------------------------------------------------


def _clinical(request: HttpRequest) -> None:
    """Lists of clients are for the clinic's clinicians and supervisors (404 for others)."""
    if not clinic_context(request).has(Role.CLINICIAN, Role.SUPERVISOR):
        raise Http404


def _client(request: HttpRequest, client_id: int, listing: str, action: str) -> Client:
    return client_for(
        request,  # type: ignore[arg-type]  # signed in: ninja's auth ran first
        client_id,
        action=action,
        detail=f"channel=api list={listing}",
    )


def client_json(client: Any) -> dict[str, Any]:
    return {
        "id": client.pk,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth,
        "language": client.language,
        "access": access_path(client),
    }


@api.get(
    "/clients/",
    response={200: ClientPage, **READ_ERRORS},
    url_name="api_clients",
    operation_id="listClients",
    summary="The clients the person may open",
)
def clients(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """The clients of the clinic the person may open (care team, supervision, emergency
    access), by id."""
    _clinical(request)
    listing = _listing(request, visible_clients(request), page, client_json)  # type: ignore[arg-type]
    record_list_read(request, Action.CLIENT_LIST, count=len(listing["items"]))  # type: ignore[arg-type]
    return listing


@api.get(
    "/clients/{int:client_id}/",
    response={200: ClientOut, **ERRORS},
    url_name="api_client",
    operation_id="getClient",
    summary="One client",
)
def client_detail(request: HttpRequest, client_id: int) -> dict[str, Any]:
    client = client_for(request, client_id, detail="channel=api")  # type: ignore[arg-type]
    return client_json(client)


@api.get(
    "/clients/{int:client_id}/courses/",
    response={200: CoursePage, **READ_ERRORS},
    url_name="api_client_courses",
    operation_id="listCourses",
    summary="A client's courses",
)
def client_courses(request: HttpRequest, client_id: int, page: Query[PageParams]) -> dict:
    client = _client(request, client_id, "courses", Action.CLIENT_VIEW)
    return _listing(request, Course.objects.filter(client=client), page, course_json)


def course_json(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "client_id": course.client_id,
        "format": course.format,
        "status": course.status,
        "start_date": course.start_date,
        "ended_on": course.ended_on,
        "contracted_sessions": course.contracted_sessions,
        "session_minutes": course.session_minutes,
        "focus": course.focus or None,
    }


@api.get(
    "/clients/{int:client_id}/sessions/",
    response={200: SessionPage, **READ_ERRORS},
    url_name="api_client_sessions",
    operation_id="listSessions",
    summary="A client's sessions, in all their courses",
)
def client_sessions(request: HttpRequest, client_id: int, page: Query[PageParams]) -> dict:
    client = _client(request, client_id, "sessions", Action.CLIENT_VIEW)
    return _listing(request, Session.objects.filter(course__client=client), page, session_json)


def session_json(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk,
        "course_id": session.course_id,
        "starts_at": session.starts_at,
        "minutes": session.minutes,
        "mode": session.mode,
        "attendance": session.attendance,
    }


@api.get(
    "/clients/{int:client_id}/administrations/",
    response={200: AdministrationPage, **READ_ERRORS},
    url_name="api_client_administrations",
    operation_id="listAdministrations",
    summary="A client's questionnaires, with answers and scores",
)
def client_administrations(
    request: HttpRequest, client_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    client = _client(request, client_id, "administrations", Action.CLIENT_VIEW)
    query = Administration.objects.filter(client=client)
    return _listing(request, query, page, administration_json)


@api.post(
    "/clients/{int:client_id}/administrations/",
    response={201: AdministrationCreated, **WRITE_ERRORS},
    url_name="api_client_administrations",
    operation_id="createAdministration",
    summary="Start a questionnaire, and save or submit its answers",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/AdministrationCreate"}
                }
            },
        }
    },
)
def administration_create(
    request: HttpRequest, client_id: int, response: HttpResponse
) -> Answer | HttpResponse:
    """For clinicians on the client's care team (or holding a break-glass grant); a token needs
    the administrations:write scope. Clinician-rated instruments cannot go to the portal, and a
    portal assignment is answered by the client. Answers are checked by the instrument engine;
    if any is refused nothing is stored. Submitted answers are scored and run the safety rules
    (an item-9 answer raises an alert), exactly as on the site."""
    client = client_for(
        request,  # type: ignore[arg-type]
        client_id,
        write=True,
        action=Action.MEASURES_OPEN,
        detail="channel=api",
    )
    try:
        start = read_start(request)
    except BadRequest as bad:
        return field_errors(bad.errors)
    user: Any = request.user
    course, session = selectors.course_and_session(client, start["mode"])
    rules: list[Rule] = []
    try:
        with transaction.atomic():  # a refused answer leaves nothing behind, not even the start
            administration = actions.administration_start(
                by=user,
                client=client,
                instrument=start["instrument"],
                mode=start["mode"],
                course=course,
                session=session,
                due_on=start["due_on"],
            )
            write: dict[str, Any] = dict(
                by=user,
                administration=administration,
                answers=start["answers"],
                role=Role.CLINICIAN,
            )
            if start["submit"]:
                rules = actions.administration_submit(**write)
            elif start["answers"]:
                rules = actions.administration_save(**write)
    except actions.AnswersInvalid as invalid:
        return field_errors(invalid.errors)
    administration.refresh_from_db()
    body = administration_json(administration, client)
    body["alerts_raised"] = [
        {"rule": rule.id, "severity": rule.severity, "reason": localized(rule.reason)}
        for rule in rules
    ]
    response["Location"] = reverse(
        "api_administration_detail", kwargs={"administration_id": administration.pk}
    )
    return Answer(201, body)


@api.get(
    "/administrations/{int:administration_id}/",
    response={200: AdministrationDetail, **ERRORS},
    url_name="api_administration_detail",
    operation_id="getAdministration",
    summary="A questionnaire with its answers, scores and change from the first",
)
def administration_detail(request: HttpRequest, administration_id: int) -> dict[str, Any]:
    administration = administration_for(request, administration_id)  # type: ignore[arg-type]
    return administration_json(administration, administration.client)


@api.get(
    "/courses/{int:course_id}/outcome/",
    response={200: OutcomeOut, **ERRORS},
    url_name="api_course_outcome",
    operation_id="getCourseOutcome",
    summary="A course's outcome (NHS Talking Therapies rules, docs/outcomes.md)",
)
def course_outcome(request: HttpRequest, course_id: int) -> dict[str, Any]:
    course = course_for(request, course_id)
    outcome = selectors.course_outcomes(course)
    if outcome is None:
        return {
            "course_id": course.pk,
            "scored": False,
            "rule_set": "",
            "judged_on": [],
            "attended": None,
            "complete": None,
            "not_yet": [],
            "result": None,
        }
    result = outcome.result
    return {
        "course_id": course.pk,
        "scored": True,
        "rule_set": outcome.rule_set,
        "judged_on": list(outcome.rules["judged_on"]),
        "attended": outcome.attended,
        "complete": outcome.complete,
        "not_yet": [str(reason) for reason in outcome.not_yet],
        "result": None
        if result is None
        else {
            "case_at_start": result.case_at_start,
            "recovered": result.recovered,
            "reliable_improvement": result.reliable_improvement,
            "reliable_recovery": result.reliable_recovery,
            "reliable_deterioration": result.reliable_deterioration,
            "response": result.response,
            "remission": result.remission,
        },
    }


# The OpenAPI document ------------------------------------------------------------------------

PREFIX = "/api/v1/"


def openapi_document() -> dict[str, Any]:
    """Generated by django-ninja from the operations and schemas above; the create body's schema
    (validated in the view, after the access check) is added to its components."""
    document = dict(api.get_openapi_schema(path_prefix=PREFIX))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["AdministrationCreate"] = AdministrationCreate.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    return document


def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document: public (it holds no data), so clients can start from it. Also sets
    the CSRF cookie, for browser clients that start here."""
    if request.method != "GET":
        response = api_error(405)
        response["Allow"] = "GET"
        return response
    get_token(request)
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 2})
