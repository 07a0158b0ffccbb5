"""Templates keep what their fixed tags write (gentle.lib.templates), and write what Django
writes: in each language, under each script prefix, and nothing kept for a tag whose output
depends on the page."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.template.defaulttags import URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gentle.accounts.models import Role, User
from gentle.demo import seed_demo
from gentle.lib.templates import Kept, KeptByNumbers, keep_fixed
from tests.factories import make_clinic, make_person, signed_in

FIXED = (
    "{% load i18n static %}"
    '<a href="{% url \'crisis\' %}">{% translate "In crisis? Get help now" %}</a>'
    "{% translate 'Caseload' context 'nonexistent context' %}"
    "{% blocktranslate %}Caseload{% endblocktranslate %}"
    "{% url 'client_detail' 7 %}{% static 'gentle/gentle.css' %}"
    "{% translate '<b>&' %}"
    "{% translate 'Caseload' as word %}{{ word }}{% url 'crisis' as address %}{{ address }}"
    "{% url 'no-such-page' as nowhere %}[{{ nowhere }}]"
    "{% static 'gentle/gentle.js' as js %}{{ js }}"
    "{% blocktranslate asvar sentence %}Caseload{% endblocktranslate %}{{ sentence }}"
)
DEPENDS = (
    "{% load i18n static %}"
    "{% translate word %}|{% url name %}|{% url 'client_detail' pk %}|{% static path %}|"
    "{% blocktranslate %}{{ word }}{% endblocktranslate %}|"
    "{% blocktranslate count n=n %}one{% plural %}many{% endblocktranslate %}|"
    "{% translate 'Caseload'|upper %}|{% translate word as aside %}{{ aside }}"
)


def _engine() -> Engine:
    libraries = {"i18n": "django.templatetags.i18n", "static": "django.templatetags.static"}
    return Engine(libraries=libraries)


def _render_both(source: str, context: dict, *, autoescape: bool = True) -> tuple[str, str]:
    """``source`` rendered as Django renders it, and with its fixed tags kept (rendered twice,
    so that the second comes from what was kept)."""
    plain, kept = _engine().from_string(source), _engine().from_string(source)
    keep_fixed(kept.nodelist)
    kept.render(Context(context, autoescape=autoescape))
    return (
        plain.render(Context(context, autoescape=autoescape)),
        kept.render(Context(context, autoescape=autoescape)),
    )


def test_only_tags_of_fixed_text_are_kept():
    fixed, depends = _engine().from_string(FIXED), _engine().from_string(DEPENDS)
    keep_fixed(fixed.nodelist)
    keep_fixed(depends.nodelist)
    assert len(fixed.nodelist.get_nodes_by_type(Kept)) == 12
    assert depends.nodelist.get_nodes_by_type(Kept) == []


def test_tags_inside_conditions_loops_and_blocks_are_kept():
    template = _engine().from_string(
        "{% load i18n %}{% if a %}{% translate 'Caseload' %}{% elif b %}{% url 'crisis' %}"
        "{% else %}{% for x in xs %}{% translate 'Caseload' %}{% empty %}"
        "{% with y=1 %}{% url 'home' %}{% endwith %}{% endfor %}{% endif %}"
    )
    keep_fixed(template.nodelist)
    assert len(template.nodelist.get_nodes_by_type(Kept)) == 4
    assert template.render(Context({"xs": []})) == "/"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_kept_tags_write_what_django_writes(language, autoescape):
    values = {"word": "Caseload", "name": "home", "pk": 3, "path": "gentle/gentle.js", "n": 2}
    with translation.override(language):
        shown = [_render_both(source, values, autoescape=autoescape) for source in (FIXED, DEPENDS)]
    for plain, kept in shown:
        assert kept == plain
    assert ("¿En crisis? Pide ayuda ahora" in shown[0][0]) == (language == "es")


def test_a_kept_tag_follows_the_language_and_the_script_prefix():
    template = _engine().from_string(
        "{% load i18n %}{% translate 'In crisis? Get help now' %} {% url 'crisis' %}"
    )
    keep_fixed(template.nodelist)
    shown = []
    for language, prefix in [("en", "/"), ("es", "/"), ("en", "/clinic/"), ("es", "/")]:
        set_script_prefix(prefix)
        try:
            with translation.override(language):
                shown.append(template.render(Context()))
        finally:
            clear_script_prefix()
    assert shown == [
        "In crisis? Get help now /crisis/",
        "¿En crisis? Pide ayuda ahora /crisis/",
        "In crisis? Get help now /clinic/crisis/",
        "¿En crisis? Pide ayuda ahora /crisis/",
    ]


def test_a_url_that_does_not_reverse_still_fails_the_page_and_is_not_kept():
    from django.urls import NoReverseMatch

    template = _engine().from_string("{% url 'no-such-page' %}")
    keep_fixed(template.nodelist)
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            template.render(Context())
    (kept,) = template.nodelist.get_nodes_by_type(Kept)
    assert kept.kept == {}


@pytest.mark.django_db
def test_a_signed_in_page_writes_its_fixed_tags_once(monkeypatch):
    """A second crisis page (the cost of being signed in: the layout) renders none of its
    translations, URLs and static files' addresses again; it fails with Django's loader."""
    clinician = make_person(make_clinic(), Role.CLINICIAN)
    browser = signed_in(clinician)
    assert browser.get("/crisis/").status_code == 200
    rendered = []
    for node_type in (TranslateNode, URLNode, StaticNode):
        original = node_type.render

        def counted(self, context, original=original):
            rendered.append(self)
            return original(self, context)

        monkeypatch.setattr(node_type, "render", counted)
    page = browser.get("/crisis/")
    assert "In crisis? Get help now" in page.content.decode()
    assert [(n.origin.name, n.token.contents) for n in rendered] == []
    browser.post("/i18n/setlang/", {"language": "es", "next": "/crisis/"})
    spanish = browser.get("/crisis/").content.decode()
    assert "¿En crisis? Pide ayuda ahora" in spanish
    assert "In crisis? Get help now" not in spanish


@pytest.mark.django_db
def test_a_page_does_not_walk_the_layout_for_its_blocks_again(monkeypatch):
    """Django looks through the layout's every node for its blocks at each page that extends
    it; a loaded template finds them once (gentle.lib.templates.LoadedNodeList)."""
    from django.template.base import Node

    browser = signed_in(make_person(make_clinic(), Role.CLINICIAN))
    assert browser.get("/crisis/").status_code == 200
    walked = []
    walk = Node.get_nodes_by_type
    monkeypatch.setattr(
        Node, "get_nodes_by_type", lambda self, kind: walked.append(self) or walk(self, kind)
    )
    page = browser.get("/crisis/").content.decode()
    assert "In crisis? Get help now" in page and '<main id="main"' in page
    assert walked == []


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
LINK = re.compile(r'href="(/[^"#?]*)"')
# Django's own loader and its own ``date`` filter (without gentle.lib.date_filter).
DJANGOS_LOADER = [
    {
        **settings.TEMPLATES[0],
        "OPTIONS": {
            **settings.TEMPLATES[0]["OPTIONS"],
            "builtins": [],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]


def _walk(browsers: dict, language: str) -> dict[tuple[str, str], str]:
    """Every role's home and each page it links to (one level), as each role sees them."""
    pages = {}
    for login, browser in browsers.items():
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        home = browser.get("/").content.decode()
        for path in ["/", *sorted(set(LINK.findall(home)))]:
            if path.startswith(("/static/", "/accounts/logout")):
                continue
            response = browser.get(path)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                pages[(login, path)] = CSRF.sub("", response.content.decode())
    return pages


@pytest.mark.django_db
def test_the_demos_pages_are_the_same_as_with_djangos_loader(settings):
    """Each demo person's home and every page it links to, in English and in Spanish, are the
    same with Django's own loader before and after, and with ours in between. A page that
    changes between Django's two walks (the audit log lists the walk's own reads) is left out."""
    settings.GENTLE_DEMO_MFA_OPTIONAL = True
    seed_demo()
    logins = ["clinician", "supervisor", "admin", "client", "facilitator"]
    browsers = {
        login: signed_in(User.objects.get(email=f"{login}@demo.gentle.test")) for login in logins
    }
    languages = ("en", "es", "en")  # a language again, with what the other kept
    with override_settings(TEMPLATES=DJANGOS_LOADER):
        before = [_walk(browsers, language) for language in languages]
    ours = [_walk(browsers, language) for language in languages]
    with override_settings(TEMPLATES=DJANGOS_LOADER):
        after = [_walk(browsers, language) for language in languages]
    compared = 0
    for walks in zip(before, ours, after, strict=True):
        djangos, kept, djangos_again = walks
        assert djangos.keys() == kept.keys() == djangos_again.keys()
        for page, html in kept.items():
            if djangos[page] == djangos_again[page]:
                assert html == djangos[page], page
                compared += 1
    assert "Casos" in ours[1][("clinician", "/")]
    assert compared > 150


# A blocktranslate of the numbers it is given is kept for each set of numbers
# (gentle.lib.templates.KeptByNumbers); anything else it shows is rendered each time.
NUMBERS = (
    "{% load i18n %}"
    "{% blocktranslate count n=n %}{{ n }} measure overdue{% plural %}{{ n }} measures overdue"
    "{% endblocktranslate %}|"
    "{% blocktranslate with n=n total=total %}session {{ n }} of {{ total }}"
    "{% endblocktranslate %}|"
    "{% blocktranslate count n=n asvar said %}{{ n }} draft note{% plural %}{{ n }} draft notes"
    "{% endblocktranslate %}[{{ said }}]|"
    "{% blocktranslate with name=name %}Welcome, {{ name }}{% endblocktranslate %}|"
    "{% blocktranslate count n=n %}{{ n }} for {{ name }}{% plural %}{{ n }} for {{ name }}"
    "{% endblocktranslate %}"
)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize(
    "values",
    [
        {"n": 1, "total": 12, "name": "Nico <b>"},
        {"n": 3, "total": 16, "name": "Ana"},
        {"n": 1000, "total": 0, "name": ""},
        {"n": 2.0, "total": "12", "name": "Ana"},  # not whole numbers: as Django renders them
        {"n": True, "total": None, "name": "Ana"},
    ],
)
def test_a_blocktranslate_of_numbers_writes_what_django_writes(language, autoescape, values):
    with translation.override(language):
        plain, kept = _render_both(NUMBERS, values, autoescape=autoescape)
    assert kept == plain


def test_a_blocktranslate_is_kept_for_numbers_only():
    template = _engine().from_string(NUMBERS)
    keep_fixed(template.nodelist)
    by_numbers = template.nodelist.get_nodes_by_type(KeptByNumbers)
    # the last one shows a variable it is not given: rendered as Django does, each time
    assert len(by_numbers) == 4
    with translation.override("es"):
        for n in (1, 2, 1):
            shown = template.render(Context({"n": n, "total": 12, "name": "Ana"}))
    assert shown.startswith("1 medida pendiente|sesión 1 de 12|")
    assert [len(node.kept) for node in by_numbers] == [2, 2, 2, 0]  # not the name
    # Given a value that is not a whole number, a tag is rendered as Django renders it, then
    # and after.
    template.render(Context({"n": 1.5, "total": 12, "name": "Ana"}))
    plain = _engine().from_string(NUMBERS)
    with translation.override("es"):
        for n in (5, 1):
            assert template.render(Context({"n": n, "total": 12, "name": "Ana"})) == plain.render(
                Context({"n": n, "total": 12, "name": "Ana"})
            )
    assert [len(node.kept) for node in by_numbers] == [2, 2, 2, 0]
    assert [node.numbers for node in by_numbers] == [False, False, False, False]
    assert all("Ana" not in text for node in by_numbers for text in node.kept.values())


def test_a_blocktranslate_of_numbers_shown_again_is_not_rendered_again(monkeypatch):
    """The rows of a list each say "n measures overdue": the same numbers are translated once
    (fails with Django's rendering at each row)."""
    from django.templatetags.i18n import BlockTranslateNode

    template = _engine().from_string(
        "{% load i18n %}{% for row in rows %}{% blocktranslate count n=row %}{{ n }} measure"
        " overdue{% plural %}{{ n }} measures overdue{% endblocktranslate %};{% endfor %}"
    )
    keep_fixed(template.nodelist)
    rendered = []
    original = BlockTranslateNode.render
    monkeypatch.setattr(
        BlockTranslateNode,
        "render",
        lambda node, context, nested=False: rendered.append(1) or original(node, context, nested),
    )
    shown = template.render(Context({"rows": [1, 2, 2, 1, 3, 2]}))
    assert shown.startswith("1 measure overdue;2 measures overdue;2 measures overdue;1 measure")
    assert len(rendered) == 3


# Django's date filter, kept for the dates shown again (gentle.lib.date_filter).
ZONES = [UTC, ZoneInfo("Europe/Madrid"), ZoneInfo("America/Mexico_City"), None]
FORMATS = [
    None,
    "SHORT_DATE_FORMAT",
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "TIME_FORMAT",
    "c",
    "r",
    "U",
    "D j M Y, H:i e O T",
    r"l \t\h\e jS \o\f F",
    "N E b a A f g G h P I L o W t z y",
]


@hypothesis_settings(max_examples=300)
@given(
    moment=st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2099, 12, 31)),
    zone=st.sampled_from(ZONES),
    fold=st.sampled_from([0, 1]),
    kind=st.sampled_from(["datetime", "date"]),
    format_=st.sampled_from(FORMATS),
    language=st.sampled_from(["en", "es"]),
)
def test_the_date_filter_writes_what_djangos_writes(moment, zone, fold, kind, format_, language):
    from django.template import defaultfilters

    from gentle.lib import date_filter

    value = moment.replace(tzinfo=zone, fold=fold) if kind == "datetime" else moment.date()
    with translation.override(language):
        for _ in range(2):  # worked out, then kept
            try:
                expected = defaultfilters.date(value, format_)
            except TypeError as error:  # a time format of a date: the same error
                with pytest.raises(TypeError, match=re.escape(str(error))):
                    date_filter.date(value, format_)
            else:
                assert date_filter.date(value, format_) == expected


def test_a_date_shown_again_is_not_formatted_again(monkeypatch):
    """What the filter keeps follows the language and the settings (fails with Django's filter
    in the builtins: each date formatted at every rendering)."""
    from django.utils import dateformat

    template = Engine(builtins=["gentle.lib.date_filter"]).from_string(
        '{{ when|date:"SHORT_DATE_FORMAT" }} {{ when|date:"c" }} {{ when|date }}'
    )
    when = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    formatted = []
    original = dateformat.format
    monkeypatch.setattr(dateformat, "format", lambda *a: formatted.append(a) or original(*a))
    with translation.override("es"):
        shown = [template.render(Context({"when": when})) for _ in range(3)]
    assert len(formatted) == 3
    assert shown[0] == shown[2] and "mar" in shown[0].lower()
    with translation.override("en"):
        assert "Mar" in template.render(Context({"when": when}))
    assert len(formatted) == 6
    with override_settings(TIME_ZONE="America/Mexico_City"):
        template.render(Context({"when": when}))
    assert len(formatted) == 9


def test_an_address_of_numbers_is_kept_for_its_numbers_and_prefix():
    template = _engine().from_string(
        "{% for pk in pks %}{% url 'course_detail' pk %};{% endfor %}"
        "{% url 'client_detail' client_id=pks.0 as there %}[{{ there }}]"
        "{% url 'client_detail' name %}"
    )
    keep_fixed(template.nodelist)
    by_numbers = template.nodelist.get_nodes_by_type(KeptByNumbers)
    assert len(by_numbers) == 3
    plain = _engine().from_string(template.source)
    shown = []
    for prefix, pks in [("/", [3, 4, 3]), ("/clinic/", [3, 5]), ("/", [4])]:
        set_script_prefix(prefix)
        try:
            for _ in range(2):
                context = {"pks": pks, "name": 9}
                shown.append(template.render(Context(context)))
                assert shown[-1] == plain.render(Context(context))
        finally:
            clear_script_prefix()
    assert (
        shown[2] == "/clinic/courses/3/;/clinic/courses/5/;[/clinic/clients/3/]/clinic/clients/9/"
    )
    assert shown[4] == "/courses/4/;[/clients/4/]/clients/9/"
    assert [len(node.kept) for node in by_numbers] == [4, 3, 2]
    # a value that is not a whole number: as Django reverses it, then and after
    set_script_prefix("/")
    try:
        assert (
            template.render(Context({"pks": [7], "name": "9"}))
            == "/courses/7/;[/clients/7/]/clients/9/"
        )
    finally:
        clear_script_prefix()
    assert [node.numbers for node in by_numbers] == [True, True, False]
