"""Streams read in windows of their replication key: long backfills that resume where they stop.

A window is one filtered, sorted walk of the endpoint (``<key>.gte`` .. ``<key>.lte``, sorted by
the key), so records come oldest change first across windows, the bookmark advances with every
record, and state is written after each window: an interrupted backfill starts again at the
last finished window. A window Personio cannot serve (502, 504 or a timeout: large ranges are
what makes its queries slow) is halved, from the last record already emitted, until it goes
through; records at the boundary of two windows are emitted once.
"""

from __future__ import annotations

import typing as t
from collections import deque
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import requests
from typing_extensions import override

from tap_personio.client import PersonioStream
from tap_personio.errors import PersonioError
from tap_personio.pagination import page_body, page_items

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from singer_sdk.helpers.types import Context

SPLIT_STATUSES = frozenset({HTTPStatus.BAD_GATEWAY, HTTPStatus.GATEWAY_TIMEOUT})


class WindowTooLarge(Exception):
    """Personio could not serve the current window in one go."""


class PersonioWindowedStream(PersonioStream):
    """An incremental list read in windows of ``window`` from the bookmark (or ``start_date``,
    or the oldest change Personio has) up to now."""

    #: The span of one window, and the smallest a failing window is halved to.
    window: t.ClassVar[timedelta] = timedelta(days=7)
    min_window: t.ClassVar[timedelta] = timedelta(hours=1)
    #: The query parameter that sorts by the replication key, oldest first.
    sort_param: t.ClassVar[tuple[str, str]] = ("sort", "updated_at")

    is_sorted = True
    replication_note = "in weekly windows, sorted, state after each window"

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._bounds: tuple[datetime, datetime] | None = None
        self._probe = False

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        params.pop(self.filter_param, None)
        params[self.sort_param[0]] = self.sort_param[1]
        if self._probe:
            params["limit"] = 1
        elif self._bounds is not None:
            low, high = (bound.strftime(self.filter_format) for bound in self._bounds)
            params[self.filter_param] = low
            params[self.filter_param.replace(".gte", ".lte")] = high
        return params

    @override
    def validate_response(self, response: requests.Response) -> None:
        if response.status_code in SPLIT_STATUSES and self._splittable():
            raise WindowTooLarge(response.status_code)
        super().validate_response(response)

    @override
    def request_decorator(self, func: Callable) -> Callable:
        def splitting(prepared: requests.PreparedRequest, context: Context | None) -> t.Any:
            try:
                return func(prepared, context)
            except requests.exceptions.Timeout:
                if self._splittable():
                    raise WindowTooLarge("timeout") from None
                raise

        return super().request_decorator(splitting)

    def _splittable(self) -> bool:
        return self._bounds is not None and self._bounds[1] - self._bounds[0] > self.min_window

    def _oldest(self, context: Context | None) -> datetime | None:
        """The oldest change Personio has, from one sorted record."""
        self._probe = True
        try:
            response = self.page_fetcher(context)(None)
        finally:
            self._probe = False
        items = page_items(page_body(response))
        value = self.shape(items[0]).get(str(self.replication_key)) if items else None
        return datetime.fromisoformat(value) if isinstance(value, str) else None

    @override
    def request_records(self, context: Context | None) -> Iterable[dict]:
        now = datetime.now(UTC).replace(microsecond=0)
        start = self.since or self._oldest(context)
        if start is None:
            return
        windows: deque[tuple[datetime, datetime]] = deque()
        low = start.replace(microsecond=0)
        while low < now:
            windows.append((low, min(low + self.window, now)))
            low += self.window
        key = str(self.replication_key)
        # The look-back widens Personio's windows (its reading of the bounds' time zone is
        # undocumented); what lies before the bookmark was emitted by an earlier run.
        floor = self.get_starting_timestamp(context) if self.since is not None else None
        last: datetime | None = None  # the newest value emitted, and the ids emitted at it
        at_last: set[t.Any] = set()
        while windows:
            low, high = windows.popleft()
            self._bounds = (low, high)
            try:
                for record in super().request_records(context):
                    if record.get(key) is None:
                        yield record  # nulled as unfit, with its warning: kept all the same
                        continue
                    value = datetime.fromisoformat(record[key])
                    ident = tuple(record.get(k) for k in self.primary_keys or ())
                    if floor is not None and value < floor:
                        continue
                    if last is not None and value < last:
                        raise PersonioError(
                            f"{self.path} answered out of {key} order although the tap asked "
                            f"for it sorted; a resumable sync needs that order. Report it to "
                            "Personio; meanwhile deselect this stream."
                        )
                    if value == last and ident in at_last:
                        continue  # read already, at the edge of the previous window
                    if value != last:
                        last, at_last = value, set()
                    at_last.add(ident)
                    yield record
            except WindowTooLarge as failure:
                resume = max(low, last) if last is not None else low
                middle = resume + (high - resume) / 2
                self.logger.warning(
                    "%s: Personio could not serve %s from %s to %s (%s); reading it in halves",
                    self.name, key, resume.isoformat(), high.isoformat(), failure,
                )  # fmt: skip
                windows.extendleft([(middle, high), (resume, middle)])
                continue
            finally:
                self._bounds = None
            # Every record of the window is emitted: the next run may start after it.
            self._write_state_message()
