"""v1 absence and attendance endpoints: time-off types, time-offs, hourly absence periods and
the retired attendances and projects (personio-api.md sections 4.7 to 4.11).

Each list has its own paging dialect (`server.V1Paging`): time-off types and attendances use a
record offset, time-offs and absence periods a page number from 1. Absences of employees that
were deleted from the company disappear with them, as Personio has no deletion feed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tap_personio.sandbox.company import Attendance, Company, HourlyAbsence, TimeOff, TimeOffType
from tap_personio.sandbox.server import (
    ApiError,
    App,
    Request,
    Response,
    Route,
    V1Paging,
    v1_ok,
    v1_paged,
)
from tap_personio.sandbox.timefmt import (
    berlin_local,
    berlin_midnight,
    berlin_offset,
    berlin_timestamp,
)
from tap_personio.sandbox.v1_people import employee_attributes

TYPES_PAGING = V1Paging(default_limit=200, max_limit=200)  # record offset; max undocumented
TIME_OFFS_PAGING = V1Paging(default_limit=200, max_limit=200, pages=True)
# a page offset since 2023-08-25; its base is undocumented, read like time-offs (spec example:
# offset 0 answers current_page 1); max undocumented, taken as 200
ABSENCE_PERIODS_PAGING = V1Paging(default_limit=200, max_limit=200, pages=True)
ATTENDANCES_PAGING = V1Paging(default_limit=200, max_limit=200)  # record offset, page from 0

TIME_OFF_NOT_FOUND = "The absence period was not found."
ABSENCE_TYPE_NOT_FOUND = "models.absence-types.not-found"  # 404 since 2024-10-09 (500 before)
SHORT_EMPLOYEE = frozenset({"first_name", "last_name", "email"})


# --------------------------------------------------------------------------- query parsing
def _date_arg(req: Request, name: str) -> date | None:
    """A `YYYY-MM-DD` parameter; anything else is a 400."""
    raw = req.arg(name)
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise ApiError(400, f"The {name} must be a date in the format YYYY-MM-DD.", code=0)


def _moment_arg(req: Request, name: str, naive: Callable[[datetime], datetime]) -> datetime | None:
    """A date or date-time bound, inclusive: a date `…_to` means the end of that day.

    `naive` places a value without a zone (the endpoint's own time zone).
    """
    raw = req.arg(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"The {name} must be a date or a date-time.", code=0) from None
    if len(raw) == 10 and name.endswith("_to"):
        moment += timedelta(days=1, microseconds=-1)
    return naive(moment) if moment.tzinfo is None else moment


def _ids_arg(req: Request, name: str = "employees[]") -> set[int] | None:
    values = req.query.get(name)
    if not values:
        return None
    try:
        return {int(value) for value in values}
    except ValueError:
        raise ApiError(400, f"The {name} must be integers.", code=0) from None


def _berlin_date(moment: datetime) -> date:
    """The company's calendar day of an instant."""
    return (moment.astimezone(UTC) + berlin_offset(moment)).date()


def _overlaps(first: date, last: date, start: date | None, end: date | None) -> bool:
    return (start is None or last >= start) and (end is None or first <= end)


def _on_days(moment: datetime, first: date | None, last: date | None) -> bool:
    """Day granularity: the instant falls on a company calendar day from `first` to `last`."""
    day = _berlin_date(moment)
    return _overlaps(day, day, first, last)


def _within(moment: datetime, low: datetime | None, high: datetime | None) -> bool:
    return (low is None or moment >= low) and (high is None or moment <= high)


def _malformed(app: App, req: Request, items: list[dict[str, Any]], default_key: str) -> None:
    """The `malformed` fault: corrupt one field of every item on the page.

    The fault's `attribute` is used when the items have it (e.g. `half_day_start` with value
    0/1 for the integer flags of older data), otherwise this endpoint's date field.
    """
    params = app.faults.take("malformed", req.path) if items else None
    if params is None:
        return
    for item in items:
        attributes = item["attributes"]
        key = params.get("attribute")
        attributes[key if key in attributes else default_key] = params.get("value", "0000-00-00")


class _Employees:
    """Short employees (`id`, names, email in the attribute wrapper) rendered once per request."""

    def __init__(self, app: App, req: Request) -> None:
        self._app, self._base_url = app, req.base_url
        self._cache: dict[int, dict[str, Any]] = {}

    def exists(self, emp_id: int) -> bool:
        return self._app.company.employee(emp_id) is not None

    def __call__(self, emp_id: int) -> dict[str, Any]:
        if emp_id not in self._cache:
            emp = self._app.company.employee(emp_id)
            assert emp is not None  # callers filter deleted employees first
            attributes = employee_attributes(
                self._app.company, self._app.credential, emp, self._base_url, SHORT_EMPLOYEE
            )
            self._cache[emp_id] = {"type": "Employee", "attributes": attributes}
        return self._cache[emp_id]


# --------------------------------------------------------------------------- time-off types
def _time_off_type(kind: TimeOffType) -> dict[str, Any]:
    return {
        "type": "TimeOffType",
        "attributes": {
            "id": kind.id,
            "id_v2": kind.id_v2,
            "name": kind.name,
            "category": kind.category,
            "unit": kind.unit,
            "approval_required": kind.approval_required,
        },
    }


def list_time_off_types(app: App, req: Request) -> Response:
    """Day- and hour-based types alike, as the spec describes (a 2024 report says hour-based
    types went missing here [U])."""
    page, paging = v1_paged(req, app.company.time_off_types, TYPES_PAGING)
    return v1_ok([_time_off_type(kind) for kind in page], **paging)


# --------------------------------------------------------------------------- time-offs
def _time_off(company: Company, off: TimeOff, employee: _Employees) -> dict[str, Any]:
    kind = company.lookup("time_off_types", off.type_id)
    emp = company.employee(off.employee_id)
    # "API", or the name of the account that entered it (here: the employee's own)
    created_by = "API" if off.id % 2 == 0 or emp is None else f"{emp.first_name} {emp.last_name}"
    return {
        "type": "TimeOffPeriod",
        "attributes": {
            "id": off.id,
            "id_v2": off.id_v2,
            "status": off.status,
            "comment": "" if off.id % 3 else "Family visit",
            "start_date": berlin_midnight(off.start_date, colon=False),
            "end_date": berlin_midnight(off.end_date, colon=False),
            "days_count": int(off.days_count) if off.days_count.is_integer() else off.days_count,
            "half_day_start": off.half_day_start,
            "half_day_end": off.half_day_end,
            "time_off_type": {
                "type": "TimeOffType",
                "attributes": {"id": kind.id, "name": kind.name, "category": kind.category},
            },
            "employee": employee(off.employee_id),
            "certificate": {"status": "not-required"},
            "created_at": berlin_timestamp(off.created_at, colon=False),
            "created_by": created_by,
            "updated_at": berlin_timestamp(off.updated_at, colon=False),
        },
    }


def list_time_offs(app: App, req: Request) -> Response:
    """Filters: period overlap, `updated_from`/`updated_to` by calendar day, employees.

    The model lists time-offs by ascending id, so pages are stable.
    """
    start, end = _date_arg(req, "start_date"), _date_arg(req, "end_date")
    updated_from, updated_to = _date_arg(req, "updated_from"), _date_arg(req, "updated_to")
    wanted = _ids_arg(req)
    employee = _Employees(app, req)
    offs = [
        off
        for off in app.company.time_offs
        if employee.exists(off.employee_id)
        and (wanted is None or off.employee_id in wanted)
        and _overlaps(off.start_date, off.end_date, start, end)
        and _on_days(off.updated_at, updated_from, updated_to)
    ]
    page, paging = v1_paged(req, offs, TIME_OFFS_PAGING)
    data = [_time_off(app.company, off, employee) for off in page]
    _malformed(app, req, data, "start_date")
    return v1_ok(data, **paging)


def get_time_off(app: App, req: Request) -> Response:
    wanted = int(req.params["id"])
    employee = _Employees(app, req)
    off = next((o for o in app.company.time_offs if o.id == wanted), None)
    if off is None or not employee.exists(off.employee_id):
        raise ApiError(404, TIME_OFF_NOT_FOUND)
    data = [_time_off(app.company, off, employee)]
    _malformed(app, req, data, "start_date")
    return v1_ok(data[0])


# --------------------------------------------------------------------------- absence periods
def _utc(moment: datetime, fraction: str) -> str:
    """Hourly absences are written in UTC: `.0Z` on start/end, milliseconds elsewhere."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _absence_period(
    company: Company, period: HourlyAbsence, employee: _Employees
) -> dict[str, Any]:
    kind = company.lookup("time_off_types", period.type_id)
    minutes = int((period.end - period.start).total_seconds() // 60)
    approved = period.updated_at if period.status == "approved" else None
    return {
        "type": "AbsencePeriod",
        "attributes": {
            "id": period.id,
            "measurement_unit": "hour",
            "effective_duration": minutes,
            "employee": employee(period.employee_id),
            "absence_type": {
                "type": "AbsenceType",
                "attributes": {"id": kind.id_v2, "name": kind.name, "time_off_type_id": kind.id},
            },
            "certificate": {"status": "not-required"},
            "start": _utc(period.start, ".0"),
            "end": _utc(period.end, ".0"),
            "half_day_start": False,
            "half_day_end": False,
            "comment": "",
            "origin": ("web", "mobile", "api", "slack", "msteams")[period.start.day % 5],
            "status": period.status,
            "timezone": "Europe/Berlin",
            "created_by": period.employee_id,
            "created_at": _utc(period.created_at, ".000"),
            "updated_at": _utc(period.updated_at, ".000"),
            "approved_at": None if approved is None else _utc(approved, ".000"),
            "breakdowns": [
                {"date": _berlin_date(period.start).isoformat(), "effective_duration": minutes}
            ],
        },
    }


def _naive_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def list_absence_periods(app: App, req: Request) -> Response:
    """Filters: window overlap (either bound open), `updated_*` date-times, ids of employees,
    absence types (UUIDs; an unknown one is a 404) and periods."""
    start, end = _date_arg(req, "start_date"), _date_arg(req, "end_date")
    low = _moment_arg(req, "updated_from", _naive_utc)  # this endpoint speaks UTC
    high = _moment_arg(req, "updated_to", _naive_utc)
    wanted = _ids_arg(req)
    type_ids: set[int] | None = None
    if req.query.get("absence_types[]"):
        by_uuid = {kind.id_v2: kind.id for kind in app.company.time_off_types}
        if any(value not in by_uuid for value in req.query["absence_types[]"]):
            raise ApiError(404, ABSENCE_TYPE_NOT_FOUND)
        type_ids = {by_uuid[value] for value in req.query["absence_types[]"]}
    period_ids = set(req.query.get("absence_periods[]", ())) or None
    employee = _Employees(app, req)
    periods = [  # in the model's stable order (by employee)
        p
        for p in app.company.hourly_absences
        if employee.exists(p.employee_id)
        and (wanted is None or p.employee_id in wanted)
        and (type_ids is None or p.type_id in type_ids)
        and (period_ids is None or p.id in period_ids)
        and _overlaps(_berlin_date(p.start), _berlin_date(p.end), start, end)
        and _within(p.updated_at, low, high)
    ]
    page, paging = v1_paged(req, periods, ABSENCE_PERIODS_PAGING)
    data = [_absence_period(app.company, period, employee) for period in page]
    _malformed(app, req, data, "start")
    return v1_ok(data, **paging)


# --------------------------------------------------------------------------- retired endpoints
def _retired(app: App, successor: str) -> None:
    """Answer as the endpoints shut down on 2026-08-30 do, unless they are still served."""
    status = app.retired_status
    if status is not None:
        message = f"This endpoint was shut down on 2026-08-30. Use {successor} instead."
        raise ApiError(status, message)


def _clock(minute: int | None) -> str | None:
    return None if minute is None else f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def _attendance(company: Company, period: Attendance) -> dict[str, Any]:
    project = company.lookup("projects", period.project_id)
    return {
        "id": period.id,
        "id_v2": period.id_v2,
        "type": "AttendancePeriod",
        "attributes": {
            "employee": period.employee_id,
            "date": period.day.isoformat(),
            "start_time": _clock(period.start_minute),
            "end_time": _clock(period.end_minute),
            "break": period.break_minutes,
            "comment": "",
            "updated_at": berlin_timestamp(period.updated_at),
            "status": period.status,
            "is_holiday": False,
            "is_on_time_off": False,
            "project": None
            if project is None
            else {
                "id": project.id,
                "type": "Project",
                "attributes": {"name": project.name, "active": True},
            },
        },
    }


def list_attendances(app: App, req: Request) -> Response:
    """Still-served mode: required period, `updated_*` (naive = company time), `includePending`,
    employees; `offset`/`limit` are echoed as strings, as reported for this endpoint [U]."""
    _retired(app, "/v2/attendance-periods")
    start, end = _date_arg(req, "start_date"), _date_arg(req, "end_date")
    if start is None or end is None:
        raise ApiError(400, "The start_date and end_date parameters are required.", code=0)
    low = _moment_arg(req, "updated_from", berlin_local)
    high = _moment_arg(req, "updated_to", berlin_local)
    pending = (req.arg("includePending") or "").lower() in ("true", "1")
    wanted = _ids_arg(req)
    periods = [
        p
        for p in app.company.attendances
        if app.company.employee(p.employee_id) is not None
        and start <= p.day <= end
        and (pending or p.status == "confirmed")
        and (wanted is None or p.employee_id in wanted)
        and _within(p.updated_at, low, high)
    ]
    page, paging = v1_paged(req, periods, ATTENDANCES_PAGING)
    data = [_attendance(app.company, period) for period in page]
    _malformed(app, req, data, "date")
    return v1_ok(data, metadata=paging["metadata"], offset=str(paging["offset"]),
                 limit=str(paging["limit"]))  # fmt: skip


def list_projects(app: App, req: Request) -> Response:
    _retired(app, "/v2/projects")
    return v1_ok(
        [
            {
                "id": project.id,
                "type": "Project",
                "attributes": {
                    "name": project.name,
                    "active": True,
                    "created_at": berlin_timestamp(project.created_at, colon=False),
                    "updated_at": berlin_timestamp(project.created_at, colon=False),
                },
            }
            for project in app.company.projects
        ]
    )


_COMPANY = "/v1/company"
ROUTES: tuple[Route, ...] = (
    Route("GET", f"{_COMPANY}/time-off-types", list_time_off_types, "absences"),
    Route("GET", f"{_COMPANY}/time-offs", list_time_offs, "absences"),
    Route("GET", f"{_COMPANY}/time-offs/{{id:int}}", get_time_off, "absences"),
    Route("GET", f"{_COMPANY}/absence-periods", list_absence_periods, "absences"),
    Route("GET", f"{_COMPANY}/attendances", list_attendances, "attendances"),
    Route("GET", f"{_COMPANY}/attendances/projects", list_projects, "attendances"),
)
