"""The record copy is made from the sections each app contributes (gentle/<app>/export.py),
listed once in gentle.portal.record.SECTIONS: every listed section is in the copy, every app's
section is listed, a section left out leaves no trace, and the portal knows no app's models."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from gentle.accounts.models import Role
from gentle.portal import record as record_copy
from gentle.portal.record import SECTIONS, build_record, render_html
from gentle.roleplay import export as roleplay_export
from gentle.roleplay.models import Scenario
from tests.factories import make_client, make_clinic, make_person
from tests.test_record_export import populate

pytestmark = pytest.mark.django_db

GENTLE = Path(__file__).resolve().parent.parent / "gentle"


@pytest.fixture
def client_record():
    clinic = make_clinic()
    clinician = make_person(clinic, Role.CLINICIAN)
    client = make_client(clinic, clinicians=[clinician])
    populate(client, clinician, "MINE")
    return client


def _export_modules() -> dict[str, object]:
    """Each Gentle app's ``export`` module, by app, for the apps that have one."""
    found = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.export"
        if config.name.startswith("gentle.") and importlib.util.find_spec(name):
            found[config.label] = importlib.import_module(name)
    return found


def test_every_registered_section_is_in_the_copy(client_record):
    record = build_record(client_record)
    assert list(record) == ["format", "generated_at", *(s.key for s in SECTIONS)]
    html = render_html(record)
    printed = render_html(record, printing=True)
    for section in SECTIONS:
        if section.template:
            # Folded under its title on the site; a plain section in the PDF (ADR 0063).
            assert f'<details class="record-part card" id="{section.html_id}">' in html
            assert f'<section id="{section.html_id}">' in printed
            assert f"<h2>{escape(section.title)}</h2>" in html, section.key
    contents = html.split("<ol>", 1)[1].split("</ol>", 1)[0]
    assert contents.count("<li>") == len([s for s in SECTIONS if s.template])
    for section in SECTIONS:
        if section.template:
            assert f'<a href="#{section.html_id}">{escape(section.title)}</a>' in contents
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)
    assert len({s.html_id for s in SECTIONS}) == len(SECTIONS)


def test_every_apps_sections_are_registered_and_only_those():
    modules = _export_modules()
    contributed = [section for module in modules.values() for section in module.SECTIONS]
    assert sorted(s.key for s in contributed) == sorted(s.key for s in SECTIONS)
    assert set(contributed) == set(SECTIONS)
    # Apps that keep no part of the client's record contribute nothing.
    assert {"accounts", "audit", "notify", "intake"}.isdisjoint(modules)
    assert {s.build.__module__ for s in SECTIONS} == {m.__name__ for m in modules.values()}


def test_a_section_left_out_leaves_no_trace(client_record, monkeypatch):
    """Leaving roleplay's section out of the list leaves out its key, its part of the page and
    its queries: nothing in the portal knows of it but the list."""
    assert Scenario.objects.filter(client=client_record).exists()
    without = tuple(s for s in SECTIONS if s not in roleplay_export.SECTIONS)
    monkeypatch.setattr(record_copy, "SECTIONS", without)
    with CaptureQueriesContext(connection) as captured:
        record = build_record(client_record)
    assert "scenarios" not in record
    assert "MINE-scenarios" not in json.dumps(record)
    assert not any(
        Scenario._meta.db_table in q["sql"] or "roleplay_" in q["sql"]
        for q in captured.captured_queries
    )
    html = render_html(record)
    assert 'id="scenarios"' not in html
    assert "Rehearsed conversations" not in html
    assert "MINE-turn" not in html


def test_an_old_copy_without_a_newer_section_still_renders(client_record):
    """A copy made before a section existed (copies are kept a day) shows it as empty."""
    record = build_record(client_record)
    del record["scenarios"]
    html = render_html(record)
    assert "No rehearsed conversations are recorded." in html


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, with ``from a import b`` also counted as ``a.b``."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_portal_record_imports_no_model_of_any_app():
    source = GENTLE / "portal" / "record.py"
    gentle = {m for m in _imported_modules(source) if m.split(".")[0] == "gentle"}
    assert gentle, "the registry imports the apps' export modules"
    for module in gentle:  # gentle.lib.*, gentle.<app> or gentle.<app>.export(.name)
        parts = module.split(".")
        assert "models" not in parts, module
        assert parts[1] == "lib" or len(parts) == 2 or parts[2] == "export", module
    assert "get_model" not in source.read_text()


def _keys(value, skip: frozenset[str]) -> set[str]:
    """Every key at any depth of a section's data, not looking into free-form mappings."""
    if isinstance(value, list):
        return set().union(*(_keys(item, skip) for item in value))
    if not isinstance(value, dict):
        return set()
    found = set(value)
    for key, item in value.items():
        if key not in skip:
            found |= _keys(item, skip)
    return found


def test_the_documentation_describes_every_section_and_key(client_record):
    """docs/record-export.md has a heading for each section, in order, naming each of its keys."""
    doc = (GENTLE.parent / "docs" / "record-export.md").read_text()
    parts = doc.split("\n### `")[1:]
    described = {part.split("`", 1)[0]: part for part in parts}
    assert list(described) == ["format", "generated_at", *(s.key for s in SECTIONS)]
    record = build_record(client_record)
    for section in SECTIONS:
        for key in _keys(record[section.key], section.pairs):
            assert f"`{key}`" in described[section.key], (section.key, key)
