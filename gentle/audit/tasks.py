"""The audit log's periodic job, run by `gentle worker`."""

from __future__ import annotations

import logging

from django_tasks import task

from gentle.audit import anchors

logger = logging.getLogger("gentle.audit")


@task()
def anchor_chain() -> int | None:
    """Check the rows since the newest anchor and anchor the chain's end (``gentle audit
    anchor``); returns the anchored seq. A broken chain fails the task and logs each problem."""
    try:
        made = anchors.anchor()
    except anchors.AnchorRefused as exc:
        for problem in exc.problems:
            logger.error("audit anchor refused: %s", problem.message)
        raise
    return made.seq if made else None
