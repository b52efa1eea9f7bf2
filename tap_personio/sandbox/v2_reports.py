"""v2 reports, analytics 2.0 (personio-api.md sections 5.11, 2.5 and 6).

`GET /v2/reports` lists the reports an administrator made available to the API, newest
first; `GET /v2/reports/{id}` serves one report: `report_config`, `_data` (one positional array
of cells per row, lined up with `_meta.columns`) and `_meta.links`. Cells are
`{attribute_id, string_value: {value}}`, `numeric_value: {number}`, `options_value: {options:
[{key, value}]}` or `time_range_value: {from, to}` (seen live, section 5.11); a cell without a
value is `null`. Documented quirks reproduced: a missing right is a 400 "Unauthorized token"
(not 403), grouped and chart reports are a 400 "Unsupported nested type: null", and any filter
parameter sent together with a `cursor` is a 400 (the `next` link carries only the cursor).

Assumed ([U]): page sizes (1 to 100, default 20, for both paths), the list item and
`report_config` fields, the report `type` values, the column `type` names (`string`,
`decimal` and `option` were seen; `date`, written as a string value, and `time_range` are
chosen here) and the cursor's contents. The reports themselves are seeded from the company
and kept in a `ReportBook`, which `Sandbox.add_report` / `rename_report` / `archive_report`
change.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tap_personio.sandbox.company import Company, Compensation, Employee
from tap_personio.sandbox.report_book import ReportBook, next_stamp
from tap_personio.sandbox.report_book import report_book as _book
from tap_personio.sandbox.server import (
    ApiError,
    App,
    Request,
    Response,
    Route,
    json_response,
    v2_list,
)
from tap_personio.sandbox.timefmt import SANDBOX_NOW, utc_timestamp
from tap_personio.sandbox.v2_api import NOT_FOUND, alive_ids, bucket

RIGHT = "reports"
UNAUTHORIZED = "Unauthorized token"
UNSUPPORTED = "Unsupported nested type: null"
CURSOR_WITH_FILTERS = "Filters cannot be sent together with a cursor."
BAD_CURSOR = "Provided cursor is not valid."
LIMIT = (20, 100)  # (default, maximum) [U]

TABLE, GROUPED, CHART = "table", "grouped_table", "chart"
REPORT_TYPES = (TABLE, GROUPED, CHART)
#: Named row sets: one row per current employee, per employee with a probation end, or per
#: compensation of a current employee.
ROW_SETS = ("employees", "probation", "compensations")


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    name: str
    description: str
    type: str  # table | grouped_table | chart; only tables can be read
    rows: str  # one of ROW_SETS
    columns: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    api_access: bool = True  # made available to the API by an administrator
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    company: Company
    emp: Employee
    comp: Compensation | None = None


@dataclass(frozen=True, slots=True)
class Column:
    display: str
    type: str  # string | decimal | option | date | time_range
    get: Callable[[Row], Any]
    compensation: bool = False  # only in the `compensations` row set


def _department(row: Row) -> str | None:
    unit = row.company.lookup("departments", row.emp.department_id)
    return None if unit is None else str(unit.name)


def _cost_centers(row: Row) -> list[tuple[str, str]]:
    lookup = row.company.lookup
    return [(str(cc), lookup("cost_centers", cc).name) for cc, _ in row.emp.cost_centers]


def _comp(get: Callable[[Compensation], Any]) -> Callable[[Row], Any]:
    return lambda row: None if row.comp is None else get(row.comp)


def _comp_type(row: Row) -> list[tuple[str, str]] | None:
    if row.comp is None:
        return None
    types = {t.id_v2: t.name for t in row.company.compensation_types}
    return [(row.comp.type_id, types[row.comp.type_id])]


COLUMNS: dict[str, Column] = {
    "person_id": Column("Person ID", "string", lambda r: str(r.emp.id)),
    "first_name": Column("First name", "string", lambda r: r.emp.first_name),
    "last_name": Column("Last name", "string", lambda r: r.emp.last_name),
    "name": Column("Name", "string", lambda r: f"{r.emp.first_name} {r.emp.last_name}"),
    "position": Column("Position", "string", lambda r: r.emp.position),
    "status": Column("Employment status", "option",
                     lambda r: [(r.emp.status, r.emp.status.capitalize())]),
    "department": Column("Department", "string", _department),
    "cost_center": Column("Cost center", "option", _cost_centers),
    "hire_date": Column("Hire date", "date", lambda r: r.emp.hire_date),
    "weekly_working_hours": Column("Weekly working hours", "decimal",
                                   lambda r: r.emp.weekly_working_hours),
    "probation_end_date": Column("Probation period end", "date",
                                 lambda r: r.emp.probation_period_end),
    "probation_period": Column("Probation period", "time_range",
                               lambda r: (r.emp.hire_date, r.emp.probation_period_end)),
    "employment_period": Column("Employment period", "time_range",
                                lambda r: (r.emp.hire_date, r.emp.termination_date)),
    "compensation_type": Column("Compensation type", "option", _comp_type, True),
    "effective_date": Column("Effective date", "date", _comp(lambda c: c.effective_from), True),
    "amount": Column("Amount", "decimal", _comp(lambda c: c.amount), True),
    "currency": Column("Currency", "string", _comp(lambda c: c.currency), True),
    "interval": Column("Interval", "string", _comp(lambda c: c.interval), True),
}  # fmt: skip


# --------------------------------------------------------------------------- the reports
def report_book(company: Company) -> ReportBook[Report]:
    return _book(company, "v2", lambda: _seeded_reports(company))


def _seeded_reports(company: Company) -> list[Report]:
    """Four readable reports (three tables and a chart) and one not shared with the API."""
    rng = random.Random(f"v2-reports:{company.seed}")
    definitions = (
        ("Headcount by cost center", "Department, cost center, hire date and weekly hours of "
         "every employee", TABLE, "employees", ("person_id", "first_name", "last_name",
         "department", "cost_center", "hire_date", "weekly_working_hours"), True),
        ("Salary history", "Every compensation with its effective date", TABLE,
         "compensations", ("person_id", "first_name", "last_name", "compensation_type",
         "effective_date", "amount", "currency"), True),
        ("Probation ends", "Employees with a probation period", TABLE, "probation",
         ("person_id", "name", "status", "probation_period", "probation_end_date"), True),
        ("Headcount by department", "Employees per department as a bar chart", CHART,
         "employees", ("department", "person_id"), True),
        ("Performance ratings", "Not shared with the API", TABLE, "employees",
         ("person_id", "name", "position"), False),
    )  # fmt: skip
    reports = []
    for age, (name, description, kind, rows, columns, shared) in zip(
        (400, 320, 250, 180, 90), definitions, strict=True
    ):
        created = SANDBOX_NOW - timedelta(days=age, seconds=rng.randrange(86_400))
        updated = created + timedelta(days=rng.randint(0, 30), seconds=rng.randrange(86_400))
        report_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        reports.append(Report(report_id, name, description, kind, rows, columns, created,
                              updated, api_access=shared))  # fmt: skip
    return reports


def add_report(
    company: Company,
    name: str,
    description: str = "",
    kind: str = TABLE,
    columns: Sequence[str] | None = None,
    rows: str = "employees",
    api_access: bool = True,
) -> Report:
    """A report HR has just built (created and updated `next_stamp`, so listed first)."""
    if kind not in REPORT_TYPES:
        raise ValueError(f"unknown v2 report type {kind!r}; known: {REPORT_TYPES}")
    if rows not in ROW_SETS:
        raise ValueError(f"unknown row set {rows!r}; known: {ROW_SETS}")
    keys = tuple(columns or ("person_id", "first_name", "last_name", "department"))
    unknown = [k for k in keys if k not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown v2 report columns {unknown}; known: {sorted(COLUMNS)}")
    if rows != "compensations" and any(COLUMNS[k].compensation for k in keys):
        raise ValueError("compensation columns need rows='compensations'")
    book = report_book(company)
    rng = random.Random(f"added-report:v2:{company.seed}:{book.added}")
    stamp = next_stamp(company)
    report_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return book.add(Report(report_id, name, description, kind, rows, keys, stamp, stamp,
                           api_access=api_access))  # fmt: skip


def listed(company: Company) -> list[Report]:
    """What `GET /v2/reports` lists: shared, not archived, newest created first."""
    reports = [r for r in report_book(company).reports() if r.api_access and not r.archived]
    return sorted(reports, key=lambda r: (r.created_at, r.id), reverse=True)


# --------------------------------------------------------------------------- rows and cells
def _rows(company: Company, report: Report) -> Iterator[Row]:
    if report.rows == "compensations":
        alive = alive_ids(company)
        for comp in company.compensations:
            emp = company.employee(comp.employee_id) if comp.employee_id in alive else None
            if emp is not None:
                yield Row(company, emp, comp)
        return
    for emp in company.employees():
        if report.rows == "employees" or emp.probation_period_end is not None:
            yield Row(company, emp)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def cell(attribute_id: str, column_type: str, value: Any) -> dict[str, Any] | None:
    """One cell in the shape of its column's type; `None` for an empty value."""
    if value is None:
        return None
    body: dict[str, Any] = {"attribute_id": attribute_id}
    if column_type == "decimal":
        body["numeric_value"] = {"number": value}
    elif column_type == "option":
        body["options_value"] = {"options": [{"key": k, "value": v} for k, v in value]}
    elif column_type == "time_range":
        body["time_range_value"] = {"from": _iso(value[0]), "to": _iso(value[1])}
    elif column_type == "date":
        body["string_value"] = {"value": value.isoformat()}
    else:
        body["string_value"] = {"value": str(value)}
    return body


def report_rows(company: Company, report: Report) -> list[list[dict[str, Any] | None]]:
    """Every row of a table report, cells in column order."""
    columns = [(key, COLUMNS[key]) for key in report.columns]
    return [[cell(key, col.type, col.get(row)) for key, col in columns]
            for row in _rows(company, report)]  # fmt: skip


# --------------------------------------------------------------------------- HTTP
def _check_right(req: Request) -> None:
    """Seen live: a token without the reports right gets 400 "Unauthorized token"."""
    if req.token is None or RIGHT not in req.token.rights:
        raise ApiError(400, UNAUTHORIZED)


def render_item(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "name": report.name,
        "description": report.description,
        "type": report.type,
        "created_at": utc_timestamp(report.created_at),
        "updated_at": utc_timestamp(report.updated_at),
    }


def list_reports(app: App, req: Request) -> Response:
    _check_right(req)
    default, maximum = LIMIT
    return v2_list(app, req, listed(app.company), render_item, default_limit=default,
                   max_limit=maximum)  # fmt: skip


def _encode(report_id: str, offset: int, limit: int) -> str:
    raw = json.dumps({"r": report_id, "o": offset, "l": limit}, separators=(",", ":"))
    return "cur_" + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, report_id: str) -> tuple[int, int]:
    try:
        raw = cursor.removeprefix("cur_")
        state = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        offset, limit = state["o"], state["l"]
        if state["r"] != report_id or not isinstance(offset, int) or offset < 0:
            raise ValueError(cursor)
        if not isinstance(limit, int):
            raise ValueError(cursor)
        return offset, limit
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, BAD_CURSOR) from None


def _limit(raw: str | None, default: int) -> int:
    try:
        limit = default if raw is None or raw == "" else int(raw)
    except ValueError:
        raise ApiError(400, "Provided value for limit is not valid") from None
    if not 1 <= limit <= LIMIT[1]:
        raise ApiError(400, "Provided value for limit is not valid")
    return limit


def get_report(app: App, req: Request) -> Response:
    """One page of a report; archived, unshared and unknown reports are all 404.

    An archived report is no longer among the reports made available to the API, and v2
    answers a resource the credential cannot see with 404 "Resource not found" (section 3.4);
    the 400 for archived reports is documented for the v1 Custom Reports service only.
    """
    _check_right(req)
    report = report_book(app.company).find(req.params["report_id"])
    if report is None or report.archived or not report.api_access:
        raise ApiError(404, NOT_FOUND)
    if report.type != TABLE:
        raise ApiError(400, UNSUPPORTED)
    cursor = req.arg("cursor")
    if cursor is not None and set(req.query) - {"cursor", "limit"}:
        raise ApiError(400, CURSOR_WITH_FILTERS)
    offset, limit = _decode(cursor, report.id) if cursor else (0, LIMIT[0])
    limit = _limit(req.arg("limit"), limit)
    rows = report_rows(app.company, report)
    links: dict[str, dict[str, str]] = {"self": {"href": app.link(req, req.query)}}
    if offset + limit < len(rows):
        repeat = cursor is not None and app.faults.take("repeat_cursor", req.path) is not None
        following = cursor if repeat and cursor else _encode(report.id, offset + limit, limit)
        links["next"] = {"href": app.link(req, {"cursor": [following]})}
    columns = [{"name": key, "display": COLUMNS[key].display, "type": COLUMNS[key].type}
               for key in report.columns]  # fmt: skip
    config = {"id": report.id, "name": report.name, "description": report.description,
              "type": report.type, "columns": list(report.columns)}  # fmt: skip
    return json_response(200, {"report_config": config, "_data": rows[offset : offset + limit],
                               "_meta": {"columns": columns, "links": links}})  # fmt: skip


_BUCKET = bucket("/v2/reports")
#: `right=None`: the pipeline checks the token only, the handlers answer a missing right.
ROUTES: tuple[Route, ...] = (
    Route("GET", "/v2/reports", list_reports, None, limits=(_BUCKET,)),
    Route("GET", "/v2/reports/{report_id}", get_report, None, limits=(_BUCKET,)),
)
