"""v2 reports (analytics 2.0): the list, one report's positional rows, and the quirks."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.credential import RIGHT_NAMES
from tap_personio.sandbox.v2_reports import report_book
from tests.sandbox.conftest import bearer, v2_token
from tests.sandbox.v2_helpers import data, detail, every_page, v2

REPORTS = "/v2/reports"
CELL_KEYS = {"string": "string_value", "date": "string_value", "decimal": "numeric_value",
             "option": "options_value", "time_range": "time_range_value"}  # fmt: skip


def _report_id(sb: Sandbox, name: str) -> str:
    return next(r["id"] for r in data(sb, REPORTS) if r["name"] == name)


def _all_rows(sb: Sandbox, report_id: str, **params: Any) -> list[list[Any]]:
    return [row for page in _pages(sb, report_id, **params) for row in page["_data"]]


def _pages(sb: Sandbox, report_id: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a report, following `next.href` as given."""
    token = v2_token(sb)
    response = v2(sb, f"{REPORTS}/{report_id}", token=token, **params)
    pages = []
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json())
        following = pages[-1]["_meta"]["links"].get("next")
        if following is None:
            return pages
        response = requests.get(following["href"], headers=bearer(token), timeout=10)


def _by_column(body: dict[str, Any], row: list[Any]) -> dict[str, Any]:
    names = [c["name"] for c in body["_meta"]["columns"]]
    return dict(zip(names, row, strict=True))


def _value(cell: dict[str, Any]) -> Any:
    """A cell's payload, whichever typed key it has."""
    (key,) = set(cell) - {"attribute_id"}
    return cell[key]


# ----------------------------------------------------------------------------- the list
def test_list_is_newest_created_first_with_only_shared_reports(sb: Sandbox) -> None:
    items = data(sb, REPORTS)
    assert set(items[0]) == {"id", "name", "description", "type", "created_at", "updated_at"}
    stamps = [i["created_at"] for i in items]
    assert stamps == sorted(stamps, reverse=True)
    shared = {r.id for r in report_book(sb.company).reports() if r.api_access}
    assert {i["id"] for i in items} == shared
    assert "Performance ratings" not in {i["name"] for i in items}
    assert {"Headcount by cost center", "Salary history", "Probation ends"} <= {
        i["name"] for i in items
    }


def test_list_pages_with_a_cursor(sb: Sandbox) -> None:
    everything = data(sb, REPORTS)
    first = v2(sb, REPORTS, limit=1).json()
    assert len(first["_data"]) == 1
    assert "cursor=" in first["_meta"]["links"]["next"]["href"]
    assert [r["id"] for r in every_page(sb, REPORTS, limit=1)] == [r["id"] for r in everything]


def test_list_default_page_is_20(sb: Sandbox) -> None:
    for index in range(20):
        sb.add_report(f"Extra {index}")
    page = v2(sb, REPORTS).json()
    assert len(page["_data"]) == 20
    assert "next" in page["_meta"]["links"]


@pytest.mark.parametrize("limit", [0, 101, "x"])
def test_limit_outside_1_to_100_is_400(sb: Sandbox, limit: object) -> None:
    assert v2(sb, REPORTS, limit=limit).status_code == 400
    report_id = _report_id(sb, "Salary history")
    assert v2(sb, f"{REPORTS}/{report_id}", limit=limit).status_code == 400


# ----------------------------------------------------------------------------- access
@pytest.mark.parametrize("path", [REPORTS, f"{REPORTS}/any-id"])
def test_missing_right_is_400_unauthorized_token(
    make_sandbox: Callable[..., Sandbox], path: str
) -> None:
    sb = make_sandbox(access_rights=sorted(RIGHT_NAMES - {"reports"}))
    response = v2(sb, path)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert detail(response) == "Unauthorized token"


def test_token_narrowed_to_another_scope_is_400(sb: Sandbox) -> None:
    token = v2_token(sb, scope="personio:persons:read")
    assert v2(sb, REPORTS, token=token).status_code == 400


def test_reports_scope_grants_the_v2_right_the_credential_holds(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    only_v2 = make_sandbox(access_rights=["reports"])
    token = v2_token(only_v2, scope="personio:reports:read")
    assert v2(only_v2, REPORTS, token=token).status_code == 200
    only_v1 = make_sandbox(access_rights=["custom_reports"])
    token = v2_token(only_v1, scope="personio:reports:read")
    assert detail(v2(only_v1, REPORTS, token=token)) == "Unauthorized token"


def test_invalid_token_is_still_401(sb: Sandbox) -> None:
    assert v2(sb, REPORTS, token="not-a-token").status_code == 401


# ----------------------------------------------------------------------------- report data
def test_rows_line_up_with_the_columns(sb: Sandbox) -> None:
    for report in data(sb, REPORTS):
        if report["type"] != "table":
            continue
        body = v2(sb, f"{REPORTS}/{report['id']}").json()
        assert set(body) == {"report_config", "_data", "_meta"}
        assert body["report_config"]["id"] == report["id"]
        columns = body["_meta"]["columns"]
        assert all(set(c) == {"name", "display", "type"} for c in columns)
        assert body["_data"]
        for row in body["_data"]:
            assert len(row) == len(columns)
            for cell, column in zip(row, columns, strict=True):
                assert cell["attribute_id"] == column["name"]
                assert set(cell) == {"attribute_id", CELL_KEYS[column["type"]]}


def test_reports_cover_every_cell_type(sb: Sandbox) -> None:
    kinds = set()
    for report in data(sb, REPORTS):
        if report["type"] == "table":
            row = v2(sb, f"{REPORTS}/{report['id']}", limit=1).json()["_data"][0]
            kinds |= {key for cell in row for key in cell if key != "attribute_id"}
    assert kinds == {"string_value", "numeric_value", "options_value", "time_range_value"}


def test_headcount_has_one_row_per_employee_from_the_company(sb: Sandbox) -> None:
    report_id = _report_id(sb, "Headcount by cost center")
    body = v2(sb, f"{REPORTS}/{report_id}", limit=100).json()
    rows = [_by_column(body, row) for row in body["_data"]]
    assert [r["person_id"]["string_value"]["value"] for r in rows] == [
        str(i) for i in sb.v1_employee_ids()
    ]
    emp, row = sb.company.employees()[0], rows[0]
    department = sb.company.lookup("departments", emp.department_id).name
    assert row["department"]["string_value"] == {"value": department}
    assert row["hire_date"]["string_value"] == {"value": emp.hire_date.isoformat()}
    assert row["weekly_working_hours"]["numeric_value"] == {"number": emp.weekly_working_hours}
    options = row["cost_center"]["options_value"]["options"]
    assert [o["key"] for o in options] == [str(cc) for cc, _ in emp.cost_centers]
    assert all(set(o) == {"key", "value"} for o in options)


def test_salary_history_has_one_row_per_compensation(sb: Sandbox) -> None:
    rows = _all_rows(sb, _report_id(sb, "Salary history"))
    comps = sb.company.compensations
    assert len(rows) == len(comps)
    first = {cell["attribute_id"]: _value(cell) for cell in rows[0]}
    assert first["person_id"] == {"value": str(comps[0].employee_id)}
    assert first["effective_date"] == {"value": comps[0].effective_from.isoformat()}
    assert first["amount"] == {"number": comps[0].amount}


def test_probation_report_lists_only_people_with_a_probation_end(sb: Sandbox) -> None:
    rows = _all_rows(sb, _report_id(sb, "Probation ends"))
    with_end = [e for e in sb.company.employees() if e.probation_period_end is not None]
    assert len(rows) == len(with_end) < len(sb.company.employees())
    cells = {cell["attribute_id"]: _value(cell) for cell in rows[0]}
    emp = with_end[0]
    end = emp.probation_period_end
    assert end is not None
    assert cells["name"] == {"value": f"{emp.first_name} {emp.last_name}"}
    assert cells["probation_period"] == {"from": emp.hire_date.isoformat(), "to": end.isoformat()}
    assert cells["probation_end_date"] == {"value": end.isoformat()}


def test_deleted_people_drop_out_of_reports(sb: Sandbox) -> None:
    report_id = _report_id(sb, "Salary history")
    before = len(_all_rows(sb, report_id))
    deleted = sb.company.mutate(delete=2)["deleted"]
    rows = _all_rows(sb, report_id)
    assert len(rows) < before
    assert {row[0]["string_value"]["value"] for row in rows}.isdisjoint(str(i) for i in deleted)


# ----------------------------------------------------------------------------- paging
def test_walking_next_links_returns_every_row_once(sb: Sandbox) -> None:
    report_id = _report_id(sb, "Headcount by cost center")
    pages = _pages(sb, report_id, limit=7)
    assert len(pages) == 6  # 40 employees
    rows = [row[0]["string_value"]["value"] for page in pages for row in page["_data"]]
    assert rows == [str(i) for i in sb.v1_employee_ids()]


def test_default_page_is_20_rows(sb: Sandbox) -> None:
    body = v2(sb, f"{REPORTS}/{_report_id(sb, 'Headcount by cost center')}").json()
    assert len(body["_data"]) == 20


def test_next_link_carries_only_the_cursor(sb: Sandbox) -> None:
    report_id = _report_id(sb, "Headcount by cost center")
    href = v2(sb, f"{REPORTS}/{report_id}", limit=5, locale="de").json()["_meta"]["links"]
    query = urlsplit(href["next"]["href"]).query
    assert [part.split("=")[0] for part in query.split("&")] == ["cursor"]


def test_filters_sent_with_a_cursor_are_400(sb: Sandbox) -> None:
    report_id = _report_id(sb, "Headcount by cost center")
    body = v2(sb, f"{REPORTS}/{report_id}", limit=5).json()
    cursor = body["_meta"]["links"]["next"]["href"].split("cursor=")[1]
    assert v2(sb, f"{REPORTS}/{report_id}", cursor=cursor, locale="de").status_code == 400
    with_limit = v2(sb, f"{REPORTS}/{report_id}", cursor=cursor, limit=3)
    assert with_limit.status_code == 200
    assert len(with_limit.json()["_data"]) == 3
    assert v2(sb, f"{REPORTS}/{report_id}", locale="de").status_code == 200  # no cursor: ignored


def test_bad_or_foreign_cursor_is_400(sb: Sandbox) -> None:
    headcount = _report_id(sb, "Headcount by cost center")
    salaries = _report_id(sb, "Salary history")
    href = v2(sb, f"{REPORTS}/{headcount}", limit=5).json()["_meta"]["links"]["next"]["href"]
    cursor = href.split("cursor=")[1]
    assert v2(sb, f"{REPORTS}/{salaries}", cursor=cursor).status_code == 400
    assert v2(sb, f"{REPORTS}/{headcount}", cursor="cur_garbage").status_code == 400
    forged = base64.urlsafe_b64encode(json.dumps({"r": headcount}).encode()).decode()
    assert v2(sb, f"{REPORTS}/{headcount}", cursor=f"cur_{forged}").status_code == 400


# ----------------------------------------------------------------------------- failures
def test_chart_report_is_400_unsupported_nested_type(sb: Sandbox) -> None:
    chart = next(r for r in data(sb, REPORTS) if r["type"] == "chart")
    response = v2(sb, f"{REPORTS}/{chart['id']}")
    assert response.status_code == 400
    assert detail(response) == "Unsupported nested type: null"


def test_unknown_and_unshared_reports_are_404(sb: Sandbox) -> None:
    hidden = next(r for r in report_book(sb.company).reports() if not r.api_access)
    assert v2(sb, f"{REPORTS}/{hidden.id}").status_code == 404
    assert v2(sb, f"{REPORTS}/00000000-0000-0000-0000-000000000000").status_code == 404


def test_reports_are_the_same_for_the_same_seed(make_sandbox: Callable[..., Sandbox]) -> None:
    first, second, other = make_sandbox(seed=3), make_sandbox(seed=3), make_sandbox(seed=4)
    assert data(first, REPORTS) == data(second, REPORTS)
    assert {r["id"] for r in data(first, REPORTS)}.isdisjoint(r["id"] for r in data(other, REPORTS))
    report = _report_id(first, "Salary history")
    assert _all_rows(first, report) == _all_rows(second, report)
