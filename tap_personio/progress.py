"""Progress in the logs of long syncs."""

from __future__ import annotations

import time
import typing as t

if t.TYPE_CHECKING:
    import logging

#: Long syncs log their progress this often.
PROGRESS_SECONDS = 30.0


class Progress:
    """A line every ``PROGRESS_SECONDS`` on long syncs, with Personio's total when known."""

    def __init__(self, stream: str, logger: logging.Logger) -> None:
        self.stream, self.logger = stream, logger
        self.rows = 0
        self.logged = time.monotonic()

    def count(self, rows: int, body: t.Any) -> None:
        """``rows`` more records read, from a page whose decoded body is ``body``."""
        self.rows += rows
        now = time.monotonic()
        if now - self.logged < PROGRESS_SECONDS:
            return
        self.logged = now
        metadata = body.get("metadata") if isinstance(body, dict) else None
        total = metadata.get("total_elements") if isinstance(metadata, dict) else None
        of_total = f" of {total:,}" if isinstance(total, int) else ""
        self.logger.info("%s: %s%s records read so far", self.stream, f"{self.rows:,}", of_total)
