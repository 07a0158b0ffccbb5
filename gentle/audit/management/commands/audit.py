"""`gentle audit verify`: check the audit log's hash chain and name any break."""

from django.core.management.base import BaseCommand, CommandError

from gentle.audit.log import head_summary, verify


class Command(BaseCommand):
    help = "Audit log tools. `gentle audit verify` checks the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *, action, **options):
        checked, problems = verify()
        for problem in problems:
            self.stderr.write(f"audit: {problem.message}")
        if problems:
            raise CommandError(f"audit log verification failed: {len(problems)} problem(s)")
        self.stdout.write(f"audit log intact: {checked} rows, head {head_summary()}")
