"""Where the signed-in clinician's home spends its time, in-process, on a fresh demo.

Run from the project root:

    .venv/bin/python bench/home_split.py [--repeat 300]

The load benchmark (bench/run.py) measures the home under load at about 0.06 of the bare-Django
floor, and a signed-in page with little of its own (the crisis page) at about 0.18; issue 20
asks for 0.15. This splits the home's cost, to show what each remedy could reach: it times, as
the demo clinician (median of ``--repeat`` requests after a warm-up):

1. the crisis page: the cost of being signed in (session, person, memberships, navigation
   badges, layout) with almost nothing of a page's own;
2. the home as it is;
3. the home with its lists taken from memory (worked out once, before timing): what caching
   the lists between requests could save at best. The read's audit row is still written, as
   SECURITY.md requires of every read of clinical data;
4. the same without the audit row (not allowed; shown to size that part);
5. the home with its lists from memory and its content not rendered (the layout alone, with
   the audit row): what caching the rendered page as well could reach.

It patches ``gentle.home`` in this process only, and measures; it checks nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(data_dir: str) -> None:
    os.environ.update(GENTLE_ENV="demo", GENTLE_DATA_DIR=data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentle.settings")
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("gentle.access").disabled = True  # one log line a request: not measured
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def median_ms(get: Callable[[], object], repeat: int) -> float:
    for _ in range(30):
        get()
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        get()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=300, help="timed requests per variant")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        from django.test import Client

        from gentle import home
        from gentle.accounts.models import User
        from gentle.demo import DEMO_DOMAIN

        browser = Client(HTTP_HOST="localhost")
        browser.force_login(User.objects.get(email=f"clinician@{DEMO_DOMAIN}"))

        def get(path: str) -> Callable[[], object]:
            def request() -> object:
                response = browser.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return response

            return request

        real_parts, real_render = home.home_parts, home.render
        kept: dict = {}

        def parts_from_memory(request, context, *, audit: bool = True):
            if not kept:
                kept.update(real_parts(request, context))
            if audit:  # the read's audit row, as the real lists write it (the count costs nothing)
                home.record_list_read(request, home.Action.HOME_VIEW, count=len(kept["today"]))
            return kept

        def layout_only(request, template, context):
            return real_render(request, "base.html", context)

        rows = [("Crisis page (being signed in)", median_ms(get("/crisis/"), args.repeat))]
        rows.append(("Home, as it is", median_ms(get("/"), args.repeat)))
        home.home_parts = parts_from_memory
        rows.append(("Home, lists from memory, audited", median_ms(get("/"), args.repeat)))
        home.home_parts = lambda request, context: parts_from_memory(request, context, audit=False)
        rows.append(("Home, lists from memory, no audit row", median_ms(get("/"), args.repeat)))
        home.home_parts, home.render = parts_from_memory, layout_only
        rows.append(
            ("Home, lists from memory, layout only, audited", median_ms(get("/"), args.repeat))
        )
        home.home_parts, home.render = real_parts, real_render

    crisis = rows[0][1]
    print(f"| Request (demo clinician, median of {args.repeat}) | ms | × crisis page |")
    print("|---|--:|--:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} | {ms / crisis:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
