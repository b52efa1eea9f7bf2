"""Per-parent streams: fetched concurrently, emitted in the parents' order, one bookmark."""

from __future__ import annotations

import logging

from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import run_tap, tap_config


def test_children_are_fetched_concurrently_and_emitted_in_parent_order():
    with Sandbox(employees=12, seed=4, rate_limits=False) as sb:
        tap = TapPersonio(config=tap_config(sb), validate_config=True)
        first = sb.v1_employee_ids()[0]
        # The first person's employments answer late: with concurrent fetching the others are
        # answered meanwhile, so the sandbox logs them first, yet the stream's order holds.
        sb.inject("slow", count=1, path=f"/v2/persons/{first}/employments", seconds=1.5)
        sb.clear_requests()
        records = list(tap.streams["employments"].get_records(None))
        answered = [r.path.split("/")[3] for r in sb.requests if r.path.endswith("/employments")]
    assert [r["person_id"] for r in records] == [str(i) for i in sb.v1_employee_ids()]
    assert answered[0] != str(first), "the children were fetched one after another"
    assert sorted(answered) == sorted(str(i) for i in sb.v1_employee_ids())


def test_a_parent_deleted_while_its_children_are_read_is_skipped(caplog):
    with Sandbox(employees=6, seed=4, rate_limits=False) as sb:
        tap = TapPersonio(config=tap_config(sb), validate_config=True)
        stream = tap.streams["employments"]
        parents = list(stream.parents(None))
        sb.company.mutate(delete=1)
        with caplog.at_level(logging.INFO):
            records = [r for parent in parents for r in stream.children(parent)]
    assert len(records) == len(parents) - 1
    assert "is gone; skipped" in caplog.text


def test_state_keeps_one_bookmark_per_stream_not_per_parent():
    with Sandbox(employees=8, seed=4, rate_limits=False) as sb:
        run = run_tap(
            tap_config(sb, start_date="2020-01-01T00:00:00Z"),
            streams=("employments", "absence_period_breakdowns", "employee_absence_balances"),
        )
    assert run.returncode == 0, run.stderr[-2000:]
    for name in ("employments", "absence_period_breakdowns", "employee_absence_balances"):
        assert run.records[name]
        assert "partitions" not in run.state["bookmarks"].get(name, {}), name
    breakdowns = run.state["bookmarks"]["absence_period_breakdowns"]
    assert breakdowns["replication_key"] == "absence_period_updated_at"
