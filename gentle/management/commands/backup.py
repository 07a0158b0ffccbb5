"""`gentle backup`: an online copy of the database, the data directory's files it needs and a
manifest, named with the time (gentle/backup.py, docs/deployment.md#backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gentle.backup import NOT_INCLUDED, BackupError, default_directory, take


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump) with a manifest of its row "
        "counts and audit head, and the data directory's files a restore needs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            metavar="DIR",
            type=Path,
            help="the directory for the backup (default: GENTLE_DATA_DIR/backups)",
        )

    def handle(self, *, to=None, **options):
        try:
            made = take(to or default_directory())
        except BackupError as exc:
            raise CommandError(f"no backup made: {exc}") from None
        data = made.data
        rows = sum(data["tables"].values())
        self.stdout.write(
            f"backup written: {made.database} ({data['size']} bytes, {len(data['tables'])} "
            f"tables, {rows} rows, audit head #{data['audit_head']['seq']})\n"
            f"manifest: {made.manifest}\n"
            f"files: {made.files} ({', '.join(data['files']) or 'none'})\n"
            f"not in the backup, keep them apart: {', '.join(NOT_INCLUDED)}"
        )
