"""The connection every stream of a tap run shares: base URL, sessions, tokens, the rate limiter,
the retry policy, and Personio's error shapes turned into one line each."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import typing as t
from http import HTTPStatus
from urllib.parse import urlparse

import backoff
import requests
from singer_sdk.exceptions import RetriableAPIError

from tap_personio.auth import V1_TOKEN, V2_TOKEN, PersonioAuthenticator
from tap_personio.errors import PersonioAuthError, PersonioError

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping

#: Retries back off exponentially from this many seconds ...
BACKOFF_BASE_SECONDS = 1.0
#: ... up to this cap (Personio's auth endpoint locks for 60 s after its limit).
BACKOFF_CAP_SECONDS = 60.0
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


def token_refused(response: requests.Response, api_version: str) -> bool:
    """401, or v1's 403 for a token it no longer accepts (an access right missing is a 403 too,
    with another message, and re-minting does not help it)."""
    if response.status_code == HTTPStatus.UNAUTHORIZED:
        return True
    return (
        response.status_code == HTTPStatus.FORBIDDEN
        and api_version == "v1"
        and "authorization is not valid" in personio_reason(response).lower()
    )


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
        #: What several streams of this run need from one request (see ``once``).
        self._once: dict[str, t.Any] = {}
        self._once_lock = threading.Lock()
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

    def once(self, name: str, read: Callable[[], t.Any]) -> t.Any:
        """``read()``'s result, read once per run: the attribute catalogue and the report list
        type streams at discovery and are streams of their own too. A refusal is kept, and
        raised to every caller."""
        with self._once_lock:
            if name not in self._once:
                try:
                    self._once[name] = read()
                except PersonioError as error:
                    self._once[name] = error
            found = self._once[name]
        if isinstance(found, PersonioError):
            raise found
        return found

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
