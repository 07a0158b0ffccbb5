"""The `gentle` command: its help and the README name the same commands, and each one exists."""

import re
import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands

from gentle.cli import ALIASES

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands() -> set[str]:
    """The first column of the README's table of `gentle` commands, without the `gentle ` in
    front, leaving out the row for Django's own commands."""
    section = README.read_text(encoding="utf-8").split("## The `gentle` command", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = re.findall(r"^\| `gentle ([^`]+)` \|", section, flags=re.MULTILINE)
    return {row for row in rows if not row.startswith("check --deploy")}


def help_commands() -> set[str]:
    """The usage column of the lines under "Gentle's commands:" in `gentle --help`."""
    shown = subprocess.run(
        [sys.executable, "-m", "gentle", "--help"], capture_output=True, text=True, check=True
    ).stdout
    block = shown.split("Gentle's commands:\n", 1)[1].split("\n\n", 1)[0]
    return {re.split(r"\s{2,}", line.strip())[0] for line in block.splitlines()}


def test_gentle_help_and_the_readme_list_the_same_commands():
    in_readme = readme_commands()
    assert len(in_readme) >= 8  # the table was found and read
    assert help_commands() == in_readme


def test_every_listed_command_exists():
    django_commands = get_commands()
    for usage in readme_commands():
        name = usage.split()[0]
        assert ALIASES.get(name, name) in django_commands, name
