"""`gentle seed-demo`: load the deterministic, fictional demo data. Refused in production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gentle.demo import seed_demo


class Command(BaseCommand):
    help = "Load fictional demo data (deterministic). Refuses to run when GENTLE_ENV=production."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo clinic first.")
        parser.add_argument("--seed", type=int, default=20261126, help="Random seed.")

    def handle(self, *, reset, seed, **options):
        if not settings.DEMO:
            raise CommandError("seed-demo refuses to run when GENTLE_ENV=production.")
        summary = seed_demo(seed=seed, reset=reset)
        self.stdout.write(f"Demo data loaded: {summary}")
