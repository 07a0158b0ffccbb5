"""`gentle restore FILE`: a backup into an empty database, checked against its manifest and by
the audit chain check (gentle/backup.py, docs/deployment.md#backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gentle.backup import BackupError, restore, table_lines


class Command(BaseCommand):
    help = (
        "Restore a backup made by `gentle backup` into an empty database, then compare its row "
        "counts and audit head with the manifest and verify the audit chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup's .sqlite3 or .pgdump file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the contents of a database that already holds data",
        )

    def handle(self, *, file, force=False, **options):
        try:
            done = restore(file, force=force)
        except BackupError as exc:
            raise CommandError(f"restore failed: {exc}") from None
        self.stdout.write(f"restored {file.name}; row counts per table:")
        table_lines(done.counts, self.stdout.write)
        self.stdout.write(
            f"row counts and audit head #{done.head[0]} match the manifest; "
            f"audit log intact: {done.audit_rows} rows"
        )
        if done.installed:
            self.stdout.write(f"files put in place: {', '.join(done.installed)}")
        for note in done.notes:
            self.stderr.write(f"note: {note}")
