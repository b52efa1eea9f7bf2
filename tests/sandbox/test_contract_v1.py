"""Contract tests: every v1 GET endpoint of the sandbox against Personio's published OpenAPI
description (../shared/personio-openapi/v1/personio-personnel-data-api-oa3.yaml).

One row of `ENDPOINTS` per sandbox route; `test_every_v1_get_route_has_a_contract_row` fails
when a route is added without one, so a new endpoint gets its contract test from a single row.
A paged list is read to its end in its own paging dialect (`pager`), at least `MIN_PAGES` full
pages, and every page is checked, so each record the company holds is checked, not a sample.
The spec is OpenAPI 3.0; it is converted minimally to JSON Schema (`nullable: true` allows
null) plus the few spec fixes listed in `_SPEC_FIXES`, each with its reason.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tap_personio.sandbox import ROUTES, Sandbox
from tests.sandbox.conftest import get, v1_token

SPEC_FILE = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "personio-openapi"
    / "v1"
    / "personio-personnel-data-api-oa3.yaml"
)
SPEC_URI = "urn:personio:v1"

Params = dict[str, Any]
Body = Any
#: (the case's query, page index from 0) -> the query of that page
Pager = Callable[[Params, int], Params]
MIN_PAGES = 3
EMPLOYEES = 40  # the module's sandboxes; big enough for MIN_PAGES full pages of every list


def record_offset(query: Params, index: int) -> Params:
    """`offset` counts records (employees, time-off types, attendances)."""
    return {**query, "offset": index * query["limit"]}


def page_number(param: str) -> Pager:
    """`param` is a page number from 1 (time-offs and absence periods: `offset`; reports)."""
    return lambda query, index: {**query, param: index + 1}


@dataclass(frozen=True)
class Case:
    """How to call one route and which published response to check it against."""

    route: str  # the sandbox route pattern
    params: Callable[[Sandbox], Params] = lambda sb: {}  # path parameters
    query: Params = field(default_factory=dict)
    spec_path: str | None = None  # default: the route without /v1 and `:int`
    status: int = 200
    sandbox: Params = field(default_factory=dict)  # Sandbox(...) options
    normalise: Callable[[Body], Body] = lambda body: body  # documented deviations only
    id: str = ""
    pager: Pager | None = None  # a paged list: how to ask for each page; `limit` in `query`
    records: Callable[[Body], list[Any]] = lambda body: body["data"]  # the page's records


def _first_employee(sb: Sandbox) -> Params:
    return {"employee_id": sb.v1_employee_ids()[0]}


def _picture_employee(sb: Sandbox) -> Params:
    return {"employee_id": next(e.id for e in sb.company.employees() if e.has_picture)}


def _time_off(sb: Sandbox) -> Params:
    return {"id": sb.company.time_offs[0].id}


def _report(index: int) -> Callable[[Sandbox], Params]:
    def params(sb: Sandbox) -> Params:
        reports = get(sb, "/v1/company/custom-reports/reports").json()["data"]
        return {"report_id": reports[index]["attributes"]["id"]}

    return params


def _absence_type_flat(body: Body) -> Body:
    """The spec's HourlyAbsence.absence_type schema is the flat AbsenceType `{id, name, ...}`,
    but its own example and personio-api.md 4.11 show `{type, attributes: {id, ...}}`; the
    sandbox follows the example, so unwrap before checking the rest."""
    for item in body["data"]:
        item["attributes"]["absence_type"] = item["attributes"]["absence_type"]["attributes"]
    return body


def _attendance_numbers(body: Body) -> Body:
    """personio-api.md 3.1: attendances echo `offset`/`limit` as strings (the spec: integers)."""
    assert isinstance(body["offset"], str)
    assert isinstance(body["limit"], str)
    return {**body, "offset": int(body["offset"]), "limit": int(body["limit"])}


def _report_rows(body: Body) -> list[Any]:
    rows: list[Any] = body["data"][0]["attributes"]["items"]
    return rows


SERVED = {"retired_status": None}  # the attendance endpoints as before their shutdown
ATTENDANCE_WINDOW = {"start_date": "2026-01-01", "end_date": "2026-12-31", "limit": 20}
SERVED_WINDOW = {"start_date": "2026-10-01", "end_date": "2026-11-30", "limit": 100}
REPORT_PAGES = {"query": {"limit": 5}, "pager": page_number("page"), "records": _report_rows}

ENDPOINTS: tuple[Case, ...] = (
    Case("/v1/company/employees", query={"limit": 10}, pager=record_offset),
    Case("/v1/company/employees/attributes"),
    Case("/v1/company/employees/custom-attributes"),
    Case("/v1/company/employees/{employee_id:int}", _first_employee),
    Case("/v1/company/employees/{employee_id:int}/absences/balance", _first_employee),
    # width is optional in practice (personio-api.md 4.6); the spec lists only /{width}
    Case("/v1/company/employees/{employee_id:int}/profile-picture", _picture_employee,
         spec_path="/company/employees/{employee_id}/profile-picture/{width}"),
    Case("/v1/company/employees/{employee_id:int}/profile-picture/{width:int}",
         lambda sb: {**_picture_employee(sb), "width": 32}),
    Case("/v1/company/time-off-types", query={"limit": 2}, pager=record_offset),
    Case("/v1/company/time-offs", query={"limit": 50}, pager=page_number("offset")),
    Case("/v1/company/time-offs/{id:int}", _time_off),
    Case("/v1/company/absence-periods", query={"limit": 20}, normalise=_absence_type_flat,
         pager=page_number("offset")),
    # The spec still describes attendances and projects; Personio shut both down on
    # 2026-08-30 (personio-api.md 4.7, 4.8), so by default they answer as retired (404).
    Case("/v1/company/attendances", query=ATTENDANCE_WINDOW, status=404, id="retired"),
    Case("/v1/company/attendances/projects", status=404, id="retired"),
    Case("/v1/company/attendances", query=SERVED_WINDOW, sandbox=SERVED,
         normalise=_attendance_numbers, id="served", pager=record_offset),
    Case("/v1/company/attendances/projects", sandbox=SERVED, id="served"),
    Case("/v1/company/document-categories"),
    Case("/v1/company/custom-reports/reports"),
    Case("/v1/company/custom-reports/reports/{report_id}", _report(0), id="point_in_time",
         **REPORT_PAGES),
    Case("/v1/company/custom-reports/reports/{report_id}", _report(1), id="timeframe",
         **REPORT_PAGES),
    Case("/v1/company/custom-reports/reports/{report_id}", _report(2), id="historical_data",
         **REPORT_PAGES),
    Case("/v1/company/custom-reports/columns"),
)  # fmt: skip


# --------------------------------------------------------------------------- the spec
def _allow_null(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` -> JSON Schema that also accepts null."""
    if isinstance(node, list):
        return [_allow_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    # YAML reads unquoted status codes (`200:`) as ints; JSON pointers need strings
    node = {str(key): _allow_null(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def _fix_response_base(spec: dict[str, Any]) -> None:
    """The list schemas (`AbsencePeriodsResponse`, ...) are `allOf: [Response, {data: array}]`,
    but `Response` declares `data` an object, so no list could ever match; its own examples
    are arrays. Let the generic base accept any `data`."""
    spec["components"]["schemas"]["Response"]["properties"]["data"] = {}


def _fix_empty_references(spec: dict[str, Any]) -> None:
    """`supervisor` and `team` are null for employees without one (personio-api.md 4.2: the
    top of the tree has no supervisor); the spec's Supervisor/Team omit `nullable`."""
    for name in ("Supervisor", "Team"):
        spec["components"]["schemas"][name]["properties"]["value"]["nullable"] = True


_SPEC_FIXES = (_fix_response_base, _fix_empty_references)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC_FILE.is_file():
        pytest.skip(f"Personio's OpenAPI description is not here: {SPEC_FILE.resolve()}")
    raw = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    for fix in _SPEC_FIXES:
        fix(raw)
    return _allow_null(raw)  # type: ignore[no-any-return]


def _spec_path(case: Case) -> str:
    if case.spec_path:
        return case.spec_path
    return re.sub(r":int\}", "}", case.route.removeprefix("/v1"))


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _validator(spec: dict[str, Any], case: Case, media: str) -> Draft7Validator | None:
    """The validator for the documented 200 body, or None when the spec shows no schema."""
    content = spec["paths"][_spec_path(case)]["get"]["responses"]["200"].get("content")
    if content is None:  # the alias /custom-attributes documents no body at all
        return None
    assert media in content, f"the spec documents {sorted(content)}, not {media}"
    if "schema" not in content[media]:
        return None
    pointer = _pointer("paths", _spec_path(case), "get", "responses", "200", "content", media,
                       "schema")  # fmt: skip
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource(contents=spec, specification=DRAFT7)
    )
    return Draft7Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=registry)


# --------------------------------------------------------------------------- the tests
def _case_id(case: Case) -> str:
    return case.route.removeprefix("/v1/company") + (f"[{case.id}]" if case.id else "")


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[Callable[[Params], Sandbox]]:
    """One small sandbox per distinct option set, shared by the module's cases."""
    started: dict[str, Sandbox] = {}

    def sandbox(options: Params) -> Sandbox:
        key = repr(sorted(options.items()))
        if key not in started:
            started[key] = Sandbox(employees=EMPLOYEES, rate_limits=False, **options).start()
        return started[key]

    yield sandbox
    for sb in started.values():
        sb.stop()


def _fill(route: str, params: Params) -> str:
    return re.sub(r"\{(\w+)(?::int)?\}", lambda m: str(params[m.group(1)]), route)


def _pages(sb: Sandbox, case: Case) -> Iterator[requests.Response]:
    """The one response of an unpaged case; every page of a paged list, up to its end."""
    path, token = _fill(case.route, case.params(sb)), v1_token(sb)
    if case.pager is None:
        yield get(sb, path, token, **case.query)
        return
    for index in range(1000):
        response = get(sb, path, token, **case.pager(case.query, index))
        yield response
        if response.status_code != 200 or len(case.records(response.json())) < case.query["limit"]:
            return
    raise AssertionError(f"{case.route}: no short page after 1000 pages")


def _check(case: Case, response: requests.Response, validator: Draft7Validator | None) -> Body:
    body = case.normalise(copy.deepcopy(response.json()))
    if validator is not None:
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    if isinstance(body, dict) and "success" in body:
        assert body["success"] is True
    return body


@pytest.mark.parametrize("case", ENDPOINTS, ids=_case_id)
def test_response_matches_the_published_schema(
    case: Case, spec: dict[str, Any], sandboxes: Callable[[Params], Sandbox]
) -> None:
    sb = sandboxes(case.sandbox)
    sizes: list[int] = []
    seen: list[str] = []
    for response in _pages(sb, case):
        assert response.status_code == case.status, response.text
        if case.status != 200:
            # a retired endpoint: Personio's v1 error envelope (personio-api.md 3.2)
            body = response.json()
            assert body["success"] is False
            assert set(body["error"]) == {"code", "message"}
            return
        media = response.headers["Content-Type"].split(";")[0]
        validator = _validator(spec, case, media)
        if media != "application/json":
            assert response.content  # binary (the picture): the media type is the contract
            return
        body = _check(case, response, validator)
        if case.pager is not None:
            records = case.records(body)
            sizes.append(len(records))
            seen.extend(json.dumps(record, sort_keys=True) for record in records)
    if case.pager is not None:
        full = sum(size == case.query["limit"] for size in sizes)
        assert full >= MIN_PAGES, f"only {full} full pages ({sizes}): enlarge the company"
        assert len(set(seen)) == len(seen), "a record came on two pages"


def test_every_v1_get_route_has_a_contract_row() -> None:
    covered = {case.route for case in ENDPOINTS}
    served = {r.pattern for r in ROUTES if r.method == "GET" and r.pattern.startswith("/v1/")}
    assert served - covered == set(), "add a Case to ENDPOINTS for these routes"


def test_every_contract_row_names_a_documented_path(spec: dict[str, Any]) -> None:
    for case in ENDPOINTS:
        assert "get" in spec["paths"][_spec_path(case)], case.route


def test_employees_limit_above_100_is_clamped_unlike_the_spec(
    spec: dict[str, Any], sandboxes: Callable[[Params], Sandbox]
) -> None:
    """The spec allows any limit; since 2025-01-31 Personio clamps it to 100 (personio-api.md
    4.1), and the sandbox follows the newer behaviour."""
    sb = sandboxes({})
    body = get(sb, "/v1/company/employees", v1_token(sb), limit=150).json()
    assert body["limit"] == 100


def test_the_schema_check_rejects_a_wrong_shape(
    spec: dict[str, Any], sandboxes: Callable[[Params], Sandbox]
) -> None:
    """Guards the converted spec: a half-day flag as a string must be reported."""
    case = next(c for c in ENDPOINTS if c.route == "/v1/company/time-offs")
    body = get(sandboxes({}), case.route, limit=1).json()
    body["data"][0]["attributes"]["half_day_start"] = "no"
    validator = _validator(spec, case, "application/json")
    assert validator is not None
    assert [e.message for e in validator.iter_errors(body)] == ["'no' is not of type 'boolean'"]
