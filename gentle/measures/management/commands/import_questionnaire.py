"""`gentle import-questionnaire FILE`: add an instrument from a FHIR R4B Questionnaire.

The result is written to the clinic's instruments folder (GENTLE_INSTRUMENTS_DIR), where it can
be edited (bands, safety rules, Spanish text) and is loaded at start-up with the shipped ones.
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gentle.lib.datadir import ensure_writable_dir
from gentle.lib.env import ConfigError
from gentle.measures.fhir import instrument_from_questionnaire
from gentle.measures.instruments import DATA, InstrumentError


class Command(BaseCommand):
    help = "Convert a FHIR Questionnaire (JSON) into a Gentle instrument in the clinic's folder."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--id", dest="instrument_id", help="Instrument id (default: name).")
        parser.add_argument("--replace", action="store_true", help="Overwrite an earlier import.")

    def handle(
        self, *, file: Path, instrument_id: str | None, replace: bool, **options: Any
    ) -> None:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: cannot be read ({exc})") from None
        try:
            instrument = instrument_from_questionnaire(data, instrument_id=instrument_id)
        except InstrumentError as exc:
            raise CommandError(f"{file}: {exc}") from None
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
