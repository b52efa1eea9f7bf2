"""v2 compensations and compensation types (personio-api.md 5.8).

Compensations are read in windows of at most one month (`start_date`/`end_date`; without them
the current month, with one of them that date's month). A recurring compensation is valid from
its `effective_from` until the next one of the same type for that person; one-time payments
only in the window that contains their date.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any, NamedTuple

from tap_personio.sandbox.company import Compensation, Named
from tap_personio.sandbox.server import ApiError, App, Request, Route
from tap_personio.sandbox.v2_api import (
    Filter,
    V2Endpoint,
    alive_ids,
    bucket,
    endpoint_routes,
    memo,
    parse_date,
)

ONE_TIME = "ONE_TIME"
WINDOW_TOO_WIDE = "The date range between start_date and end_date must not exceed one month."


class Entry(NamedTuple):
    compensation: Compensation
    valid_to: date | None  # inclusive; None = still valid
    legal_entity_id: int


def _entries(app: App) -> list[Entry]:
    company = app.company
    result: list[Entry] = []
    items = sorted(company.compensations, key=lambda c: (c.employee_id, c.type_id,
                                                         c.effective_from))  # fmt: skip
    for index, comp in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        valid_to = None
        if comp.interval == ONE_TIME:
            valid_to = comp.effective_from
        elif following and (following.employee_id, following.type_id) == (
            comp.employee_id, comp.type_id):  # fmt: skip
            valid_to = following.effective_from - timedelta(days=1)
        emp = company.employee(comp.employee_id)
        result.append(Entry(comp, valid_to, emp.subcompany_id if emp else 0))
    result.sort(key=lambda e: (e.compensation.employee_id, e.compensation.effective_from))
    return result


def _month(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def window(app: App, req: Request) -> tuple[date, date]:
    """The requested window; 400 when it is reversed or longer than one month."""
    raw_start, raw_end = req.arg("start_date"), req.arg("end_date")
    if raw_start is None and raw_end is None:
        return _month(app.company.now.date())
    if raw_start is None or raw_end is None:
        return _month(parse_date(raw_start or raw_end or ""))
    start, end = parse_date(raw_start), parse_date(raw_end)
    year, month = divmod(start.month, 12)  # the same day one month later (clamped)
    year, month = start.year + year, month + 1
    limit = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    if end < start or end >= limit:
        raise ApiError(400, WINDOW_TOO_WIDE)
    return start, end


def _compensations(app: App, req: Request) -> list[Entry]:
    start, end = window(app, req)
    alive = alive_ids(app.company)
    return [
        e
        for e in memo(app.company, "compensations", lambda: _entries(app))
        if e.compensation.employee_id in alive
        and e.compensation.effective_from <= end
        and (e.valid_to is None or e.valid_to >= start)
    ]


def _types(app: App) -> dict[str, Named]:
    return {t.id_v2: t for t in app.company.compensation_types}


def render_compensation(app: App, req: Request, entry: Entry) -> dict[str, Any]:
    comp = entry.compensation
    kind = _types(app)[comp.type_id]
    emp = app.company.employee(comp.employee_id)
    hours = emp.weekly_working_hours if emp else None
    return {
        "id": comp.id,
        "person": {"id": str(comp.employee_id)},
        "legal_entity": {"id": str(entry.legal_entity_id)},
        "type": {"id": kind.id_v2, "name": kind.name, "category": kind.state},
        "amount": {"value": comp.amount, "currency": comp.currency},
        "interval": comp.interval,
        "effective_from": comp.effective_from.isoformat(),
        "weekly_working_hours": hours,
        "full_time_weekly_working_hours": 40,
    }


_FREQUENCY = {"FIXED_SALARY": "MONTHLY", "HOURLY_SALARY": "HOURLY"}


def render_type(app: App, req: Request, kind: Named) -> dict[str, Any]:
    frequency = _FREQUENCY.get(kind.state or "", ONE_TIME)
    return {"id": kind.id_v2, "name": kind.name, "category": kind.state,
            "frequency": frequency, "recurring": frequency != ONE_TIME}  # fmt: skip


ENDPOINTS = (
    V2Endpoint("/v2/compensations", _compensations, render_compensation, "compensations",
               (100, 100), bucket("/v2/compensations"),
               (Filter("person.id", lambda e: str(e.compensation.employee_id)),
                Filter("legal_entity.id", lambda e: str(e.legal_entity_id))),
               frozenset({"start_date", "end_date"}), single=False),
    V2Endpoint("/v2/compensations/types", lambda app, req: app.company.compensation_types,
               render_type, "compensations", (100, 100), bucket("/v2/compensations/types"),
               single=False),
)  # fmt: skip

ROUTES: tuple[Route, ...] = tuple(r for e in ENDPOINTS for r in endpoint_routes(e))
