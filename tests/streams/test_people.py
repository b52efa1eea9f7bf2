"""employees and employee_attributes against a 2,000-employee sandbox company."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import TAP, run_tap, tap_config

EMPLOYEES = 2000
PEOPLE = ("employees", "employee_attributes")
CUSTOM_ATTRIBUTES = 40


@pytest.fixture(scope="module")
def company() -> Sandbox:
    with Sandbox(
        employees=EMPLOYEES, seed=3, custom_attributes=CUSTOM_ATTRIBUTES, rate_limits=False
    ) as sb:
        yield sb


@pytest.fixture(scope="module")
def first_sync(company):
    company.clear_requests()
    run = run_tap(tap_config(company, lookback_window_days=0), streams=PEOPLE)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def expected(raw: object, emitted: object, personio_type: str) -> bool:
    """Whether an emitted value carries the sandbox's raw value, checked independently."""
    if raw in (None, "") or raw == []:
        return emitted in (None, [])
    if isinstance(raw, dict):
        inner = raw.get("attributes", raw)
        ident = inner.get("id")
        ident = ident.get("value") if isinstance(ident, dict) else ident
        return isinstance(emitted, dict) and emitted.get("id") == ident
    if isinstance(raw, list):
        return isinstance(emitted, list) and len(emitted) == len(raw)
    if personio_type == "date":
        return isinstance(emitted, str) and (
            emitted == str(raw)[:10]
            or datetime.fromisoformat(emitted) == datetime.fromisoformat(str(raw))
        )
    if personio_type in ("integer", "decimal") or isinstance(emitted, int | float):
        return float(str(raw).replace(",", ".")) == emitted
    if personio_type == "tags":
        return sorted(emitted) == sorted(v.strip() for v in str(raw).split(","))
    return emitted == raw


def test_a_full_sync_emits_every_employee_once(first_sync, company):
    ids = [r["id"] for r in first_sync.records["employees"]]
    assert len(ids) == EMPLOYEES
    assert sorted(ids) == company.v1_employee_ids()


def test_a_full_sync_reads_pages_of_100(first_sync, company):
    pages = company.count(path="/v1/company/employees")
    assert pages == math.ceil(EMPLOYEES / 100)


def test_every_attribute_is_a_column_keyed_by_its_key(first_sync, company):
    catalogue = first_sync.records["employee_attributes"]
    columns = set(first_sync.schemas["employees"]["properties"])
    keys = {a["key"] for a in catalogue}
    assert keys <= columns
    assert len([k for k in keys if k.startswith("dynamic_")]) == CUSTOM_ATTRIBUTES


def test_emitted_values_equal_the_sandboxs(first_sync, company):
    records = {r["id"]: r for r in first_sync.records["employees"]}
    mismatches = []
    for employee_id in company.v1_employee_ids()[::97]:
        for key, attribute in company.v1_employee(employee_id).items():
            emitted = records[employee_id][key]
            if not expected(attribute["value"], emitted, attribute["type"]):
                mismatches.append((employee_id, key, attribute["value"], emitted))
            if "currency" in attribute:
                assert records[employee_id][f"{key}_currency"] == attribute["currency"]
    assert mismatches == []


def test_records_match_their_schema_types(first_sync):
    schema = first_sync.schemas["employees"]["properties"]
    python = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "object": dict,
        "array": list,
        "boolean": bool,
    }
    for record in first_sync.records["employees"][:200]:
        assert set(record) <= set(schema)
        for key, value in record.items():
            if value is not None:
                assert isinstance(value, python[schema[key]["type"][0]]), (key, value)


def test_the_bookmark_is_the_latest_change_emitted(first_sync):
    latest = max(r["last_modified_at"] for r in first_sync.records["employees"])
    bookmark = first_sync.state["bookmarks"]["employees"]["replication_key_value"]
    assert bookmark == latest


def test_an_incremental_run_emits_only_the_changed_employees(first_sync, company):
    changed = company.company.mutate(update=37)
    company.clear_requests()
    run = run_tap(
        tap_config(company, lookback_window_days=0), state=first_sync.state, streams=PEOPLE
    )
    assert run.returncode == 0, run.stderr[-3000:]
    bookmark = first_sync.state["bookmarks"]["employees"]["replication_key_value"]
    emitted = {r["id"]: r["last_modified_at"] for r in run.records["employees"]}
    assert set(changed["updated"]) <= set(emitted)
    # Besides them, only rows changed shortly before the bookmark may come again: the tap sends
    # updated_since in UTC, and Personio may read it in its own (Berlin) time, which is earlier.
    earliest = datetime.fromisoformat(bookmark) - timedelta(hours=2)
    others = set(emitted) - set(changed["updated"])
    assert all(datetime.fromisoformat(emitted[i]) >= earliest for i in others)
    assert company.requests[-1].query["updated_since"] == [bookmark[:19]]


def test_the_lookback_window_re_reads_only_the_window(first_sync, company):
    run = run_tap(
        tap_config(company, lookback_window_days=30), state=first_sync.state, streams=PEOPLE
    )
    assert run.returncode == 0, run.stderr[-3000:]
    bookmark = datetime.fromisoformat(
        first_sync.state["bookmarks"]["employees"]["replication_key_value"]
    )
    emitted = run.records["employees"]
    assert 0 < len(emitted) < EMPLOYEES
    for record in emitted:
        assert datetime.fromisoformat(record["last_modified_at"]) > bookmark - timedelta(days=31)


def test_only_selected_attributes_are_requested(company):
    catalog = json.loads(discover(company))
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            breadcrumb = item["breadcrumb"]
            if (
                entry["tap_stream_id"] == "employees"
                and breadcrumb
                and breadcrumb[1] not in ("id", "first_name", "last_modified_at")
            ):
                item["metadata"]["selected"] = False
            elif not breadcrumb:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "employees"
    company.clear_requests()
    run = run_tap(tap_config(company), catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    pages = [r for r in company.requests if r.path == "/v1/company/employees"]
    assert pages
    assert all(
        sorted(r.query["attributes[]"]) == ["first_name", "id", "last_modified_at"] for r in pages
    )
    assert set(run.records["employees"][0]) == {"id", "first_name", "last_modified_at"}


def discover(sandbox: Sandbox) -> str:
    """The catalog ``--discover`` prints."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "config.json")
        path.write_text(json.dumps(tap_config(sandbox)))
        return subprocess.run(
            [*TAP, "--config", str(path), "--discover"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def test_long_syncs_log_their_progress_with_personios_total(company, monkeypatch, caplog):
    monkeypatch.setattr("tap_personio.progress.PROGRESS_SECONDS", 0.0)
    stream = TapPersonio(config=tap_config(company), validate_config=True).streams["employees"]
    with caplog.at_level(logging.INFO):
        assert len(list(stream.get_records(None))) == EMPLOYEES
    assert "employees: 100 of 2,000 records read so far" in caplog.text
    assert "employees: 2,000 of 2,000 records read so far" in caplog.text


def test_columns_added_since_the_last_run_make_one_run_read_every_employee(fresh_sandbox):
    first = run_tap(tap_config(fresh_sandbox), streams=PEOPLE)
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.state["bookmarks"]["employees"]["selected_columns"]
    unchanged = run_tap(tap_config(fresh_sandbox), state=first.state, streams=PEOPLE)
    assert len(unchanged.records["employees"]) < 30
    fresh_sandbox.inject(
        "new_attribute", count=0, label="Shirt size", type="list", options=["S", "M", "L"]
    )
    fresh_sandbox.clear_requests()
    second = run_tap(tap_config(fresh_sandbox), state=first.state, streams=PEOPLE)
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(second.records["employees"]) == 30
    assert "columns added since the last run are filled" in second.stderr
    assert all(
        "updated_since" not in r.query
        for r in fresh_sandbox.requests
        if r.path == "/v1/company/employees"
    )
    third = run_tap(tap_config(fresh_sandbox), state=second.state, streams=PEOPLE)
    assert len(third.records["employees"]) < 30


def test_a_deselected_salary_is_not_requested_nor_its_currency_emitted(company):
    catalog = json.loads(discover(company))
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"][-1:] == ["fix_salary"]:
                item["metadata"]["selected"] = False
    company.clear_requests()
    run = run_tap(tap_config(company), catalog=catalog, streams=PEOPLE)
    assert run.returncode == 0, run.stderr[-2000:]
    sent = [r.query["attributes[]"] for r in company.requests if r.path == "/v1/company/employees"]
    assert sent
    assert all(
        "fix_salary" not in attributes and "hourly_salary" in attributes for attributes in sent
    )
    assert all(r.get("fix_salary_currency") is None for r in run.records["employees"])
