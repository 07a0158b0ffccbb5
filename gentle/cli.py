"""The `gentle` console command: Django's manage.py with Gentle's own commands in front.

Configuration errors stop start-up with one line naming the cause, not a traceback.
"""

from __future__ import annotations

import os
import sys

from gentle.lib.datadir import PRIVATE_UMASK

# Friendly spellings for Gentle's own commands (Django's command modules use underscores).
ALIASES = {
    "seed-demo": "seed_demo",
    "rotate-keys": "rotate_keys",
    "import-questionnaire": "import_questionnaire",
}

USAGE = """usage: gentle <command> [options]

Gentle's commands:
  demo [--port N] [--reset]       set up the demo (fictional data) and serve it with a worker
  serve [--port N]                run the production web server (gunicorn)
  worker [--once]                 run background tasks and periodic jobs
  seed-demo                       load the fictional demo data (refused in production)
  import-questionnaire FILE       add an instrument from a FHIR Questionnaire (JSON; --check)
  rotate-keys                     re-encrypt process notes and model API keys
  audit verify [--anchors FILE]   check the audit log's hash chain against its anchors
  audit anchor                    record a signed checkpoint of the audit chain's end
  backup [--to DIR]               back up the database online, with a manifest and its files
  restore FILE [--force]          restore a backup into an empty database and check it

Every Django management command works too, e.g. `gentle migrate`, `gentle check --deploy`.
`gentle <command> --help` shows a command's options.
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    # The database, secrets and exports Gentle writes are for its own user only.
    os.umask(PRIVATE_UMASK)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentle.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return
    argv[1] = ALIASES.get(argv[1], argv[1])

    import django
    from django.core.exceptions import ImproperlyConfigured

    from gentle.lib.env import ConfigError

    try:
        django.setup()
    except (ConfigError, ImproperlyConfigured) as exc:
        sys.stderr.write(f"gentle: configuration error: {exc}\n")
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(["gentle", *argv[1:]])
