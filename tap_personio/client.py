"""Every HTTP concern of the tap: the shared connection, tokens, limits, retries and errors."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import typing as t
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from http import HTTPStatus
from urllib.parse import urlparse

import backoff
import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.types import Context
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from tap_personio.auth import V1_TOKEN, V2_TOKEN, PersonioAuthenticator
from tap_personio.errors import PersonioAccessError, PersonioAuthError, PersonioError
from tap_personio.pagination import (
    V1OffsetPaginator,
    V1PagePaginator,
    V2CursorPaginator,
    page_body,
)

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping

    from singer_sdk.pagination import BaseAPIPaginator

#: Retries back off exponentially from this many seconds ...
BACKOFF_BASE_SECONDS = 1.0
#: ... up to this cap (Personio's auth endpoint locks for 60 s after its limit).
BACKOFF_CAP_SECONDS = 60.0
#: Long syncs log their progress this often.
PROGRESS_SECONDS = 30.0
#: A ``Retry-After`` beyond this is not waited for in full.
RETRY_AFTER_CAP_SECONDS = 300.0

NETWORK_ERRORS = (
    ConnectionResetError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class TokenRejected(RetriableAPIError):
    """Personio refused a token that may have expired: retry at once with a fresh one."""


class RateLimiter:
    """Token buckets that keep the tap under Personio's limits, so 429s stay rare.

    Buckets are named; a request takes one token from each bucket it belongs to. Personio's v2
    answers announce their bucket (``x-ratelimit-replenish-rate``, ``-burst-capacity``,
    ``-remaining``), and the limiter adopts what they say.
    """

    def __init__(
        self,
        max_requests_per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[str, list[float]] = {}  # name -> [rate, capacity, tokens, updated]
        self.max_requests_per_second = max_requests_per_second
        if max_requests_per_second:
            self.configure("all", max_requests_per_second, max(1.0, max_requests_per_second))

    def configure(self, name: str, rate: float, capacity: float) -> None:
        """Create or resize a bucket (rate in requests per second)."""
        with self._lock:
            bucket = self._buckets.get(name)
            tokens = capacity if bucket is None else min(bucket[2], capacity)
            self._buckets[name] = [rate, capacity, tokens, self._clock()]

    def known(self, name: str) -> bool:
        return name in self._buckets

    def acquire(self, names: Iterable[str]) -> float:
        """Take a token from each named bucket, sleeping until all have one; returns the wait."""
        wait = 0.0
        with self._lock:
            now = self._clock()
            for name in [*names, "all"]:
                bucket = self._buckets.get(name)
                if bucket is None:
                    continue
                rate, capacity, tokens, updated = bucket
                tokens = min(capacity, tokens + (now - updated) * rate) - 1
                bucket[2], bucket[3] = tokens, now
                if tokens < 0:
                    wait = max(wait, -tokens / rate)
        if wait > 0:
            self._sleep(wait)
        return wait

    def observe(self, name: str, headers: Mapping[str, str]) -> None:
        """Adopt the bucket that a v2 answer describes in its ``x-ratelimit-*`` headers."""
        try:
            rate = float(headers["x-ratelimit-replenish-rate"])
            capacity = float(headers.get("x-ratelimit-burst-capacity", rate))
            remaining = float(headers.get("x-ratelimit-remaining", capacity))
        except (KeyError, ValueError):
            return
        if rate <= 0:
            return
        with self._lock:
            bucket = self._buckets.setdefault(name, [rate, capacity, capacity, self._clock()])
            bucket[0], bucket[1] = rate, capacity
            bucket[2] = min(bucket[2], remaining)


def hinted_wait(response: requests.Response) -> float | None:
    """Seconds Personio asks us to wait: ``Retry-After``, else the v2 rate-limit headers."""
    headers = response.headers
    retry_after = headers.get("Retry-After")
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            date = email.utils.parsedate_to_datetime(retry_after)
            seconds = date.timestamp() - time.time()
        return min(max(seconds, 0.0), RETRY_AFTER_CAP_SECONDS)
    if response.status_code == HTTPStatus.TOO_MANY_REQUESTS:
        try:
            rate = float(headers["x-ratelimit-replenish-rate"])
            requested = float(headers.get("x-ratelimit-requested-tokens", 1))
        except (KeyError, ValueError):
            return None
        if rate > 0:
            return requested / rate
    return None


def retry_waits(
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
    rand: Callable[[], float] = random.random,
) -> Generator[float, BaseException | None, None]:
    """Wait generator for ``backoff``: it sends each failure in and gets the next wait out.

    A fresh token is tried at once; Personio's own hint is obeyed; anything else backs off
    exponentially with jitter (between half and all of the step), capped.
    """
    attempt = 0
    failure = yield 0.0
    while True:
        attempt += 1
        response = getattr(failure, "response", None)
        hinted = hinted_wait(response) if response is not None else None
        if isinstance(failure, TokenRejected):
            wait = 0.0
        elif hinted is not None:
            wait = hinted
        else:
            wait = min(cap, base * 2 ** (attempt - 1)) * (0.5 + rand() / 2)
        failure = yield wait


def personio_reason(response: requests.Response) -> str:
    """Personio's own words for a failure, from whichever of its error shapes came back.

    v1 ``{"success": false, "error": {"message": ...}}``, v2 problem+json ``errors[]`` with a
    trace id, OAuth2 ``error_description``, and the array shape of v1 custom reports.
    """
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    error = body.get("error")
    if isinstance(error, dict):
        parts.append(str(error.get("message", "")))
    elif isinstance(error, str):
        parts.append(error)
        parts.append(str(body.get("error_description", "")))
    if isinstance(body.get("message"), str):
        parts.append(body["message"])
    for item in body.get("errors") or []:
        if isinstance(item, dict):
            parts.append(str(item.get("title", "")))
            parts.append(str(item.get("detail") or item.get("details") or ""))
    trace = body.get("personio_trace_id") or body.get("trace_id")
    if trace:
        parts.append(f"(trace id {trace})")
    return " ".join(p for p in parts if p)[:300]


def describe_failure(response: requests.Response) -> str:
    """One line naming the endpoint, the status and Personio's reason; never the query string."""
    path = urlparse(response.url).path
    method = response.request.method if response.request is not None else "GET"
    reason = personio_reason(response).rstrip(". ")
    return f"{method} {path} answered {response.status_code} {response.reason}" + (
        f": {reason}" if reason else ""
    )


def describe(failure: BaseException | None) -> str:
    """A failed attempt in one line: Personio's answer, or the network fault at its root."""
    response = getattr(failure, "response", None)
    if response is not None:
        return describe_failure(response)
    request = getattr(failure, "request", None)
    where = urlparse(request.url) if request is not None and request.url else None
    root: BaseException | None = failure
    while root is not None and (root.__cause__ or root.__context__):
        root = root.__cause__ or root.__context__
    reason = str(root).split(": ")[-1] if root is not None else "unknown failure"
    target = f" {where.path} on {where.netloc}" if where else ""
    return f"network failure reaching{target} ({type(failure).__name__}: {reason})"


class PersonioAPI:
    """What all streams of one tap run share: the base URL, one connection pool, the two
    tokens, the rate limiter and the retry policy."""

    def __init__(self, config: Mapping[str, t.Any], logger: logging.Logger) -> None:
        self.base_url = str(config.get("api_url") or "https://api.personio.de").rstrip("/")
        self.timeout = int(config.get("request_timeout") or 60)
        self.max_retries = int(config.get("max_retries", 8))
        self.logger = logger
        headers = {"X-Personio-App-ID": str(config.get("app_id") or "TAP_PERSONIO")}
        if config.get("partner_id"):
            headers["X-Personio-Partner-ID"] = str(config["partner_id"])
        # Data requests and token requests use separate sessions: the SDK installs the
        # authenticator on the data session, and a token request must not ask for a token.
        self.session = requests.Session()
        self.token_session = requests.Session()
        for session in (self.session, self.token_session):
            session.headers.update(headers)
        self.limiter = RateLimiter(config.get("max_requests_per_second"))
        # Personio's published limits, taken a little under. A bucket of capacity C and rate r
        # lets C + r*w requests through in any window w, so C is chosen to keep every window
        # within its limit: v1 employees allow 300/min and 15 in any second (C + r <= 15),
        # every v1 call counts against 2,000/min per IP (C + 60 r <= 2,000).
        self.limiter.configure("v1", rate=2000 / 60 * 0.95, capacity=30)
        self.limiter.configure("v1:employees", rate=300 / 60 * 0.95, capacity=10)
        self.authenticators = {
            endpoint.generation: PersonioAuthenticator(
                endpoint=endpoint,
                api_url=self.base_url,
                client_id=str(config.get("client_id", "")),
                client_secret=str(config.get("client_secret", "")),
                post=self.post_token_request,
            )
            for endpoint in (V1_TOKEN, V2_TOKEN)
        }

    def retrying(self, func: Callable[..., t.Any], on_backoff: Callable[..., None]) -> t.Any:
        """``func`` retried on network faults, 429 and 5xx under the tap's retry policy; when
        the retries run out, one error that says what failed and how often."""
        retried = backoff.on_exception(
            retry_waits,
            (RetriableAPIError, *NETWORK_ERRORS),
            max_tries=self.max_retries + 1,
            jitter=None,
            on_backoff=on_backoff,
            logger=None,
        )(func)

        def attempt(*args: t.Any, **kwargs: t.Any) -> t.Any:
            try:
                return retried(*args, **kwargs)
            except (RetriableAPIError, *NETWORK_ERRORS) as failure:
                raise PersonioError(
                    f"Gave up after {self.max_retries + 1} attempts: {describe(failure)}. "
                    "If Personio is down or throttling, run again later or raise max_retries; "
                    "otherwise check api_url and the network."
                ) from None

        return attempt

    def post_token_request(self, url: str, body: dict[str, str], form: bool) -> requests.Response:
        """Mint a token; refusals become one clear error that never repeats the secret."""

        def post() -> requests.Response:
            kwargs: dict[str, t.Any] = {"data": body} if form else {"json": body}
            response = self.token_session.post(url, timeout=self.timeout, **kwargs)
            if (
                response.status_code == HTTPStatus.TOO_MANY_REQUESTS
                or response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR
            ):
                raise RetriableAPIError(describe_failure(response), response)
            return response

        response: requests.Response = self.retrying(post, self.log_backoff)()
        if not response.ok:
            raise PersonioAuthError(
                f"Personio refused the credential: {describe_failure(response)}. Check "
                "client_id and client_secret (Settings > Integrations > API credentials in "
                "Personio) and that api_url is right."
            )
        return response

    def log_backoff(self, details: Mapping[str, t.Any]) -> None:
        """One warning per retry: what failed and how long we wait, no URL query, no secret."""
        self.logger.warning(
            "Retrying in %.1f s (attempt %d of %d) after %s",
            details.get("wait", 0.0),
            details.get("tries", 0),
            self.max_retries + 1,
            describe(details.get("exception")),
        )


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
    #: v1 pages to fetch ahead while one is parsed (0: one page at a time).
    prefetch_pages: t.ClassVar[int] = 3

    extra_retry_statuses: t.ClassVar[list[int]] = [HTTPStatus.TOO_MANY_REQUESTS]  # type: ignore[misc]

    #: Set when discovery found that the credential may not read this stream.
    unreadable: PersonioAccessError | None = None

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows_read = 0
        self._progress_logged = time.monotonic()

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        """Records, or, for a stream the credential may not read, a warning instead of a failed
        sync (unless ``strict_mode`` asks for the failure)."""
        try:
            if self.unreadable is not None:
                raise self.unreadable
            yield from super().get_records(context)
        except PersonioAccessError as error:
            if self.config.get("strict_mode"):
                raise
            self.logger.warning("%s: skipped. %s", self.name, error)

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
    def requests_session(self) -> requests.Session:
        return self.api.session

    @property
    @override
    def timeout(self) -> int:
        return self.api.timeout

    @cached_property
    def _buckets(self) -> tuple[str, ...]:
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
        """Pages in order; with ``prefetch_pages``, the next ones are already on their way.

        Personio's latency, not its rate limit, bounds a one-page-at-a-time walk. v1 offsets and
        page numbers are predictable, so the pages the paginator will most likely ask for next
        are fetched early, within the rate limiter. The walk itself still follows the rows that
        really came back: a page fetched at an offset the walk does not reach is dropped.
        """
        paginator = self.get_new_paginator()
        if not self.prefetch_pages or not isinstance(
            paginator, V1OffsetPaginator | V1PagePaginator
        ):
            yield from super().request_records(context)
            return
        fetch = self._page_fetcher(context)
        early: dict[int, Future[requests.Response]] = {}
        with (
            self.get_http_request_counter() as counter,
            ThreadPoolExecutor(self.prefetch_pages, thread_name_prefix=self.name) as pool,
        ):
            counter.with_context(context)
            try:
                while not paginator.finished:
                    token = paginator.current_value
                    on_its_way = early.pop(token, None)
                    response = on_its_way.result() if on_its_way else fetch(token)
                    counter.increment()
                    yield from self.parse_response(response)
                    paginator.advance(response)
                    if paginator.finished:
                        break
                    # The next page is fetched right here; the ones after it, by the pool.
                    for pages in range(1, self.prefetch_pages + 1):
                        guess = paginator.ahead(pages)
                        if guess is not None and guess not in early:
                            early[guess] = pool.submit(fetch, guess)
            finally:
                for future in early.values():
                    future.cancel()

    def _page_fetcher(self, context: Context | None) -> Callable[[t.Any], requests.Response]:
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
        params: dict[str, t.Any] = {}
        if self.paging == "offset":
            params.update(limit=self.page_size, offset=next_page_token or 0)
        elif self.paging == "page":
            params.update(limit=self.page_size, offset=next_page_token or 1)
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
            self.api.limiter.acquire(self._buckets)
            return func(prepared, context)

        return t.cast("Callable", self.api.retrying(limited, self.backoff_handler))

    @override
    def backoff_handler(self, details: t.Any) -> None:
        self.api.log_backoff(details)

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict]:
        body = page_body(response)
        records = self.parse_page(body)
        self._log_progress(len(records), body)
        return records

    def parse_page(self, body: t.Any) -> list[dict]:
        """The records of one decoded page."""
        data = body.get("_data", body.get("data")) if isinstance(body, dict) else body
        return [record for record in data or [] if isinstance(record, dict)]

    def _log_progress(self, rows: int, body: t.Any) -> None:
        """A line every ``PROGRESS_SECONDS`` on long syncs, with Personio's total when known."""
        self._rows_read += rows
        now = time.monotonic()
        if now - self._progress_logged < PROGRESS_SECONDS:
            return
        self._progress_logged = now
        metadata = body.get("metadata") if isinstance(body, dict) else None
        total = metadata.get("total_elements") if isinstance(metadata, dict) else None
        of_total = f" of {total:,}" if isinstance(total, int) else ""
        self.logger.info(
            "%s: %s%s records read so far", self.name, f"{self._rows_read:,}", of_total
        )

    @override
    def validate_response(self, response: requests.Response) -> None:
        if self.api_version == "v2":
            self.api.limiter.observe(self._buckets[0], response.headers)
        status = response.status_code
        if self._token_refused(response):
            if self.authenticator.rejected():
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
        if status >= HTTPStatus.BAD_REQUEST:
            raise PersonioError(describe_failure(response))
        try:
            page_body(response)  # decoded here, inside the retries, and kept for the parser
        except ValueError as exc:
            raise RetriableAPIError(f"{describe_failure(response)}, but {exc}", response) from None
        self.authenticator.accepted()

    def _right_hint(self) -> str:
        return f' (needs "{self.access_right}")' if self.access_right else ""

    def _token_refused(self, response: requests.Response) -> bool:
        """401, or v1's 403 for a token it no longer accepts (an access right missing is a
        403 too, with another message, and re-minting does not help it)."""
        if response.status_code == HTTPStatus.UNAUTHORIZED:
            return True
        return (
            response.status_code == HTTPStatus.FORBIDDEN
            and self.api_version == "v1"
            and "authorization is not valid" in personio_reason(response).lower()
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
