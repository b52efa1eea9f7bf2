"""Reports HR adds, renames and archives (v1 Custom Reports and v2 reports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import get, v1_token
from tests.sandbox.v2_helpers import data, v2

V1_REPORTS = "/v1/company/custom-reports/reports"
V2_REPORTS = "/v2/reports"


def _v1_list(sb: Sandbox) -> list[dict[str, Any]]:
    return [item["attributes"] for item in get(sb, V1_REPORTS).json()["data"]]


def _v1_meta(sb: Sandbox, report_id: str) -> dict[str, Any]:
    return next(r for r in _v1_list(sb) if r["id"] == report_id)


def _v2_meta(sb: Sandbox, report_id: str) -> dict[str, Any]:
    return next(r for r in data(sb, V2_REPORTS) if r["id"] == report_id)


# ----------------------------------------------------------------------------- v1
def test_added_v1_report_is_listed_and_readable(sb: Sandbox) -> None:
    report_id = sb.add_report("Office list", generation="v1", columns=["last_name", "office"])
    meta = _v1_meta(sb, report_id)
    assert (meta["name"], meta["type"], meta["columns"]) == (
        "Office list", "point_in_time", ["last_name", "office"])  # fmt: skip
    assert meta["created_at"] > max(r["updated_at"] for r in _v1_list(sb) if r["id"] != report_id)
    body = get(sb, f"{V1_REPORTS}/{report_id}", limit=2).json()
    cells = body["data"][0]["attributes"]["items"][0]["attributes"]
    assert [c["attribute_id"] for c in cells] == ["last_name", "office"]


def test_renamed_v1_report_keeps_its_id_and_creation(sb: Sandbox) -> None:
    before = _v1_list(sb)[0]
    sb.rename_report(before["id"], "Master data (renamed)")
    after = _v1_meta(sb, before["id"])
    assert after["name"] == "Master data (renamed)"
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]
    token = v1_token(sb)
    assert get(sb, f"{V1_REPORTS}/{before['id']}", token).status_code == 200


def test_archived_v1_report_is_not_listed_and_its_data_is_400(sb: Sandbox) -> None:
    report_id = _v1_list(sb)[1]["id"]
    sb.archive_report(report_id)
    assert report_id not in {r["id"] for r in _v1_list(sb)}
    response = get(sb, f"{V1_REPORTS}/{report_id}")
    assert response.status_code == 400
    assert isinstance(response.json(), list)  # Custom Reports' own error shape


def test_v1_report_options_are_checked(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="type"):
        sb.add_report("x", generation="v1", kind="chart")
    with pytest.raises(ValueError, match="columns"):
        sb.add_report("x", generation="v1", columns=["no_such_column"])
    with pytest.raises(ValueError, match="v2 reports only"):
        sb.add_report("x", generation="v1", rows="compensations")


# ----------------------------------------------------------------------------- v2
def test_added_v2_report_is_listed_first_and_readable(sb: Sandbox) -> None:
    report_id = sb.add_report("Positions", columns=["person_id", "position", "employment_period"])
    listed = data(sb, V2_REPORTS)
    assert listed[0]["id"] == report_id
    assert listed[0]["created_at"] > max(r["updated_at"] for r in listed[1:])
    body = v2(sb, f"{V2_REPORTS}/{report_id}", limit=1).json()
    assert [c["name"] for c in body["_meta"]["columns"]] == [
        "person_id", "position", "employment_period"]  # fmt: skip
    assert body["_data"][0][2]["time_range_value"]["from"]


def test_renamed_v2_report_keeps_its_id(sb: Sandbox) -> None:
    before = next(r for r in data(sb, V2_REPORTS) if r["name"] == "Salary history")
    sb.rename_report(before["id"], "Compensation history")
    after = _v2_meta(sb, before["id"])
    assert after["name"] == "Compensation history"
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]
    config = v2(sb, f"{V2_REPORTS}/{before['id']}").json()["report_config"]
    assert config["name"] == "Compensation history"


def test_archived_v2_report_is_not_listed_and_its_data_is_404(sb: Sandbox) -> None:
    report_id = next(r["id"] for r in data(sb, V2_REPORTS) if r["name"] == "Probation ends")
    sb.archive_report(report_id)
    assert report_id not in {r["id"] for r in data(sb, V2_REPORTS)}
    assert v2(sb, f"{V2_REPORTS}/{report_id}").status_code == 404


def test_v2_report_without_api_access_is_hidden(sb: Sandbox) -> None:
    report_id = sb.add_report("Private", api_access=False)
    assert report_id not in {r["id"] for r in data(sb, V2_REPORTS)}
    assert v2(sb, f"{V2_REPORTS}/{report_id}").status_code == 404


def test_added_grouped_v2_report_is_400(sb: Sandbox) -> None:
    report_id = sb.add_report("Grouped", kind="grouped_table")
    assert v2(sb, f"{V2_REPORTS}/{report_id}").status_code == 400


def test_v2_report_options_are_checked(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="type"):
        sb.add_report("x", kind="historical_data")
    with pytest.raises(ValueError, match="row set"):
        sb.add_report("x", rows="absences")
    with pytest.raises(ValueError, match="rows='compensations'"):
        sb.add_report("x", columns=["person_id", "amount"])


# ----------------------------------------------------------------------------- both
def test_unknown_report_id_is_a_key_error(sb: Sandbox) -> None:
    with pytest.raises(KeyError):
        sb.rename_report("no-such-report", "x")
    with pytest.raises(KeyError):
        sb.archive_report("no-such-report")


def test_changes_are_reproducible(make_sandbox: Callable[..., Sandbox]) -> None:
    def story(sb: Sandbox) -> tuple[Any, ...]:
        v1_id = sb.add_report("A", generation="v1")
        v2_id = sb.add_report("B")
        sb.rename_report(v2_id, "C")
        return v1_id, v2_id, _v1_meta(sb, v1_id), _v2_meta(sb, v2_id)

    assert story(make_sandbox(seed=2)) == story(make_sandbox(seed=2))
