"""v2 attendance periods (filters, sort, naive times, breaks) and projects."""

from __future__ import annotations

import re

from tap_personio.sandbox import Sandbox
from tests.sandbox.v2_helpers import data, detail, every_page, v2

NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
RECENT = {"attribution_date.gte": "2026-11-16"}  # keeps the lists short


def test_periods_carry_naive_local_date_times(sb: Sandbox) -> None:
    item = data(sb, "/v2/attendance-periods", limit=1)[0]
    assert NAIVE.match(item["start"]["date_time"])
    assert NAIVE.match(item["end"]["date_time"])


def test_default_order_is_person_then_start(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/attendance-periods", **RECENT)
    keys = [(int(i["person"]["id"]), i["start"]["date_time"]) for i in items]
    assert keys == sorted(keys)


def test_sort_descending_by_start(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/attendance-periods", sort="-start.date_time", **RECENT)
    starts = [i["start"]["date_time"] for i in items]
    assert starts == sorted(starts, reverse=True)


def test_unknown_sort_field_is_400(sb: Sandbox) -> None:
    response = v2(sb, "/v2/attendance-periods", sort="comment")
    assert detail(response) == "Provided request parameters are invalid."


def test_repeated_id_keys_select_both_periods(sb: Sandbox) -> None:
    first, second = (i["id"] for i in data(sb, "/v2/attendance-periods", limit=2))
    response = v2(sb, "/v2/attendance-periods", id=[first, second])
    assert {i["id"] for i in response.json()["_data"]} == {first, second}


def test_start_filter_takes_naive_local_time(sb: Sandbox) -> None:
    bound = "2026-11-20T09:00:00"
    items = every_page(sb, "/v2/attendance-periods", **{"start.date_time.gte": bound})
    assert items
    assert all(i["start"]["date_time"] >= bound for i in items)


def test_updated_at_filter_accepts_naive_and_z_alike(sb: Sandbox) -> None:
    naive = every_page(sb, "/v2/attendance-periods", **{"updated_at.gte": "2026-11-20T00:00:00"})
    zulu = every_page(sb, "/v2/attendance-periods", **{"updated_at.gte": "2026-11-20T00:00:00Z"})
    assert naive == zulu != []


def test_invalid_status_filter_is_400(sb: Sandbox) -> None:
    assert v2(sb, "/v2/attendance-periods", status="DONE").status_code == 400


def test_breaks_are_own_periods_without_project(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/attendance-periods", **RECENT)
    breaks = [i for i in items if i["type"] == "BREAK"]
    assert breaks
    assert all(i["project"] is None for i in breaks)
    assert len({i["id"] for i in items}) == len(items)


def test_single_period_is_wrapped_in_data(sb: Sandbox) -> None:
    for item in data(sb, "/v2/attendance-periods", limit=2):
        assert v2(sb, f"/v2/attendance-periods/{item['id']}").json() == {"_data": item}


def test_project_filter_matches_work_periods(sb: Sandbox) -> None:
    project = str(sb.company.projects[1].id)
    items = every_page(sb, "/v2/attendance-periods", **{"project.id": project}, **RECENT)
    assert items
    assert {i["project"]["id"] for i in items} == {project}


# --------------------------------------------------------------------------- projects
def test_projects_are_the_companys_projects(sb: Sandbox) -> None:
    names = [p["name"] for p in data(sb, "/v2/projects")]
    assert names == [p.name for p in sb.company.projects]


def test_unknown_include_is_422(sb: Sandbox) -> None:
    assert v2(sb, "/v2/projects", include="budget").status_code == 422


def test_include_adds_tracked_minutes(sb: Sandbox) -> None:
    project = data(sb, "/v2/projects", include="tracked_minutes,tracked_periods_count")[1]
    assert project["tracked_minutes"] > 0
    assert project["tracked_periods_count"] > 0


def test_single_project_by_id(sb: Sandbox) -> None:
    project = sb.company.projects[2]
    assert v2(sb, f"/v2/projects/{project.id}").json()["name"] == project.name


def test_project_members_are_existing_persons(sb: Sandbox) -> None:
    members = every_page(sb, f"/v2/projects/{sb.company.projects[1].id}/members")
    assert members
    assert {m["id"] for m in members} <= {str(i) for i in sb.v1_employee_ids()}


def test_members_of_an_unknown_project_are_404(sb: Sandbox) -> None:
    assert v2(sb, "/v2/projects/1/members").status_code == 404
