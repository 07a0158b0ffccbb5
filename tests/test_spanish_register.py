"""Spanish speaks to clients and visitors as tú, and to staff as usted (issue 21).

Which messages a client or a visitor reads is worked out from the code, not kept by hand:

* the views of every route a visitor or a client opens (``Access.PUBLIC``, ``PORTAL`` and
  ``PORTAL_OWN``, and every route without a rule: the home, crisis and error pages and
  django-allauth's sign-in and password pages), followed through the functions and classes
  they name (forms, actions, selectors, models and their choices), and the classes in
  ``CLIENT_CODE`` that every page runs (middleware, navigation, the sign-in adapter);
* the templates those views name, the templates in ``CLIENT_TEMPLATES`` (sections of the
  client's copy of their record, allauth's pages, mails to clients), and every template they
  include or extend, read with Django's own extraction (``templatize``, as makemessages does).

``STAFF_ONLY`` names code a client's request can reach that writes to staff (the alert mail).
Every other message in gentle/ is a staff message. A message both read (a button's "Save") is
a client message: it must not say usted, and is best worded to suit both.

The markers are words that only speak to someone as usted (or as tú); a possessive ``su`` or a
verb like ``puede`` is also third person, so a client message may use them only where it
speaks of someone else, listed in ``THIRD_PERSON`` with whom it speaks of.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
import types
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation.template import templatize

from gentle.lib.routes import RULES, Access
from tests.factories import deliver_mail

ROOT = Path(__file__).resolve().parents[1]
GENTLE = ROOT / "gentle"
PO = GENTLE / "locale/es/LC_MESSAGES/django.po"

CLIENT_ACCESS = {Access.PUBLIC, Access.PORTAL, Access.PORTAL_OWN}
# Code every page a client or visitor sees runs, besides the views of their routes.
CLIENT_CODE = (
    "gentle.accounts.middleware.SessionPolicyMiddleware",
    "gentle.accounts.adapter.AccountAdapter",
    "gentle.accounts.forms.PasswordResetForm",
    "gentle.views.bad_request",
    "gentle.views.server_error",
    "gentle.views.permission_denied",
    "gentle.views.page_not_found",
    "gentle.views.csrf_failure",
    "gentle.context_processors.gentle",
    # written on a staff page for the client to read: the formulation shared in the portal
    "gentle.formulation.actions.compose_text",
    # the reminder of a session the worker mails to the client
    "gentle.courses.actions._queue_reminder",
)
# Modules every message of which clients and visitors read: the navigation (staff items too,
# which are nouns), and django-allauth's and Django's messages on the password pages.
CLIENT_MODULES = ("gentle.nav", "gentle.accounts.allauth_texts")
# Messages staff pages write for a client to read: the subjects of mails to clients.
CLIENT_MESSAGES = (
    "Your invitation to %(clinic)s",
    "Your request to %(clinic)s",
)
# Templates no view of ours names: the sections of the client's copy of their record (each
# app's export.py), django-allauth's pages, and the mails that go to clients.
CLIENT_TEMPLATES = (
    "*/templates/*/record_copy/*.html",
    "templates/account/*",
    "templates/allauth/*",
    "portal/templates/portal/invitation_email.txt",
    "portal/templates/portal/invitation_letter.html",
)
# Reached from a client's request, but read by staff.
STAFF_ONLY = {
    "gentle.safety.actions._notify": "the alert mail goes to the care team",
    "gentle.home.staff_home": "the home of staff roles; a client and nothing else goes to the "
    "portal before it (issue 22)",
}
# Client messages whose su/sus/suyo/puede speak of someone else, not the reader.
THIRD_PERSON: dict[str, str] = {
    "Between our sessions you can fill in questionnaires, keep a short mood diary, practise "
    "with the tools we use together, and see your progress. Only you and your care team can "
    "see it.": "nadie más puede",
    "Everything your clinic holds about you: sessions, notes, questionnaires, the work you did "
    "together and on your own, and who opened your record. It leaves out your clinician's "
    "private process notes, which are their own working notes.": "the clinician's notes",
    "From this session on, the course is in its termination phase.": "the course's phase",
    "The client with a parent or carer": "the client's parent (a session's participants)",
    "Gentle cannot reach its database just now, so this page could not be shown.": "Gentle",
    "Each part opens when you tap its title. To print the whole copy, download it as PDF from "
    "the My record page.": "the part's title",
    "Supervision of each clinician's courses: those behind their expected recovery on the "
    "questionnaire their format gives every session (the PHQ-9; the PHQ-A for adolescents; the "
    "EPDS in perinatal care), measures and notes overdue, comments the clinician answers, and "
    "risk escalated in time; a report of the clinic's outcomes over a period, by clinician, "
    "format, problem area and group; with people, roles and an audit trail kept by the "
    "clinic.": ("the clinicians' courses"),
    "Gentle supports Interpersonal Psychotherapy (IPT) from the first session to the last: the "
    "course and its phases, the people in a client's life, the changes they are going "
    "through, and symptom measures that show progress.": "the course's phases",
    "If anything in this copy is wrong, tell your clinician: they can add a correction to the "
    "record.": "the clinician",
    "If you did not expect this email, you can ignore it: without the letter nobody can use "
    "the link.": "nadie puede",
    "Practise a conversation you find hard before you have it. You write what you would say; "
    "the other person answers; after each turn you get a few gentle pointers. Your clinician "
    "can look over it with you.": "the clinician",
    "This copy holds everything in your record: your details, your sessions and their signed "
    "notes, your questionnaires and the work you did between sessions. It leaves out your "
    "clinician's private process notes, which are not part of the record.": "the sessions' notes",
    "Your clinician will see this when they next open Gentle, which may not be today. If you "
    "are in danger now, or might act on thoughts of harming yourself, call your local "
    "emergency number or go to the nearest emergency department.": "that day",
}

USTED = re.compile(
    r"\b(?:usted|ustedes)\b"
    # imperatives in the usted form where a sentence or clause starts (a subjunctive there is
    # rare), and a few greetings
    r"|(?:^|[.:;!?¿¡(]\s*|\n|,\s)(?:Ingrese|Escriba|Haga|Pulse|Elija|Introduzca|Seleccione|Indique"
    r"|Vuelva|Compruebe|Pida|Inicie|Envíe|Añada|Guarde|Responda|Marque|Piense|Llame|Recuerde"
    r"|Diga|Hable|Intente|Inténtelo|Tenga|Lea|Use|Utilice|Acepte|Confirme|Rellene|Conteste"
    r"|Copie|Cambie|Abra|Espere|Mire|Busque|Anote|Cuéntenos|Díganos|Escríbanos|Llámenos"
    r"|Pregunte|Asegúrese|Vaya|Siga|Cree|Deje|Quite|Elimine|Descargue|Imprima|Revise|Vea"
    r"|Describa|Explique|Póngase|Únase|Repita|Pruebe|Consulte|Acuda|Pídala|Pídasela|Dígaselo"
    r"|Le damos|Le invitan|Le hemos)\b",
    re.IGNORECASE,
)
# Third person as often as usted: a client message may use them only of someone else.
THIRD_PERSON_OR_USTED = re.compile(
    r"\b(?:su|sus|suyo|suya|suyos|suyas|(?<!se )puede)\b", re.IGNORECASE
)
# Words that speak to someone as tú. Most tú imperatives are also the third person of the
# present ("Sigue abierta", "Habla desde"), so only the unambiguous ones are listed.
TU = re.compile(
    r"\b(?:tú|tu|tus|te|ti|contigo|puedes|tienes|quieres|estás|eres|has|hayas|sientes|necesitas"
    r"|debes|sabes|prefieras|prefieres|recibirás|verás|podrás|tendrás|necesitarás"
    r"|Haz|Pon|Escríbelo|Cuéntanos|Dinos|Asegúrate|Ponte|Inténtalo|Díselo|Pídesela|Pídela"
    r"|Únete)\b",
    re.IGNORECASE,
)
# Staff messages that quote a client's words or speak for the client on purpose.
STAFF_QUOTES_CLIENT: dict[str, str] = {
    "'You' statement": "names a kind of sentence by the word it is built on",
    "The model receives the scenario and the conversation with names, e-mail addresses, phone "
    "numbers, street addresses and dates replaced: people are sent as roles such as 'your "
    "partner'. Only names Gentle knows are replaced: the people in the client's record and the "
    "clinic's other clients. If it is slow, unreachable or answers badly, the built-in partner "
    "answers instead.": "quotes a role as the client reads it",
    "The client reads this after “What you have been living with:”; use their words.": "quotes "
    "the heading the client reads",
    "The client reads this after “What you bring:”.": "quotes the heading the client reads",
}
# The staff's parts of templates clients and visitors see too.
STAFF_IN_SHARED: dict[str, str] = {
    "A link was sent to %(email)s. Print this letter and hand it to the client in person (or "
    "read the code to them in a video session): the link works only with this code. The code "
    "is shown only now; if the letter is lost, send a new invitation.": "above the letter",
    "The client's own words in this rehearsal raised a safety alert. The rehearsal stays "
    "paused until you have followed it up.": "rehearsal page, the care team's notice",
}


# --- the catalogue ---------------------------------------------------------------------------


def _unquote(value: str) -> str:
    return "".join(json.loads(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', value))


@cache
def catalogue() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> every Spanish form of it, joined."""
    found = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        strings = {
            key: _unquote(value)
            for key, value in re.findall(
                r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)', block, re.M
            )
        }
        if "msgid" in strings:
            spanish = " | ".join(v for k, v in strings.items() if k.startswith("msgstr"))
            found[(strings.get("msgctxt"), strings["msgid"])] = spanish
    return found


# --- messages in code and templates ----------------------------------------------------------

GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
Message = tuple[str | None, str]


def messages_in(node: ast.AST) -> set[Message]:
    """The msgids of the gettext calls in a piece of Python (or of templatize's output)."""
    found = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        texts = [a.value for a in call.args if isinstance(a, ast.Constant)]
        texts = [t for t in texts if isinstance(t, str)]
        if name in GETTEXT and texts:
            found.add((None, texts[0]))
        elif name in PGETTEXT and len(texts) > 1:
            found.add((texts[0], texts[1]))
    return found


_CALL = re.compile(
    r"\b(?:gettext|ngettext|pgettext|npgettext|_)\((?:[^()'\"]|'(?:[^'\\]|\\.)*'"
    r"|\"(?:[^\"\\]|\\.)*\")*\)"
)


def template_messages(path: Path) -> set[Message]:
    """What makemessages finds in a template: templatize turns it into Python-like text whose
    gettext calls carry the msgids; each call is parsed on its own."""
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for call in _CALL.finditer(code):
        found |= messages_in(ast.parse(call.group(0)))
    return found


_INCLUDED = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
_NAMED = re.compile(r"^[\w/.-]+\.(?:html|txt)$")


@cache
def template_files() -> dict[str, Path]:
    """Template name -> file, for Gentle's own templates."""
    files = {}
    for path in GENTLE.rglob("templates/**/*"):
        if path.is_file() and path.suffix in {".html", ".txt"}:
            parts = path.relative_to(GENTLE).parts
            files["/".join(parts[parts.index("templates") + 1 :])] = path
    return files


def with_includes(names: set[str]) -> set[Path]:
    """The templates named, and every template of Gentle's they include or extend."""
    files, todo, seen = template_files(), list(names), set()
    while todo:
        path = files.get(todo.pop())
        if path is None or path in seen:
            continue
        seen.add(path)
        todo.extend(_INCLUDED.findall(path.read_text(encoding="utf-8")))
    return seen


# --- who reads what -------------------------------------------------------------------------


@cache
def _tree(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"))


def _definition(obj) -> ast.AST | None:
    module = sys.modules[obj.__module__]
    body = _tree(inspect.getsourcefile(module)).body
    node = None
    for name in obj.__qualname__.split("."):
        node = next(
            (
                n
                for n in body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == name
            ),
            None,
        )
        if node is None:
            return None
        body = node.body
    return node


def _named(obj, node: ast.AST):
    """The functions and classes of Gentle a piece of code names."""
    names = vars(sys.modules[obj.__module__])
    for sub in ast.walk(node):
        target = None
        if isinstance(sub, ast.Name):
            target = names.get(sub.id)
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            module = names.get(sub.value.id)
            if isinstance(module, types.ModuleType):
                target = getattr(module, sub.attr, None)
        if (inspect.isfunction(target) or inspect.isclass(target)) and getattr(
            target, "__module__", ""
        ).startswith("gentle."):
            yield target


def _import(dotted: str):
    module, _, name = dotted.rpartition(".")
    __import__(module)
    return getattr(sys.modules[module], name)


def _routes(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def client_routes() -> list[URLPattern]:
    """Routes visitors and clients open: those ruled public or portal, and those without a
    rule (Gentle's home, crisis and error pages, django-allauth's pages)."""
    return [
        p
        for p in _routes(get_resolver().url_patterns)
        if (rule := RULES.get(p.name)) is None or rule.access in CLIENT_ACCESS
    ]


@cache
def client_reading() -> tuple[frozenset[Message], frozenset[Path], frozenset[str]]:
    """The messages clients and visitors read: those in the code their requests run, in the
    templates it renders, and in CLIENT_MODULES. Also returns those templates and the code
    followed."""
    todo = [p.callback for p in client_routes()]
    todo += [_import(name) for name in CLIENT_CODE]
    seen: set[str] = set()
    messages: set[Message] = set()
    templates: set[str] = set()
    for name in CLIENT_MODULES:
        __import__(name)
        messages |= messages_in(_tree(inspect.getsourcefile(sys.modules[name])))
    while todo:
        obj = inspect.unwrap(todo.pop())
        name = f"{obj.__module__}.{obj.__qualname__}"
        if name in seen or name in STAFF_ONLY or not obj.__module__.startswith("gentle"):
            continue
        seen.add(name)
        node = _definition(obj)
        if node is None:
            continue
        messages |= messages_in(node)
        templates |= {
            c.value
            for c in ast.walk(node)
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and _NAMED.match(c.value)
        }
        todo.extend(_named(obj, node))
    paths = with_includes(templates)
    for pattern in CLIENT_TEMPLATES:
        paths |= with_includes(
            {
                name
                for name, path in template_files().items()
                if fnmatch(str(path.relative_to(GENTLE)), pattern)
            }
        )
    for path in paths:
        messages |= template_messages(path)
    return frozenset(messages), frozenset(paths), frozenset(seen)


@cache
def every_message() -> frozenset[Message]:
    found: set[Message] = set()
    for path in GENTLE.rglob("*.py"):
        if "migrations" not in path.parts:
            found |= messages_in(_tree(str(path)))
    for path in template_files().values():
        found |= template_messages(path)
    return frozenset(found)


def client_messages() -> set[Message]:
    messages, _, _ = client_reading()
    return (set(messages) | {(None, m) for m in CLIENT_MESSAGES}) - {
        (None, m) for m in STAFF_IN_SHARED
    }


# --- the register ----------------------------------------------------------------------------


def test_messages_for_clients_and_visitors_say_tu():
    wrong = {}
    for key in client_messages():
        spanish = catalogue()[key]
        if USTED.search(spanish) or (
            THIRD_PERSON_OR_USTED.search(spanish) and key[1] not in THIRD_PERSON
        ):
            wrong[key[1]] = spanish
    assert wrong == {}, "speak to clients and visitors as tú (or list a third person above)"


def test_messages_for_staff_say_usted():
    staff = every_message() - client_messages()
    wrong = {
        key[1]: catalogue()[key]
        for key in staff
        if TU.search(catalogue()[key]) and key[1] not in STAFF_QUOTES_CLIENT
    }
    assert wrong == {}, "speak to staff as usted (or list the quotation above)"


def test_every_listed_exception_is_still_true():
    """A list that outlives its messages would hide the next mistake."""
    texts = {m for _, m in every_message()}
    client = {m for _, m in client_messages()}
    for msgid in [*THIRD_PERSON, *STAFF_QUOTES_CLIENT, *STAFF_IN_SHARED, *CLIENT_MESSAGES]:
        assert msgid in texts, msgid
    for msgid in THIRD_PERSON:
        assert msgid in client and THIRD_PERSON_OR_USTED.search(catalogue()[(None, msgid)])
    for msgid in STAFF_IN_SHARED:
        assert msgid in {m for _, m in client_reading()[0]}, msgid
    for name in STAFF_ONLY:
        assert inspect.isfunction(_import(name)), name


def test_the_reading_finds_client_messages_and_leaves_staff_ones():
    """Client messages in a template, a form, a form's errors and the middleware are found;
    a staff page's are not."""
    texts = {m for _, m in client_messages()}
    assert "Write today's mood diary" in texts  # portal/home.html
    assert "Whom I spent time with" in texts  # the diary's form (timeline/forms.py)
    assert "Choose a number from 0 to 10 for your mood." in texts  # the same form's error
    assert "Your session ended. Please sign in again." in texts  # the session middleware
    assert "Forgotten your password?" in texts  # the sign-in page (django-allauth's route)
    assert "The code works once." in " ".join(texts)  # the letter the clinician prints
    assert "Create records and choose who cares for each client." not in " ".join(texts)
    assert "Sign note…" not in texts  # a progress note, staff only


def test_the_markers_tell_the_registers_apart():
    assert USTED.search("Elija una contraseña") and not USTED.search("Elige una contraseña")
    assert USTED.search("Guardado. Por favor, escriba de nuevo.")
    assert not USTED.search("que la otra persona escriba")
    assert TU.search("¿Has olvidado tu contraseña?")
    assert not TU.search("¿Ha olvidado su contraseña?")
    assert not TU.search("Sigue abierta una invitación")
    assert THIRD_PERSON_OR_USTED.search("Volver a sus cuestionarios")
    assert not THIRD_PERSON_OR_USTED.search("Esta invitación no se puede usar")


# --- data files ------------------------------------------------------------------------------

# Data files whose Spanish texts a client or visitor reads (every "es" text in them).
CLIENT_DATA = (
    "communication/data/statements.json",
    "communication/data/styles.json",
    "communication/data/worksheets.json",
    "formulation/data/client_text.json",
    "grief/data/grief.json",
    "intake/data/pages.json",
    "roleplay/data/library.json",
    "safety/data/crisis_defaults.json",
    "safety/data/safety_plan.json",
)
# Questionnaires a client answers (rater "self") are client texts too, except those whose
# Spanish follows a published translation: their validity rests on its exact words.
PUBLISHED_WORDING = {
    name: "Pfizer's Spanish (US) version, which speaks as usted"
    for name in ("phq9", "phq2", "gad7", "gad2")
}
INSTRUMENTS = GENTLE / "measures/data/instruments"


def spanish_texts(data, where: str = ""):
    """(where, text) for every Spanish text in a data file: the "es" of a {"en", "es"}."""
    if isinstance(data, dict):
        if isinstance(data.get("es"), str):
            yield where, data["es"]
        for key, value in data.items():
            yield from spanish_texts(value, f"{where}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from spanish_texts(value, f"{where}[{index}]")


def client_data_texts():
    for name in CLIENT_DATA:
        yield from spanish_texts(json.loads((GENTLE / name).read_text(encoding="utf-8")), name)
    for path in sorted(INSTRUMENTS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["rater"] == "self" and data["id"] not in PUBLISHED_WORDING:
            yield from spanish_texts(data, path.name)


def test_data_files_clients_read_say_tu():
    texts = list(client_data_texts())
    assert any(where.startswith("pg13r.json") for where, _ in texts)
    wrong = {
        where: text
        for where, text in texts
        if USTED.search(text) or THIRD_PERSON_OR_USTED.search(text)
    }
    assert wrong == {}


def test_published_wordings_are_self_rated_and_say_whose_they_are():
    for name in PUBLISHED_WORDING:
        data = json.loads((INSTRUMENTS / f"{name}.json").read_text(encoding="utf-8"))
        assert data["rater"] == "self" and "Pfizer Spanish" in data["notes"], name


# --- django-allauth's and Django's messages on the password pages ----------------------------


def _msgids(po: Path) -> set[str]:
    return {
        _unquote(m)
        for m in re.findall(r'^msgid ((?:".*"\n?)+)', po.read_text(encoding="utf-8"), re.M)
    }


def test_the_messages_we_word_for_allauth_and_django_are_still_theirs():
    import allauth
    import django

    from gentle.accounts import allauth_texts

    theirs = _msgids(Path(allauth.__file__).parent / "locale/es/LC_MESSAGES/django.po")
    auth = Path(django.__file__).parent / "contrib/auth/locale/es/LC_MESSAGES/django.po"
    django_theirs = _msgids(Path(django.__file__).parent / "conf/locale/es/LC_MESSAGES/django.po")
    django_theirs |= _msgids(auth)
    ours = messages_in(_tree(allauth_texts.__file__))
    assert len(ours) == len(allauth_texts.ALLAUTH) + len(allauth_texts.DJANGO)
    missing = {m for _, m in ours if m not in theirs and m not in django_theirs}
    assert missing == set(), "allauth or Django changed these messages: update allauth_texts"


@pytest.mark.django_db
def test_the_password_pages_and_mail_say_tu(client, world):
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = client.get("/accounts/password/reset/").content.decode()
    assert "¿Has olvidado tu contraseña? Escribe tu dirección de correo electrónico" in html
    assert "Introduzca" not in html and "¿Ha olvidado" not in html
    response = client.post("/accounts/password/reset/", {"email": world.portal.email}, follow=True)
    assert "Te hemos enviado un correo electrónico." in response.content.decode()
    deliver_mail()
    body = mail.outbox[-1].body
    assert "Recibes este correo porque alguien, quizá tú, ha pedido restablecer" in body
    assert "usted" not in body
    wrong = client.post("/accounts/login/", {"login": world.portal.email, "password": "nope"})
    assert "El correo electrónico o la contraseña no son correctos." in wrong.content.decode()
