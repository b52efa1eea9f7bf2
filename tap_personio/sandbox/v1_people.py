"""v1 people endpoints: employees, one employee, the attribute catalogue, absence balance and
profile picture (personio-api.md sections 4.1 to 4.6).

Employees are rendered per request from the model, attribute by attribute, in Personio's
wrapper `{label, value, type, universal_id}`; the credential's whitelist decides which
attributes exist at all.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

from tap_personio.sandbox.company import STANDARD_ATTRIBUTES, AttributeDef, Company, Employee
from tap_personio.sandbox.credential import Credential
from tap_personio.sandbox.ratelimit import V1_EMPLOYEES
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
    SANDBOX_NOW,
    berlin_local,
    berlin_midnight,
    berlin_timestamp,
)

#: record offset; since 2025-01-31 default 50 and larger limits are clamped to 100
PAGING = V1Paging(default_limit=50, max_limit=100, clamp=True)
PICTURE_SIZE = 128  # "original size" of the generated pictures
NOT_FOUND = "Es ist ein Problem aufgetreten"


def _number(value: float) -> int | float:
    """Personio writes whole amounts without a decimal point (`3000`)."""
    return int(value) if float(value).is_integer() else value


def _ref(type_name: str, item: Any, **extra: Any) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"type": type_name, "attributes": {"id": item.id, "name": item.name, **extra}}


def _date(day: date | None, colon: bool = True) -> str | None:
    return None if day is None else berlin_midnight(day, colon)


def _supervisor(company: Company, emp: Employee) -> dict[str, Any] | None:
    if emp.supervisor_id is None:
        return None
    ident = {"label": "ID", "value": emp.supervisor_id, "type": "integer", "universal_id": "id"}
    return {"type": "Employee", "attributes": {"id": ident}}


def _work_schedule(company: Company, emp: Employee) -> dict[str, Any] | None:
    schedule = company.lookup("work_schedules", emp.work_schedule_id)
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return _ref(
        "WorkSchedule", schedule, valid_from=None, **dict(zip(days, schedule.hours, strict=True))
    )


def _calendar(company: Company, emp: Employee) -> dict[str, Any] | None:
    calendar = company.lookup("holiday_calendars", emp.holiday_calendar_id)
    return _ref("HolidayCalendar", calendar, country=calendar.country, state=calendar.state)


def _cost_centers(company: Company, emp: Employee) -> list[dict[str, Any] | None]:
    return [
        _ref("CostCenter", company.lookup("cost_centers", cc_id), percentage=_number(share))
        for cc_id, share in emp.cost_centers
    ]


def _entitlements(company: Company, emp: Employee) -> list[dict[str, Any] | None]:
    result = []
    for type_id, days in emp.absence_entitlement:
        kind = company.lookup("time_off_types", type_id)
        result.append(_ref("TimeOffType", kind, category=kind.category, entitlement=_number(days)))
    return result


Getter = Callable[[Company, Employee], Any]
# Values of the standard attributes in Personio's formats; dates mix `+01:00` and `+0100`
# as Personio's own examples do.
_STANDARD_VALUES: dict[str, Getter] = {
    "id": lambda c, e: e.id,
    "first_name": lambda c, e: e.first_name,
    "last_name": lambda c, e: e.last_name,
    "preferred_name": lambda c, e: e.preferred_name,
    "email": lambda c, e: e.email,
    "gender": lambda c, e: e.gender,
    "status": lambda c, e: e.status,
    "position": lambda c, e: e.position,
    "supervisor": _supervisor,
    "employment_type": lambda c, e: e.employment_type,
    "weekly_working_hours": lambda c, e: f"{e.weekly_working_hours:g}",  # a string, as Personio
    "hire_date": lambda c, e: _date(e.hire_date),
    "contract_end_date": lambda c, e: _date(e.contract_end_date, colon=False),
    "termination_date": lambda c, e: _date(e.termination_date, colon=False),
    "termination_type": lambda c, e: e.termination_type,
    "termination_reason": lambda c, e: e.termination_reason,
    "probation_period_end": lambda c, e: _date(e.probation_period_end, colon=False),
    "created_at": lambda c, e: berlin_timestamp(e.created_at),
    "last_modified_at": lambda c, e: berlin_timestamp(e.last_modified_at),
    "subcompany": lambda c, e: _ref("Subcompany", c.lookup("subcompanies", e.subcompany_id)),
    "office": lambda c, e: _ref("Office", c.lookup("offices", e.office_id)),
    "department": lambda c, e: _ref("Department", c.lookup("departments", e.department_id)),
    "cost_centers": _cost_centers,
    "holiday_calendar": _calendar,
    "absence_entitlement": _entitlements,
    "work_schedule": _work_schedule,
    "fix_salary": lambda c, e: _number(e.fix_salary),
    "fix_salary_interval": lambda c, e: e.fix_salary_interval,
    "hourly_salary": lambda c, e: _number(e.hourly_salary),
    "last_working_day": lambda c, e: _date(e.last_working_day, colon=False),
    "profile_picture": lambda c, e: None,  # needs the base URL, see _picture_url
    "team": lambda c, e: _ref("Team", c.lookup("teams", e.team_id)),
}
_CURRENCY_KEYS = frozenset({"fix_salary", "hourly_salary"})
assert set(_STANDARD_VALUES) == {a.key for a in STANDARD_ATTRIBUTES}


def _custom_value(attr: AttributeDef, value: Any) -> Any:
    if attr.type == "date" and isinstance(value, date):
        return value.isoformat() if attr.plain_date else berlin_midnight(value)
    return value


def _wrap(attr: AttributeDef, value: Any) -> dict[str, Any]:
    item = {
        "label": attr.label,
        "value": value,
        "type": attr.type,
        "universal_id": attr.universal_id,
    }
    if attr.key in _CURRENCY_KEYS:
        item["currency"] = "EUR"
    return item


def readable_catalogue(company: Company, credential: Credential) -> list[AttributeDef]:
    return [a for a in company.attribute_catalogue() if credential.can_read(a.key)]


def employee_attributes(
    company: Company,
    credential: Credential,
    emp: Employee,
    base_url: str,
    keys: Collection[str] | None = None,
    malformed: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """The `attributes` object of one employee: readable attributes, projected to `keys`."""
    result: dict[str, dict[str, Any]] = {}
    # not strict: a drifted attribute may be appended while this runs
    custom = dict(zip((a.key for a in company.custom_attributes), emp.custom, strict=False))
    for attr in readable_catalogue(company, credential):
        if keys is not None and attr.key not in keys and attr.key != "id":
            continue
        if attr.key == "profile_picture":
            value: Any = _picture_url(emp, base_url)
        elif attr.key in _STANDARD_VALUES:
            value = _STANDARD_VALUES[attr.key](company, emp)
        else:
            value = _custom_value(attr, custom.get(attr.key))
        result[attr.key] = _wrap(attr, value)
    if malformed is not None:
        key = malformed.get("attribute", "hire_date")
        if key in result:
            result[key]["value"] = malformed.get("value", "0000-00-00")
    return result


def _picture_url(emp: Employee, base_url: str) -> str | None:
    return f"{base_url}/v1/company/employees/{emp.id}/profile-picture" if emp.has_picture else None


# --------------------------------------------------------------------------- handlers
def _employee_or_404(app: App, req: Request) -> Employee:
    emp = app.company.employee(int(req.params["employee_id"]))
    if emp is None:
        raise ApiError(404, NOT_FOUND, code=0)
    return emp


def _parse_updated_since(raw: str) -> datetime:
    """`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`; naive values are the company's local time."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, "updated_since must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS", code=0
        ) from None
    return berlin_local(moment) if moment.tzinfo is None else moment


def _projection(req: Request) -> set[str] | None:
    requested = req.query.get("attributes[]")
    return set(requested) if requested else None


def list_employees(app: App, req: Request) -> Response:
    employees = app.company.employees()
    since_raw, email = req.arg("updated_since"), req.arg("email")
    if since_raw:
        # With attributes[] Personio selects employees where one of those attributes changed;
        # here last_modified_at is the change time of every attribute, so this filter suffices.
        since = _parse_updated_since(since_raw)
        employees = [e for e in employees if e.last_modified_at > since]
    elif email:
        employees = [e for e in employees if e.email.casefold() == email.casefold()]
    page, paging = v1_paged(req, employees, PAGING)
    malformed = app.faults.take("malformed", req.path) if page else None
    keys = _projection(req)
    data = [
        {
            "type": "Employee",
            "attributes": employee_attributes(
                app.company, app.credential, e, req.base_url, keys, malformed
            ),
        }
        for e in page
    ]
    return v1_ok(data, **paging)


def get_employee(app: App, req: Request) -> Response:
    emp = _employee_or_404(app, req)
    malformed = app.faults.take("malformed", req.path)
    attributes = employee_attributes(
        app.company, app.credential, emp, req.base_url, _projection(req), malformed
    )
    return v1_ok({"type": "Employee", "attributes": attributes})


def list_attributes(app: App, req: Request) -> Response:
    return v1_ok(
        [
            {
                "key": a.key,
                "label": a.label,
                "type": a.type,
                "universal_id": a.universal_id,
                "options": list(a.options),
            }
            for a in readable_catalogue(app.company, app.credential)
        ]
    )


def absence_balance(app: App, req: Request) -> Response:
    """Per day-based type: entitlement minus days taken so far, and minus planned days too."""
    emp = _employee_or_404(app, req)
    today = SANDBOX_NOW.date()
    entitled = dict(emp.absence_entitlement)
    taken: dict[int, float] = {}
    planned: dict[int, float] = {}
    for off in app.company.time_offs:
        if off.employee_id != emp.id or off.status != "approved":
            continue
        if off.start_date.year == today.year:
            target = taken if off.start_date <= today else planned
            target[off.type_id] = target.get(off.type_id, 0.0) + off.days_count
    rows = []
    for kind in app.company.time_off_types:
        if kind.unit != "day":
            continue
        balance = entitled.get(kind.id, 0.0) - taken.get(kind.id, 0.0)
        rows.append(
            {
                "id": kind.id,
                "name": kind.name,
                "category": kind.category,
                "balance": _number(round(balance, 2)),
                "available_balance": _number(round(balance - planned.get(kind.id, 0.0), 2)),
            }
        )
    return v1_ok(rows)


def png_image(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour with a lighter diagonal, built with zlib alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    light = bytes(min(255, c + 80) for c in rgb)
    rows = b"".join(
        b"\x00" + b"".join(light if x == y * width // height else bytes(rgb) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def profile_picture(app: App, req: Request) -> Response:
    emp = _employee_or_404(app, req)
    if not app.credential.can_read("profile_picture") or not emp.has_picture:
        raise ApiError(404, "Etwas ist schiefgelaufen ...")
    width = min(max(int(req.params.get("width", PICTURE_SIZE)), 1), 1024)
    colour = ((emp.id * 67) % 200, (emp.id * 131) % 200, (emp.id * 29) % 200)
    return Response(200, png_image(width, width, colour), "image/png")


_EMPLOYEES = "/v1/company/employees"
ROUTES: tuple[Route, ...] = (
    Route("GET", _EMPLOYEES, list_employees, "employees", limits=V1_EMPLOYEES),
    Route("GET", f"{_EMPLOYEES}/attributes", list_attributes, "employees"),
    Route("GET", f"{_EMPLOYEES}/custom-attributes", list_attributes, "employees"),
    Route("GET", f"{_EMPLOYEES}/{{employee_id:int}}", get_employee, "employees"),
    Route("GET", f"{_EMPLOYEES}/{{employee_id:int}}/absences/balance", absence_balance, "absences"),
    Route("GET", f"{_EMPLOYEES}/{{employee_id:int}}/profile-picture", profile_picture,
          "employees", echo_token=False),
    Route("GET", f"{_EMPLOYEES}/{{employee_id:int}}/profile-picture/{{width:int}}",
          profile_picture, "employees", echo_token=False),
)  # fmt: skip
