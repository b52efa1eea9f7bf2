"""v2 absences: absence types, absence periods and their daily breakdowns (personio-api.md 5.3-5.5).

Absence periods are the company's day-based time-offs and hour-based absences seen through
v2: ids are the v1 records' `id_v2` UUIDs, times are naive Berlin wall time, and day-based
periods end at the exclusive local midnight after their last day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from tap_personio.sandbox.company import HourlyAbsence, TimeOff, TimeOffType
from tap_personio.sandbox.server import ApiError, App, Request, Route
from tap_personio.sandbox.timefmt import utc_timestamp
from tap_personio.sandbox.v2_api import (
    NOT_FOUND,
    Filter,
    V2Endpoint,
    alive_ids,
    berlin_naive,
    bucket,
    current,
    endpoint_routes,
    local_text,
    memo,
    ops,
)

Absence = TimeOff | HourlyAbsence


def _types(app: App, req: Request) -> list[TimeOffType]:
    return app.company.time_off_types


def render_type(app: App, req: Request, item: TimeOffType) -> dict[str, Any]:
    return {"id": item.id_v2, "name": item.name, "category": item.category,
            "unit": item.unit.upper()}  # fmt: skip


# --------------------------------------------------------------------------- periods
def _period_id(item: Absence) -> str:
    return item.id_v2 if isinstance(item, TimeOff) else item.id


def _start(item: Absence) -> datetime:
    if isinstance(item, TimeOff):
        return datetime.combine(item.start_date, time())
    return berlin_naive(item.start)


def _end(item: Absence) -> datetime:
    if isinstance(item, TimeOff):  # exclusive: local midnight after the last day off
        return datetime.combine(item.end_date + timedelta(days=1), time())
    return berlin_naive(item.end)


def _sources(app: App) -> tuple[Sequence[Absence], ...]:
    return app.company.time_offs, app.company.hourly_absences


def _order(app: App) -> list[tuple[int, int]]:
    """(source, position) of every day- and hour-based absence, by person then start.

    Built once: `Company.mutate(absences=...)` replaces records in place and keeps their dates,
    so the order holds while the records themselves are read afresh from the company.
    """
    sources = _sources(app)
    slots = [(s, i) for s, records in enumerate(sources) for i in range(len(records))]
    slots.sort(key=lambda slot: (sources[slot[0]][slot[1]].employee_id,
                                 _start(sources[slot[0]][slot[1]])))  # fmt: skip
    return slots


def _periods(app: App, req: Request) -> list[Absence]:
    """Current people's periods; `absence_type.id` is matched here, by the types' v2 ids."""

    def build() -> list[Absence]:
        alive, sources = alive_ids(app.company), _sources(app)
        order = memo(app.company, "absence_period_order", lambda: _order(app))
        return [item for s, i in order if (item := sources[s][i]).employee_id in alive]

    items: list[Absence] = current(app.company, "current_absence_periods", build)
    raw = req.query.get("absence_type.id")
    if raw:
        wanted = {part for value in raw for part in value.split(",") if part}
        type_ids = {k for k, v in _type_v2(app).items() if v in wanted}
        items = [i for i in items if i.type_id in type_ids]
    return items


def render_period(app: App, req: Request, item: Absence) -> dict[str, Any]:
    type_v2 = _type_v2(app)[item.type_id]
    starts: dict[str, Any] = {"date_time": local_text(_start(item))}
    ends: dict[str, Any] = {"date_time": local_text(_end(item))}
    if isinstance(item, TimeOff):  # half days; hour-based periods carry real times instead
        starts["type"] = "SECOND_HALF" if item.half_day_start else "FIRST_HALF"
        ends["type"] = "FIRST_HALF" if item.half_day_end else "SECOND_HALF"
    return {
        "id": _period_id(item),
        "person": {"id": str(item.employee_id)},
        "absence_type": {"id": type_v2},
        "starts_from": starts,
        "ends_at": ends,
        "timezone_id": "Europe/Berlin",
        "comment": "",
        "approval": {"status": item.status.upper()},
        "created_at": utc_timestamp(item.created_at),
        "updated_at": utc_timestamp(item.updated_at),
    }


def _type_v2(app: App) -> dict[int, str]:
    return memo(app.company, "absence_type_v2", lambda: {
        t.id: t.id_v2 for t in app.company.time_off_types})  # fmt: skip


_RANGE = ops("gte", "lte")
PERIOD_FILTERS: tuple[Filter, ...] = (
    Filter("id", _period_id),
    Filter("person.id", lambda i: str(i.employee_id)),
    Filter("starts_from.date_time", _start, "local", _RANGE),
    Filter("ends_at.date_time", _end, "local", _RANGE),
    Filter("updated_at", lambda i: i.updated_at, "instant", _RANGE),
)


# --------------------------------------------------------------------------- breakdowns
def _breakdowns(app: App, req: Request) -> list[tuple[date, str, float]]:
    """One entry per calendar day of the period: (date, unit, value); weekends count 0."""
    wanted = req.params["period_id"]
    item = next((i for i in _periods(app, req) if _period_id(i) == wanted), None)
    if item is None:
        raise ApiError(404, NOT_FOUND)
    if isinstance(item, HourlyAbsence):
        hours = (item.end - item.start).total_seconds() / 3600
        return [(_start(item).date(), "HOUR", hours)]
    days: list[tuple[date, str, float]] = []
    day = item.start_date
    while day <= item.end_date:
        value = 0.0 if day.weekday() >= 5 else 1.0
        if value and ((day == item.start_date and item.half_day_start)
                      or (day == item.end_date and item.half_day_end)):  # fmt: skip
            value = 0.5
        days.append((day, "DAY", value))
        day += timedelta(days=1)
    return days


def render_breakdown(app: App, req: Request, item: tuple[date, str, float]) -> dict[str, Any]:
    day, unit, value = item
    return {"date": day.isoformat(), "effective_duration": {"unit": unit, "value": value}}


PERIODS_BUCKET = bucket("/v2/absence-periods", 10.0, 10)  # observed: 10 req/s
ENDPOINTS = (
    V2Endpoint("/v2/absence-types", _types, render_type, "absences", (100, 100),
               bucket("/v2/absence-types"), key=lambda t: t.id_v2),
    V2Endpoint("/v2/absence-periods", _periods, render_period, "absences", (100, 100),
               PERIODS_BUCKET, PERIOD_FILTERS, frozenset({"absence_type.id"}), key=_period_id),
    V2Endpoint("/v2/absence-periods/{period_id}/breakdowns", _breakdowns, render_breakdown,
               "absences", (28, 28), bucket("/v2/absence-periods/breakdowns", 10.0, 10),
               single=False),
)  # fmt: skip

ROUTES: tuple[Route, ...] = tuple(r for e in ENDPOINTS for r in endpoint_routes(e))
