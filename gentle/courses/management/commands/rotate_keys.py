"""`gentle rotate-keys`: re-encrypt every process note under the newest key.

Put the new key first in GENTLE_PROCESS_NOTE_KEYS (keep the old ones after it), run this, then
remove the old keys.
"""

from django.core.management.base import BaseCommand, CommandError

from gentle.courses.actions import process_note_rotate_all
from gentle.lib.crypto import KeyRingError


class Command(BaseCommand):
    help = "Re-encrypt all process notes with the first key of GENTLE_PROCESS_NOTE_KEYS."

    def handle(self, **options):
        try:
            count = process_note_rotate_all()
        except KeyRingError as exc:
            raise CommandError(f"rotate-keys stopped, nothing changed: {exc}") from None
        self.stdout.write(f"re-encrypted {count} process note(s) under the first key")
