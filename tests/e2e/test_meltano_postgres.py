"""`meltano run tap-personio target-postgres` against the sandbox, into a real PostgreSQL.

One story, run once per module and checked by many tests: a first sync; the same sync through a
plain pipe into target-jsonl; the company changes (updates, hires, leavers); an incremental sync
with the state Meltano kept; HR adds a custom attribute and the next run, with a refreshed
catalog, fills its column for everyone; a full-table sync whose ACTIVATE_VERSION removes the
leavers; HR erases more people, and the nightly run that finds its weekly full read due removes
them from every table.
Each sync's warehouse content is snapshotted right after it, so the tests can run in any order.
"""

from __future__ import annotations

import json
import subprocess
import typing as t
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg.rows import dict_row

from tap_personio.sandbox import Sandbox
from tests.e2e.expected import (
    STREAMS,
    V2_REPORT_TABLES,
    Row,
    as_json,
    employee_row,
    expectation,
    instant,
    v1_snapshot,
    warehouse_row,
)
from tests.e2e.meltano_project import REPO, TAP, Completed, MeltanoProject
from tests.e2e.postgres import PostgresServer
from tests.streams.personio_data import Expected, Reader, differences

pytestmark = pytest.mark.e2e

SCHEMA = "tap_personio"  # the extractor's namespace: Meltano's load schema
STATE_ID = "dev:tap-personio-to-target-postgres"
EMPLOYEES = 300  # three pages of 100
LOOKBACK = timedelta(days=1)  # lookback_window_days' default
#: Updates, hires and leavers between the first and the second sync.
CHANGES = {"update": 12, "add": 6, "delete": 5}
#: The custom attribute HR adds between the syncs (schema drift).
NEW_ATTRIBUTE = ("Team size", "integer")
#: Forces every incremental stream to full table for the run that must delete leavers.
FULL_TABLE_METADATA = json.dumps({"*": {"replication-method": "FULL_TABLE"}})
#: People HR erases after the full-table sync, and absences it edits then.
ERASED = {"delete": 4, "absences": 3}


@dataclass
class Sync:
    """The warehouse and the sandbox right after one `meltano run`."""

    run: Completed
    started: datetime
    tables: dict[str, list[Row]]
    sandbox: dict[int, dict[str, t.Any]]
    expected_counts: dict[str, int]
    employee_requests: list[dict[str, list[str]]]
    state: dict[str, t.Any] = field(default_factory=dict)

    def employees(self) -> dict[int, Row]:
        return {row["id"]: row for row in self.tables["employees"]}

    def sync_started(self) -> dict[int, int]:
        """Per employee, the `_sdc_sync_started_at` of the run that last wrote its row."""
        return {row["id"]: row["_sdc_sync_started_at"] for row in self.tables["employees"]}


def read_tables(postgres: PostgresServer) -> dict[str, list[Row]]:
    with psycopg.connect(postgres.dsn(), row_factory=dict_row) as conn:
        names = [
            r["table_name"]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (SCHEMA,),
            )
        ]
        return {name: conn.execute(f'SELECT * FROM {SCHEMA}."{name}"').fetchall() for name in names}


@pytest.fixture(scope="module")
def sandbox() -> t.Iterator[Sandbox]:
    with Sandbox(employees=EMPLOYEES, seed=7, years=1, custom_attributes=12) as sb:
        yield sb


@pytest.fixture(scope="module")
def pipeline(
    meltano_project: MeltanoProject, sandbox: Sandbox, postgres: PostgresServer
) -> t.Callable[..., Sync]:
    """Runs `meltano run [ARGS] tap-personio target-postgres` and snapshots the result."""

    def sync(*args: str, env: dict[str, str] | None = None, state_id: str = STATE_ID) -> Sync:
        sandbox.clear_requests()
        started = datetime.now(UTC)
        done = meltano_project.run(
            "run",
            *args,
            "tap-personio",
            "target-postgres",
            env={
                "TAP_PERSONIO_API_URL": sandbox.url,
                "TAP_PERSONIO_CLIENT_ID": sandbox.client_id,
                "TAP_PERSONIO_CLIENT_SECRET": sandbox.client_secret,
                **(env or {}),
            },
        )
        return Sync(
            run=done,
            started=started,
            tables=read_tables(postgres),
            sandbox=v1_snapshot(sandbox),
            expected_counts={name: count(sandbox) for name, (count, _) in STREAMS.items()},
            employee_requests=[
                r.query for r in sandbox.requests if r.path == "/v1/company/employees"
            ],
            state=meltano_project.state(state_id),
        )

    return sync


@pytest.fixture(scope="module")
def first_sync(pipeline: t.Callable[..., Sync]) -> Sync:
    return pipeline()


@pytest.fixture(scope="module")
def piped(first_sync: Sync, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The first sync again, as `tap-personio --config c.json | target-jsonl --config t.json`."""
    workdir = tmp_path_factory.mktemp("pipe")
    tap_config = workdir / "tap.json"
    tap_config.write_text(
        json.dumps(
            {
                "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret,
                "api_url": sandbox.url,
                "emit_activate_version_messages": True,
            }
        )
    )
    target_config = workdir / "target.json"
    target_config.write_text(
        json.dumps({"destination_path": str(workdir / "out"), "do_timestamp_file": False})
    )
    (workdir / "out").mkdir()
    target = REPO / ".meltano/loaders/target-jsonl/venv/bin/target-jsonl"
    with (workdir / "tap.log").open("w") as tap_log, (workdir / "target.log").open("w") as log:
        tap = subprocess.Popen(
            [str(TAP), "--config", str(tap_config)], stdout=subprocess.PIPE, stderr=tap_log
        )
        loaded = subprocess.run(
            [str(target), "--config", str(target_config)],
            stdin=tap.stdout,
            stdout=subprocess.DEVNULL,
            stderr=log,
            timeout=300,
        )
        assert tap.stdout is not None
        tap.stdout.close()
        tap_exit = tap.wait(timeout=60)
    assert tap_exit == 0, (workdir / "tap.log").read_text()[-3000:]
    assert loaded.returncode == 0, (workdir / "target.log").read_text()[-3000:]
    return {
        path.stem: [json.loads(line) for line in path.read_text().splitlines()]
        for path in (workdir / "out").glob("*.jsonl")
    }


@pytest.fixture(scope="module")
def first_answers(first_sync: Sync, sandbox: Sandbox) -> dict[str, Expected]:
    """What Personio answered for every loaded stream, read right after the first sync."""
    with Reader(sandbox) as read:
        return {name: expectation(name)(read) for name in STREAMS}


@pytest.fixture(scope="module")
def changes(
    first_sync: Sync, piped: dict, first_answers: dict, sandbox: Sandbox
) -> dict[str, list[int]]:
    """The company changes only after both first syncs have read it."""
    changed = sandbox.company.mutate(**CHANGES)
    assert {k: len(v) for k, v in changed.items()} == {
        "updated": CHANGES["update"],
        "added": CHANGES["add"],
        "deleted": CHANGES["delete"],
    }
    return changed


@pytest.fixture(scope="module")
def second_sync(pipeline: t.Callable[..., Sync], changes: dict) -> Sync:
    return pipeline()


@pytest.fixture(scope="module")
def new_attribute(second_sync: Sync, sandbox: Sandbox) -> str:
    """HR adds a custom attribute after the incremental sync; every employee gets a value."""
    return sandbox.company.add_custom_attribute(*NEW_ATTRIBUTE).key


@pytest.fixture(scope="module")
def refreshed_sync(pipeline: t.Callable[..., Sync], new_attribute: str) -> Sync:
    """The nightly run, with `--refresh-catalog` as the README advises after attributes change."""
    return pipeline("--refresh-catalog")


@pytest.fixture(scope="module")
def full_table_sync(pipeline: t.Callable[..., Sync], refreshed_sync: Sync) -> Sync:
    """Employees forced to full table (Meltano metadata), under its own state id.

    `--refresh-catalog` as the README advises after custom attributes change.
    """
    return pipeline(
        "--refresh-catalog",
        "--state-id-suffix",
        "full-table",
        env={"TAP_PERSONIO__METADATA": FULL_TABLE_METADATA},
        state_id=f"{STATE_ID}:full-table",
    )


@pytest.fixture(scope="module")
def erased(full_table_sync: Sync, sandbox: Sandbox) -> list[int]:
    return sandbox.company.mutate(**ERASED)["deleted"]


@pytest.fixture(scope="module")
def due_sync(pipeline: t.Callable[..., Sync], meltano_project: MeltanoProject,
             erased: list[int]) -> Sync:  # fmt: skip
    """The nightly run a week after the last full reads (`meltano state set` ages them)."""
    state = meltano_project.state(STATE_ID)
    aged = (datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")
    for bookmark in state["singer_state"]["bookmarks"].values():
        if "full_read_at" in bookmark:
            bookmark["full_read_at"] = aged
    meltano_project.run("state", "set", "--force", STATE_ID, json.dumps(state))
    return pipeline()


# ---------------------------------------------------------------------------------------------
# helpers


def meltano_selected_streams(discovered: t.Iterable[str]) -> set[str]:
    """The streams meltano.yml's `select` rules of tap-personio pick from ``discovered``."""
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    (tap,) = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-personio"]
    include = [rule.split(".")[0] for rule in tap["select"] if not rule.startswith("!")]
    return {stream for stream in discovered if any(fnmatch(stream, rule) for rule in include)}


def mismatches(expected: dict[int, Row], actual: dict[int, Row]) -> list[str]:
    """Each differing (employee, column), as one readable line; columns absent in `actual` too."""
    lines = []
    for emp_id, want in expected.items():
        got = actual.get(emp_id)
        if got is None:
            lines.append(f"employee {emp_id}: missing from the warehouse")
            continue
        for column, value in want.items():
            if column not in got:
                lines.append(f"employee {emp_id}: no column {column}")
            elif got[column] != value:
                lines.append(f"employee {emp_id}.{column}: warehouse {got[column]!r} != {value!r}")
    return lines


def assert_warehouse_equals_sandbox(sync: Sync, ids: t.Iterable[int] | None = None) -> None:
    warehouse = {row["id"]: warehouse_row(row) for row in sync.tables["employees"]}
    chosen = sync.sandbox if ids is None else {i: sync.sandbox[i] for i in ids}
    expected = {emp_id: employee_row(attrs) for emp_id, attrs in chosen.items()}
    problems = mismatches(expected, warehouse)
    assert not problems, f"{len(problems)} differences, e.g.:\n" + "\n".join(problems[:25])


def modified_at(attributes: dict[str, t.Any]) -> datetime:
    """An employee's last_modified_at in the sandbox, as an aware UTC datetime."""
    moment = instant(attributes["last_modified_at"]["value"])
    assert moment is not None
    return moment


def bookmark_of(sync: Sync) -> datetime:
    """The employees bookmark Meltano kept after ``sync``."""
    moment = instant(sync.state["singer_state"]["bookmarks"]["employees"]["replication_key_value"])
    assert moment is not None
    return moment


def duplicate_keys(rows: list[Row], keys: tuple[str, ...]) -> list[tuple]:
    seen: set[tuple] = set()
    duplicates = []
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key in seen or any(v is None for v in key):
            duplicates.append(key)
        seen.add(key)
    return duplicates


# ---------------------------------------------------------------------------------------------
# the project


def test_meltano_yml_selects_every_stream_the_tap_selects_by_default(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret,
             "api_url": sandbox.url}
        )
    )  # fmt: skip
    found = subprocess.run(
        [str(TAP), "--config", str(config), "--discover"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    catalog = json.loads(found.stdout)["streams"]
    by_default = {
        s["tap_stream_id"]
        for s in catalog
        for m in s["metadata"]
        if not m["breadcrumb"] and m["metadata"].get("selected-by-default")
    }
    selected = meltano_selected_streams(s["tap_stream_id"] for s in catalog)
    assert by_default, "the tap selects no stream by default"
    assert by_default <= selected, f"meltano.yml does not select {sorted(by_default - selected)}"


def test_every_loaded_stream_has_an_expectation(first_sync: Sync) -> None:
    selected = meltano_selected_streams(STREAMS)
    assert set(first_sync.tables) == selected, (
        f"loaded {sorted(first_sync.tables)}; meltano.yml selects {sorted(selected)}"
    )
    unchecked = set(first_sync.tables) - set(STREAMS)
    assert not unchecked, f"add the row count of {sorted(unchecked)} to expected.STREAMS"


# ---------------------------------------------------------------------------------------------
# the first sync


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_first_sync_loads_every_row_once(first_sync: Sync, stream: str) -> None:
    rows = first_sync.tables[stream]
    assert len(rows) == first_sync.expected_counts[stream]
    assert duplicate_keys(rows, STREAMS[stream][1]) == []


@pytest.mark.parametrize("stream", sorted(set(STREAMS) - set(V2_REPORT_TABLES)))
def test_first_sync_tables_equal_personios_answers(
    first_sync: Sync, first_answers: dict[str, Expected], stream: str
) -> None:
    """Every row and column of every loaded table, read back from PostgreSQL."""
    want = first_answers[stream]

    def key(row: Row) -> tuple[str, ...]:
        return tuple(str(row[k]) for k in want.key)

    loaded = {
        key(row): {k: as_json(v) for k, v in row.items() if not k.startswith("_sdc_")}
        for row in first_sync.tables[stream]
    }
    assert set(loaded) == {key(record) for record in want.records}
    problems = [
        (key(record), problem)
        for record in want.records
        for problem in differences(record, loaded[key(record)])
    ]
    assert problems == [], problems[:20]


@pytest.mark.parametrize("stream", V2_REPORT_TABLES)
def test_v2_report_tables_hold_the_reports_rows(
    first_sync: Sync, first_answers: dict[str, Expected], stream: str
) -> None:
    """Row for row by content (the key is a digest of the values), typed columns included."""

    def content(row: Row) -> str:
        return json.dumps(
            {k: as_json(v) for k, v in row.items() if k != "row_key" and not k.startswith("_sdc_")},
            sort_keys=True,
        )

    loaded = sorted(content(row) for row in first_sync.tables[stream])
    assert loaded
    assert loaded == sorted(content(row) for row in first_answers[stream].records)


def test_first_sync_values_equal_the_sandbox(first_sync: Sync) -> None:
    """Every employee, a sample of columns: text, numbers, dates, nested objects, custom ones."""
    assert_warehouse_equals_sandbox(first_sync)


def test_first_sync_types_every_custom_attribute(first_sync: Sync) -> None:
    types = {
        key: entry["type"]
        for attrs in first_sync.sandbox.values()
        for key, entry in attrs.items()
        if key.startswith("dynamic_")
    }
    assert set(types.values()) >= {"standard", "date", "integer", "decimal", "list", "tags"}
    columns = first_sync.tables["employees"][0].keys()
    assert set(types) <= set(columns), "a custom attribute has no column"
    for key in types:
        assert any(row[key] is not None for row in first_sync.tables["employees"]), key


def test_first_sync_loads_the_attribute_catalogue(first_sync: Sync, sandbox: Sandbox) -> None:
    loaded = {
        row["key"]: (row["label"], row["type"]) for row in first_sync.tables["employee_attributes"]
    }
    expected = {a.key: (a.label, a.type) for a in sandbox.company.attribute_catalogue()}
    assert loaded == expected


def test_first_sync_bookmark_is_the_latest_change(first_sync: Sync) -> None:
    bookmark = first_sync.state["singer_state"]["bookmarks"]["employees"]
    latest = max(modified_at(attrs) for attrs in first_sync.sandbox.values())
    assert bookmark["replication_key"] == "last_modified_at"
    assert instant(bookmark["replication_key_value"]) == min(latest, first_sync.started)


def test_first_sync_reads_every_employee_page_once(first_sync: Sync) -> None:
    offsets = [q.get("offset", ["0"])[0] for q in first_sync.employee_requests]
    assert len(offsets) == len(set(offsets)), offsets
    assert all("updated_since" not in q for q in first_sync.employee_requests)


def test_a_plain_pipe_gives_the_same_employees(first_sync: Sync, piped: dict) -> None:
    records = {r["id"]: r for r in piped["employees"]}
    warehouse = first_sync.employees()
    assert len(piped["employees"]) == len(records), "the pipe emitted an employee twice"
    assert set(records) == set(warehouse)
    for emp_id, record in records.items():
        row = warehouse[emp_id]
        assert (record["first_name"], record["email"], record["position"]) == (
            row["first_name"], row["email"], row["position"]
        )  # fmt: skip
        assert record["hire_date"] == (row["hire_date"] and row["hire_date"].isoformat())
        assert record["department"] == row["department"]
        assert instant(record["last_modified_at"]) == instant(row["last_modified_at"])
    assert {r["key"] for r in piped["employee_attributes"]} == {
        r["key"] for r in first_sync.tables["employee_attributes"]
    }


# ---------------------------------------------------------------------------------------------
# the incremental sync after the company changed


def test_incremental_sync_starts_from_the_kept_bookmark(
    first_sync: Sync, second_sync: Sync
) -> None:
    bookmark = bookmark_of(first_sync)
    assert second_sync.employee_requests, "the second sync did not read employees"
    for query in second_sync.employee_requests:
        since = datetime.fromisoformat(query["updated_since"][0])
        # The tap re-reads lookback_window_days before the bookmark (Personio's filter is coarse).
        assert abs(since.replace(tzinfo=UTC) - (bookmark - LOOKBACK)) < timedelta(seconds=1), since


def test_incremental_sync_updates_changed_rows(
    first_sync: Sync, second_sync: Sync, changes: dict
) -> None:
    before, after = first_sync.employees(), second_sync.employees()
    for emp_id in changes["updated"]:
        assert after[emp_id]["position"] != before[emp_id]["position"]
        assert after[emp_id]["fix_salary"] == before[emp_id]["fix_salary"] + 100
    assert_warehouse_equals_sandbox(second_sync, changes["updated"] + changes["added"])


def test_incremental_sync_reads_only_what_changed(
    first_sync: Sync, second_sync: Sync, changes: dict
) -> None:
    before, after = first_sync.sync_started(), second_sync.sync_started()
    reread = {emp_id for emp_id, run in after.items() if before.get(emp_id) != run}
    assert set(changes["updated"]) | set(changes["added"]) <= reread
    bookmark = bookmark_of(first_sync)
    # The lookback window may add employees changed shortly before the bookmark (Personio's
    # filter works in company-local time), but never the whole company.
    window = bookmark - LOOKBACK - timedelta(hours=2)
    recent = {
        emp_id for emp_id, attrs in second_sync.sandbox.items() if modified_at(attrs) >= window
    }
    assert reread <= recent
    assert len(reread) < len(after) / 2


# ---------------------------------------------------------------------------------------------
# the nightly sync after HR added a custom attribute


def test_a_refreshed_catalog_reloads_the_attribute_catalogue(
    refreshed_sync: Sync, sandbox: Sandbox, new_attribute: str
) -> None:
    loaded = [row["key"] for row in refreshed_sync.tables["employee_attributes"]]
    assert sorted(loaded) == sorted(a.key for a in sandbox.company.attribute_catalogue())
    assert new_attribute in loaded


def test_a_new_column_is_filled_for_every_employee_by_the_next_incremental_run(
    refreshed_sync: Sync, new_attribute: str
) -> None:
    assert "columns added since the last run are filled" in refreshed_sync.run.stderr
    assert all("updated_since" not in q for q in refreshed_sync.employee_requests)
    rows = refreshed_sync.tables["employees"]
    current = [row for row in rows if row["id"] in refreshed_sync.sandbox]  # leavers stay, unread
    assert len(current) == len(refreshed_sync.sandbox)
    differing = [
        row["id"]
        for row in current
        if row[new_attribute] != refreshed_sync.sandbox[row["id"]][new_attribute]["value"]
    ]
    assert differing == []
    assert sum(row[new_attribute] is not None for row in current) > len(current) / 2
    assert duplicate_keys(rows, ("id",)) == []


def test_incremental_sync_adds_no_duplicates_and_keeps_leavers(
    first_sync: Sync, second_sync: Sync, changes: dict
) -> None:
    rows = second_sync.tables["employees"]
    assert duplicate_keys(rows, ("id",)) == []
    # An incremental read cannot see deletions: leavers stay until a full-table sync.
    assert len(rows) == len(first_sync.tables["employees"]) + len(changes["added"])
    assert set(changes["deleted"]) <= {row["id"] for row in rows}


# ---------------------------------------------------------------------------------------------
# the full-table sync with ACTIVATE_VERSION


def test_full_table_sync_runs_employees_as_full_table(full_table_sync: Sync) -> None:
    assert "Beginning sync of 'employees' in full_table mode" in full_table_sync.run.stderr
    assert all("updated_since" not in q for q in full_table_sync.employee_requests)


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_full_table_sync_leaves_exactly_the_sandbox_rows(
    full_table_sync: Sync, stream: str
) -> None:
    rows = full_table_sync.tables[stream]
    assert len(rows) == full_table_sync.expected_counts[stream]
    assert duplicate_keys(rows, STREAMS[stream][1]) == []


def test_full_table_sync_deletes_leavers(full_table_sync: Sync, changes: dict) -> None:
    loaded = {row["id"] for row in full_table_sync.tables["employees"]}
    assert not set(changes["deleted"]) & loaded
    assert loaded == set(full_table_sync.sandbox)


def test_full_table_sync_values_equal_the_sandbox(
    full_table_sync: Sync, new_attribute: str
) -> None:
    """Including the new custom attribute, for every employee (the refreshed catalog has it)."""
    assert all(new_attribute in row for row in full_table_sync.tables["employees"])
    assert_warehouse_equals_sandbox(full_table_sync)


# ---------------------------------------------------------------------------------------------
# the nightly run whose weekly full read is due


def test_the_erased_people_were_in_the_warehouse_before(full_table_sync: Sync, erased: list[int]):
    assert erased
    assert set(erased) <= {row["id"] for row in full_table_sync.tables["employees"]}


def test_a_due_nightly_run_reads_every_incremental_stream_in_full(due_sync: Sync) -> None:
    assert "employees: reading every record (the last full read was on" in due_sync.run.stderr
    assert all("updated_since" not in q for q in due_sync.employee_requests)


def test_a_due_nightly_run_removes_the_erased_people(due_sync: Sync, erased: list[int]) -> None:
    for stream in ("employees", "persons"):
        loaded = {int(row["id"]) for row in due_sync.tables[stream]}
        assert not set(erased) & loaded, stream
        assert loaded == set(due_sync.sandbox), stream


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_a_due_nightly_run_leaves_exactly_the_sandbox_rows(due_sync: Sync, stream: str) -> None:
    """Deleted rows are gone from every table, and nothing else is lost."""
    rows = due_sync.tables[stream]
    assert len(rows) == due_sync.expected_counts[stream]
    assert duplicate_keys(rows, STREAMS[stream][1]) == []
