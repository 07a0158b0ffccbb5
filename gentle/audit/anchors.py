"""Anchors: signed checkpoints of the chain's end, kept outside the database.

``gentle audit anchor`` (hourly in ``gentle worker``) checks the rows written since the newest
anchor, then appends ``{seq, hash, at, key, sig}`` as one JSON line to GENTLE_AUDIT_ANCHOR_FILE
and logs the same line (``audit anchor {...}``), so that it also leaves the host with the logs.
``gentle audit verify`` checks each anchor's signature and that the chain still holds that row
with that hash: rows deleted from the end (head moved back with them) or rewritten below an
anchor are reported. See docs/adr/0006-audit-log.md.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gentle.audit.chain import sign_anchor
from gentle.audit.log import Problem, Walk, audit_keys, walk_chain
from gentle.audit.models import AuditEvent

LOG_PREFIX = "audit anchor "
logger = logging.getLogger("gentle.audit")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    key: str
    line: int


class AnchorRefused(Exception):
    """The chain has problems since the newest anchor: no anchor is written over them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) since the newest anchor")


def anchor_path(path=None) -> Path:
    return Path(path or settings.GENTLE_AUDIT_ANCHOR_FILE)


def _fields(line: str) -> dict | None:
    """An anchor's fields from a line of the anchor file or of Gentle's JSON log (any prefix,
    such as journald's, before the JSON is skipped). None for another log line; ValueError for
    a line that is neither."""
    start = line.find("{")
    if start < 0:
        raise ValueError(line)
    data = json.loads(line[start:])
    if isinstance(data, dict) and "message" in data and "sig" not in data:
        message = data["message"]
        if not (isinstance(message, str) and message.startswith(LOG_PREFIX)):
            return None
        data = json.loads(message[len(LOG_PREFIX) :])
    if not isinstance(data, dict):
        raise ValueError(line)
    return data


def _well_formed(data: dict) -> bool:
    return (
        isinstance(data.get("seq"), int)
        and data["seq"] > 0
        and all(isinstance(data.get(name), str) for name in ("hash", "at", "key", "sig"))
    )


def read(path=None) -> tuple[list[Anchor], list[Problem]]:
    """The anchors whose signature holds, and a problem for every line that is not one."""
    path = anchor_path(path)
    keys = audit_keys()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(None, f"the anchor file {path} cannot be read: {exc}")]
    found: list[Anchor] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"anchor file {path.name}, line {number}"
        try:
            data = _fields(line)
        except ValueError:
            problems.append(Problem(None, f"{where} is not an anchor: the file was edited"))
            continue
        if data is None:
            continue
        if not _well_formed(data):
            problems.append(Problem(None, f"{where} is not a whole anchor: the file was edited"))
            continue
        secret = keys.get(data["key"])
        if secret is None:
            problems.append(
                Problem(
                    None,
                    f"{where} is signed with audit key {data['key']}, which is not in "
                    "GENTLE_AUDIT_KEYS: it cannot be checked",
                )
            )
        elif not hmac.compare_digest(sign_anchor(data, secret), data["sig"]):
            problems.append(
                Problem(None, f"{where}: its signature does not match: the anchor was edited")
            )
        else:
            found.append(Anchor(data["seq"], data["hash"], data["at"], data["key"], number))
    return found, problems


def compare(found: list[Anchor], walk: Walk) -> list[Problem]:
    """Problems where the chain no longer holds what an anchor recorded. ``walk`` must have
    watched every anchored seq."""
    problems = []
    beyond = [a for a in found if a.seq > walk.seq]
    if beyond:
        newest = max(beyond, key=lambda a: a.seq)
        problems.append(
            Problem(
                newest.seq,
                f"the chain ends at #{walk.seq} but the anchor of {newest.at} records "
                f"#{newest.seq}: rows were deleted from the end",
            )
        )
    differ = sorted(
        (a for a in found if a.seq <= walk.seq and walk.watched.get(a.seq) != a.hash),
        key=lambda a: (a.seq, a.line),
    )
    if differ:
        first = differ[0]
        more = f" (and {len(differ) - 1} later anchor(s))" if len(differ) > 1 else ""
        if first.seq in walk.watched:
            message = (
                f"row #{first.seq} differs from its anchor of {first.at}{more}: "
                "the chain was rewritten from there"
            )
        else:
            message = f"row #{first.seq}, anchored at {first.at}, is missing{more}: it was deleted"
        problems.append(Problem(first.seq, message))
    return problems


def anchor() -> Anchor | None:
    """Check the rows written since the newest anchor, then append a signed anchor of the
    chain's end to the anchor file and the log. Returns None for an empty chain; raises
    AnchorRefused (writing nothing) if the check finds problems, OSError if the file cannot be
    written."""
    keys = audit_keys()
    path = anchor_path()
    found, _damaged = read(path)  # damaged lines are for `gentle audit verify` to report
    after = None
    if found:
        newest = max(found, key=lambda a: a.seq)
        row = AuditEvent.objects.filter(seq=newest.seq).values("hash", "key_id").first()
        if row is None or row["hash"] != newest.hash:
            raise AnchorRefused(
                [
                    Problem(
                        newest.seq,
                        f"row #{newest.seq} no longer matches the newest anchor "
                        f"({newest.at}): run `gentle audit verify`",
                    )
                ]
            )
        after = (newest.seq, newest.hash, bool(row["key_id"]))
    walk = walk_chain(after=after)
    if walk.problems:
        raise AnchorRefused(walk.problems)
    if walk.seq == 0:
        return None
    data = {
        "seq": walk.seq,
        "hash": walk.hash,
        "at": timezone.now().isoformat(timespec="seconds"),
        "key": keys.current_id,
    }
    data["sig"] = sign_anchor(data, keys.current)
    line = json.dumps(data, sort_keys=True, separators=(",", ":"))
    _append(path, line)
    logger.info(LOG_PREFIX + "%s", line)
    return Anchor(data["seq"], data["hash"], data["at"], data["key"], 0)


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "rb+") as handle:
        # A line cut short by a crash must not swallow the new one.
        size = handle.seek(0, os.SEEK_END)
        if size:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                line = "\n" + line
        handle.write(f"{line}\n".encode())
        handle.flush()
        os.fsync(handle.fileno())
