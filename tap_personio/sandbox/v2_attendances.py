"""v2 attendance periods and projects (personio-api.md 5.6, 5.7).

Each company attendance becomes a WORK period spanning the day and a BREAK period inside it
(breaks are periods of their own in v2 and never carry a project). Times are naive Berlin wall
time, as Personio sends them; next links are absolute (since Personio's 2025 change).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from tap_personio.sandbox.attendance_changes import break_id
from tap_personio.sandbox.company import Attendance, Employee, Named
from tap_personio.sandbox.server import ApiError, App, Request, Route
from tap_personio.sandbox.timefmt import utc_timestamp
from tap_personio.sandbox.v2_api import (
    NOT_FOUND,
    Filter,
    Sorting,
    V2Endpoint,
    alive_ids,
    bad_request,
    bucket,
    current,
    endpoint_routes,
    local_text,
    memo,
    ops,
)

Period = tuple[Attendance, bool]  # (attendance, is the break)


def _periods(app: App, req: Request) -> Sequence[Period]:
    """Periods of current people only (deleted people's history drops out), in Personio's
    default order: person.id, start.date_time, end.date_time ascending. Rebuilt after every
    `mutate`, which may replace attendances (`mutate(attendances=n)`)."""

    def build() -> list[Period]:
        alive = alive_ids(app.company)
        return [p for a in app.company.attendances if a.employee_id in alive
                for p in ((a, False), (a, True))]  # fmt: skip

    periods: list[Period] = current(app.company, "current_attendance_periods", build)
    return periods


def _minutes(period: Period) -> tuple[int, int]:
    att, is_break = period
    end = att.end_minute if att.end_minute is not None else att.start_minute
    if not is_break:
        return att.start_minute, end
    middle = att.start_minute + (end - att.start_minute) // 2 // 5 * 5
    return middle, middle + att.break_minutes


def _at(day: date, minute: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minute)


def _period_id(period: Period) -> str:
    return break_id(period[0].id_v2) if period[1] else period[0].id_v2


def _start(period: Period) -> datetime:
    return _at(period[0].day, _minutes(period)[0])


def _end(period: Period) -> datetime | None:
    if period[0].end_minute is None and not period[1]:
        return None  # still running
    return _at(period[0].day, _minutes(period)[1])


def _project(period: Period) -> str | None:
    project = period[0].project_id
    return None if project is None or period[1] else str(project)


def render_period(app: App, req: Request, period: Period) -> dict[str, Any]:
    att, is_break = period
    end = _end(period)
    return {
        "id": _period_id(period),
        "type": "BREAK" if is_break else "WORK",
        "person": {"id": str(att.employee_id)},
        "start": {"date_time": local_text(_start(period))},
        "end": None if end is None else {"date_time": local_text(end)},
        "attribution_date": att.day.isoformat(),
        "comment": "",
        "project": None if (project := _project(period)) is None else {"id": project},
        "approval": {"status": att.status.upper()},
        "is_auto_generated": False,
        "created_at": utc_timestamp(att.created_at),
        "updated_at": utc_timestamp(att.updated_at),
    }


def _single_period(app: App, req: Request) -> list[Period]:
    """Single GET: look the id up directly instead of scanning both halves of every day."""
    wanted = req.params["item_id"]
    try:
        work_id = str(uuid.UUID(wanted))
        break_of = break_id(work_id)
    except ValueError:
        raise ApiError(404, NOT_FOUND) from None
    alive = alive_ids(app.company)
    for att in app.company.attendances:
        if att.employee_id in alive and att.id_v2 in (work_id, break_of):
            return [(att, att.id_v2 == break_of)]
    return []


_RANGE = ops("gte", "lte")
PERIOD_FILTERS: tuple[Filter, ...] = (
    Filter("id", _period_id),
    Filter("person.id", lambda p: str(p[0].employee_id)),
    Filter("start.date_time", _start, "local", _RANGE),
    Filter("end.date_time", _end, "local", _RANGE),
    Filter("updated_at", lambda p: p[0].updated_at, "instant", _RANGE),
    Filter("attribution_date", lambda p: p[0].day, "date", _RANGE),
    Filter("project.id", _project),
    Filter("status", lambda p: p[0].status.upper(), "enum",
           choices=frozenset({"PENDING", "CONFIRMED", "REJECTED"})),
)  # fmt: skip
PERIOD_SORTING = Sorting({
    "person.id": lambda p: p[0].employee_id,
    "start.date_time": _start,
    "end.date_time": _end,
    "updated_at": lambda p: p[0].updated_at,
    "status": lambda p: p[0].status.upper(),
})  # fmt: skip  # without `sort` the loader's order already is Personio's default


def _load_periods(app: App, req: Request) -> Sequence[Period]:
    return _single_period(app, req) if "item_id" in req.params else _periods(app, req)


# --------------------------------------------------------------------------- projects
INCLUDES = frozenset(
    {"tracked_minutes", "sub_projects_tracked_minutes", "sub_projects_count",
     "tracked_periods_count"}
)  # fmt: skip


def _project_stats(app: App) -> dict[int, tuple[int, int, frozenset[int]]]:
    """Per project: tracked minutes, tracked periods, people who tracked time on it (built
    once: attendance edits keep their project and times)."""

    def build() -> dict[int, tuple[int, int, frozenset[int]]]:
        minutes: dict[int, int] = {}
        count: dict[int, int] = {}
        people: dict[int, set[int]] = {}
        for att in app.company.attendances:
            if att.project_id is not None and att.end_minute is not None:
                pid = att.project_id
                minutes[pid] = minutes.get(pid, 0) + att.end_minute - att.start_minute
                count[pid] = count.get(pid, 0) + 1
                people.setdefault(pid, set()).add(att.employee_id)
        return {p.id: (minutes.get(p.id, 0), count.get(p.id, 0),
                       frozenset(people.get(p.id, ()))) for p in app.company.projects}  # fmt: skip

    stats: dict[int, tuple[int, int, frozenset[int]]] = memo(app.company, "project_stats", build)
    return stats


def _code(project: Named) -> str:
    return project.name.removeprefix("Project ")[:3].upper()


def _status(app: App, project: Named) -> str:
    return "INACTIVE" if project is app.company.projects[-1] else "ACTIVE"


def _projects(app: App, req: Request) -> list[Named]:
    include = req.arg("include")
    if include and not set(include.split(",")) <= INCLUDES:
        raise ApiError(
            422,
            "Provided include value is not supported.",
            title="Unprocessable Entity",
            type_="common.unprocessable_entity",
        )
    if req.arg("top_level_only") not in (None, "true", "false"):
        raise bad_request()
    projects = list(app.company.projects)  # one nesting level, none used: all are top level
    status = req.arg("status")
    if status is not None:
        if status not in ("ACTIVE", "INACTIVE"):
            raise bad_request()
        projects = [p for p in projects if _status(app, p) == status]
    return projects


def render_project(app: App, req: Request, project: Named) -> dict[str, Any]:
    index = app.company.projects.index(project)
    cost_center = app.company.cost_centers[index % len(app.company.cost_centers)]
    result: dict[str, Any] = {
        "id": str(project.id),
        "name": project.name,
        "status": _status(app, project),
        "project_code": _code(project),
        "description": f"{project.name} of the sandbox company",
        "cost_center": {"id": str(cost_center.id)},
        "assigned_to_all": index % 3 == 0,
        "parent_project": None,
        "start": {"date": project.created_at.date().isoformat()},
        "end": None,
        "billable": index % 2 == 0,
        "client_name": None if index % 2 else f"Client {index + 1}",
        "created_at": utc_timestamp(project.created_at),
        "updated_at": utc_timestamp(project.created_at),
    }
    include = req.arg("include")
    if include:
        minutes, periods, _ = _project_stats(app)[project.id]
        extra = {"tracked_minutes": minutes, "tracked_periods_count": periods,
                 "sub_projects_tracked_minutes": 0, "sub_projects_count": 0}  # fmt: skip
        result.update({name: extra[name] for name in include.split(",")})
    return result


def _members(app: App, req: Request) -> list[Employee]:
    """Everyone for projects assigned to all, else the people who tracked time on it."""
    raw = req.params["project_id"]
    project = next((p for p in app.company.projects if str(p.id) == raw), None)
    if project is None:
        raise ApiError(404, NOT_FOUND)
    employees = app.company.employees()
    if app.company.projects.index(project) % 3 == 0:
        return employees
    people = _project_stats(app)[project.id][2]
    return [e for e in employees if e.id in people]


PROJECT_FILTERS: tuple[Filter, ...] = (
    Filter("id", lambda p: str(p.id)),
    Filter("name", lambda p: p.name),
    Filter("project_code", _code),
    Filter("parent_project.id", lambda p: None),
)

ENDPOINTS = (
    V2Endpoint("/v2/attendance-periods", _load_periods, render_period, "attendances",
               (100, 100), bucket("/v2/attendance-periods"), PERIOD_FILTERS,
               sorting=PERIOD_SORTING, key=_period_id, wrap_single=True),
    V2Endpoint("/v2/projects", _projects, render_project, "projects", (100, 100),
               bucket("/v2/projects"), PROJECT_FILTERS,
               frozenset({"include", "top_level_only", "status"})),
    V2Endpoint("/v2/projects/{project_id}/members", _members,
               lambda app, req, e: {"id": str(e.id)}, "projects", (100, 100),
               bucket("/v2/projects/members"), single=False),
)  # fmt: skip

ROUTES: tuple[Route, ...] = tuple(r for e in ENDPOINTS for r in endpoint_routes(e))
