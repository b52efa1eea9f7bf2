"""v2 persons: `GET /v2/persons` and `GET /v2/persons/{id}` (persons-service-api-v2.json).

The same people as v1 employees (id = str(v1 id)), under the same attribute whitelist, with
cursor paging (limit 1-50, default 10) and the dotted filter operators `.gt`/`.lt`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from tap_personio.sandbox.company import AttributeDef, Employee
from tap_personio.sandbox.ratelimit import V2_PERSONS
from tap_personio.sandbox.server import (
    ApiError,
    App,
    Request,
    Response,
    Route,
    json_response,
    v2_list,
)
from tap_personio.sandbox.timefmt import utc_timestamp

# v1 attribute type -> the lower-case v2 custom attribute type Personio sends
V2_TYPES = {
    "standard": "string",
    "multiline": "string",
    "link": "string",
    "list": "string",
    "date": "date",
    "integer": "int",
    "decimal": "double",
    "tags": "string_list",
}
_STATUS = {"inactive": "INACTIVE"}  # every other v1 status counts as ACTIVE in v2


def _custom(attr: AttributeDef, value: Any) -> dict[str, Any]:
    if isinstance(value, date):
        value = value.isoformat()
    elif attr.type == "tags" and value is not None:
        value = value.split(",")
    elif value is not None:
        value = str(value)
    return {"id": attr.key, "type": V2_TYPES[attr.type], "value": value,
            "global_id": attr.universal_id or attr.key, "label": attr.label}  # fmt: skip


def person(app: App, base_url: str, emp: Employee) -> dict[str, Any]:
    """A v2 person; fields whose v1 attribute is not readable are left out."""
    readable = app.credential.can_read
    fields: dict[str, tuple[str, Callable[[], Any]]] = {
        "email": ("email", lambda: emp.email),
        "created_at": ("created_at", lambda: utc_timestamp(emp.created_at)),
        "updated_at": ("last_modified_at", lambda: utc_timestamp(emp.last_modified_at)),
        "first_name": ("first_name", lambda: emp.first_name),
        "last_name": ("last_name", lambda: emp.last_name),
        "preferred_name": ("preferred_name", lambda: emp.preferred_name),
        "gender": ("gender", lambda: emp.gender.upper()),
        "profile_picture": ("profile_picture", lambda: {
            "url": f"{base_url}/v1/company/employees/{emp.id}/profile-picture"}),
        "status": ("status", lambda: _STATUS.get(emp.status, "ACTIVE")),
    }  # fmt: skip
    result: dict[str, Any] = {"id": str(emp.id)}
    result.update({name: get() for name, (key, get) in fields.items() if readable(key)})
    result["custom_attributes"] = [
        _custom(attr, value)
        for attr, value in zip(app.company.custom_attributes, emp.custom, strict=False)
        if readable(attr.key)
    ]
    result["employments"] = [{"id": emp.employment_id}]
    employments = f"{base_url}/v2/persons/{emp.id}/employments"
    result["_meta"] = {"links": {"employments": {"href": employments}}}
    return result


def _instant(raw: str) -> datetime:
    """Date-time (`Z`, offset or naive UTC) or plain date: clients were seen sending both."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "Provided request parameters are invalid.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_TIME_FIELDS: dict[str, Callable[[Employee], datetime]] = {
    "created_at": lambda e: e.created_at,
    "updated_at": lambda e: e.last_modified_at,
}
_TEXT_FIELDS: dict[str, Callable[[Employee], str]] = {
    "id": lambda e: str(e.id),
    "email": lambda e: e.email,
    "first_name": lambda e: e.first_name,
    "last_name": lambda e: e.last_name,
    "preferred_name": lambda e: e.preferred_name,
}
_OPERATORS: dict[str, Callable[[datetime, datetime], bool]] = {
    "": operator.eq,
    "gt": operator.gt,
    "lt": operator.lt,
}
_LIST_FILTERS = frozenset({"id", "email"})  # comma-separated lists
_PAGING = frozenset({"limit", "cursor"})


def _filter(employees: list[Employee], req: Request) -> list[Employee]:
    for key, values in req.query.items():
        name, _, op = key.partition(".")
        value = values[0]
        if key in _PAGING:
            continue
        if name in _TIME_FIELDS and op in ("", "gt", "lt"):
            bound, get = _instant(value), _TIME_FIELDS[name]
            compare = _OPERATORS[op]
            employees = [e for e in employees if compare(get(e), bound)]
        elif name in _TEXT_FIELDS and not op:
            wanted = set(value.split(",")) if name in _LIST_FILTERS else {value}
            employees = [e for e in employees if _TEXT_FIELDS[name](e) in wanted]
        elif key == "status":
            if value not in ("ACTIVE", "INACTIVE"):
                raise ApiError(400, "Provided request parameters are invalid.")
            employees = [e for e in employees if _STATUS.get(e.status, "ACTIVE") == value]
        elif op:
            raise ApiError(400, "Provided filter encoding is invalid.")
    return employees


def list_persons(app: App, req: Request) -> Response:
    employees = _filter(app.company.employees(), req)
    return v2_list(app, req, employees, lambda e: person(app, req.base_url, e),
                   default_limit=10, max_limit=50)  # fmt: skip


def get_person(app: App, req: Request) -> Response:
    emp = (
        app.company.employee(int(req.params["person_id"]))
        if req.params["person_id"].isdigit()
        else None
    )
    if emp is None:
        raise ApiError(404, "There is no resource for the specified id.")
    return json_response(200, person(app, req.base_url, emp))


ROUTES: tuple[Route, ...] = (
    Route("GET", "/v2/persons", list_persons, "employees", limits=(V2_PERSONS,)),
    Route("GET", "/v2/persons/{person_id}", get_person, "employees", limits=(V2_PERSONS,)),
)
