"""The base streams: a Personio endpoint declared by its attributes (version, paging, page size,
rate buckets, access right), with the HTTP work delegated to the shared `PersonioAPI`."""

from __future__ import annotations

import inspect
import typing as t
from datetime import UTC, datetime, timedelta
from functools import cached_property
from http import HTTPStatus

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.helpers.types import Context
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from tap_personio.api import (
    NETWORK_ERRORS,
    PersonioAPI,
    TokenRejected,
    describe_failure,
    token_refused,
)
from tap_personio.auth import PersonioAuthenticator
from tap_personio.deletes import Versioning
from tap_personio.errors import (
    PersonioAccessError,
    PersonioAuthError,
    PersonioError,
    PersonioNotFound,
)
from tap_personio.pagination import (
    V1OffsetPaginator,
    V1PagePaginator,
    V2CursorPaginator,
    is_reread,
    page_body,
    page_items,
)
from tap_personio.prefetch import prefetched
from tap_personio.privacy import digest, fields_for, pseudonymized
from tap_personio.progress import Progress
from tap_personio.shaping import Converter, RecordShaper, converter_for

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from singer_sdk.pagination import BaseAPIPaginator


class PersonioStream(RESTStream[t.Any]):
    """A Personio endpoint, declared by its attributes rather than programmed."""

    #: "v1" or "v2": the token to use and the error and paging dialects.
    api_version: t.ClassVar[str] = "v1"
    #: The Personio access right a 403 asks for, named in the error.
    access_right: t.ClassVar[str] = ""
    #: Rate-limit buckets besides the generation's own, for endpoints with limits of their own.
    rate_buckets: t.ClassVar[tuple[str, ...]] = ()
    #: Largest page Personio serves for this endpoint; 0 for an endpoint without paging.
    page_size: t.ClassVar[int] = 0
    #: "offset" (v1 record offset), "page" (v1 page number from 1), "cursor" (v2) or "".
    paging: t.ClassVar[str] = ""
    #: The name of the position parameter of "page" paging.
    page_param: t.ClassVar[str] = "offset"
    #: v1 pages to fetch ahead while one is parsed (0: one page at a time).
    prefetch_pages: t.ClassVar[int] = 3
    #: Personio's server-side filter on the replication key (``updated_at.gt``, ...), and how
    #: the bound is written (a ``strftime`` pattern, in UTC).
    filter_param: t.ClassVar[str] = ""
    filter_format: t.ClassVar[str] = "%Y-%m-%dT%H:%M:%S"
    #: Fixed query parameters of the endpoint.
    params: t.ClassVar[dict[str, str]] = {}
    #: Properties whose instants keep the offset Personio's wall time was given (not UTC).
    keep_offset: t.ClassVar[tuple[str, ...]] = ()
    #: How the stream replicates, for the README, where its declaration does not say it all.
    replication_note: t.ClassVar[str] = ""
    #: A beta endpoint: sent with ``Beta: true``, as Personio requires.
    beta: t.ClassVar[bool] = False
    #: The company feature the endpoint belongs to, when a company may lack it: Personio then
    #: answers 412 (legal entities) or, for beta endpoints, 404, and the stream is skipped.
    feature: t.ClassVar[str] = ""

    # Rows are shaped into JSON-native values of exactly the schema's columns (RecordShaper).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    extra_retry_statuses: t.ClassVar[list[int]] = [HTTPStatus.TOO_MANY_REQUESTS]  # type: ignore[misc]

    #: Set when discovery found that the credential may not read this stream.
    unreadable: PersonioAccessError | None = None
    #: Why this run skipped the stream (the right or feature it lacks), for ``--test``.
    skipped: PersonioAccessError | None = None
    #: The state keys a full read starts over without (deletes.py).
    bookmark_keys: t.ClassVar[tuple[str, ...]] = ("replication_key_value",)
    #: This run's table version (deletes.py); set when the sync of its first partition starts.
    versioning: Versioning

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.progress = Progress(self.name, self.logger)
        #: The lower bound of this run's ``filter_param``; set when the sync starts.
        self.since: datetime | None = None
        #: Fields emitted as keyed digests, and their types before they were digests.
        self.pseudonymize = fields_for(self.config, self.name)
        self._plain_types = dict(self.schema["properties"])
        self._pseudonym_key = str(self.config.get("pseudonymize_key", "")).encode()
        if self.pseudonymize:
            digests = pseudonymized(self._plain_types, self.pseudonymize)
            schema = {**self.schema, "properties": digests}
            if isinstance(inspect.getattr_static(type(self), "schema"), property):
                self._schema = schema  # given to __init__ (employees, persons)
            else:
                self.schema = schema  # type: ignore[misc]  # declared on the class: per instance

    def incremental_since(self, context: Context | None) -> datetime | None:
        """Where this run's server-side filter starts: the bookmark (or ``start_date``) minus
        ``lookback_window_days``, in UTC; None for a full read."""
        if not self.replication_key:
            return None
        start = self.get_starting_timestamp(context)
        if start is None:
            return None
        days = self.config.get("lookback_window_days", 1)
        return (start - timedelta(days=days)).astimezone(UTC)

    @cached_property
    def selected_schema(self) -> dict[str, t.Any]:
        """The schema in use (the input catalog's when one is given) less the properties not
        selected: a deselected property is never shaped, so it reaches no log and no target."""
        schema = self.effective_schema
        always = {*(self.primary_keys or ()), self.replication_key}
        chosen = {
            # a pseudonymised field is shaped as its own type first, then digested
            name: self._plain_types.get(name, prop) if name in self.pseudonymize else prop
            for name, prop in schema["properties"].items()
            if name in always or self.mask.get(("properties", name), True)
        }
        return {**schema, "properties": chosen}

    @override
    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        for name in self.pseudonymize:
            if name in row:
                row[name] = digest(row[name], self._pseudonym_key)
        return row

    def converters(self) -> dict[str, Converter]:
        """Converters for properties that their schema alone does not describe."""
        properties = self.selected_schema["properties"]
        return {
            name: converter_for(properties[name], keep_offset=True)
            for name in self.keep_offset
            if name in properties
        }

    @cached_property
    def shape(self) -> RecordShaper:
        schema, key = self.selected_schema, self.primary_keys or ()
        return RecordShaper(schema, self.logger, self.name, key, self.converters())

    def preprocess(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        """A raw record rearranged before it is shaped, for endpoints with quirks of their own."""
        return record

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        """Records, or, for a stream the credential may not read, a warning instead of a failed
        sync (unless ``strict_mode`` asks for the failure)."""
        try:
            if self.unreadable is not None:
                raise self.unreadable
            if not hasattr(self, "versioning"):  # one version for all partitions of the run
                state = self.get_context_state(context)
                self.versioning = Versioning(self, state, self.bookmark_keys, self.partitions)
                if self.versioning.full:  # from start_date, as if there were no bookmark
                    self._write_starting_replication_value(context)
            self._stream_version = self.versioning.version
            self.since = self.incremental_since(context)
            yield from super().get_records(context)
            self.versioning.completed(self._write_activate_version_message)
        except PersonioAccessError as error:
            self.skipped = error
            if self.config.get("strict_mode"):
                raise
            self.logger.warning("%s: skipped. %s", self.name, error)

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        return False  # the SDK's comes before the records; deletes.py sends it after them

    @property
    def api(self) -> PersonioAPI:
        return self._tap.api  # type: ignore[attr-defined]

    @property
    @override
    def url_base(self) -> str:
        return self.api.base_url

    @property
    @override
    def authenticator(self) -> PersonioAuthenticator:
        return self.api.authenticators[self.api_version]

    @property
    @override
    def http_headers(self) -> dict:
        return {"Beta": "true"} if self.beta else {}

    @property
    @override
    def requests_session(self) -> requests.Session:
        return self.api.session

    @property
    @override
    def timeout(self) -> int:
        return self.api.timeout

    @cached_property
    def buckets(self) -> tuple[str, ...]:
        if self.api_version == "v2":
            # Personio keeps a bucket per v2 endpoint; start modestly until its headers speak.
            name = f"v2:{self.path}"
            if not self.api.limiter.known(name):
                self.api.limiter.configure(name, rate=10, capacity=10)
            return (name, *self.rate_buckets)
        return ("v1", *self.rate_buckets)

    @override
    def get_new_paginator(self) -> BaseAPIPaginator | None:
        if self.paging == "offset":
            return V1OffsetPaginator()
        if self.paging == "page":
            return V1PagePaginator()
        if self.paging == "cursor":
            return V2CursorPaginator(self.api.base_url)
        return None

    @override
    def request_records(self, context: Context | None) -> Iterable[dict]:
        """Pages in order; with ``prefetch_pages``, the next v1 ones are already on their way
        (prefetch.py)."""
        paginator = self.get_new_paginator()
        if not self.prefetch_pages or not isinstance(
            paginator, V1OffsetPaginator | V1PagePaginator
        ):
            yield from super().request_records(context)
            return
        yield from prefetched(self, context, paginator, self.prefetch_pages)

    def page_fetcher(self, context: Context | None) -> Callable[[t.Any], requests.Response]:
        """One page by its token, built as the SDK builds it, sent with retries and limits."""
        send = self.request_decorator(self._request)

        def fetch(token: t.Any) -> requests.Response:
            request = self.get_http_request(page=PageContext(context, token))
            prepared = self.build_prepared_request(
                method=request.method,
                url=request.url,
                params=request.encode_params(),
                headers=request.headers,
            )
            return t.cast("requests.Response", send(prepared, context))

        return fetch

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params: dict[str, t.Any] = dict(self.params)
        if self.since is not None and self.filter_param:
            params[self.filter_param] = self.since.strftime(self.filter_format)
        if self.paging == "offset":
            params.update(limit=self.page_size, offset=next_page_token or 0)
        elif self.paging == "page":
            params.update({"limit": self.page_size, self.page_param: next_page_token or 1})
        elif self.paging == "cursor":
            params["limit"] = self.page_size
        return params

    @override
    def get_http_request(self, *, page: t.Any) -> t.Any:
        request = super().get_http_request(page=page)
        if self.paging == "cursor" and page.next_page_token is not None:
            # The next link carries the cursor and, for some endpoints, the filters: follow it
            # as given (Personio's reports fail when filters are sent again beside a cursor).
            request.url = page.next_page_token.geturl()
            request.params = {}
        return request

    @override
    def request_decorator(self, func: Callable) -> Callable:
        def limited(prepared: requests.PreparedRequest, context: Context | None) -> t.Any:
            self.api.limiter.acquire(self.buckets)
            try:
                return func(prepared, context)
            except NETWORK_ERRORS as error:  # a body cut short names no request of its own
                if getattr(error, "request", None) is None:
                    error.request = prepared  # type: ignore[union-attr]
                raise

        return t.cast("Callable", self.api.retrying(limited, self.backoff_handler))

    @override
    def backoff_handler(self, details: t.Any) -> None:
        self.api.log_backoff(details)

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict]:
        if self.paging == "cursor" and is_reread(response):
            return []  # a repeated cursor's page, read already (pagination.py)
        body = page_body(response)
        records = self.parse_page(body)
        self.progress.count(len(records), body)
        return records

    def parse_page(self, body: t.Any) -> list[dict]:
        """The shaped records of one decoded page."""
        return [self.shape(self.preprocess(record)) for record in page_items(body)]

    @override
    def validate_response(self, response: requests.Response) -> None:
        if self.api_version == "v2":
            self.api.limiter.observe(self.buckets[0], response.headers)
        status = response.status_code
        if token_refused(response, self.api_version):
            if self.authenticator.rejected(response.request.headers.get("Authorization")):
                raise TokenRejected(describe_failure(response), response)
            raise PersonioAuthError(
                f"{describe_failure(response)}. The Personio credential was revoked or lacks "
                f"access to this endpoint{self._right_hint()}."
            )
        if status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise RetriableAPIError(describe_failure(response), response)
        if status == HTTPStatus.FORBIDDEN:
            raise PersonioAccessError(
                f"{describe_failure(response)}. The Personio credential lacks an access "
                f"right{self._right_hint()}; grant it under Settings > Integrations > API "
                "credentials, or deselect this stream."
            )
        if self.feature and status in (HTTPStatus.PRECONDITION_FAILED, HTTPStatus.NOT_FOUND):
            raise PersonioAccessError(
                f"{describe_failure(response)}. The company does not have Personio's "
                f"{self.feature} feature enabled for this credential; enable it in Personio, "
                "or deselect this stream."
            )
        if status == HTTPStatus.NOT_FOUND:
            raise PersonioNotFound(describe_failure(response))
        if status >= HTTPStatus.BAD_REQUEST:
            raise PersonioError(describe_failure(response))
        try:
            page_body(response)  # decoded here, inside the retries, and kept for the parser
        except ValueError as exc:
            raise RetriableAPIError(f"{describe_failure(response)}, but {exc}", response) from None
        self.authenticator.accepted()

    def _right_hint(self) -> str:
        return f' (needs "{self.access_right}")' if self.access_right else ""


class ReadOnce(PersonioStream):
    """A list read once per run: discovery reads it to declare or type other streams, and it
    is a stream of its own too (the attribute catalogue, the custom report list)."""

    @override
    def request_records(self, context: Context | None) -> Iterable[dict]:
        yield from self.api.once(
            self.name, lambda: list(super(ReadOnce, self).request_records(context))
        )


class PersonioV1Stream(PersonioStream):
    """A v1 endpoint: records under ``data``."""

    api_version = "v1"
    records_jsonpath = "$.data[*]"


class PersonioV2Stream(PersonioStream):
    """A v2 endpoint: records under ``_data``, cursor paging."""

    api_version = "v2"
    records_jsonpath = "$._data[*]"
    paging = "cursor"
