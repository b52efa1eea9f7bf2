"""Deletes reach the warehouse (deletes.py): a stream read in full sends ACTIVATE_VERSION after
its last record; an incremental stream is read in full every ``full_resync_days``; a run that
ends early or skips part of a stream deletes nothing.

Parametrised over ``STREAMS``: every stream is held to the message order, and every incremental
stream to a complete full read when one is due.
"""

from __future__ import annotations

import copy
import typing as t
from datetime import UTC, datetime, timedelta

import pytest

from tap_personio.deletes import FULL_READ_KEY
from tap_personio.sandbox import Sandbox
from tap_personio.streams import STREAMS
from tests.conftest import TapRun, run_tap, synced, tap_config
from tests.streams.personio_data import EXPECTATIONS, Reader

NAMES = [s.name for s in STREAMS]
INCREMENTAL = [s.name for s in STREAMS if isinstance(s.replication_key, str)]
FULL_TABLE = sorted(set(NAMES) - set(INCREMENTAL))
KEYS = {s.name: s.primary_keys for s in STREAMS}
WEEK_AGO = (datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")


def aged(state: dict, moment: str = WEEK_AGO) -> dict:
    """``state`` with every stream's last full read moved to ``moment``."""
    state = copy.deepcopy(state)
    for bookmark in state["bookmarks"].values():
        if FULL_READ_KEY in bookmark:
            bookmark[FULL_READ_KEY] = moment
    return state


def timeline(run: TapRun, name: str) -> list[tuple[str, int | None]]:
    """The stream's RECORD and ACTIVATE_VERSION messages, in order, with their version."""
    return [
        (m["type"], m.get("version"))
        for m in run.messages
        if m.get("stream") == name and m["type"] in ("RECORD", "ACTIVATE_VERSION")
    ]


def assert_activated_after_the_last_record(run: TapRun, name: str) -> None:
    events = timeline(run, name)
    assert events, f"{name}: no records; the test would prove nothing"
    kind, version = events[-1]
    assert kind == "ACTIVATE_VERSION", f"{name}: the last message is {kind}"
    assert isinstance(version, int)
    assert events[:-1] == [("RECORD", version)] * (len(events) - 1)


def keys(records: list[dict], name: str) -> set[tuple]:
    return {tuple(str(r[k]) for k in KEYS[name]) for r in records}


@pytest.fixture(scope="module")
def company() -> t.Iterator[Sandbox]:
    with Sandbox(employees=10, seed=31, years=1, custom_attributes=4, rate_limits=False) as sb:
        yield sb


@pytest.fixture(scope="module")
def first(company: Sandbox) -> TapRun:
    return synced(tap_config(company), streams=tuple(NAMES))


@pytest.fixture(scope="module")
def deleted(first: TapRun, company: Sandbox) -> list[int]:
    """Two people leave (their absences, attendances, documents go with them)."""
    return company.company.mutate(delete=2, update=1)["deleted"]


@pytest.fixture(scope="module")
def not_due(first: TapRun, deleted: list[int], company: Sandbox) -> TapRun:
    run = run_tap(tap_config(company), state=first.state, streams=tuple(INCREMENTAL))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def due(not_due: TapRun, company: Sandbox) -> TapRun:
    run = run_tap(tap_config(company), state=aged(not_due.state), streams=tuple(NAMES))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.mark.parametrize("name", NAMES)
def test_a_first_run_reads_in_full_and_activates_after_the_last_record(first, name):
    assert_activated_after_the_last_record(first, name)


@pytest.mark.parametrize("name", INCREMENTAL)
def test_a_first_run_starts_the_full_read_clock(first, name):
    moment = datetime.fromisoformat(first.state["bookmarks"][name][FULL_READ_KEY])
    assert timedelta(0) <= datetime.now(UTC) - moment < timedelta(minutes=10)


@pytest.mark.parametrize("name", INCREMENTAL)
def test_a_run_before_the_full_read_is_due_deletes_nothing(first, not_due, name):
    assert {kind for kind, _ in timeline(not_due, name)} <= {"RECORD"}
    assert all(version is None for _, version in timeline(not_due, name))
    bookmark = not_due.state["bookmarks"][name]
    assert bookmark[FULL_READ_KEY] == first.state["bookmarks"][name][FULL_READ_KEY]


@pytest.mark.parametrize("name", INCREMENTAL)
def test_a_due_run_reads_every_record_and_activates_its_version(due, company, name):
    assert_activated_after_the_last_record(due, name)
    with Reader(company) as read:
        want = EXPECTATIONS[name](read).records
    assert keys(due.records[name], name) == keys(want, name)
    assert len(due.records[name]) == len(want)
    assert f"{name}: reading every record (the last full read was on {WEEK_AGO[:10]}" in (
        due.stderr
    )
    assert due.state["bookmarks"][name][FULL_READ_KEY] > WEEK_AGO


@pytest.mark.parametrize("name", FULL_TABLE)
def test_a_full_table_stream_activates_on_every_run(due, name):
    assert_activated_after_the_last_record(due, name)


def test_the_people_who_left_are_in_no_full_read(due, deleted):
    assert deleted
    for name in ("employees", "persons", "employments", "time_offs"):
        people = {str(r.get("employee_id", r.get("person_id", r.get("id")))) for r in
                  due.records[name]}  # fmt: skip
        assert not people & {str(i) for i in deleted}, name


def test_full_resync_days_0_never_reads_in_full(first, company):
    run = run_tap(tap_config(company, full_resync_days=0), state=aged(first.state, "2020-01-01"),
                  streams=("employees", "time_offs"))  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert [e for e in timeline(run, "employees") if e[0] == "ACTIVATE_VERSION"] == []
    assert "reading every record" not in run.stderr


def test_without_activate_version_messages_nothing_is_versioned(company):
    run = run_tap(tap_config(company, emit_activate_version_messages=False),
                  streams=("employees", "legal_entities"))  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    for name in ("employees", "legal_entities"):
        events = timeline(run, name)
        assert events
        assert set(events) == {("RECORD", None)}


def test_a_run_that_fails_midway_deletes_nothing_and_the_next_reads_in_full_again(first, company):
    state = aged(first.state)
    company.inject("status", count=50, path="/v1/company/time-offs", status=503)
    try:
        failed = run_tap(tap_config(company, max_retries=0), state=state, streams=("time_offs",))
    finally:
        company.clear_faults()
    assert failed.returncode != 0
    assert [e for e in timeline(failed, "time_offs") if e[0] == "ACTIVATE_VERSION"] == []
    left = failed.state or state
    assert left["bookmarks"]["time_offs"][FULL_READ_KEY] == WEEK_AGO
    again = run_tap(tap_config(company), state=left, streams=("time_offs",))
    assert again.returncode == 0, again.stderr[-2000:]
    assert_activated_after_the_last_record(again, "time_offs")


def test_a_report_skipped_this_run_keeps_the_rows_of_every_report(company):
    with Reader(company) as read:
        reports = read.v1("/v1/company/custom-reports/reports")
    path = f"/v1/company/custom-reports/reports/{reports[0]['id']}"
    company.inject("status", count=50, path=path, status=503)
    try:
        run = run_tap(tap_config(company, max_retries=0), streams=("custom_report_items",))
    finally:
        company.clear_faults()
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records["custom_report_items"]
    assert [e for e in timeline(run, "custom_report_items") if e[0] == "ACTIVATE_VERSION"] == []
    assert "part of the stream was skipped, so rows deleted in Personio are not removed" in (
        run.stderr
    )


def test_a_due_full_read_starts_at_start_date(company):
    config = tap_config(company, start_date="2026-10-01T00:00:00Z", lookback_window_days=0)
    first = run_tap(config, streams=("attendance_periods",))
    assert first.returncode == 0, first.stderr[-2000:]
    company.clear_requests()
    due = run_tap(config, state=aged(first.state), streams=("attendance_periods",))
    assert due.returncode == 0, due.stderr[-2000:]
    assert_activated_after_the_last_record(due, "attendance_periods")
    starts = [r.query["updated_at.gte"][0] for r in company.requests
              if r.path == "/v2/attendance-periods"]  # fmt: skip
    assert min(starts) == "2026-10-01T00:00:00"
    assert len(due.records["attendance_periods"]) == len(first.records["attendance_periods"])
