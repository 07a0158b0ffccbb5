"""The import graph of gentle/ against the table of docs/ARCHITECTURE.md (the one source).

Each app imports only the apps its row names, which are listed above it; ``lib`` imports no
Gentle app; no app imports the project package; every app is in the table, and every arrow in
the table is one the code has. The synthetic tests at the end show that each check can fail.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
PROJECT = "gentle"
# Folders of the project package itself, not apps.
PROJECT_FOLDERS = {"formats", "management", "migrations"}
EVERY_APP = "every app"


# --- the table ------------------------------------------------------------------------------


def parse_table(text: str) -> tuple[list[str], dict[str, set[str] | None]]:
    """The apps in table order and what each may use (None: every app). Rows are those of the
    table whose header is ``| app | holds | may use |``; names are in backticks."""
    order: list[str] = []
    allowed: dict[str, set[str] | None] = {}
    in_table = False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|"):
            in_table = False
            continue
        if [c.lower() for c in cells] == ["app", "holds", "may use"]:
            in_table = True
            continue
        if not in_table or set(line) <= set("|- "):
            continue
        assert len(cells) == 3, f"docs/ARCHITECTURE.md: a row needs three cells: {line}"
        names = re.findall(r"`([^`]+)`", cells[0])
        assert len(names) == 1, f"docs/ARCHITECTURE.md: one `app` in the first cell: {line}"
        name = names[0]
        assert name not in allowed, f"docs/ARCHITECTURE.md lists `{name}` twice"
        order.append(name)
        uses = cells[2]
        allowed[name] = None if uses == EVERY_APP else set(re.findall(r"`([^`]+)`", uses))
    assert order, "docs/ARCHITECTURE.md has no `| app | holds | may use |` table"
    return order, allowed


def table() -> tuple[list[str], dict[str, set[str] | None]]:
    return parse_table(DOC.read_text(encoding="utf-8"))


def order_problems(order: list[str], allowed: dict[str, set[str] | None]) -> list[str]:
    """Names in a row that are not listed above it (that would allow a cycle), or unknown."""
    problems = []
    for position, app in enumerate(order):
        above = set(order[:position])
        for used in sorted(allowed[app] or ()):
            if used not in order:
                problems.append(f"{app} may use `{used}`, which the table does not list")
            elif used not in above:
                problems.append(f"{app} may use `{used}`, which is listed below it")
    return problems


# --- the code -------------------------------------------------------------------------------


def units(src: Path) -> set[str]:
    """The apps (and lib) found in src/gentle: each folder holding Python, except the project's
    own folders."""
    found = set()
    for folder in (src / PROJECT).iterdir():
        if folder.is_dir() and folder.name not in PROJECT_FOLDERS and any(folder.rglob("*.py")):
            found.add(folder.name)
    return found


def unit_of(module: str, known: set[str]) -> str | None:
    parts = module.split(".")
    if parts[0] != PROJECT:
        return None
    if len(parts) > 1 and parts[1] in known:
        return parts[1]
    return PROJECT


def imported_modules(path: Path, module: str):
    """(line, module, statement) for every import in the file, at any depth; relative imports
    resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = ", ".join(alias.name for alias in node.names)
            statement = f"from {target} import {names}"
            if target == PROJECT:
                # `from gentle import staff` imports the app staff, not the project.
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}", statement
            else:
                yield node.lineno, target, statement


def import_edges(src: Path) -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → where: ``path:line (statement)``."""
    known = units(src)
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted((src / PROJECT).rglob("*.py")):
        relative = path.relative_to(src)
        module = ".".join(relative.with_suffix("").parts)
        if module.endswith(".__init__"):
            module = module[: -len(".__init__")]
        here = unit_of(module, known)
        for line, target, statement in imported_modules(path, module):
            there = unit_of(target, known)
            place = f"{relative}:{line} ({statement})"
            if there is not None and there != here and place not in edges[(here, there)]:
                edges[(here, there)].append(place)
    return edges


def forbidden(edges, allowed: dict[str, set[str] | None]) -> list[str]:
    """Each import the table does not allow, named with where it is."""
    found = []
    for (here, there), where in sorted(edges.items()):
        may = allowed.get(here, set())
        if may is None or there in may:
            continue
        found.append(f"{here} → {there}: {', '.join(where)}")
    return found


def unused(edges, allowed: dict[str, set[str] | None]) -> list[str]:
    """Arrows in the table that no import needs (the table would no longer be true)."""
    return [
        f"{here} → {there}"
        for here, may in allowed.items()
        if may is not None
        for there in sorted(may)
        if (here, there) not in edges
    ]


HOW_TO_FIX = (
    "Move the code to the app that may use both (a page combining apps goes to `staff`), or, "
    "where the arrow is right, add it to the table in docs/ARCHITECTURE.md with the reason."
)


# --- the checks on Gentle -------------------------------------------------------------------


def test_no_app_imports_an_app_its_row_does_not_name():
    problems = forbidden(import_edges(ROOT), table()[1])
    assert problems == [], (
        "imports the table does not allow:\n" + "\n".join(problems) + ("\n" + HOW_TO_FIX)
    )


def test_lib_uses_no_gentle_app_and_no_app_uses_the_project():
    """Not up to the table: lib stays free of Gentle, and the project imports the apps (its
    urls.py does), so an app importing it would be a cycle."""
    order, allowed = table()
    assert allowed["lib"] == set()
    assert [app for app in order if PROJECT in (allowed[app] or ())] == []
    assert order[-1] == PROJECT and allowed[PROJECT] is None


def test_the_table_lists_every_app_and_no_other():
    order, _allowed = table()
    apps = units(ROOT) | {PROJECT}
    assert sorted(apps - set(order)) == [], "apps missing from docs/ARCHITECTURE.md"
    assert sorted(set(order) - apps) == [], "docs/ARCHITECTURE.md lists apps that do not exist"


def test_each_app_uses_only_apps_listed_above_it():
    assert order_problems(*table()) == []


def test_every_arrow_in_the_table_is_one_the_code_has():
    stale = unused(import_edges(ROOT), table()[1])
    assert stale == [], (
        "docs/ARCHITECTURE.md allows arrows no code uses; remove them so the table stays true: "
        + ", ".join(stale)
    )


# --- the checks can fail ----------------------------------------------------------------------


def write(src: Path, relative: str, text: str = "") -> None:
    path = src / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_forbidden_import_is_named_with_its_place(tmp_path):
    write(tmp_path, "gentle/__init__.py")
    write(tmp_path, "gentle/urls.py", "import gentle.timeline.urls\n")
    write(tmp_path, "gentle/lib/__init__.py")
    # Inside a function, and lib may use no app at all.
    write(tmp_path, "gentle/lib/dates.py", "def f():\n    from gentle.clients import access\n")
    write(tmp_path, "gentle/clients/__init__.py")
    write(tmp_path, "gentle/clients/access.py", "from gentle.lib import dates\n")
    write(tmp_path, "gentle/safety/__init__.py")
    write(tmp_path, "gentle/timeline/__init__.py")
    # timeline → safety is allowed (the risk scanner); timeline → staff and → the project not.
    write(
        tmp_path,
        "gentle/timeline/views.py",
        "from gentle.safety.actions import text_hear\n"
        "from gentle import staff\n"
        "from gentle import routes\n"
        "from ..staff.views import caseload\n",
    )
    write(tmp_path, "gentle/staff/__init__.py")
    write(tmp_path, "gentle/staff/views.py", "import gentle.timeline.selectors\n")

    problems = forbidden(import_edges(tmp_path), table()[1])

    assert problems == [
        "lib → clients: gentle/lib/dates.py:2 (from gentle.clients import access)",
        "timeline → gentle: gentle/timeline/views.py:3 (from gentle import routes)",
        "timeline → staff: gentle/timeline/views.py:2 (from gentle import staff), "
        "gentle/timeline/views.py:4 (from gentle.staff.views import caseload)",
    ]


def test_an_app_missing_from_the_table_is_found(tmp_path):
    write(tmp_path, "gentle/__init__.py")
    write(tmp_path, "gentle/programmes/apps.py")
    write(tmp_path, "gentle/management/commands/seed.py")
    write(tmp_path, "gentle/templates/base.html")

    assert units(tmp_path) == {"programmes"}
    assert units(tmp_path) - set(table()[0]) == {"programmes"}


def test_a_table_that_allows_a_cycle_or_an_unknown_app_is_refused():
    text = """
| app | holds | may use |
|---|---|---|
| `lib` | helpers | — |
| `audit` | the log | `lib`, `clients` |
| `clients` | records | `audit`, `lib`, `groups` |
| `gentle` | the project | every app |
"""
    order, allowed = parse_table(text)

    assert order == ["lib", "audit", "clients", "gentle"]
    assert allowed["gentle"] is None
    assert order_problems(order, allowed) == [
        "audit may use `clients`, which is listed below it",
        "clients may use `groups`, which the table does not list",
    ]


def test_an_arrow_no_code_uses_is_reported():
    edges = {("audit", "lib"): ["gentle/audit/log.py:1 gentle.lib.crypto"]}
    allowed = {"lib": set(), "audit": {"lib", "accounts"}, "gentle": None}

    assert unused(edges, allowed) == ["audit → accounts"]
