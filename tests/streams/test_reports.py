"""One typed table per custom report: values equal Personio's cells, and a report HR adds,
renames or archives shows up, keeps its table with a log line, or drops out."""

from __future__ import annotations

import json
import math
import typing as t

import pytest

from tap_personio.sandbox import Sandbox
from tests.conftest import discover, run_tap, select, tap_config
from tests.streams.personio_data import (
    REPORTS,
    Reader,
    custom_report_table,
    differences,
    report_table,
    slugged,
)


@pytest.fixture(scope="module")
def company() -> t.Iterator[Sandbox]:
    with Sandbox(employees=12, seed=17, years=1, rate_limits=False) as sb:
        yield sb


def report_streams(catalog: dict) -> dict[str, dict]:
    """Report id -> catalog entry, for the streams of single reports."""
    found = {}
    for entry in catalog["streams"]:
        text = entry["schema"].get("description", "")
        if entry["tap_stream_id"].startswith("custom_report_") and "custom report" in text:
            found[text.removeprefix("Personio custom report ").split(":")[0]] = entry
    return found


def v2_report_streams(catalog: dict) -> dict[str, dict]:
    """Report id -> catalog entry, for the streams of single v2 reports."""
    return {
        e["schema"]["description"].removeprefix("Personio report ").split(":")[0]: e
        for e in catalog["streams"]
        if e["schema"].get("description", "").startswith("Personio report ")
    }


def test_every_report_is_a_typed_table_equal_to_personios_cells(company):
    catalog = discover(tap_config(company))
    with Reader(company) as read:
        reports = read.v1("/v1/company/custom-reports/reports")
        expected = {r["id"]: custom_report_table(read, r) for r in reports}
    streams = report_streams(catalog)
    assert set(streams) == set(expected)
    for ident, entry in streams.items():
        report = next(r for r in reports if r["id"] == ident)
        assert entry["tap_stream_id"] == f"custom_report_{slugged(report['name'])}"
    run = run_tap(tap_config(company), catalog=select(catalog, tuple(
        e["tap_stream_id"] for e in streams.values())))  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    for ident, entry in streams.items():
        name, want = entry["tap_stream_id"], expected[ident]
        emitted = {(r["employee_id"], r["effective_date"]): r for r in run.records[name]}
        assert len(emitted) == len(want.records) > 0, name
        problems = [
            (name, problem)
            for record in want.records
            for problem in differences(
                record, emitted[(record["employee_id"], record["effective_date"])]
            )
        ]
        assert problems == []
        types = run.schemas[name]["properties"]
        assert all(types[column].get("description") for column in types if column not in
                   ("employee_id", "effective_date"))  # fmt: skip


def test_added_renamed_and_archived_reports_at_the_next_discovery():
    with Sandbox(employees=5, seed=18, years=1, rate_limits=False) as sb:
        before = discover(tap_config(sb))
        old = report_streams(before)
        renamed, archived = sorted(old)[:2]
        added = sb.add_report("Team leads", generation="v1", columns=["last_name", "office"])
        sb.rename_report(renamed, "Quarterly headcount")
        sb.archive_report(archived)
        after = report_streams(discover(tap_config(sb)))
        # A run with the catalog the data engineer has keeps the renamed report's table.
        run = run_tap(tap_config(sb), catalog=select(before, (old[renamed]["tap_stream_id"],)))
    assert added in after
    assert after[added]["tap_stream_id"] == "custom_report_team_leads"
    assert archived not in after
    assert after[renamed]["tap_stream_id"] == "custom_report_quarterly_headcount"
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records[old[renamed]["tap_stream_id"]]
    assert f"Report {renamed} was renamed in Personio" in run.stderr


def test_reports_whose_names_slug_alike_get_their_id_appended():
    with Sandbox(employees=3, seed=19, rate_limits=False) as sb:
        first = sb.add_report("Head count", generation="v1", columns=["last_name"])
        second = sb.add_report("Head-count", generation="v1", columns=["last_name"])
        streams = report_streams(discover(tap_config(sb)))
    assert streams[first]["tap_stream_id"] == f"custom_report_head_count_{first[:8]}"
    assert streams[second]["tap_stream_id"] == f"custom_report_head_count_{second[:8]}"


def test_every_v2_report_is_a_table_and_a_chart_report_is_skipped_with_a_warning(company):
    catalog = discover(tap_config(company))
    with Reader(company) as read:
        listed, _ = read.v2("/v2/reports", 100)
        readable = [r for r in listed if r["type"] == "table"]
        expected = {r["id"]: report_table(read, r) for r in readable}
    streams = v2_report_streams(catalog)
    assert set(streams) == set(expected)
    assert len(listed) > len(readable), "the sandbox has a chart report: it must be skipped"
    names = tuple(e["tap_stream_id"] for e in streams.values())
    run = run_tap(tap_config(company), catalog=select(catalog, names))
    assert run.returncode == 0, run.stderr[-2000:]
    for ident, entry in streams.items():
        rows = run.records[entry["tap_stream_id"]]
        want = expected[ident]
        assert len(rows) == len(want) > 0
        assert len({r["row_key"] for r in rows}) == len(rows)
        by_content = sorted(json.dumps({k: v for k, v in r.items() if k != "row_key"},
                                       sort_keys=True) for r in rows)  # fmt: skip
        assert by_content == sorted(json.dumps(r, sort_keys=True) for r in want)


@pytest.fixture(scope="module")
def large() -> t.Iterator[Sandbox]:
    """More employees than a page holds, so every report takes several pages."""
    with Sandbox(employees=230, seed=23, years=1, rate_limits=False) as sb:
        yield sb


def _report_pages(read: Reader, name: str, report_id: str) -> int:
    if name.startswith("custom_report_"):
        report = next(r for r in read.v1(f"{REPORTS}/reports") if r["id"] == report_id)
        return custom_report_table(read, report).min_requests
    return max(1, math.ceil(len(report_table(read, {"id": report_id})) / 100))


#: Requests a run of one report table makes besides its pages: the attribute catalogue (it
#: types employees and persons), and the report list (v1: with the column catalogue).
_AROUND = {"custom_report_": 3, "report_": 2}


def test_a_report_table_takes_its_pages_and_the_report_list(large):
    catalog = discover(tap_config(large))
    single = {**report_streams(catalog), **v2_report_streams(catalog)}
    with Reader(large) as read:
        wanted = {e["tap_stream_id"]: _report_pages(read, e["tap_stream_id"], ident)
                  for ident, e in single.items()}  # fmt: skip
    assert any(n.startswith("report_") for n in wanted)
    assert any(p > 1 for p in wanted.values())
    for name, report_pages in wanted.items():
        large.clear_requests()
        run = run_tap(tap_config(large), catalog=select(catalog, (name,)))
        assert run.returncode == 0, run.stderr[-2000:]
        assert run.records[name]
        paths = [r.path for r in large.requests if r.path not in ("/v1/auth", "/v2/auth/token")]
        around = next(n for prefix, n in _AROUND.items() if name.startswith(prefix))
        assert len(paths) == around + report_pages, (name, paths)
