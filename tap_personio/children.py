"""Streams with one request per parent record: a person's employments, an employee's balances,
a period's breakdowns.

The parents are listed once per run by a stream of their own; the children of many parents are
fetched concurrently (the rate limiter keeps the shared bucket within Personio's limits), and
emitted parent by parent, in the parents' order, so each parent's records stay together. State
holds one bookmark for the whole stream, never one per parent.
"""

from __future__ import annotations

import typing as t
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from typing_extensions import override

from tap_personio.client import PersonioStream
from tap_personio.errors import PersonioNotFound

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from singer_sdk.helpers.types import Context


class PersonioChildStream(PersonioStream):
    """A per-parent endpoint, declared by its parent stream and the fields it takes from it.

    ``path`` names the parent's id as ``{<parent_key>}`` (or ``parent_param`` sends it as a
    query parameter); each record gets ``parent_key`` (and ``parent_fields``) as columns. An
    incremental child with a ``filter_param`` of its own filters its requests from its bookmark
    on; one without reads only the parents its parent stream's filter returns from there.
    """

    #: The stream that lists the parents (its records must carry ``id``).
    parent: t.ClassVar[type[PersonioStream]]
    #: The column, and the ``path`` placeholder, that holds the parent's id.
    parent_key: t.ClassVar[str]
    #: Parent fields copied into every child record: {column: parent field}.
    parent_fields: t.ClassVar[dict[str, str]] = {}
    #: Sends the parent's id as this query parameter instead of in ``path``.
    parent_param: t.ClassVar[str] = ""
    #: Parents whose children are fetched at once.
    concurrency: t.ClassVar[int] = 8

    selected_by_default = False  # one request per parent: chosen on purpose

    def parents(self, context: Context | None) -> Iterator[dict[str, t.Any]]:
        """One context per parent, listed from the parent stream with this stream's filter."""
        lister = self.parent(self._tap)
        # An incremental child filters its own requests when it declares a filter; otherwise
        # only the parents changed since its bookmark are read again.
        lister.since = None if self.filter_param or not self.replication_key else self.since
        for record in lister.request_records(context):
            yield {
                self.parent_key: record["id"],
                **{column: record.get(field) for column, field in self.parent_fields.items()},
            }

    def children(self, parent: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        """Every record of one parent; a parent deleted since it was listed has none."""
        try:
            return [{**record, **parent} for record in self.request_records(parent)]
        except PersonioNotFound:
            self.logger.info("%s: %s %s is gone; skipped", self.name, self.parent_key,
                             parent[self.parent_key])  # fmt: skip
            return []

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        if self.parent_param and context:
            params[self.parent_param] = context[self.parent_key]
        return params

    @override
    def request_records(self, context: Context | None) -> Iterable[dict]:
        if context is not None and self.parent_key in context:
            yield from super().request_records(context)
            return
        # The whole stream: parents listed, their children fetched ahead, emitted in order.
        pending: deque[Future[list[dict[str, t.Any]]]] = deque()
        assert self.buckets  # resolved once, before the workers share it
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix=self.name) as pool:
            try:
                for parent in self.parents(context):
                    pending.append(pool.submit(self.children, parent))
                    while len(pending) > 2 * self.concurrency:
                        yield from pending.popleft().result()
                while pending:
                    yield from pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()
