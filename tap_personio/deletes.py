"""Deletes reach the warehouse, though Personio's lists never report them.

A run that reads a stream in full marks its records with a table version and, after the last
record, sends ``ACTIVATE_VERSION``: the target then deletes (or marks deleted) every row of an
older version, which is every row Personio no longer has. Full-table streams do so on every run,
incremental streams every ``full_resync_days`` (a full read, then incremental runs again).

The message goes after the records, not before them as the SDK sends it: a target that deletes
the older rows on receipt (target-postgres does) would otherwise empty the table first, and a
run that fails halfway would leave it half empty until the next one. A run that ends early, or
that skipped part of a stream (a report Personio was still computing), sends nothing, so it
deletes nothing; an interrupted full read is started again by the next run.
"""

from __future__ import annotations

import time
import typing as t
from datetime import UTC, datetime, timedelta

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

#: The state key of an incremental stream's last complete full read (ISO 8601, UTC).
FULL_READ_KEY = "full_read_at"
DEFAULT_FULL_RESYNC_DAYS = 7


class Versioning:
    """This run's table version of one stream, and whether the run reads it in full."""

    def __init__(self, stream: Stream, state: dict[str, t.Any], reset: tuple[str, ...],
                 partitions: list[dict] | None) -> None:  # fmt: skip
        self.stream, self.state = stream, state
        #: The stream's partitions (org unit types, ...) share the version; the last one
        #: activates it.
        self.partitions_left = len(partitions) if partitions else 1
        self.started = datetime.now(UTC)
        self.enabled = bool(stream.config.get("emit_activate_version_messages", True))
        self.full = self.enabled and self._full_read(reset)
        self.version = int(time.time() * 1000) if self.full else None
        #: Set when the run skipped part of the stream: then it may not delete.
        self.partial = False
        #: Why parts failed (a report Personio could not serve), for ``--test``.
        self.failures: list[str] = []
        if self.full and stream.replication_key:
            # The read starts over from start_date: the bookmark goes, and the SDK's copy of
            # the value it started from, which the stream writes again from start_date.
            for key in (*reset, "starting_replication_value"):
                state.pop(key, None)

    def _full_read(self, reset: tuple[str, ...]) -> bool:
        """Whether this run reads the stream in full: a full-table stream always, an
        incremental one without a bookmark (a first run, ``--full-refresh``), or when its last
        full read is ``full_resync_days`` old."""
        if not self.stream.replication_key or not any(self.state.get(k) for k in reset):
            return True
        last = self.state.get(FULL_READ_KEY)
        days = int(self.stream.config.get("full_resync_days", DEFAULT_FULL_RESYNC_DAYS))
        if last is None or days <= 0:
            return False  # resuming an interrupted first run, or after an upgrade: no clock yet
        due = datetime.fromisoformat(last) + timedelta(days=days) <= self.started
        if due:
            self.stream.logger.info(
                "%s: reading every record (the last full read was on %s, full_resync_days is "
                "%d), so rows deleted in Personio leave the warehouse",
                self.stream.name, last[:10], days,
            )  # fmt: skip
        return due

    def skip_part(self, failure: BaseException | None = None) -> None:
        """Part of the stream was left out this run (and why, if it failed): delete nothing."""
        self.partial = True
        if failure is not None:
            self.failures.append((str(failure).strip().splitlines() or [""])[0])

    def completed(self, write: t.Callable[[int], None]) -> None:
        """After the records of a partition: once all are read, activate the version of a
        full read, and start or restart the full-read clock of an incremental stream."""
        self.partitions_left -= 1
        if self.partitions_left > 0:
            return
        if self.partial:
            if self.full:
                self.stream.logger.warning(
                    "%s: part of the stream was skipped, so rows deleted in Personio are not "
                    "removed from the warehouse this run",
                    self.stream.name,
                )
            return
        if self.version is not None:
            write(self.version)
        if self.stream.replication_key and (self.full or FULL_READ_KEY not in self.state):
            self.state[FULL_READ_KEY] = self.started.isoformat(timespec="seconds")
