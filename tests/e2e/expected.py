"""What the warehouse should hold, worked out from the sandbox's own data.

Deliberately independent of the tap's code (no import of tap_personio.attributes): the sandbox
serves Personio's v1 shapes, and this module states, column by column, what a data engineer
expects to find in PostgreSQL for them. If the two were derived from one piece of code, a
misreading would be made twice and every comparison would still pass.
"""

from __future__ import annotations

import typing as t
from datetime import UTC, date, datetime
from decimal import Decimal

from tap_personio.sandbox import Sandbox
from tests.streams.personio_data import (
    EXPECTATIONS,
    Expected,
    Reader,
    custom_report_table,
    report_table,
    slugged,
)

Row = dict[str, t.Any]

#: For every stream a Meltano run loads: how many rows the sandbox holds for it now, and the
#: names of its primary-key columns. A new stream without an entry fails
#: test_every_loaded_stream_has_an_expectation, so it cannot slip through unchecked.
#: The v2 report tables of the sandbox's company. Their key is a digest of each row's values,
#: so they are compared by content (test_v2_report_tables_hold_the_reports_rows).
V2_REPORT_TABLES = ("report_headcount_by_cost_center", "report_probation_ends",
                    "report_salary_history")  # fmt: skip

STREAMS: dict[str, tuple[t.Callable[[Sandbox], int], tuple[str, ...]]] = {
    "employees": (lambda sb: len(sb.v1_employee_ids()), ("id",)),
    "employee_attributes": (lambda sb: len(sb.company.attribute_catalogue()), ("key",)),
    "persons": (lambda sb: len(sb.v1_employee_ids()), ("id",)),
    "employments": (lambda sb: len(sb.v1_employee_ids()), ("id",)),  # one per person here
    "time_off_types": (lambda sb: len(sb.company.time_off_types), ("id",)),
    "absence_types": (lambda sb: len(sb.company.time_off_types), ("id",)),
    "time_offs": (lambda sb: len(_alive(sb, sb.company.time_offs)), ("id",)),
    "absence_periods": (
        lambda sb: len(_alive(sb, [*sb.company.time_offs, *sb.company.hourly_absences])),
        ("id",),
    ),
    **{
        name: (lambda sb, name=name: _answered(sb, name), keys)
        for name, keys in {
            "legal_entities": ("id",),
            "org_units": ("type", "id"),
            "cost_centers": ("id",),
            "workplaces": ("id",),
            "jobs": ("id",),
            "projects": ("id",),
            "project_members": ("project_id", "person_id"),
            "compensation_types": ("id",),
            "salary_bands": ("id",),
            "document_categories": ("id",),
            "attendance_periods": ("id",),
            "compensations": ("id",),
            "recruiting_jobs": ("id",),
            "recruiting_categories": ("id",),
            "custom_reports": ("id",),
            "custom_report_columns": ("attribute_id",),
            "custom_report_items": ("report_id", "employee_id", "effective_date"),
            # one table per custom report the sandbox's company has
            **{
                f"custom_report_{slugged(report)}": ("employee_id", "effective_date")
                for report in (
                    "Employee master data",
                    "Vacations last month",
                    "Position history",
                    "Headcount by office",
                )
            },
            "reports": ("id",),
            # one table per v2 report shared with the API (the chart report is skipped)
            **dict.fromkeys(V2_REPORT_TABLES, ("row_key",)),
        }.items()
    },
}


def _answered(sandbox: Sandbox, stream: str) -> int:
    """Rows of a stream, counted from the sandbox's answers."""
    with Reader(sandbox) as read:
        return len(expectation(stream)(read).records)


def expectation(stream: str) -> t.Callable[[Reader], Expected]:
    """How to read what a stream should hold: a declared stream's, or one report table's."""
    if stream in EXPECTATIONS:
        return EXPECTATIONS[stream]
    if stream in V2_REPORT_TABLES:

        def v2_table(read: Reader) -> Expected:
            listed = EXPECTATIONS["reports"](read).records
            (report,) = [r for r in listed if f"report_{slugged(r['name'])}" == stream]
            return Expected(report_table(read, report), 0, ())

        return v2_table

    def v1_table(read: Reader) -> Expected:
        reports = EXPECTATIONS["custom_reports"](read).records
        (report,) = [r for r in reports if f"custom_report_{slugged(r['name'])}" == stream]
        return custom_report_table(read, report)

    return v1_table


def _alive(sandbox: Sandbox, items: t.Iterable[t.Any]) -> list[t.Any]:
    """Absences of current employees: Personio drops those of deleted people."""
    ids = set(sandbox.v1_employee_ids())
    return [item for item in items if item.employee_id in ids]


def as_json(value: t.Any) -> t.Any:
    """A PostgreSQL value back in the JSON shape the tap emitted (jsonb stays as it is)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def v1_snapshot(sandbox: Sandbox) -> dict[int, dict[str, t.Any]]:
    """Every employee's v1 ``attributes`` object as the sandbox serves it now."""
    return {emp_id: sandbox.v1_employee(emp_id) for emp_id in sandbox.v1_employee_ids()}


def _value(attributes: dict[str, t.Any], key: str) -> t.Any:
    entry = attributes.get(key)
    return entry.get("value") if isinstance(entry, dict) else entry


def _plain(obj: t.Any) -> t.Any:
    """A Personio object (``{"type": .., "attributes": {..}}``) as plain id/name values."""
    if isinstance(obj, dict) and isinstance(obj.get("attributes"), dict):
        obj = obj["attributes"]
    if isinstance(obj, dict) and "value" in obj and "label" in obj:
        return _plain(obj["value"])
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def instant(value: t.Any) -> datetime | None:
    """A timestamp as an aware UTC datetime; PostgreSQL's naive TIMESTAMPs are UTC."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def calendar_date(value: t.Any) -> date | None:
    """The day Personio wrote, whether it sent ``YYYY-MM-DD`` or a midnight timestamp."""
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def number(value: t.Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def tags(value: t.Any) -> list[str] | None:
    if value in (None, ""):
        return None
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(v).strip() for v in items if str(v).strip()]


def named(value: t.Any) -> dict[str, t.Any] | None:
    """Department, office, team, subcompany: their id and name."""
    plain = _plain(value)
    if not plain:
        return None
    return {"id": plain.get("id"), "name": plain.get("name")}


def id_of(value: t.Any) -> int | None:
    plain = _plain(value)
    return plain.get("id") if isinstance(plain, dict) else None


def cost_centers(value: t.Any) -> list[tuple[int, str, Decimal]] | None:
    if not value:
        return None
    return [
        (c["id"], c["name"], Decimal(str(c["percentage"])))
        for c in (_plain(item) for item in value)
    ]


def employee_row(attributes: dict[str, t.Any]) -> Row:
    """The values of a sample of columns, as they should read back from PostgreSQL.

    Standard text, a number sent as text, calendar dates, an instant, a salary with its
    currency, nested objects (department, supervisor, cost centers) and one custom
    ``dynamic_NNN`` column of every attribute type the sandbox defines.
    """
    row: Row = {
        "id": _value(attributes, "id"),
        "first_name": _value(attributes, "first_name"),
        "last_name": _value(attributes, "last_name"),
        "email": _value(attributes, "email"),
        "status": _value(attributes, "status"),
        "position": _value(attributes, "position"),
        "weekly_working_hours": number(_value(attributes, "weekly_working_hours")),
        "hire_date": calendar_date(_value(attributes, "hire_date")),
        "termination_date": calendar_date(_value(attributes, "termination_date")),
        "last_modified_at": instant(_value(attributes, "last_modified_at")),
        "fix_salary": number(_value(attributes, "fix_salary")),
        "fix_salary_currency": (attributes.get("fix_salary") or {}).get("currency"),
        "department": named(_value(attributes, "department")),
        "office": named(_value(attributes, "office")),
        "team": named(_value(attributes, "team")),
        "supervisor": id_of(_value(attributes, "supervisor")),
        "cost_centers": cost_centers(_value(attributes, "cost_centers")),
    }
    for key, entry in attributes.items():
        if key.startswith("dynamic_") and isinstance(entry, dict):
            row[key] = CUSTOM[entry.get("type", "standard")](entry.get("value"))
    return row


#: Custom attribute type -> the value PostgreSQL should hold for it.
CUSTOM: dict[str, t.Callable[[t.Any], t.Any]] = {
    "standard": lambda v: v or None,
    "multiline": lambda v: v or None,
    "link": lambda v: v or None,
    "list": lambda v: v or None,
    "date": calendar_date,
    "integer": lambda v: None if v in (None, "") else int(v),
    "decimal": number,
    "tags": tags,
}


def warehouse_row(row: Row) -> Row:
    """A PostgreSQL row reduced to the shapes of :func:`employee_row`."""
    out: Row = {}
    for key, value in row.items():
        if key.startswith("_sdc_"):
            continue
        if key in ("department", "office", "team"):
            value = None if value is None else {"id": value.get("id"), "name": value.get("name")}
        elif key == "supervisor":
            value = None if value is None else value.get("id")
        elif key == "cost_centers":
            value = (
                [(c["id"], c["name"], Decimal(str(c["percentage"]))) for c in value]
                if value
                else None
            )
        elif key == "last_modified_at" or key == "created_at":
            value = instant(value)
        elif isinstance(value, float):
            value = Decimal(str(value))
        elif isinstance(value, list) and not value:
            value = None
        out[key] = value
    return out
