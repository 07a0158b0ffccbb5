"""Small factories for test data. Names are generated and fictional."""

from __future__ import annotations

import itertools

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.test import Client as HttpClient
from django.utils import timezone

from gentle.accounts.models import Clinic, Membership, Role, Supervision, User
from gentle.clients.models import CareTeamMember, Client, TeamRole
from gentle.courses.models import Course, Session

_counter = itertools.count(1)
STAFF = {Role.ADMIN, Role.CLINICIAN, Role.SUPERVISOR, Role.FACILITATOR}


def make_clinic(name: str | None = None) -> Clinic:
    n = next(_counter)
    return Clinic.objects.create(name=name or f"Test Clinic {n}", slug=f"test-clinic-{n}")


def make_person(
    clinic: Clinic | None = None, *roles: str, password: str | None = None, mfa: bool | None = None
) -> User:
    """A person with ``roles`` in ``clinic``. Staff get an authenticator app unless mfa=False,
    so that pages open for them as they would after a full sign-in."""
    n = next(_counter)
    user = User.objects.create_user(
        email=f"person{n}@example.test", password=password, display_name=f"Person {n}"
    )
    roles = roles or (Role.CLINICIAN,)
    clinic = clinic or make_clinic()
    for role in roles:
        Membership.objects.create(user=user, clinic=clinic, role=role)
    if mfa is None:
        mfa = bool(STAFF & set(roles))
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def signed_in(user: User, **options):
    """A browser of its own, signed in as ``user`` (``options`` go to Django's test client)."""
    http = HttpClient(**options)
    http.force_login(user)
    return http


TOTP_PERIOD = 30
#: A code read this close to the end of its period may reach the server in the next one, where
#: it is refused (allauth allows no drift); a slow CI runner once took that long.
TOTP_MARGIN = 5


def code_from_secret(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now for ``secret`` (or ``offset`` periods away).

    Near the end of a period it waits for the next one, so that the code is still current when
    the request that carries it arrives.
    """
    import time

    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < TOTP_MARGIN:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD + offset))


def totp_code(user: User, *, offset: int = 0) -> str:
    """The code the person's authenticator app shows now (or ``offset`` periods away)."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return code_from_secret(decrypt(authenticator.data["secret"]), offset=offset)


def make_client(clinic: Clinic, *, clinicians=(), supervisor=None, user=None, **names) -> Client:
    n = next(_counter)
    client = Client.objects.create(
        clinic=clinic,
        given_name=names.get("given_name", f"Client{n}"),
        family_name=names.get("family_name", "Example"),
        preferred_name=names.get("preferred_name", ""),
        user=user,
    )
    for clinician in clinicians:
        add_to_team(client, clinician)
    if supervisor is not None:
        add_to_team(client, supervisor, TeamRole.SUPERVISOR)
    return client


def add_to_team(client: Client, user: User, role: str = TeamRole.CLINICIAN) -> CareTeamMember:
    return CareTeamMember.objects.create(client=client, user=user, role=role)


def make_course(client: Client, **fields) -> Course:
    """An individual IPT course of 12 sessions of 50 minutes from today (``fields`` change it)."""
    values = {
        "format": "individual",
        "contracted_sessions": 12,
        "session_minutes": 50,
        "initial_last": 3,
        "termination_first": 10,
        "start_date": timezone.localdate(),
    }
    return Course.objects.create(client=client, **(values | fields))


def make_session(course: Course, clinician: User, **fields) -> Session:
    """A 50-minute video session of ``course`` starting now (``fields`` change it)."""
    values = {"minutes": 50, "mode": "video", "starts_at": timezone.now()}
    return Session.objects.create(course=course, clinician=clinician, **(values | fields))


def supervise(clinic: Clinic, supervisor: User, clinician: User) -> Supervision:
    return Supervision.objects.create(clinic=clinic, supervisor=supervisor, clinician=clinician)


def count_queries(client, url: str) -> int:
    """How many queries a GET of ``url`` makes (after one warm-up request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def deliver_mail() -> int:
    """Send the queued mail as `gentle worker` would (its periodic pick-up); returns how many
    went. Pages only queue mail, so a test reads django.core.mail.outbox after this."""
    from gentle.notify.actions import mail_deliver_due

    return mail_deliver_due()


def visible_text(page) -> str:
    """What a reader sees of a page (HTML or a response): no tags, scripts or styles, inline
    tags (links, emphasis) without a word break, whitespace collapsed."""
    import html as html_lib
    import re

    if not isinstance(page, str):
        page = page.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"</?(a|strong|em)\b[^>]*>", "", page)  # inline: no word break
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def count_orm_builds(monkeypatch) -> list[str]:
    """From now on, record each query the ORM compiles (its compiler's class name), for a test
    that a request builds nothing in the ORM; ``monkeypatch.undo()`` stops it."""
    from django.db.models.sql import compiler

    built: list[str] = []
    for name in ("SQLCompiler", "SQLInsertCompiler", "SQLUpdateCompiler"):
        cls = getattr(compiler, name)

        def as_sql(self, *args, _original=cls.as_sql, **kwargs):
            built.append(type(self).__name__)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "as_sql", as_sql)
    return built


def count_prepared_builds(monkeypatch, reads: dict[str, object]) -> list[tuple[str, object]]:
    """Replace each prepared query ``reads`` names (``{"TODAY": gentle.home}``) with one that
    records every build of its SQL as (name, shape); the list fills as pages are requested.
    A prepared query builds each shape twice (two sets of markers), then never again."""
    from gentle.lib.prepared import PreparedQuery

    built: list[tuple[str, object]] = []
    for name, module in reads.items():
        prepared = getattr(module, name)

        def counting(shape, _build=prepared.build, _name=name, **values):
            built.append((_name, shape))
            return _build(shape, **values)

        fresh = PreparedQuery(
            counting, values=prepared.values, times=prepared.times, dates=prepared.dates
        )
        monkeypatch.setattr(module, name, fresh)
    return built
