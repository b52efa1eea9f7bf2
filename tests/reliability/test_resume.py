"""Resumed and changing syncs: the tap, run as users run it, killed mid-sync, fed a company that
changes under a running sync, and given an attribute catalogue that changes.

Which fault each test covers:

- ``test_a_sync_killed_anywhere_resumes_from_its_last_state_and_loses_nothing``: SIGKILL of the
  tap process (no clean-up, no final STATE) after a seeded random number of RECORD messages, at
  least one kill point in each sixth of the incremental streams, so kills land inside streams,
  between STATE messages and between streams; the rerun starts from the last STATE the killed
  run printed. ``KILL_SEED`` (environment) picks other kill points.
- ``test_changes_made_while_a_sync_runs_come_with_the_next_run``: the sandbox's ``mutate`` fault:
  updates, new hires, absence, attendance, document and recruiting changes made between the
  page requests of a running sync of every incremental stream.
- ``test_an_attribute_added_mid_run_keeps_every_record`` and
  ``test_after_rediscovery_the_added_attribute_is_filled_for_every_employee`` /
  ``..._for_every_person``: the ``new_attribute`` fault (a custom attribute created in Personio
  while the tap reads employees).
- ``test_an_attribute_no_longer_readable_is_null_with_at_most_one_warning``: an attribute
  unticked as readable between two runs (``Sandbox.set_readable_attributes``), the second run
  with the catalog discovered before.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import tempfile
import typing as t
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.streams import STREAMS
from tests.conftest import TAP, TapRun, discover, run_tap, select, tap_config
from tests.streams.personio_data import EXPECTATIONS, Expected, Reader, differences
from tests.streams.test_incremental import CHANGED

INCREMENTAL = tuple(s.name for s in STREAMS if isinstance(s.replication_key, str))
#: The SDK syncs the selected streams in the order of their names.
ORDER = sorted(INCREMENTAL)
KILL_POINTS = 6
KILL_SEED = int(os.environ.get("KILL_SEED", "20261203"))

Key = tuple[str, ...]


def truth(sandbox: Sandbox, names: t.Iterable[str] = INCREMENTAL) -> dict[str, Expected]:
    """What each stream should hold now, read from the sandbox's HTTP answers."""
    with Reader(sandbox) as read:
        return {name: EXPECTATIONS[name](read) for name in names}


def key_of(record: dict, columns: tuple[str, ...]) -> Key:
    return tuple(str(record[column]) for column in columns)


class Target:
    """What a target holds after reading runs: each record by primary key as its last emission
    left it (an upsert), less the rows an ACTIVATE_VERSION retires (those written with an older
    table version; rows written without one stay), as the SDK's SQL targets do."""

    def __init__(self, want: dict[str, Expected]) -> None:
        self.keys = {name: expected.key for name, expected in want.items()}
        self.rows: dict[str, dict[Key, tuple[dict, int | None]]] = defaultdict(dict)
        self.emitted: dict[str, dict[Key, dict]] = defaultdict(dict)  # nothing retired

    def read(self, messages: t.Iterable[dict]) -> Target:
        for message in messages:
            name = message.get("stream")
            if name not in self.keys:
                continue
            if message["type"] == "RECORD":
                record = message["record"]
                key = key_of(record, self.keys[name])
                self.rows[name][key] = (record, message.get("version"))
                self.emitted[name][key] = record
            elif message["type"] == "ACTIVATE_VERSION":
                active = message["version"]
                self.rows[name] = {
                    key: (record, version)
                    for key, (record, version) in self.rows[name].items()
                    if version is None or version >= active
                }
        return self

    def table(self) -> dict[str, dict[Key, dict]]:
        return {name: {k: row for k, (row, _) in rows.items()} for name, rows in self.rows.items()}


def latest(want: dict[str, Expected], *runs: TapRun) -> dict[str, dict[Key, dict]]:
    """Per stream, every record by primary key as its last emission left it (later runs win)."""
    target = Target(want)
    for run in runs:
        target.read(run.messages)
    return target.emitted


def problems(want: dict[str, Expected], table: dict[str, dict[Key, dict]]) -> list[str]:
    """Where a table differs from the sandbox: missing or unknown keys, or values of the last
    emission that are not the sandbox's."""
    found: list[str] = []
    for name, expected in want.items():
        assert expected.records, f"the sandbox serves no {name}: the test would prove nothing"
        wanted = {key_of(record, expected.key): record for record in expected.records}
        held = table.get(name, {})
        missing, unknown = sorted(set(wanted) - set(held)), sorted(set(held) - set(wanted))
        if missing:
            found.append(f"{name}: {len(missing)} of {len(wanted)} missing, e.g. {missing[:3]}")
        if unknown:
            found.append(f"{name}: {len(unknown)} not in the sandbox, e.g. {unknown[:3]}")
        stale = [
            f"{name} {k}: {difference}"
            for k, record in wanted.items()
            if k in held
            for difference in differences(record, held[k])
        ]
        found += stale[:5] + ([f"{name}: {len(stale) - 5} more differences"] * (len(stale) > 5))
    return found


# --------------------------------------------------------------------------- hard kills
@dataclass
class KilledRun:
    """What a run printed before it was SIGKILLed."""

    messages: list[dict] = field(default_factory=list)
    state: dict | None = None  # the last STATE printed, None if it printed none
    count: int = 0  # RECORD messages printed
    stream: str = ""  # the stream of the last one
    states: int = 0


def killed_after_records(
    config: dict, catalog: dict, state: dict | None, records: int
) -> KilledRun:
    """Run the tap and SIGKILL it as soon as it has printed ``records`` RECORD messages; what a
    target read up to there is what it has (anything after is lost with the process)."""
    run = KilledRun()
    with tempfile.TemporaryDirectory() as tmp:
        files = {"config": config, "catalog": catalog, "state": state}
        argv = list(TAP)
        for name, content in files.items():
            if content is not None:
                Path(tmp, f"{name}.json").write_text(json.dumps(content))
                argv += [f"--{name}", str(Path(tmp, f"{name}.json"))]
        tap = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert tap.stdout is not None
        try:
            for line in tap.stdout:
                if not line.startswith("{"):
                    continue
                message = json.loads(line)
                run.messages.append(message)
                if message["type"] == "STATE":
                    run.state, run.states = message["value"], run.states + 1
                elif message["type"] == "RECORD":
                    run.count, run.stream = run.count + 1, message["stream"]
                    if run.count == records:
                        tap.send_signal(signal.SIGKILL)
                        break
        finally:
            tap.kill()
            tap.wait(timeout=30)
            tap.stdout.close()
    return run


def kill_points(want: dict[str, Expected], seed: int) -> list[int]:
    """One seeded random RECORD count in each of ``KILL_POINTS`` consecutive groups of the
    streams (in sync order), so the kills spread over the whole run, whatever a stream's size."""
    rng = random.Random(seed)
    sizes = [len(want[name].records) for name in ORDER]
    starts = [sum(sizes[:i]) for i in range(len(ORDER) + 1)]
    total = starts[-1]
    points = []
    for group in range(KILL_POINTS):
        first = group * len(ORDER) // KILL_POINTS
        last = (group + 1) * len(ORDER) // KILL_POINTS
        low, high = starts[first] + 1, min(starts[last], total - 1)  # killed before its end
        points.append(rng.randint(low, max(low, high)))
    return points


@pytest.fixture(scope="module")
def small_company() -> t.Iterator[Sandbox]:
    with Sandbox(employees=6, seed=12, years=1, rate_limits=False) as sb:
        yield sb


def resync_state(config: dict, catalog: dict) -> tuple[TapRun, dict]:
    """A complete run, and its state with every full read a month old: the next run reads every
    incremental stream in full, with a table version and ACTIVATE_VERSION (deletes.py)."""
    done = run_tap(config, catalog=catalog)
    assert done.returncode == 0, done.stderr[-2000:]
    state = json.loads(json.dumps(done.state))
    clocks = [b for b in state["bookmarks"].values() if "full_read_at" in b]
    assert clocks, "the state keeps no full_read_at: see deletes.py"
    for bookmark in clocks:
        bookmark["full_read_at"] = "2026-01-01T00:00:00+00:00"
    return done, state


@pytest.mark.parametrize("resync", [False, True], ids=["first_sync", "full_resync"])
def test_a_sync_killed_anywhere_resumes_from_its_last_state_and_loses_nothing(
    small_company, resync
):
    config = tap_config(small_company)
    catalog = select(discover(config), INCREMENTAL)
    want = truth(small_company)
    before, start = resync_state(config, catalog) if resync else (TapRun(0, ""), None)
    points = kill_points(want, KILL_SEED)
    assert len(set(points)) >= 5, points

    def kill_and_resume(point: int) -> tuple[KilledRun, TapRun]:
        killed = killed_after_records(config, catalog, start, point)
        return killed, run_tap(config, state=killed.state or start, catalog=catalog)

    # The runs mostly wait (the tap keeps to Personio's rate limits), so three at a time.
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(kill_and_resume, points))
    found = []
    for point, (killed, rerun) in zip(points, outcomes, strict=True):
        where = (
            f"KILL_SEED={KILL_SEED}, kill points {points}: killed after record {point} "
            f"({killed.stream}, {killed.states} STATE messages before it), resumed from "
            f"{json.dumps(killed.state)[:600] if killed.state else 'no state'}"
        )
        if killed.count != point:
            found.append(f"{where}: the sync ended after {killed.count} records")
        elif rerun.returncode != 0:
            found.append(f"{where}: the rerun failed: {rerun.stderr[-1500:]}")
        else:
            target = Target(want).read(before.messages)
            target.read(killed.messages).read(rerun.messages)
            union = problems(want, target.emitted)
            if union:
                found.append(f"{where}: the union of both runs' records: {union}")
            elif kept := problems(want, target.table()):
                found.append(f"{where}: after ACTIVATE_VERSION: {kept}")
    assert found == []


# --------------------------------------------------------------------------- changes mid-run
#: (path prefix, authenticated requests on it before the change, what changes); the sync order
#: is by stream name, so these land during absence_period_breakdowns (one request per period),
#: between two weekly windows of attendance_periods, between two persons' documents, between
#: employees and persons, and during the stage transitions (one request per application).
MID_RUN_CHANGES: tuple[tuple[str, int, dict[str, int]], ...] = (
    ("/v2/absence-periods/", 20, {"absences": 3, "update": 1, "add": 1}),
    ("/v2/attendance-periods", 20, {"attendances": 3, "absences": 2, "documents": 1}),
    ("/v2/document-management/documents", 2, {"documents": 2, "update": 1, "add": 1}),
    ("/v2/persons", 0, {"update": 2, "add": 1, "absences": 1, "attendances": 2}),
    ("/v2/recruiting/applications/", 4, {"recruiting": 2, "update": 1, "documents": 1}),
)


def merged(mutations: list[dict[str, list[t.Any]]]) -> dict[str, list[t.Any]]:
    """Every mutation's changes under each key (``CHANGED`` reads them), present or not."""
    keys = ("updated", "added", "time_offs", "hourly_absences", "attendance_periods",
            "documents", "recruiting_applications", "recruiting_candidates",
            "recruiting_jobs")  # fmt: skip
    return {k: [i for mutation in mutations for i in mutation.get(k, [])] for k in keys}


def changed_keys(name: str, changes: dict[str, list[t.Any]], sandbox: Sandbox) -> set[str]:
    """Primary keys (first column, as text) of ``name`` that the changes touched."""
    keys = set(CHANGED[name](changes, sandbox))
    if name == "employees":
        keys |= set(changes["added"])
    elif name == "persons":
        keys |= {str(i) for i in changes["added"]}
    return {str(k) for k in keys}


@pytest.mark.parametrize("lookback", [0, 1], ids=["no_lookback", "default_lookback"])
def test_changes_made_while_a_sync_runs_come_with_the_next_run(lookback):
    with Sandbox(employees=6, seed=14, years=1, rate_limits=False) as sb:
        config = tap_config(sb, lookback_window_days=lookback)
        catalog = select(discover(config), INCREMENTAL)
        for path, count, change in MID_RUN_CHANGES:
            sb.inject("mutate", count=count, path=path, **change)
        first = run_tap(config, catalog=catalog)
        assert first.returncode == 0, first.stderr[-2000:]
        assert len(sb.mutations) == len(MID_RUN_CHANGES), "a change did not happen mid-run"
        sb.clear_faults()
        second = run_tap(config, state=first.state, catalog=catalog)
        assert second.returncode == 0, second.stderr[-2000:]
        changes = merged(sb.mutations)
        want = truth(sb)
    # A changed record the first run missed, or emitted before it changed, is the second run's.
    seen = latest(want, first)
    again = latest(want, second)
    late: dict[str, set[Key]] = {}  # changed after the first run had read them
    missed: dict[str, list[Key]] = {}
    for name in sorted(CHANGED):
        touched = changed_keys(name, changes, sb)
        assert touched, f"the changes touched no {name}: the test would prove nothing for it"
        late[name] = {
            key_of(record, want[name].key)
            for record in want[name].records
            if key_of(record, want[name].key)[0] in touched
            and differences(record, seen[name].get(key_of(record, want[name].key)))
        }
        if late[name] - set(again[name]):
            missed[name] = sorted(late[name] - set(again[name]))
    assert {name for name, keys in late.items() if keys} >= {
        "absence_period_breakdowns", "absence_periods", "documents", "employees",
        "recruiting_application_stage_transitions"}, "the changes did not land mid-run"  # fmt: skip
    assert missed == {}, "changed after the first run read them, not emitted by the next run"
    assert problems(want, latest(want, first, second)) == []


# --------------------------------------------------------------------------- attribute drift
NEW_LABEL = "Shirt size"
NEW_OPTIONS = ("S", "M", "L", "XL")
PEOPLE = ("employees", "persons")


@dataclass
class Drift:
    sandbox: Sandbox
    first: TapRun
    second: TapRun
    key: str  # the attribute added during the first run


@pytest.fixture(scope="module")
def drift() -> t.Iterator[Drift]:
    """120 employees (two pages of employees, three of persons); a list attribute is created
    when the tap asks for the second page of employees; then a run after a fresh discovery."""
    with Sandbox(employees=120, seed=15, years=1, custom_attributes=6, rate_limits=False) as sb:
        config = tap_config(sb)
        catalog = select(discover(config), PEOPLE)
        before = {a.key for a in sb.company.custom_attributes}
        # /v1/company/employees* requests of a run: the attribute catalogue, page 1, page 2.
        sb.inject("new_attribute", count=2, path="/v1/company/employees", label=NEW_LABEL,
                  type="list", options=NEW_OPTIONS)  # fmt: skip
        first = run_tap(config, catalog=catalog)
        [key] = {a.key for a in sb.company.custom_attributes} - before
        assert sb.count(path="/v1/company/employees") == 2, "not read in two pages"
        second = run_tap(config, state=first.state, catalog=select(discover(config), PEOPLE))
        yield Drift(sb, first, second, key)


def warnings_naming(stderr: str, word: str) -> list[str]:
    """Log lines at WARNING or above that name ``word``."""
    levels = ("| WARNING", "| ERROR", "| CRITICAL")
    return [line for line in stderr.splitlines() if word in line and any(x in line for x in levels)]


def test_an_attribute_added_mid_run_keeps_every_record(drift):
    assert drift.first.returncode == 0, drift.first.stderr[-2000:]
    ids = drift.sandbox.v1_employee_ids()
    assert sorted(r["id"] for r in drift.first.records["employees"]) == ids
    assert sorted(int(r["id"]) for r in drift.first.records["persons"]) == ids
    for name in PEOPLE:
        assert drift.key not in drift.first.schemas[name]["properties"]
    # persons read it after it appeared: kept untyped, with one warning for the run
    assert all(r["other_custom_attributes"] for r in drift.first.records["persons"])
    assert len(warnings_naming(drift.first.stderr, drift.key)) <= 1


def filled(drift: Drift, name: str) -> dict[int, tuple[t.Any, t.Any]]:
    """Per record of the second run: (the sandbox's value, the emitted one) where they differ;
    the stream's records must be every employee."""
    assert drift.second.returncode == 0, drift.second.stderr[-2000:]
    assert drift.key in drift.second.schemas[name]["properties"]
    emitted = {int(r["id"]): r for r in drift.second.records[name]}
    assert sorted(emitted) == drift.sandbox.v1_employee_ids(), "not every record read again"
    assert any(record.get(drift.key) for record in emitted.values()), "no value to compare"
    return {
        ident: (drift.sandbox.v1_employee(ident)[drift.key]["value"], record.get(drift.key))
        for ident, record in emitted.items()
        if differences(drift.sandbox.v1_employee(ident)[drift.key], record.get(drift.key))
    }


def test_after_rediscovery_the_added_attribute_is_filled_for_every_employee(drift):
    assert filled(drift, "employees") == {}


def test_after_rediscovery_the_added_attribute_is_filled_for_every_person(drift):
    assert filled(drift, "persons") == {}


@dataclass
class Vanished:
    key: str  # the attribute no longer readable
    ids: list[int]
    full: TapRun  # the old catalog, no state
    resumed: TapRun  # the old catalog, the state of the run before


@pytest.fixture(scope="module")
def vanished() -> t.Iterator[Vanished]:
    """A custom attribute most employees have a value for is unticked as readable after a
    complete run; then two runs with the catalog discovered before."""
    with Sandbox(employees=30, seed=16, years=1, custom_attributes=6, rate_limits=False) as sb:
        config = tap_config(sb)
        catalog = select(discover(config), PEOPLE)
        ids = sb.v1_employee_ids()
        key = max(
            (a.key for a in sb.company.custom_attributes),
            key=lambda k: sum(bool(sb.v1_employee(i)[k]["value"]) for i in ids),
        )
        first = run_tap(config, catalog=catalog)
        assert first.returncode == 0, first.stderr[-2000:]
        assert any(r[key] is not None for r in first.records["employees"])
        sb.set_readable_attributes(a.key for a in sb.company.attribute_catalogue() if a.key != key)
        assert key not in sb.v1_employee(ids[0])
        full = run_tap(config, catalog=catalog)
        resumed = run_tap(config, catalog=catalog, state=first.state)
        yield Vanished(key, ids, full, resumed)


def test_an_attribute_no_longer_readable_is_null_with_at_most_one_warning(vanished):
    for run in (vanished.full, vanished.resumed):
        assert run.returncode == 0, run.stderr[-2000:]
        assert len(warnings_naming(run.stderr, vanished.key)) <= 1, run.stderr[-2000:]
        for name in PEOPLE:
            stale = [r["id"] for r in run.records[name] if r.get(vanished.key) is not None]
            assert stale == [], f"{name}: {vanished.key} still has a value"
    assert sorted(r["id"] for r in vanished.full.records["employees"]) == vanished.ids
    assert sorted(int(r["id"]) for r in vanished.full.records["persons"]) == vanished.ids


@pytest.mark.parametrize(
    "name",
    [
        "employees",
        "persons",
    ],
)
def test_an_attribute_no_longer_readable_is_sent_as_null_as_its_schema_declares(vanished, name):
    for run in (vanished.full, vanished.resumed):
        declared = set(run.schemas[name]["properties"])
        assert vanished.key in declared
        for record in run.records[name]:
            assert set(record) == declared, sorted(declared ^ set(record))
