"""v1 document categories and Custom Reports (personio-api.md sections 4.12 and 4.13).

Custom Reports are a separate Personio service: their errors are an array
(`[{status, trace_id, timestamp, errors: [...]}]`, section 3.2), their data is paged with
`page` + `limit` (employees per page) and they ignore the credential's attribute whitelist.
The reports are definitions seeded from the company (kept in a `ReportBook`, so HR can add,
rename and archive them through `Sandbox`), whose cells are computed on each request.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import Any

from tap_personio.sandbox.company import STANDARD_ATTRIBUTES, Company, Employee, TimeOff
from tap_personio.sandbox.documents import DOCUMENT_CATEGORIES
from tap_personio.sandbox.report_book import ReportBook, next_stamp
from tap_personio.sandbox.report_book import report_book as _book
from tap_personio.sandbox.server import (
    ApiError,
    App,
    Request,
    Response,
    Route,
    V1Paging,
    json_response,
    trace_id,
    utc_now_text,
    v1_ok,
    v1_paged,
)
from tap_personio.sandbox.timefmt import SANDBOX_NOW, utc_timestamp

#: `page` from 1 (0 read as 1, as time-offs do); default and maximum are undocumented [U]
REPORT_PAGING = V1Paging(default_limit=100, max_limit=1000, pages=True, param="page")


def list_document_categories(app: App, req: Request) -> Response:
    """Not paged; ids are small and stable, as in Personio's example."""
    return v1_ok(
        [
            {"id": index, "type": "DocumentCategory", "attributes": {"name": name}}
            for index, name in enumerate(DOCUMENT_CATEGORIES, start=1)
        ]
    )


# --------------------------------------------------------------------------- error shape
def report_error(error: ApiError) -> Response:
    """Custom Reports' own error body: a one-element array."""
    meta = [{"field": field, "description": text} for field, text in error.meta.items()]
    detail = {
        "title": error.title or HTTPStatus(error.status).phrase,
        "details": error.message,
        "type": error.type_ or "search",
        "_meta": meta,
    }
    body = {
        "status": error.status,
        "trace_id": trace_id(),
        "timestamp": utc_now_text(),
        "errors": [detail],
    }
    return json_response(error.status, [body])


# --------------------------------------------------------------------------- report model
@dataclass(frozen=True, slots=True)
class Report:
    id: str
    name: str
    description: str
    type: str  # point_in_time | timeframe | historical_data
    status: str  # up_to_date | updating | update_failed
    period_type: str
    start_date: date
    end_date: date
    columns: tuple[str, ...]
    filters: tuple[tuple[str, str, str], ...] = ()  # (column, comparison, value)
    archived: bool = False  # not listed; reading it is a 400
    created_at: datetime = SANDBOX_NOW
    updated_at: datetime = SANDBOX_NOW


REPORT_TYPES = ("point_in_time", "timeframe", "historical_data")


def report_book(company: Company) -> ReportBook[Report]:
    """The company's Custom Reports: seeded ones first, then those HR added."""
    return _book(company, "v1", lambda: _seeded_reports(company))


def company_reports(company: Company) -> list[Report]:
    """Every report now, archived ones included."""
    return report_book(company).reports()


def _seeded_reports(company: Company) -> list[Report]:
    """Ids derive from the seed, columns from the company."""
    reports = _seeded_definitions(company)
    for index, report in enumerate(reports):
        created = SANDBOX_NOW - timedelta(days=200 + len(report.name))
        reports[index] = replace(report, created_at=created, updated_at=created + timedelta(days=3))
    return reports


def _seeded_definitions(company: Company) -> list[Report]:
    rng = random.Random(f"reports:{company.seed}")
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(5)]
    today = SANDBOX_NOW.date()
    month_end = today.replace(day=1) - timedelta(days=1)
    vacation = f"absence_{company.time_off_types[0].id}"
    custom = [a.key for a in company.custom_attributes[:2]]
    return [
        Report(ids[0], "Employee master data", "Current master data of every employee",
               "point_in_time", "up_to_date", "today", today, today,
               ("first_name", "last_name", "department", "office", "cost_center",
                "attendance_contractual_target_hours", "fix_salary", *custom)),
        Report(ids[1], "Vacations last month", "Vacation days of active employees last month",
               "timeframe", "up_to_date", "last_month", month_end.replace(day=1), month_end,
               ("first_name", "last_name", vacation, f"{vacation}:periods"),
               (("status", "eq", "active"),)),
        Report(ids[2], "Position history", "Positions and departments over time",
               "historical_data", "up_to_date", "this_year", today.replace(month=1, day=1),
               today, ("position", "department", "fix_salary")),
        Report(ids[3], "Headcount by office", "Office of every employee", "point_in_time",
               "update_failed", "today", today, today, ("last_name", "office")),
        Report(ids[4], "Old salary review", "Archived", "point_in_time", "up_to_date", "today",
               today, today, ("last_name", "fix_salary"), archived=True),
    ]  # fmt: skip


def add_report(
    company: Company,
    name: str,
    description: str = "",
    kind: str = "point_in_time",
    columns: Sequence[str] | None = None,
) -> Report:
    """A report HR has just built; `kind` is the v1 `type`, `columns` are attribute ids."""
    if kind not in REPORT_TYPES:
        raise ValueError(f"unknown v1 report type {kind!r}; known: {REPORT_TYPES}")
    keys = tuple(columns or ("first_name", "last_name", "department"))
    unknown = set(keys) - set(_column_catalogue(company))
    if unknown:
        raise ValueError(f"unknown v1 report columns {sorted(unknown)}")
    book = report_book(company)
    rng = random.Random(f"added-report:v1:{company.seed}:{book.added}")
    today, stamp = SANDBOX_NOW.date(), next_stamp(company)
    report = Report(str(uuid.UUID(int=rng.getrandbits(128), version=4)), name, description, kind,
                    "up_to_date", "today", today, today, keys, created_at=stamp,
                    updated_at=stamp)  # fmt: skip
    return book.add(report)


def _find_report(company: Company, report_id: str) -> Report:
    report = report_book(company).find(report_id)
    if report is None:
        raise ApiError(404, "Report not found", meta={"ID": "Report ID not found"})
    return report


# --------------------------------------------------------------------------- columns
_ENTITIES = {"department": "departments", "office": "offices", "team": "teams",
             "subcompany": "subcompanies"}  # fmt: skip


def _column_catalogue(company: Company) -> dict[str, tuple[str, str]]:
    """attribute_id -> (human_readable, data_type) for every column a report can have."""
    columns: dict[str, tuple[str, str]] = {}
    for attr in STANDARD_ATTRIBUTES:
        if attr.key == "cost_centers":
            columns["cost_center"] = ("Cost center", "COST_CENTER")
        elif attr.key in ("fix_salary", "hourly_salary"):
            columns[attr.key] = (attr.label, "SALARY")
        else:
            columns[attr.key] = (attr.label, "ENTITY" if attr.key in _ENTITIES else "TEXT")
    columns["attendance_contractual_target_hours"] = ("Contractual target hours", "DURATION")
    for kind in company.time_off_types:
        columns[f"absence_{kind.id}"] = (kind.name, "ABSENCE_OVERVIEW")
        columns[f"absence_{kind.id}:periods"] = (f"{kind.name} (periods)", "ABSENCE_PERIOD")
    for custom in company.custom_attributes:
        columns[custom.key] = (custom.label, "TEXT")
    return columns


def _split(req: Request, name: str) -> list[str]:
    """A list parameter: comma-separated (`a,b` or `a, b`) and/or repeated."""
    values = req.query.get(name, []) + req.query.get(f"{name}[]", [])
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def list_columns(app: App, req: Request) -> Response:
    """Every column of the company, or of one report; `columns` narrows; no whitelist."""
    catalogue = _column_catalogue(app.company)
    report_id = req.arg("report_id")
    keys = list(_find_report(app.company, report_id).columns if report_id else catalogue)
    wanted = _split(req, "columns")
    if wanted:
        keys = [key for key in keys if key in wanted]
    attributes = [
        {"attribute_id": key, "human_readable": catalogue[key][0], "data_type": catalogue[key][1]}
        for key in keys
    ]
    metadata = {"total_elements": len(attributes), "current_page": 1, "total_pages": 1}
    return v1_ok({"type": "Column", "attributes": attributes}, metadata=metadata, offset=0,
                 limit=len(attributes))  # fmt: skip


# --------------------------------------------------------------------------- report data
def _meta(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "name": report.name,
        "description": report.description,
        "author_first_name": "Robert",
        "author_last_name": "Sirano",
        "type": report.type,
        "status": report.status,
        "start_date": report.start_date.isoformat(),
        "end_date": report.end_date.isoformat(),
        "created_at": utc_timestamp(report.created_at),
        "updated_at": utc_timestamp(report.updated_at),
        "data_refreshed_at": utc_timestamp(
            max(SANDBOX_NOW - timedelta(hours=2), report.updated_at)
        ),
        "columns": list(report.columns),
        "filters": [{"column": c, "comparison": op, "value": v} for c, op, v in report.filters],
        "period_type": report.period_type,
    }


Cell = dict[str, Any]


class _Rows:
    """Renders report rows; the column catalogue and absences are gathered once per request."""

    def __init__(self, company: Company, report: Report) -> None:
        self.company, self.report = company, report
        self.catalogue = _column_catalogue(company)
        self.custom = {a.key for a in company.custom_attributes}
        self._absences: dict[tuple[int, int], list[TimeOff]] | None = None

    def item(self, emp: Employee) -> dict[str, Any]:
        cells = [cell for key in self.report.columns for cell in self._cells(emp, key)]
        if self.report.type != "historical_data":
            return {"employee_id": emp.id, "attributes": cells}
        effective = emp.hire_date.isoformat()  # one state per employee: as of the hire date
        history = [{**cell, "effective_date": effective} for cell in cells]
        return {"employee_id": emp.id, "historical_attributes": history}

    def _cells(self, emp: Employee, key: str) -> list[Cell]:
        """The cells of one column for one employee: none, one, or one per absence period."""
        data_type = self.catalogue[key][1]
        base: Cell = {"attribute_id": key, "data_type": data_type, "employee_id": emp.id}
        company = self.company
        if data_type == "ENTITY":
            entity = company.lookup(_ENTITIES[key], getattr(emp, f"{key}_id"))
            return [] if entity is None else [{**base, "entity_id": str(entity.id),
                                               "value": entity.name}]  # fmt: skip
        if data_type == "COST_CENTER":
            centers = [
                {"cost_center_id": str(cc_id), "value": company.lookup("cost_centers", cc_id).name,
                 "weight": f"{share:g}%"}
                for cc_id, share in emp.cost_centers
            ]  # fmt: skip
            return [{**base, "cost_centers": centers}]
        if data_type == "SALARY":
            return [{**base, "amount": f"{getattr(emp, key):.2f}", "currency_symbol": "€"}]
        if data_type == "DURATION":
            return [{**base, "duration": int(emp.weekly_working_hours)}]
        if data_type in ("ABSENCE_OVERVIEW", "ABSENCE_PERIOD"):
            return self._absence_cells(emp, key, base)
        value = company.custom_value(emp, key) if key in self.custom else getattr(emp, key, None)
        return [{**base, "value": "" if value is None else str(value)}]

    def _absence_cells(self, emp: Employee, key: str, base: Cell) -> list[Cell]:
        report = self.report
        if self._absences is None:
            self._absences = {}
            for off in self.company.time_offs:
                if (off.status == "approved" and off.end_date >= report.start_date
                        and off.start_date <= report.end_date):  # fmt: skip
                    self._absences.setdefault((off.employee_id, off.type_id), []).append(off)
        type_id = int(key.removeprefix("absence_").removesuffix(":periods"))
        offs = self._absences.get((emp.id, type_id), [])
        if key.endswith(":periods"):
            return [
                {**base, "start_date": off.start_date.isoformat(),
                 "end_date": off.end_date.isoformat(), "half_day_at_start": off.half_day_start,
                 "half_day_at_end": off.half_day_end}
                for off in offs
            ]  # fmt: skip
        days = sum(off.days_count for off in offs)
        return [{**base, "start_date": report.start_date.isoformat(),
                 "end_date": report.end_date.isoformat(), "duration_days": f"{days:g}",
                 "duration_hours": f"{days * emp.weekly_working_hours / 5:g}"}]  # fmt: skip


_FILTER_GETTERS: dict[str, Callable[[Employee], str]] = {"status": lambda e: e.status}


def get_report(app: App, req: Request) -> Response:
    """One page of a report's rows (employees by id); archived reports answer 400."""
    report = _find_report(app.company, req.params["report_id"])
    if report.archived:
        raise ApiError(400, "Report is archived", meta={"ID": "Report is archived"})
    employees = [
        emp
        for emp in app.company.employees()
        if all(_FILTER_GETTERS[col](emp) == value for col, _, value in report.filters)
    ]
    page, paging = v1_paged(req, employees, REPORT_PAGING)
    # the deprecated `offset` of the response is the record offset of the page
    paging["offset"] = (paging["metadata"]["current_page"] - 1) * paging["limit"]
    rows = _Rows(app.company, report)
    attributes = {**_meta(report), "items": [rows.item(emp) for emp in page]}
    return v1_ok([{"type": "Report", "attributes": attributes}], **paging)


def list_reports(app: App, req: Request) -> Response:
    """Metadata of the (not archived) reports; filters `report_ids` and `status`."""
    wanted, status = set(_split(req, "report_ids")), req.arg("status")
    reports = [
        r
        for r in company_reports(app.company)
        if not r.archived
        and (not wanted or r.id in wanted)
        and (status is None or r.status == status)
    ]
    metadata = {"total_elements": len(reports), "current_page": 1, "total_pages": 1}
    return v1_ok([{"type": "Report", "attributes": _meta(r)} for r in reports],
                 metadata=metadata, offset=0, limit=len(reports))  # fmt: skip


_REPORTS = "/v1/company/custom-reports"
ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/company/document-categories", list_document_categories, "documents"),
    Route("GET", f"{_REPORTS}/reports", list_reports, "custom_reports", errors=report_error),
    Route("GET", f"{_REPORTS}/reports/{{report_id}}", get_report, "custom_reports",
          errors=report_error),
    Route("GET", f"{_REPORTS}/columns", list_columns, "custom_reports", errors=report_error),
)  # fmt: skip
