"""Drill: many writers append to the audit log at once; the chain stays one line and verifies.

    GENTLE_DATA_DIR=... [DATABASE_URL=postgres://...] .venv/bin/python drills/audit_writers.py \
        [--threads 50] [--seconds 60]

Each thread opens its own database connection and appends rows, one transaction each, for the
given time. Then the whole chain is walked (``gentle audit verify``): every row must follow the
one before it, with no gap and no fork, and the count must equal the rows written. The result is
printed as one line for docs/drills.md. Run it against a throwaway database: it adds rows to
the audit log, which cannot be removed.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentle.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    options = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from gentle.audit.log import record, verify
    from gentle.audit.models import AuditEvent
    from gentle.audit.names import Action

    call_command("migrate", verbosity=0)
    before = AuditEvent.objects.count()
    connection.close()
    written = [0] * options.threads
    errors: list[str] = []
    started = time.monotonic()
    stop = started + options.seconds

    def writer(number: int) -> None:
        try:
            while time.monotonic() < stop:
                with transaction.atomic():
                    record(Action.AUDIT_VIEW, actor_label=f"drill writer {number}")
                written[number] += 1
        except Exception as error:  # noqa: BLE001 - the drill reports every failure
            errors.append(f"writer {number} after {time.monotonic() - started:.1f} s: {error!r}")
        finally:
            connections.close_all()

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(options.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    checked, problems = verify()
    total = sum(written)
    added = AuditEvent.objects.count() - before
    vendor = connection.vendor
    print(
        f"{vendor}: {options.threads} writers for {elapsed:.0f} s wrote {total} rows "
        f"({total / elapsed:.0f}/s); chain of {checked} rows verified with "
        f"{len(problems)} problem(s); {len(errors)} writer error(s)"
    )
    for line in errors[:10] + [p.message for p in problems[:10]]:
        print("  ", line)
    return 0 if not problems and not errors and added == total else 1


if __name__ == "__main__":
    sys.exit(main())
