"""The sandbox's HTTP framework: routing, envelopes, the request pipeline and the request log.

Area modules (`auth.py`, `v1_people.py`, `v2_people.py`, ...) declare `ROUTES`, a tuple of
`Route`; `App` runs every request through the same pipeline: transport faults, routing, rate
limits, authentication, access right, handler, error envelope, request log.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from tap_personio.sandbox.absence_changes import Mutation
from tap_personio.sandbox.company import Company
from tap_personio.sandbox.credential import Credential, Token, TokenState, TokenStore
from tap_personio.sandbox.faults import Faults
from tap_personio.sandbox.ratelimit import V1_GLOBAL, Limit, RateLimiter

Api = Literal["v1", "v2"]


# --------------------------------------------------------------------------- request/response
@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    params: dict[str, str] = field(default_factory=dict)
    token: Token | None = None

    def arg(self, name: str) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def app_id(self) -> str | None:
        """Personio reads `X-Personio-App-ID` and the v2 spelling `Personio-App-ID`."""
        return self.header("X-Personio-App-ID") or self.header("Personio-App-ID")

    @property
    def partner_id(self) -> str | None:
        return self.header("X-Personio-Partner-ID") or self.header("Personio-Partner-ID")

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, content_type: str = "application/json") -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, content_type)


class ApiError(Exception):
    """Raised by handlers; rendered in the error envelope of the route's API generation."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: int | None = None,
        title: str | None = None,
        type_: str | None = None,
        meta: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = status if code is None else code
        self.title = title
        self.type_ = type_
        self.meta = meta or {}


# --------------------------------------------------------------------------- envelopes
def v1_ok(data: Any, **extra: Any) -> Response:
    """`{"success": true, ...extra, "data": ...}` (metadata/offset/limit come before data)."""
    return json_response(200, {"success": True, **extra, "data": data})


V2_ERROR_TYPES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "common.bad_request"),
    401: ("Unauthorized", "common.unauthorized"),
    403: ("Insufficient access scope", "common.forbidden"),
    404: ("Resource not found", "common.requested_resource_not_found"),
    429: ("Too Many Requests", "common.too_many_requests"),
    500: ("Internal Server Error", "common.internal_server_error"),
    502: ("Bad Gateway", "common.bad_gateway"),
    503: ("Service Unavailable", "common.service_unavailable"),
    504: ("Gateway Timeout", "common.gateway_timeout"),
}
V2_ERROR_BASE = "https://developer.personio.de/reference/errors#"


def trace_id() -> str:
    return str(uuid.uuid4())


def utc_now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_error(api: Api, error: ApiError) -> Response:
    if api == "v1":
        return json_response(
            error.status,
            {"success": False, "error": {"code": error.code, "message": error.message}},
        )
    title, anchor = V2_ERROR_TYPES.get(error.status, ("Error", "common.error"))
    item = {
        "title": error.title or title,
        "detail": error.message,
        "type": V2_ERROR_BASE + (error.type_ or anchor),
        "_meta": error.meta,
    }
    payload = {"personio_trace_id": trace_id(), "timestamp": utc_now_text(), "errors": [item]}
    return json_response(error.status, payload, "application/problem+json")


#: Transport-level answers (injected faults, rate limits) in each generation's words.
STATUS_MESSAGES = {
    429: "Too Many Requests",
    500: "There was a problem while processing this request. Please try again later.",
    502: "There was a problem while processing this request. Please try again later.",
    503: "The server is temporarily unavailable. Please try again later.",
    504: "There was a problem while processing this request. Please try again later.",
}


def api_of(path: str) -> Api:
    return "v2" if path.startswith("/v2/") else "v1"


# --------------------------------------------------------------------------- paging helpers
def int_arg(req: Request, name: str, default: int, message: str, api: Api = "v1") -> int:
    """An integer query parameter; a non-integer is a 400 like Personio's."""
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, message, code=0 if api == "v1" else None) from None


def encode_cursor(offset: int) -> str:
    return "cur_" + base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip(
        "="
    )


def decode_cursor(cursor: str) -> int:
    try:
        raw = cursor.removeprefix("cur_")
        offset = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))["o"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError(cursor)
        return offset
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, "Provided cursor is not valid.") from None


def v2_list(
    app: App,
    req: Request,
    items: Sequence[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    default_limit: int,
    max_limit: int,
) -> Response:
    """A cursor page: `_data` plus `_meta.links` with an absolute `next` unless it is the last."""
    limit = int_arg(req, "limit", default_limit, "Provided value for limit is not valid", "v2")
    if not 1 <= limit <= max_limit:
        raise ApiError(400, "Provided value for limit is not valid")
    cursor = req.arg("cursor")
    offset = decode_cursor(cursor) if cursor else 0
    page = items[offset : offset + limit]
    links: dict[str, dict[str, str]] = {"self": {"href": app.link(req, req.query)}}
    if offset + limit < len(items):
        repeat = cursor is not None and app.faults.take("repeat_cursor", req.path) is not None
        next_query = {k: v for k, v in req.query.items() if k != "cursor"}
        next_query["cursor"] = [cursor if repeat and cursor else encode_cursor(offset + limit)]
        links["next"] = {"href": app.link(req, next_query)}
    return json_response(200, {"_data": [render(item) for item in page], "_meta": {"links": links}})


@dataclass(frozen=True, slots=True)
class V1Paging:
    """The paging dialect of one v1 list; they differ per endpoint (personio-api.md section 6)."""

    default_limit: int
    max_limit: int
    pages: bool = False  # `offset` is a page number from 1 (0 read as 1), not a record offset
    clamp: bool = False  # a limit above the maximum is clamped (employees) instead of a 400
    param: str = "offset"  # name of the position parameter (custom reports: `page`)


def v1_paged(
    req: Request, items: Sequence[Any], paging: V1Paging
) -> tuple[Sequence[Any], dict[str, Any]]:
    """The requested slice of `items` and the envelope's `metadata`, `offset` and `limit`.

    `offset` echoes the position parameter as sent, `current_page` is the page served.
    """
    limit_message = f"The limit must be between 1 and {paging.max_limit}."
    limit = int_arg(req, "limit", paging.default_limit, limit_message)
    offset_message = f"The {paging.param} must be a non-negative integer."
    offset = int_arg(req, paging.param, 0, offset_message)
    if limit < 1 or (limit > paging.max_limit and not paging.clamp):
        raise ApiError(400, limit_message, code=0)
    if offset < 0:
        raise ApiError(400, offset_message, code=0)
    limit = min(limit, paging.max_limit)
    if paging.pages:
        page = max(offset, 1)
        start = (page - 1) * limit
    else:
        page, start = offset // limit, offset
    metadata = {
        "total_elements": len(items),
        "current_page": page,
        "total_pages": -(-len(items) // limit),
    }
    return items[start : start + limit], {"metadata": metadata, "offset": offset, "limit": limit}


# --------------------------------------------------------------------------- routing
Handler = Callable[["App", Request], Response]


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint. `{name}` matches a path segment, `{name:int}` only digits."""

    method: str
    pattern: str
    handler: Handler
    right: str | None = None  # access right needed; None with auth=False for token endpoints
    auth: bool = True
    limits: tuple[Limit, ...] = ()
    echo_token: bool = True  # v1 data responses repeat the token in `Authorization`
    errors: Callable[[ApiError], Response] | None = None  # own error shape (v1 custom reports)

    @property
    def api(self) -> Api:
        return api_of(self.pattern)

    def error(self, error: ApiError) -> Response:
        """The error in this route's shape: its own `errors`, else its generation's envelope."""
        return self.errors(error) if self.errors else render_error(self.api, error)

    def compile(self) -> re.Pattern[str]:
        def group(match: re.Match[str]) -> str:
            name, _, kind = match.group(1).partition(":")
            return f"(?P<{name}>{'[0-9]+' if kind == 'int' else '[^/]+'})"

        return re.compile("^" + re.sub(r"\{([^}]+)\}", group, self.pattern) + "$")


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = [(route, route.compile()) for route in routes]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route, regex in self._routes:
            found = regex.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None


# --------------------------------------------------------------------------- request log
@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int  # 0: the connection was dropped without an answer
    duration: float  # seconds
    app_id: str | None = None  # X-Personio-App-ID (or Personio-App-ID), which clients should send


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def count(
        self, path: str | None = None, status: int | None = None, method: str | None = None
    ) -> int:
        """Count requests; `path` is exact, or a prefix when it ends in `*`."""

        def path_matches(entry: LoggedRequest) -> bool:
            if path is None:
                return True
            if path.endswith("*"):
                return entry.path.startswith(path[:-1])
            return entry.path == path

        return sum(
            1
            for e in self.entries()
            if path_matches(e)
            and (status is None or e.status == status)
            and (method is None or e.method == method.upper())
        )


# --------------------------------------------------------------------------- the application
V1_NO_TOKEN = "Authorization is not provided"
V1_INVALID_TOKEN = "Provided authorization is not valid"
V1_EXPIRED_TOKEN = "The provided authorization token has expired or was revoked"
V1_FORBIDDEN = "personio.core.api.exceptions.api.forbidden.http.exception"


@dataclass
class App:
    """Everything a handler may use; one per sandbox."""

    routes: Sequence[Route]
    company: Company
    credential: Credential
    tokens: TokenStore
    limiter: RateLimiter
    faults: Faults
    log: RequestLog = field(default_factory=RequestLog)
    #: v1 attendances and projects, shut down 2026-08-30: answered with this status, or still
    #: served when None (the real answer is undocumented; personio-api.md 4.7, 11.12)
    retired_status: int | None = 404
    #: what each fired `mutate` fault changed (`Company.mutate`'s results), oldest first
    mutations: list[Mutation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.router = Router(self.routes)

    def link(self, req: Request, query: Mapping[str, list[str]]) -> str:
        """An absolute URL on this sandbox, as v2 `_meta.links` carry them."""
        encoded = urlencode([(k, v) for k, values in query.items() for v in values])
        return f"{req.base_url}{req.path}" + (f"?{encoded}" if encoded else "")

    def dispatch(self, req: Request) -> Response:
        api = api_of(req.path)
        found = self.router.match(req.method, req.path)
        if found is None:
            return render_error(api, ApiError(404, "Route not found", code=0,
                                              meta={"path": req.path}))  # fmt: skip
        route, params = found
        req = replace(req, params=params)
        limits = (V1_GLOBAL, *route.limits) if route.api == "v1" else route.limits
        decision = self.limiter.acquire(limits)
        if not decision.allowed:
            response = route.error(ApiError(429, STATUS_MESSAGES[429]))
        else:
            try:
                if route.auth:
                    req = replace(req, token=self._authenticate(route, req))
                response = route.handler(self, req)
            except ApiError as error:
                response = route.error(error)
            if route.api == "v1" and route.echo_token and req.token and response.status == 200:
                response.headers["Authorization"] = f"Bearer {req.token.value}"
        response.headers.update(decision.headers)
        return response

    def _authenticate(self, route: Route, req: Request) -> Token:
        for kind, params in self.faults.countdown(req.path):
            if kind == "revoke_after":
                self.tokens.revoke_all()
            elif kind == "mutate":
                self.mutations.append(self.company.mutate(**params))
            else:
                self.company.add_custom_attribute(
                    params.get("label", "Drifted attribute"),
                    params.get("type", "standard"),
                    tuple(params.get("options", ())),
                )
        header = req.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if not value or scheme.lower() != "bearer":
            raise ApiError(401, V1_NO_TOKEN if route.api == "v1" else "Unauthorized Request")
        state, token = self.tokens.check(value.strip())
        if token is None:
            if route.api == "v2":
                raise ApiError(401, "The access token is invalid, expired or revoked.")
            if state is TokenState.UNKNOWN:
                raise ApiError(403, V1_INVALID_TOKEN)
            raise ApiError(401, V1_EXPIRED_TOKEN)
        if route.right is not None and route.right not in token.rights:
            if route.api == "v1":
                raise ApiError(403, V1_FORBIDDEN, code=0)
            raise ApiError(403, "Client scope insufficient to access resource",
                           type_="common.forbidden")  # fmt: skip
        return token

    def fault_response(self, path: str, status: int, method: str = "GET") -> Response:
        error = ApiError(status, STATUS_MESSAGES[status])
        found = self.router.match(method, path)
        return found[0].error(error) if found else render_error(api_of(path), error)


# --------------------------------------------------------------------------- HTTP transport
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid 40 ms stalls
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log records every request instead."""

    def _serve(self) -> None:
        app = self.server.app
        started = time.perf_counter()
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        req = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,  # type: ignore[arg-type]  # case-insensitive Message
            body=body,
            base_url=f"http://{host}",
        )
        plan = app.faults.plan(req.path)
        if plan.delay:
            time.sleep(plan.delay)

        def log(status: int) -> None:
            """Logged before the answer goes out, so a client that has it also sees the entry."""
            app.log.add(LoggedRequest(req.method, req.path, req.query, status,
                                      time.perf_counter() - started, req.app_id))  # fmt: skip

        try:
            if plan.drop:
                log(0)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            response = (
                app.fault_response(req.path, plan.status, req.method)
                if plan.status is not None
                else self._dispatch(app, req)
            )
            log(response.status)
            self._write(response, plan.truncate)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    @staticmethod
    def _dispatch(app: App, req: Request) -> Response:
        """A bug in a handler becomes a 500 (with its traceback on stderr), not a hang-up."""
        try:
            return app.dispatch(req)
        except Exception:
            traceback.print_exc()
            return app.fault_response(req.path, 500, req.method)

    def _write(self, response: Response, truncate: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        declared = len(response.body) + (max(64, len(response.body)) if truncate else 0)
        self.send_header("Content-Length", str(declared))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(response.body[: len(response.body) // 2] if truncate else response.body)
        self.wfile.flush()


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        super().__init__((host, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, dropped faults) are normal here, not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
