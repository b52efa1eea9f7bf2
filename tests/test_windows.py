"""Windowed backfills (attendance_periods): resumable after a hard kill, and a window Personio
cannot serve is halved instead of failing the sync."""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import typing as t
from datetime import datetime
from pathlib import Path

import pytest

from tap_personio.sandbox import Sandbox
from tests.conftest import TAP, discover, run_tap, select, tap_config
from tests.streams.personio_data import Reader

STREAM = "attendance_periods"
PATH = "/v2/attendance-periods"
START = "2026-06-01T00:00:00Z"  # about six weekly windows of history before the sandbox's now


@pytest.fixture
def company() -> t.Iterator[Sandbox]:
    with Sandbox(employees=6, seed=12, years=1, rate_limits=False) as sb:
        yield sb


def every_id(sandbox: Sandbox) -> set[str]:
    items, _ = Reader(sandbox).v2(PATH, 100, **{"updated_at.gte": START[:19]})
    return {item["id"] for item in items}


def killed_after(config: dict, catalog: dict, states: int) -> tuple[list[dict], dict]:
    """Run the tap and SIGKILL it once it has printed ``states`` STATE messages."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp, f"{name}.json") for name in ("config", "catalog")}
        paths["config"].write_text(json.dumps(config))
        paths["catalog"].write_text(json.dumps(catalog))
        argv = [*TAP, "--config", str(paths["config"]), "--catalog", str(paths["catalog"])]
        tap = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        records: list[dict] = []
        state: dict = {}
        seen = 0
        assert tap.stdout is not None
        for line in tap.stdout:
            message = json.loads(line)
            if message["type"] == "RECORD":
                records.append(message["record"])
            elif message["type"] == "STATE":
                state, seen = message["value"], seen + 1
                if seen == states:
                    tap.send_signal(signal.SIGKILL)
                    break
        tap.wait(timeout=30)
    assert seen == states, "the sync ended before it could be interrupted"
    return records, state


def test_an_interrupted_backfill_resumes_after_its_last_finished_window(company):
    config = tap_config(company, start_date=START, lookback_window_days=0)
    catalog = select(discover(config), (STREAM,))
    everything = every_id(company)
    before, state = killed_after(config, catalog, states=3)
    bookmark = state["bookmarks"][STREAM]["replication_key_value"]
    company.clear_requests()
    rerun = run_tap(config, state=state, catalog=catalog)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    after = rerun.records[STREAM]
    assert {r["id"] for r in before} | {r["id"] for r in after} == everything
    # No finished window is read again: every window starts at the bookmark or later.
    starts = [r.query["updated_at.gte"][0] for r in company.requests if r.path == PATH]
    assert starts
    assert min(datetime.fromisoformat(s + "+00:00") for s in starts) == datetime.fromisoformat(
        bookmark
    )
    assert all(r["updated_at"] >= bookmark for r in after)


@pytest.mark.parametrize(
    ("fault", "params"),
    [("status", {"status": 502}), ("status", {"status": 504}), ("slow", {"seconds": 3})],
)
def test_a_window_personio_cannot_serve_is_halved_and_completed(company, fault, params):
    company.inject(fault, count=1, path=PATH, **params)
    run = run_tap(
        tap_config(company, start_date=START, request_timeout=1, lookback_window_days=0),
        streams=(STREAM,),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    ids = [r["id"] for r in run.records[STREAM]]
    assert len(ids) == len(set(ids)), "a record was emitted twice"
    assert set(ids) == every_id(company)
    assert run.stderr.count("reading it in halves") == 1
