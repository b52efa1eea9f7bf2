"""compensations: month windows from start_date, then only the look-back months each run."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tap_personio.sandbox import Sandbox
from tests.conftest import run_tap, tap_config
from tests.streams.personio_data import Reader, month_windows

PATH = "/v2/compensations"


def windows_read(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [
        (r.query["start_date"][0], r.query["end_date"][0])
        for r in sandbox.requests
        if r.path == PATH and "start_date" in r.query
    ]


def test_a_first_run_reads_every_month_from_start_date_then_only_the_look_back():
    today = datetime.now(UTC).date()
    with Sandbox(employees=8, seed=6, years=2, rate_limits=False) as sb:
        config = tap_config(sb, start_date="2025-03-15T00:00:00Z", compensation_lookback_months=3)
        first = run_tap(config, streams=("compensations",))
        assert first.returncode == 0, first.stderr[-2000:]
        expected = [
            (a.isoformat(), b.isoformat()) for a, b in month_windows(date(2025, 3, 1), today)
        ]
        assert windows_read(sb) == expected
        ids = [r["id"] for r in first.records["compensations"]]
        assert ids
        assert len(ids) == len(set(ids)), "a compensation valid in several months came twice"
        sb.clear_requests()
        second = run_tap(config, state=first.state, streams=("compensations",))
        read = Reader(sb)
        recent = {
            item["id"]
            for start, end in expected[-4:]
            for item in read.v2(PATH, 100, start_date=start, end_date=end)[0]
        }
    assert second.returncode == 0, second.stderr[-2000:]
    assert windows_read(sb)[: len(expected[-4:])] == expected[-4:]  # look-back and this month
    assert {r["id"] for r in second.records["compensations"]} == recent
