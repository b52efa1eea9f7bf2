"""v1 document categories and Custom Reports (list, one report, columns)."""

from __future__ import annotations

import pytest
import requests

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.credential import RIGHT_NAMES
from tap_personio.sandbox.v1_reports import company_reports
from tests.sandbox.conftest import get, v1_token

CATEGORIES = "/v1/company/document-categories"
REPORTS = "/v1/company/custom-reports/reports"
COLUMNS = "/v1/company/custom-reports/columns"


def _reports(sb: Sandbox, token: str | None = None, **params: object) -> list[dict]:
    return [item["attributes"] for item in get(sb, REPORTS, token, **params).json()["data"]]


def _report_id(sb: Sandbox, report_type: str) -> str:
    return next(r["id"] for r in _reports(sb) if r["type"] == report_type)


def _assert_report_error(response: requests.Response, status: int) -> dict:
    """Custom Reports errors are a one-element array (personio-api.md 3.2)."""
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 1
    assert body[0]["status"] == status
    assert set(body[0]) == {"status", "trace_id", "timestamp", "errors"}
    return body[0]["errors"][0]


# ----------------------------------------------------------------------------- document categories
def test_document_categories_are_one_unpaged_list(sb: Sandbox) -> None:
    body = get(sb, CATEGORIES).json()
    assert set(body) == {"success", "data"}
    assert body["data"][0] == {"id": 1, "type": "DocumentCategory",
                               "attributes": {"name": "Certificates of employment"}}  # fmt: skip


# ----------------------------------------------------------------------------- report list
def test_report_list_has_metadata_and_every_report_type(sb: Sandbox) -> None:
    body = get(sb, REPORTS).json()
    assert set(body) == {"success", "metadata", "offset", "limit", "data"}
    types = {item["attributes"]["type"] for item in body["data"]}
    assert types == {"point_in_time", "timeframe", "historical_data"}
    assert all(item["type"] == "Report" for item in body["data"])


def test_report_list_filters_by_comma_separated_ids(sb: Sandbox) -> None:
    ids = [r["id"] for r in _reports(sb)]
    assert [r["id"] for r in _reports(sb, report_ids=f"{ids[2]}, {ids[0]}")] == [ids[0], ids[2]]


def test_report_list_filters_by_status(sb: Sandbox) -> None:
    failed = _reports(sb, status="update_failed")
    assert failed
    assert {r["status"] for r in failed} == {"update_failed"}


def test_report_ids_are_stable_per_seed(make_sandbox) -> None:
    first, second = make_sandbox(seed=5), make_sandbox(seed=5)
    assert [r["id"] for r in _reports(first)] == [r["id"] for r in _reports(second)]


# ----------------------------------------------------------------------------- report data
def test_report_pages_by_page_and_limit_with_deprecated_offset(sb: Sandbox) -> None:
    report_id = _report_id(sb, "point_in_time")
    body = get(sb, f"{REPORTS}/{report_id}", page=2, limit=7).json()
    items = body["data"][0]["attributes"]["items"]
    assert [i["employee_id"] for i in items] == sb.v1_employee_ids()[7:14]
    assert body["metadata"] == {"total_elements": 40, "current_page": 2, "total_pages": 6}
    assert (body["offset"], body["limit"]) == (7, 7)


def test_walking_report_pages_returns_every_employee_once(sb: Sandbox) -> None:
    token, report_id = v1_token(sb), _report_id(sb, "point_in_time")
    seen, page = [], 1
    while True:
        body = get(sb, f"{REPORTS}/{report_id}", token, page=page, limit=9).json()
        seen += [i["employee_id"] for i in body["data"][0]["attributes"]["items"]]
        if page >= body["metadata"]["total_pages"]:
            break
        page += 1
    assert seen == sb.v1_employee_ids()


def test_report_ignores_the_attribute_whitelist(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=["first_name"])
    report_id = _report_id(sb, "point_in_time")
    item = get(sb, f"{REPORTS}/{report_id}", limit=1).json()["data"][0]["attributes"]["items"][0]
    columns = {cell["attribute_id"] for cell in item["attributes"]}
    assert {"last_name", "fix_salary", "cost_center"} <= columns
    assert any(c.startswith("dynamic_") for c in columns)


def test_report_cells_use_the_documented_variants(sb: Sandbox) -> None:
    report_id = _report_id(sb, "point_in_time")
    cells = get(sb, f"{REPORTS}/{report_id}", limit=1).json()["data"][0]["attributes"]["items"][0]
    by_type = {cell["data_type"]: cell for cell in cells["attributes"]}
    assert set(by_type["ENTITY"]) >= {"entity_id", "value"}
    assert by_type["COST_CENTER"]["cost_centers"][0]["weight"].endswith("%")
    assert set(by_type["SALARY"]) >= {"amount", "currency_symbol"}
    assert isinstance(by_type["DURATION"]["duration"], int)


def test_historical_report_items_have_effective_dates(sb: Sandbox) -> None:
    report_id = _report_id(sb, "historical_data")
    item = get(sb, f"{REPORTS}/{report_id}", limit=1).json()["data"][0]["attributes"]["items"][0]
    assert "attributes" not in item
    assert all(cell["effective_date"] for cell in item["historical_attributes"])


def test_timeframe_report_applies_its_filter_and_absence_columns(sb: Sandbox) -> None:
    report_id = _report_id(sb, "timeframe")
    attributes = get(sb, f"{REPORTS}/{report_id}", limit=200).json()["data"][0]["attributes"]
    active = [e.id for e in sb.company.employees() if e.status == "active"]
    assert [i["employee_id"] for i in attributes["items"]] == active
    types = {c["data_type"] for i in attributes["items"] for c in i["attributes"]}
    assert {"ABSENCE_OVERVIEW", "ABSENCE_PERIOD"} <= types


def test_unknown_report_is_404_in_the_array_shape(sb: Sandbox) -> None:
    error = _assert_report_error(get(sb, f"{REPORTS}/no-such-report"), 404)
    assert error["title"] == "Not Found"
    assert error["details"] == "Report not found"
    assert error["_meta"] == [{"field": "ID", "description": "Report ID not found"}]


def test_archived_report_is_400(sb: Sandbox) -> None:
    archived = next(r for r in company_reports(sb.company) if r.archived)
    assert archived.id not in {r["id"] for r in _reports(sb)}
    _assert_report_error(get(sb, f"{REPORTS}/{archived.id}"), 400)


def test_invalid_report_limit_is_400_in_the_array_shape(sb: Sandbox) -> None:
    report_id = _report_id(sb, "point_in_time")
    _assert_report_error(get(sb, f"{REPORTS}/{report_id}", limit=0), 400)


# ----------------------------------------------------------------------------- columns
def test_columns_cover_every_attribute_regardless_of_the_whitelist(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=["first_name"])
    body = get(sb, COLUMNS).json()
    assert body["data"]["type"] == "Column"
    ids = {c["attribute_id"] for c in body["data"]["attributes"]}
    assert {a.key for a in sb.company.custom_attributes} <= ids
    assert {"last_name", "cost_center"} <= ids


def test_columns_of_one_report_narrowed_by_columns(sb: Sandbox) -> None:
    report = next(r for r in _reports(sb) if r["type"] == "point_in_time")
    token = v1_token(sb)
    of_report = get(sb, COLUMNS, token, report_id=report["id"]).json()["data"]["attributes"]
    assert [c["attribute_id"] for c in of_report] == report["columns"]
    narrowed = get(sb, COLUMNS, token, report_id=report["id"], columns="last_name,first_name")
    assert [c["attribute_id"] for c in narrowed.json()["data"]["attributes"]] == [
        "first_name",
        "last_name",
    ]


def test_columns_of_an_unknown_report_is_404(sb: Sandbox) -> None:
    _assert_report_error(get(sb, COLUMNS, report_id="nope"), 404)


# ----------------------------------------------------------------------------- pipeline
@pytest.mark.parametrize(("path", "right"), [(CATEGORIES, "documents"),
                                             (REPORTS, "custom_reports"),
                                             (COLUMNS, "custom_reports")])  # fmt: skip
def test_endpoint_needs_its_access_right(make_sandbox, path: str, right: str) -> None:
    sb = make_sandbox(access_rights=sorted(RIGHT_NAMES - {right}))
    assert get(sb, path).status_code == 403


def test_missing_report_right_is_answered_in_the_array_shape(make_sandbox) -> None:
    sb = make_sandbox(access_rights=["employees"])
    _assert_report_error(get(sb, REPORTS), 403)


def test_injected_500_on_reports_uses_the_array_shape(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("status", status=500, path=REPORTS)
    _assert_report_error(get(sb, REPORTS, token), 500)


def test_injected_500_on_document_categories_uses_the_v1_envelope(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("status", status=500, path=CATEGORIES)
    response = get(sb, CATEGORIES, token)
    assert response.status_code == 500
    assert response.json()["success"] is False
