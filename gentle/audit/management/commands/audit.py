"""`gentle audit verify` checks the audit log's keyed hash chain against its anchors;
`gentle audit anchor` appends a signed checkpoint of the chain's end outside the database."""

from django.core.management.base import BaseCommand, CommandError

from gentle.audit import anchors
from gentle.audit.log import check, head_summary


class Command(BaseCommand):
    help = (
        "Audit log tools. `gentle audit verify` checks the hash chain and its anchors; "
        "`gentle audit anchor` records a signed checkpoint of the chain's end."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            help="verify against this anchor file, or a file of Gentle's JSON log lines, "
            "instead of GENTLE_AUDIT_ANCHOR_FILE",
        )

    def handle(self, *, action, anchors=None, **options):
        if action == "anchor":
            self._anchor()
        else:
            self._verify(anchors)

    def _verify(self, anchor_file):
        path = anchors.anchor_path(anchor_file)
        if anchor_file and not path.is_file():
            raise CommandError(f"no anchor file at {path}")
        walk, anchored, problems = check(anchor_file=path)
        for problem in problems:
            self.stderr.write(f"audit: {problem.message}")
        if problems:
            raise CommandError(f"audit log verification failed: {len(problems)} problem(s)")
        keys = ", ".join(
            f"{name or 'unkeyed'} ({count})" for name, count in walk.rows_per_key.items()
        )
        against = f"{anchored} anchor(s) in {path}" if anchored else f"no anchors yet in {path}"
        self.stdout.write(
            f"audit log intact: {walk.checked} rows, head {head_summary()}; "
            f"rows per key: {keys or 'none'}; {against}"
        )

    def _anchor(self):
        try:
            made = anchors.anchor()
        except anchors.AnchorRefused as exc:
            for problem in exc.problems:
                self.stderr.write(f"audit: {problem.message}")
            raise CommandError(f"no anchor written: {exc}") from None
        except OSError as exc:
            raise CommandError(
                f"no anchor written: {anchors.anchor_path()} cannot be written: {exc.strerror}"
            ) from None
        if made is None:
            self.stdout.write("audit log is empty: nothing to anchor")
        else:
            self.stdout.write(f"audit anchor written: #{made.seq} {made.hash} at {made.at}")
