"""Declarative v2 endpoints: one generic handler serves every v2 list and single resource.

Each area module describes its endpoints as `V2Endpoint` rows (path, loader, renderer, limit
range, filters, sorting, access right, beta/feature gates, rate bucket); `endpoint_routes`
turns a row into `Route`s. Filters follow Personio's dotted syntax (personio-api.md 3.4, 11.6):
`field.op=value` with `op` in gt/lt/gte/lte, comma-separated (or repeated) id lists; an
operator a field does not offer is a 400 "Provided filter encoding is invalid.", a value that
does not parse a 400 "Provided request parameters are invalid.".
"""

from __future__ import annotations

import operator
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from tap_personio.sandbox.company import Company
from tap_personio.sandbox.ratelimit import TokenBucket
from tap_personio.sandbox.server import ApiError, App, Request, Response, Route, json_response
from tap_personio.sandbox.server import v2_list as _v2_list
from tap_personio.sandbox.timefmt import berlin_offset

INVALID_ENCODING = "Provided filter encoding is invalid."
INVALID_PARAMETERS = "Provided request parameters are invalid."
NOT_FOUND = "There is no resource for the specified id."

#: Features a company may lack; `Sandbox.set_feature` switches them (personio-api.md 5.9, 5.12).
FEATURES = frozenset({"legal_entities", "recruiting"})

FilterKind = Literal["list", "int_list", "enum", "text", "instant", "local", "date"]
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "": operator.eq,
    "gt": operator.gt,
    "lt": operator.lt,
    "gte": operator.ge,
    "lte": operator.le,
}
_PAGING = frozenset({"limit", "cursor"})


def bad_request(message: str = INVALID_PARAMETERS) -> ApiError:
    return ApiError(400, message)


# --------------------------------------------------------------------------- value parsing
def parse_instant(raw: str) -> datetime:
    """A date or date-time; naive values are read as UTC, as v2 timestamps are sent in UTC."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise bad_request() from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_local(raw: str) -> datetime:
    """A naive local (Europe/Berlin) date-time, as attendance and absence times are sent.

    Values with `Z` or an offset are accepted too (clients were seen sending both) and
    converted to Berlin local time.
    """
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise bad_request() from None
    return moment if moment.tzinfo is None else berlin_naive(moment)


def parse_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw[:10]) if "T" in raw else date.fromisoformat(raw)
    except ValueError:
        raise bad_request() from None


_PARSERS: dict[str, Callable[[str], Any]] = {
    "instant": parse_instant,
    "local": parse_local,
    "date": parse_date,
}


@dataclass(frozen=True, slots=True)
class Filter:
    """One filterable field. `get` reads the comparable value from an item.

    Kinds: `list`/`int_list` (comma-separated or repeated values, matched against a string),
    `enum` (a list whose values must be in `choices`), `text` (exact), and the ordered kinds
    `instant` (aware UTC), `local` (naive Berlin time) and `date`, which take `ops`.
    """

    name: str
    get: Callable[[Any], Any]
    kind: FilterKind = "list"
    ops: frozenset[str] = frozenset({""})
    choices: frozenset[str] = frozenset()

    def apply(self, items: Sequence[Any], op: str, values: list[str]) -> list[Any]:
        get = self.get
        if self.kind in _PARSERS:
            bound = _PARSERS[self.kind](values[0])
            compare = _COMPARE[op]
            return [i for i in items if (v := get(i)) is not None and compare(v, bound)]
        wanted = {part for value in values for part in value.split(",") if part}
        if not wanted:
            raise bad_request()
        if self.kind == "int_list" and not all(w.isdigit() for w in wanted):
            raise bad_request()
        if self.kind == "enum" and not wanted <= self.choices:
            raise bad_request()
        if self.kind == "text":
            wanted = {values[0]}
        return [i for i in items if get(i) in wanted]


def ops(*names: str) -> frozenset[str]:
    return frozenset(names)


def apply_filters(
    items: Sequence[Any], req: Request, filters: Sequence[Filter], params: frozenset[str]
) -> Sequence[Any]:
    """AND every filter in the query; `params` are further accepted non-filter parameters."""
    by_name = {f.name: f for f in filters}
    for key, values in req.query.items():
        if key in _PAGING or key in params:
            continue
        spec, op = by_name.get(key), ""
        if spec is None:
            name, _, op = key.rpartition(".")
            spec = by_name.get(name) if op in _COMPARE else None
            if spec is None:
                if "." in key:
                    raise bad_request(INVALID_ENCODING)
                continue  # unknown plain parameters are ignored, as Personio does
        if op not in spec.ops:
            raise bad_request(INVALID_ENCODING)
        items = spec.apply(items, op, values)
    return items


@dataclass(frozen=True, slots=True)
class Sorting:
    """The `sort` parameter: comma list of keys, `-` for descending; nulls last ascending."""

    keys: dict[str, Callable[[Any], Any]]
    default: str | None = None  # applied when `sort` is absent; None keeps the loader's order

    def apply(self, items: Sequence[Any], raw: str | None) -> Sequence[Any]:
        spec = raw if raw is not None else self.default
        if not spec:
            return items
        fields = spec.split(",")
        result = list(items)
        for name in reversed(fields):  # stable sorts, least significant key first
            desc = name.startswith("-")
            get = self.keys.get(name.removeprefix("-"))
            if get is None:
                raise bad_request()
            result.sort(key=lambda i, g=get: ((v := g(i)) is None, v), reverse=desc)  # type: ignore[misc]
        return result


# --------------------------------------------------------------------------- per-company state
@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    memo: dict[str, Any] = field(default_factory=dict)
    pages: OrderedDict[tuple[Any, ...], Sequence[Any]] = field(default_factory=OrderedDict)
    disabled: set[str] = field(default_factory=set)


_STATES: weakref.WeakKeyDictionary[Company, _State] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def _state(company: Company) -> _State:
    with _STATES_LOCK:
        state = _STATES.get(company)
        if state is None:
            state = _STATES[company] = _State()
        return state


def memo(company: Company, name: str, build: Callable[[], Any]) -> Any:
    """Derived data built once per company on first use (keeps start-up and memory small)."""
    state = _state(company)
    with state.lock:
        if name not in state.memo:
            state.memo[name] = build()
        return state.memo[name]


def revise(company: Company, name: str, build: Callable[[], Any],
           change: Callable[[Any], Any]) -> None:  # fmt: skip
    """Replace derived data with `change(data)`, built first if it was not yet."""
    state = _state(company)
    with state.lock:
        state.memo[name] = change(state.memo[name] if name in state.memo else build())


def current(company: Company, name: str, build: Callable[[], Any]) -> Any:
    """Like `memo`, but rebuilt after `Company.mutate` (which always moves `company.now`)."""
    state = _state(company)
    with state.lock:
        cached = state.memo.get(name)
        if cached is not None and cached[0] == company.now:
            return cached[1]
    value = build()
    with state.lock:
        state.memo[name] = (company.now, value)
    return value


def set_feature(company: Company, feature: str, enabled: bool) -> None:
    if feature not in FEATURES:
        raise ValueError(f"unknown feature {feature!r}; known: {sorted(FEATURES)}")
    state = _state(company)
    with state.lock:
        (state.disabled.discard if enabled else state.disabled.add)(feature)


def feature_enabled(company: Company, feature: str) -> bool:
    return feature not in _state(company).disabled


def alive_ids(company: Company) -> frozenset[int]:
    """Ids of current employees, so history of deleted people drops out of v2 lists."""
    return frozenset(company.employee_ids())


# --------------------------------------------------------------------------- endpoints
Loader = Callable[[App, Request], Sequence[Any]]
Renderer = Callable[[App, Request, Any], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class V2Endpoint:
    """One v2 collection, optionally with a single-resource path `{path}/{id}`."""

    path: str
    load: Loader  # every item in the endpoint's order; may raise ApiError (required params)
    render: Renderer
    right: str
    limit: tuple[int, int]  # (default, maximum); minimum is always 1
    bucket: TokenBucket
    filters: tuple[Filter, ...] = ()
    params: frozenset[str] = frozenset()  # further parameters the loader reads
    sorting: Sorting | None = None
    beta: bool = False  # 404 without `Beta: true`
    single_beta: bool | None = None  # None: as `beta`
    feature: str | None = None
    key: Callable[[Any], str] = lambda item: str(item.id)
    single: bool = True
    wrap_single: bool = False  # single GET answered as {"_data": {...}}


def _gate(app: App, req: Request, endpoint: V2Endpoint, beta: bool) -> None:
    if beta and (req.header("Beta") or "").strip().lower() != "true":
        raise ApiError(404, "Route not found", meta={"path": req.path})
    if endpoint.feature and not feature_enabled(app.company, endpoint.feature):
        if endpoint.feature == "legal_entities":
            raise ApiError(412, "The legal entities feature is not enabled for this company.",
                           title="Precondition failed",
                           type_="common.precondition_failed")  # fmt: skip
        raise ApiError(404, "Route not found", meta={"path": req.path})


def _selected(app: App, req: Request, endpoint: V2Endpoint) -> Sequence[Any]:
    """Loaded, filtered and sorted items; cached per query so later pages cost a slice only."""
    query = tuple(sorted((k, tuple(v)) for k, v in req.query.items() if k not in _PAGING))
    cache_key = (endpoint.path, tuple(sorted(req.params.items())), query, app.company.now)
    state = _state(app.company)
    with state.lock:
        cached = state.pages.get(cache_key)
        if cached is not None:
            state.pages.move_to_end(cache_key)
            return cached
    items = apply_filters(endpoint.load(app, req), req, endpoint.filters, endpoint.params)
    if endpoint.sorting is not None:
        items = endpoint.sorting.apply(items, req.arg("sort"))
    with state.lock:
        state.pages[cache_key] = items
        while len(state.pages) > 64:
            state.pages.popitem(last=False)
    return items


def endpoint_routes(endpoint: V2Endpoint) -> tuple[Route, ...]:
    """The list route and (unless `single=False`) the `{path}/{id}` route of one endpoint."""
    default, maximum = endpoint.limit
    single_beta = endpoint.beta if endpoint.single_beta is None else endpoint.single_beta

    def list_handler(app: App, req: Request) -> Response:
        _gate(app, req, endpoint, endpoint.beta)
        items = _selected(app, req, endpoint)
        return _v2_list(app, req, items, lambda item: endpoint.render(app, req, item),
                        default_limit=default, max_limit=maximum)  # fmt: skip

    def single_handler(app: App, req: Request) -> Response:
        _gate(app, req, endpoint, single_beta)
        wanted = req.params["item_id"]
        found = next((i for i in endpoint.load(app, req) if endpoint.key(i) == wanted), None)
        if found is None:
            raise ApiError(404, NOT_FOUND)
        body = endpoint.render(app, req, found)
        return json_response(200, {"_data": body} if endpoint.wrap_single else body)

    limits = (endpoint.bucket,)
    routes = [Route("GET", endpoint.path, list_handler, endpoint.right, limits=limits)]
    if endpoint.single:
        routes.append(Route("GET", endpoint.path + "/{item_id}", single_handler, endpoint.right,
                            limits=limits))  # fmt: skip
    return tuple(routes)


def bucket(path: str, rate: float = 10.0, burst: int = 20) -> TokenBucket:
    """A token bucket of its own for one endpoint (v2 limits are per endpoint, section 8)."""
    return TokenBucket(f"v2:{path}", rate, burst)


def ref(value: Any) -> dict[str, str] | None:
    """A v2 reference object `{"id": "..."}`; None stays None."""
    return None if value is None else {"id": str(value)}


def local_text(moment: datetime) -> str:
    """Naive local time as v2 attendance/absence periods write it (`2026-06-01T08:00:00`)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def berlin_naive(moment: datetime) -> datetime:
    """An aware instant as naive Europe/Berlin wall time."""
    return (moment.astimezone(UTC) + berlin_offset(moment)).replace(tzinfo=None)
