"""``tap-personio --test``: a small sample of every selected stream, then one table on stderr."""

from __future__ import annotations

import re

from tap_personio.preview import PREVIEW_PARENTS, PREVIEW_RECORDS
from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.credential import RIGHT_NAMES
from tests.conftest import TapRun, discover, run_tap, tap_config

HEADER = re.compile(r"^stream +records  status$")
ROW = re.compile(r"^(\S+) +(\d+)  (.+)$")


def preview(run: TapRun) -> dict[str, tuple[int, str]]:
    """The table the run ended with: stream -> (records, status); each stream listed once."""
    lines = run.stderr.rstrip("\n").splitlines()
    [start] = [i for i, line in enumerate(lines) if HEADER.match(line)]
    rows: dict[str, tuple[int, str]] = {}
    for line in lines[start + 1 :]:  # the table is the last thing written
        match = ROW.match(line)
        assert match, f"not a row of the table: {line!r}"
        assert match[1] not in rows, f"{match[1]} is listed twice"
        rows[match[1]] = (int(match[2]), match[3])
    return rows


def selected_by_default(config: dict) -> set[str]:
    return {
        entry["tap_stream_id"]
        for entry in discover(config)["streams"]
        for item in entry["metadata"]
        if item["breadcrumb"] == [] and item["metadata"].get("selected-by-default")
    }


def test_every_selected_stream_is_previewed_with_far_fewer_requests_than_a_sync(sandbox):
    config = tap_config(sandbox)
    expected = selected_by_default(config)
    before = len(sandbox.requests)
    run = run_tap(config, args=("--test",))
    previewed = len(sandbox.requests) - before
    assert run.returncode == 0, run.stderr[-3000:]
    table = preview(run)
    assert set(table) == expected
    assert {status for _, status in table.values()} <= {"ok", "empty"}, table
    assert table["employees"] == (PREVIEW_RECORDS, "ok")
    for name, (records, _) in table.items():
        assert records == len(run.records[name]) <= PREVIEW_RECORDS
    # stdout is Singer messages a target could read; a preview moves no bookmark, deletes nothing
    assert {m["type"] for m in run.messages} == {"SCHEMA", "RECORD"}

    before = len(sandbox.requests)
    full = run_tap(config)
    synced = len(sandbox.requests) - before
    assert full.returncode == 0, full.stderr[-3000:]
    assert previewed * 4 < synced, (previewed, synced)


def test_a_missing_right_or_feature_names_what_to_grant_and_the_others_still_preview():
    rights = RIGHT_NAMES - {"compensations", "absences"}
    with Sandbox(employees=12, seed=3, rate_limits=False, access_rights=rights) as sb:
        sb.set_feature("recruiting", False)
        run = run_tap(tap_config(sb), args=("--test",))
    assert run.returncode == 0, run.stderr[-3000:]
    table = preview(run)
    compensations = 'skipped: grant "personio:compensations:read (Compensations: read)"'
    recruiting = "skipped: enable Personio's recruiting (beta) feature"
    assert table["compensations"] == (0, compensations)
    assert table["compensation_types"] == (0, compensations)
    assert table["time_offs"] == (0, 'skipped: grant "Absences: read"')
    assert table["absence_periods"] == (
        0,
        'skipped: grant "personio:absences:read (Absences: read)"',
    )
    assert table["recruiting_jobs"] == (0, recruiting)
    assert table["recruiting_categories"] == (0, recruiting)
    others = {name: row for name, row in table.items() if not row[1].startswith("skipped")}
    assert {"employees", "persons", "employments", "jobs", "projects"} <= set(others)
    assert {status for _, status in others.values()} <= {"ok", "empty"}, others
    assert table["employees"][1] == "ok"


def test_a_failing_stream_is_reported_and_the_others_still_preview(fresh_sandbox):
    report = fresh_sandbox.add_report(
        "Office list", generation="v1", columns=["last_name", "office"]
    )
    fresh_sandbox.inject("status", count=50, path="/v2/jobs", exact=True, status=503)
    report_path = f"/v1/company/custom-reports/reports/{report}"
    fresh_sandbox.inject("status", count=50, path=report_path, exact=True, status=503)
    run = run_tap(tap_config(fresh_sandbox, max_retries=0), args=("--test",))
    assert run.returncode == 0, run.stderr[-3000:]
    table = preview(run)
    records, status = table["jobs"]
    assert records == 0
    assert status.startswith("failed: Gave up after 1 attempts: GET /v2/jobs answered 503")
    assert status.endswith("run again later or raise max_retries; otherwise check api_url and "
                           "the network.")  # fmt: skip
    # a custom report stream skips a failing report with a warning: the preview says it failed
    records, status = table["custom_report_office_list"]
    assert status.startswith(f"failed: Gave up after 1 attempts: GET {report_path} answered 503")
    rest = {n: s for n, (_, s) in table.items() if n not in {"jobs", "custom_report_office_list",
                                                            "custom_report_items"}}  # fmt: skip
    assert set(rest.values()) == {"ok"}, rest


def test_a_stream_without_records_is_empty_not_an_error(fresh_sandbox):
    fresh_sandbox.company.projects.clear()
    run = run_tap(tap_config(fresh_sandbox), args=("--test",))
    assert run.returncode == 0, run.stderr[-3000:]
    table = preview(run)
    assert table["projects"] == (0, "empty")
    assert table["project_members"] == (0, "empty")
    assert table["employees"] == (PREVIEW_RECORDS, "ok")


def test_a_wrong_secret_is_still_one_line_and_exit_1(fresh_sandbox):
    run = run_tap(tap_config(fresh_sandbox, client_secret="wrong"), args=("--test",))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    [line] = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert "Personio refused the credential" in line
    assert not any(HEADER.match(line) for line in run.stderr.splitlines())


def test_the_catalog_s_selection_is_previewed_and_children_read_only_a_few_parents():
    streams = ("employees", "employments", "documents", "employee_absence_balances")
    with Sandbox(employees=250, seed=2, custom_attributes=4, rate_limits=False) as sb:
        config = tap_config(sb)
        catalog = discover(config)
        before = len(sb.requests)
        run = run_tap(config, catalog=catalog, streams=streams, args=("--test",))
        paths = [r.path for r in sb.requests[before:]]
    assert run.returncode == 0, run.stderr[-3000:]
    table = preview(run)
    assert set(table) == set(streams)  # documents and balances are not selected by default
    assert {status for _, status in table.values()} == {"ok"}, table
    for child in ("/employments", "/absences/balance"):
        assert 0 < sum(path.endswith(child) for path in paths) <= PREVIEW_PARENTS
    assert 0 < paths.count("/v2/document-management/documents") <= PREVIEW_PARENTS
    # employees and the balances' list of employees: their first page each, none fetched ahead
    assert paths.count("/v1/company/employees") == 2
