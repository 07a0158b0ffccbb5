"""`gentle rotate-keys`: re-encrypt every process note and every clinic's role-play model API
key under the newest key, all or nothing.

Put the new key first in GENTLE_PROCESS_NOTE_KEYS (keep the old ones after it), run this, then
remove the old keys. It lives in the project's commands because it spans two apps.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gentle.courses.actions import process_note_rotate_all
from gentle.lib.crypto import KeyRingError
from gentle.roleplay.actions import partner_keys_rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt all process notes and role-play model API keys with the first key of "
        "GENTLE_PROCESS_NOTE_KEYS."
    )

    def handle(self, **options):
        try:
            with transaction.atomic():
                notes = process_note_rotate_all()
                keys = partner_keys_rotate_all()
        except KeyRingError as exc:
            raise CommandError(f"rotate-keys stopped, nothing changed: {exc}") from None
        self.stdout.write(
            f"re-encrypted {notes} process note(s) and {keys} role-play API key(s) "
            "under the first key"
        )
