"""v2 persons and their employments (persons-service-api-v2.json, employment-contract-v2.json).

The same people as v1 employees (id = str(v1 id)), under the same attribute whitelist, with
cursor paging (limit 1-50, default 10) and the dotted filter operators `.gt`/`.lt`. Each
person has one employment whose `updated_at` is the person's, so `Company.mutate` moves both.

A custom attribute without a value is still listed, with an empty value of its shape: `[]`
for `string_list`, `""` for every other type; never null. Personio's `CustomAttributeValue`
(common-components-v2.json) is string | string[] | object[] and not nullable, and no Personio
example shows an empty one. Clients written against the live API agree: pysonio
(`src/pysonio/models/persons.py`: `value: str | list[str] | list[dict]`, required) and
dlt-source-personio (`model/v2_spec/person.yaml`: `value` required on every attribute type,
`string_list` an array of strings); neither leaves an attribute out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tap_personio.sandbox.company import AttributeDef, Company, Employee
from tap_personio.sandbox.ratelimit import V2_PERSONS
from tap_personio.sandbox.server import ApiError, App, Request, Route
from tap_personio.sandbox.timefmt import utc_timestamp
from tap_personio.sandbox.v2_api import (
    NOT_FOUND,
    Filter,
    V2Endpoint,
    bucket,
    endpoint_routes,
    ops,
    ref,
)

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
    """One custom attribute; an unset value is sent empty (see the module docstring)."""
    if attr.type == "tags":
        value = value.split(",") if value else []
    elif isinstance(value, date):
        value = value.isoformat()
    else:
        value = "" if value is None else str(value)
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


def _employees(app: App, req: Request) -> list[Employee]:
    return app.company.employees()


PERSON_FILTERS: tuple[Filter, ...] = (
    Filter("id", lambda e: str(e.id)),
    Filter("email", lambda e: e.email),
    Filter("first_name", lambda e: e.first_name, "text"),
    Filter("last_name", lambda e: e.last_name, "text"),
    Filter("preferred_name", lambda e: e.preferred_name, "text"),
    Filter("created_at", lambda e: e.created_at, "instant", ops("", "gt", "lt")),
    Filter("updated_at", lambda e: e.last_modified_at, "instant", ops("", "gt", "lt")),
    Filter("status", lambda e: _STATUS.get(e.status, "ACTIVE"), "enum",
           choices=frozenset({"ACTIVE", "INACTIVE"})),
)  # fmt: skip

PERSONS = V2Endpoint(
    "/v2/persons", _employees, lambda app, req, e: person(app, req.base_url, e),
    "employees", (10, 50), V2_PERSONS, PERSON_FILTERS,
)  # fmt: skip


# --------------------------------------------------------------------------- employments
_TERMINATION_TYPES = {
    "employee": "EMPLOYEE",
    "employer": "FIRED",
    "mutual agreement": "AGREEMENT",
    "contract expired": "CONTRACT_EXPIRED",
}
FULL_TIME_HOURS = 40


def _termination(emp: Employee) -> dict[str, Any] | None:
    if emp.termination_date is None:
        return None
    result: dict[str, Any] = {
        "termination_date": emp.termination_date.isoformat(),
        "terminated_at": (emp.termination_date - timedelta(days=30)).isoformat(),
        "type": _TERMINATION_TYPES.get(emp.termination_type or "", "UNSPECIFIED"),
        "reason": emp.termination_reason or "",
    }
    if emp.last_working_day is not None:
        result["last_working_day"] = emp.last_working_day.isoformat()
    return result


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def employment(app: App, base_url: str, emp: Employee) -> dict[str, Any]:
    """The person's one employment (employment-contract-v2.json), under the whitelist.

    Each field follows the v1 attribute it comes from; unset values are left out rather than
    sent as null, because the official schema declares none of them nullable.
    """
    readable = app.credential.can_read
    fields: dict[str, tuple[str, Callable[[], Any]]] = {
        "status": ("status", lambda: emp.status.upper()),
        "type": ("employment_type", lambda: emp.employment_type.upper()),
        "position": ("position", lambda: {"title": emp.position}),
        "weekly_working_hours": ("weekly_working_hours", lambda: emp.weekly_working_hours),
        "full_time_weekly_working_hours": ("weekly_working_hours", lambda: FULL_TIME_HOURS),
        "probation_end_date": ("probation_period_end", lambda: _iso(emp.probation_period_end)),
        "employment_start_date": ("hire_date", lambda: emp.hire_date.isoformat()),
        "employment_end_date": ("termination_date", lambda: _iso(emp.termination_date)),
        "contract_end_date": ("contract_end_date", lambda: _iso(emp.contract_end_date)),
        "created_at": ("created_at", lambda: utc_timestamp(emp.created_at)),
        "updated_at": ("last_modified_at", lambda: utc_timestamp(emp.last_modified_at)),
        "supervisor": ("supervisor", lambda: ref(emp.supervisor_id)),
        "office": ("office", lambda: ref(emp.office_id)),
        "legal_entity": ("subcompany", lambda: ref(emp.subcompany_id)),
        "job": ("position", lambda: ref(job_id(app.company, emp.position))),
        "sub_company": ("subcompany", lambda: ref(emp.subcompany_id)),
        "org_units": ("department", lambda: [
            {"type": "team", "id": str(emp.team_id)}] * (emp.team_id is not None)
            + [{"type": "department", "id": str(emp.department_id)}]),
        "cost_centers": ("cost_centers", lambda: [
            {"id": str(cc), "weight": weight} for cc, weight in emp.cost_centers]),
        "termination": ("termination_date", lambda: _termination(emp)),
    }  # fmt: skip
    result: dict[str, Any] = {"id": emp.employment_id}
    for name, (key, get) in fields.items():
        if readable(key) and (value := get()) is not None:
            result[name] = value
    result["person"] = {"id": str(emp.id)}
    links = {"person": {"href": f"{base_url}/v2/persons/{emp.id}"}}
    if "supervisor" in result:
        links["supervisor"] = {"href": f"{base_url}/v2/persons/{emp.supervisor_id}"}
    result["_meta"] = {"links": links}
    return result


def job_id(company: Company, position: str) -> str:
    """The v2 job (catalogue entry) of a position title; see v2_org.jobs."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{company.seed}:job:{position}"))


def _employments(app: App, req: Request) -> list[Employee]:
    """Newest employment first; every sandbox person has exactly one."""
    raw = req.params["person_id"]
    emp = app.company.employee(int(raw)) if raw.isdigit() else None
    if emp is None:
        raise ApiError(404, NOT_FOUND)
    return [emp]


EMPLOYMENTS = V2Endpoint(
    "/v2/persons/{person_id}/employments", _employments,
    lambda app, req, e: employment(app, req.base_url, e), "employees", (10, 50),
    bucket("/v2/persons/employments", 30.0, 30),
    (Filter("id", lambda e: e.employment_id),
     Filter("updated_at", lambda e: e.last_modified_at, "instant", ops("", "gt", "lt"))),
    key=lambda e: e.employment_id,
)  # fmt: skip

ROUTES: tuple[Route, ...] = (*endpoint_routes(PERSONS), *endpoint_routes(EMPLOYMENTS))
