"""``tap-personio --test``: a preview of every selected stream, and one table of how each went.

Each selected stream (the catalog's selection with ``--catalog``, else the streams selected by
default) is synced up to ``PREVIEW_RECORDS`` records, the SDK's dry-run record limit, with as
few requests as that takes: the sync stops at the first record beyond the limit, so most streams
cost one page (v1 pages are fetched ahead only once a page is read out), and a per-parent stream
reads the children of its first ``PREVIEW_PARENTS`` parents only, one at a time. A stream that
fails does not stop the others; only a refused credential ends the preview (one line, exit 1).
stdout carries the SCHEMA and RECORD messages, but no STATE or ACTIVATE_VERSION: a preview
moves no bookmark and deletes nothing downstream. The table goes to stderr at the end.
"""

from __future__ import annotations

import json
import logging
import sys
import typing as t
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import click
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import AbortedSyncFailedException, AbortedSyncPausedException
from singer_sdk.singerlib import ActivateVersionMessage, RecordMessage, StateMessage

from tap_personio.children import PersonioChildStream
from tap_personio.errors import PersonioAccessError, PersonioAuthError, PersonioError

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context
    from singer_sdk.streams import Stream

#: Records previewed per stream (``ABORT_AT_RECORD_COUNT``), and parents of a per-parent stream.
PREVIEW_RECORDS = 5
PREVIEW_PARENTS = PREVIEW_RECORDS + 1
#: The ``click`` context flag ``--test`` sets, so that the preview runs once ``--catalog`` is read.
FLAG = "tap_personio.preview"

ABORTED = (AbortedSyncFailedException, AbortedSyncPausedException)  # the record limit reached


@dataclass
class Row:
    """One stream's line of the table."""

    stream: str
    records: int
    status: str


class PreviewWriter(MsgSpecWriter):
    """The tap's writer, counting RECORD messages per stream and leaving out STATE and
    ACTIVATE_VERSION."""

    def __init__(self) -> None:
        super().__init__()
        self.records: Counter[str] = Counter()

    def write_message(self, message: t.Any) -> None:
        if isinstance(message, StateMessage | ActivateVersionMessage):
            return
        if isinstance(message, RecordMessage):
            self.records[message.stream] += 1
        super().write_message(message)


def run(tap_class: type[Tap], config: t.Any, catalog: t.IO[str] | None) -> None:
    """Preview the selected streams of the tap ``config`` and ``catalog`` describe, then write
    the table to stderr."""
    writer = PreviewWriter()
    tap = tap_class(
        config=getattr(config, "config", None),
        catalog=None if catalog is None else json.loads(catalog.read()),
        parse_env_config=bool(getattr(config, "parse_env", False)),
        validate_config=True,
        message_writer=writer,
    )
    streams = [stream for stream in tap.streams.values() if stream.selected]
    tap.logger.info("Preview: up to %d records of each of %d selected streams",
                    PREVIEW_RECORDS, len(streams))  # fmt: skip
    rows = [sample(stream, writer) for stream in streams]
    click.echo(table(rows), err=True)


def sample(stream: Stream, writer: PreviewWriter) -> Row:
    """Sync ``stream`` up to the record limit; its row of the table."""
    stream.ABORT_AT_RECORD_COUNT = PREVIEW_RECORDS
    if isinstance(stream, PersonioChildStream):
        first_parents(stream)
    problem = ""
    with quiet(stream.logger):
        try:
            stream.sync()
        except ABORTED:
            pass  # the sample is full
        except PersonioAuthError:
            raise  # the credential itself is refused: one line, exit 1
        except PersonioAccessError as error:  # strict_mode raises what is otherwise skipped
            problem = skip_status(stream, error)
        except Exception as error:
            if not isinstance(error, PersonioError):
                stream.logger.exception("%s: preview failed", stream.name)
            problem = f"failed: {reason(error)}"
    skipped = getattr(stream, "skipped", None)
    if not problem and isinstance(skipped, PersonioAccessError):
        problem = skip_status(stream, skipped)
    failures = getattr(getattr(stream, "versioning", None), "failures", [])
    if not problem and failures:  # a report stream skips what failed (deletes.py)
        problem = f"failed: {failures[0]}"
    records = sum(writer.records[m.stream_alias] for m in stream.stream_maps)
    return Row(stream.name, records, problem or ("ok" if records else "empty"))


def first_parents(stream: PersonioChildStream) -> None:
    """Only the first parents' children, fetched one parent at a time."""
    parents = stream.parents

    def first(context: Context | None) -> Iterator[dict[str, t.Any]]:
        for count, parent in enumerate(parents(context)):
            if count == PREVIEW_PARENTS:
                return
            yield parent

    stream.parents = first  # type: ignore[method-assign]
    stream.concurrency = 1  # type: ignore[misc]  # declared on the class: per instance


@contextmanager
def quiet(logger: logging.Logger) -> Iterator[None]:
    """No "unhandled error" line for a stream stopped at the record limit."""

    def limited(record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR or not isinstance(sys.exc_info()[1], ABORTED)

    logger.addFilter(limited)
    try:
        yield
    finally:
        logger.removeFilter(limited)


def skip_status(stream: Stream, error: PersonioAccessError) -> str:
    """What to grant, or the feature to enable, for a stream the credential may not read
    (``PersonioStream.validate_response`` words both)."""
    feature = str(getattr(stream, "feature", ""))
    if feature and "feature enabled" in str(error):
        return f"skipped: enable Personio's {feature} feature"
    right = str(getattr(stream, "access_right", ""))
    return f'skipped: grant "{right}"' if right else f"skipped: {reason(error)}"


def reason(error: BaseException) -> str:
    """An error in one line."""
    text = str(error).strip().splitlines()
    line = text[0] if text else ""
    return line if isinstance(error, PersonioError) else f"{type(error).__name__}: {line}"


def table(rows: list[Row]) -> str:
    """The aligned text table: a header, then one line per stream."""
    width = max([len("stream"), *(len(row.stream) for row in rows)])
    lines = [f"{'stream':<{width}}  records  status"]
    lines += [f"{row.stream:<{width}}  {row.records:>7}  {row.status}" for row in rows]
    return "\n".join(lines)
