"""`gentle import-questionnaire FILE`: add an instrument from a FHIR Questionnaire (JSON).

The result is written to the clinic's instruments folder (GENTLE_INSTRUMENTS_DIR), where it can
be edited (bands, safety rules, Spanish text) and is loaded at start-up with the shipped ones.
What the import left out or supplied is listed as warnings; ``--check`` lists them without
saving (docs/fhir.md).
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gentle.lib.datadir import ensure_writable_dir
from gentle.lib.env import ConfigError
from gentle.measures.fhir import MAX_BYTES, convert, read_json
from gentle.measures.instruments import DATA, InstrumentError


class Command(BaseCommand):
    help = "Convert a FHIR Questionnaire (JSON) into a Gentle instrument in the clinic's folder."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--id", dest="instrument_id", help="Instrument id (default: name).")
        parser.add_argument("--replace", action="store_true", help="Overwrite an earlier import.")
        parser.add_argument("--check", action="store_true", help="List the warnings; save nothing.")

    def handle(
        self,
        *,
        file: Path,
        instrument_id: str | None,
        replace: bool,
        check: bool = False,
        **options: Any,
    ) -> None:
        try:
            # The size first, so that a large file is refused before any of it is read.
            if file.stat().st_size > MAX_BYTES:
                raise InstrumentError(
                    f"larger than {MAX_BYTES // (1024 * 1024)} MB, the most Gentle reads"
                )
            with file.open("rb") as stream:
                data = read_json(stream)
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror or exc})") from None
        except InstrumentError as exc:
            raise CommandError(f"{file}: {exc}") from None
        try:
            imported = convert(data, instrument_id=instrument_id)
        except InstrumentError as exc:
            raise CommandError(f"{file}: {exc}") from None
        instrument = imported.instrument
        for warning in imported.warnings:
            self.stdout.write(f"warning: {warning}")
        if check:
            self.stdout.write(
                f"{instrument['id']} ({len(instrument['items'])} items) can be imported; "
                "nothing saved"
            )
            return
        if (DATA / f"{instrument['id']}.json").exists():
            raise CommandError(f"{instrument['id']!r} is a shipped instrument; choose --id")
        target = Path(settings.GENTLE_INSTRUMENTS_DIR) / f"{instrument['id']}.json"
        if target.exists() and not replace:
            raise CommandError(f"{target} exists; use --replace to overwrite it")
        try:
            ensure_writable_dir(target.parent, variable="GENTLE_INSTRUMENTS_DIR")
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        target.write_text(json.dumps(instrument, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(
            f"imported {instrument['id']} ({len(instrument['items'])} items) to "
            f"{target}; restart Gentle to load it"
        )
