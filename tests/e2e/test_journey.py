"""The data engineer's journey of docs/meltano.md, command for command, against the sandbox.

Each story copies the repository's Meltano project (`scratch_project`), runs the commands its
section of docs/meltano.md shows (every one is checked to appear there verbatim, so the guide
and the test cannot drift apart) and checks the outcome: what the tap asked Personio for (the
sandbox's request log), what the target wrote (target-jsonl files, PostgreSQL tables and
columns) and what Meltano kept (state ids, schedules). Only test plumbing is added to a
documented command: the sandbox's address and credential, a target directory or schema, and a
`select_filter` where the stream list is not the point, to keep the runs short.
"""

from __future__ import annotations

import json
import re
import shlex
import typing as t
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg.rows import dict_row

from tap_personio.sandbox import Sandbox
from tests.e2e.meltano_project import REPO, Completed, MeltanoProject, scratch_project
from tests.e2e.postgres import PostgresServer

pytestmark = pytest.mark.e2e

DOCS = REPO / "docs" / "meltano.md"
NIGHTLY = "dev:tap-personio-to-target-postgres"
#: Requests the tap makes at start whatever is selected: tokens, the attribute catalogue, and
#: the report lists and each v2 report's first page (its columns), from which it builds the
#: report streams.
CATALOGUE = re.compile(
    r"^/v1/auth$|^/v2/auth/token$|^/v1/company/employees/attributes$"
    r"|^/v1/company/custom-reports/(reports|columns)$|^/v2/reports(/[^/]+)?$"
)
#: The IBAN custom attribute of the sandbox's default company (seed 1), as the guide shows it.
IBAN = "dynamic_949796"
#: The metadata columns MeltanoLabs target-postgres adds with `add_record_metadata: true`.
METADATA = (
    "_sdc_extracted_at",
    "_sdc_received_at",
    "_sdc_batched_at",
    "_sdc_deleted_at",
    "_sdc_sequence",
    "_sdc_table_version",
    "_sdc_sync_started_at",
)


# ---------------------------------------------------------------------------------------------
# the guide


def guide() -> str:
    """docs/meltano.md with shell line continuations joined, as a shell reads them."""
    return re.sub(r"\\\n\s*", "", DOCS.read_text())


def documented(*args: str, env: dict[str, str] | None = None) -> tuple[str, ...]:
    """``args``, after checking that the guide shows `[ENV=...] .venv/bin/meltano ARGS`."""
    words = [f"{k}={shlex.quote(v)}" for k, v in (env or {}).items()]
    line = " ".join([*words, ".venv/bin/meltano", shlex.join(args)])
    assert line in guide(), f"docs/meltano.md does not show `{line}`"
    return args


def yaml_block(containing: str) -> t.Any:
    """The guide's ```yaml block that contains ``containing``, parsed."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.S)
    (block,) = [b for b in blocks if containing in b]
    return yaml.safe_load(block)


def sql_block(containing: str) -> str:
    """The guide's ```sql block that contains ``containing``."""
    blocks = re.findall(r"```sql\n(.*?)```", DOCS.read_text(), re.S)
    (block,) = [b for b in blocks if containing in b]
    return block


def edit_meltano_yml(project: MeltanoProject, change: t.Callable[[dict], None]) -> None:
    path = project.project / "meltano.yml"
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


# ---------------------------------------------------------------------------------------------
# plumbing


def small_sandbox(
    seed: int,
    employees: int = 20,
    client_id: str = "sandbox-client-id",
    client_secret: str = "sandbox-client-secret",
) -> Sandbox:
    """A company small enough for a quick run: one year of history, no rate limits."""
    return Sandbox(employees, seed, years=1, rate_limits=False, client_id=client_id,
                   client_secret=client_secret)  # fmt: skip


def sandbox_env(sandbox: Sandbox) -> dict[str, str]:
    return {
        "TAP_PERSONIO_API_URL": sandbox.url,
        "TAP_PERSONIO_CLIENT_ID": sandbox.client_id,
        "TAP_PERSONIO_CLIENT_SECRET": sandbox.client_secret,
    }


def postgres_env(postgres: PostgresServer, schema: str | None) -> dict[str, str]:
    env = {
        "TARGET_POSTGRES_HOST": postgres.host,
        "TARGET_POSTGRES_PORT": str(postgres.port),
        "TARGET_POSTGRES_USER": postgres.user,
        "TARGET_POSTGRES_PASSWORD": "unused-with-trust-auth",
        "TARGET_POSTGRES_DATABASE": postgres.database,
    }
    if schema:
        env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"] = schema
    return env


def only(*streams: str) -> dict[str, str]:
    """Meltano's select_filter: the run reads only ``streams`` of the selection."""
    return {"TAP_PERSONIO__SELECT_FILTER": json.dumps(list(streams))}


def data_paths(sandbox: Sandbox) -> set[str]:
    """The paths the tap read records from, the start-up catalogue requests left out."""
    return {r.path for r in sandbox.requests if not CATALOGUE.match(r.path)}


def jsonl(directory: Path) -> dict[str, list[dict]]:
    return {
        path.stem: [json.loads(line) for line in path.read_text().splitlines()]
        for path in directory.glob("*.jsonl")
    }


def rows(postgres: PostgresServer, sql: str, *params: t.Any) -> list[dict[str, t.Any]]:
    with psycopg.connect(postgres.dsn(), row_factory=dict_row) as conn:
        return conn.execute(t.cast(t.LiteralString, sql), params).fetchall()


def tables(postgres: PostgresServer, schema: str) -> dict[str, list[dict[str, t.Any]]]:
    names = rows(
        postgres,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        schema,
    )
    return {
        n["table_name"]: rows(postgres, f'SELECT * FROM {schema}."{n["table_name"]}"')
        for n in names
    }


def listed_streams(listing: Completed) -> set[str]:
    """The streams `meltano select --list` shows as selected."""
    return set(re.findall(r"^\s*\[(?:selected|automatic)\s*\] (\w+)\.", listing.stdout, re.M))


def bookmarks(project: MeltanoProject, state_id: str) -> dict[str, dict]:
    return dict(project.state(state_id)["singer_state"]["bookmarks"])


@pytest.fixture(scope="module")
def company() -> t.Iterator[Sandbox]:
    """The sandbox's default company (seed 1), small; nothing changes it."""
    with small_sandbox(seed=1) as sb:
        yield sb


@pytest.fixture
def scratch(installed_plugins: MeltanoProject, tmp_path: Path) -> t.Callable[..., MeltanoProject]:
    def make(env: dict[str, str]) -> MeltanoProject:
        return scratch_project(tmp_path, env)

    return make


# ---------------------------------------------------------------------------------------------
# 2. pick datasets and attributes


def test_only_employees_and_absences_are_requested_and_loaded(
    scratch: t.Callable[..., MeltanoProject], company: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "output"
    out.mkdir()
    project = scratch({**sandbox_env(company), "TARGET_JSONL_DESTINATION_PATH": str(out)})
    wanted = {"employees", "time_offs", "absence_periods"}

    project.run(
        *documented(
            "config", "set", "tap-personio", "_select",
            '["employees.*", "time_offs.*", "absence_periods.*"]',
        )
    )  # fmt: skip
    listing = project.run(*documented("--environment=dev", "select", "tap-personio", "--list"))
    assert listed_streams(listing) == wanted
    company.clear_requests()
    project.run(*documented("run", "tap-personio", "target-jsonl"))

    assert data_paths(company) == {
        "/v1/company/employees",
        "/v1/company/time-offs",
        "/v2/absence-periods",
    }
    loaded = jsonl(out)
    assert set(loaded) == wanted
    assert all(loaded[name] for name in wanted), {k: len(v) for k, v in loaded.items()}
    assert len(loaded["employees"]) == len(company.v1_employee_ids())


def test_salary_and_bank_columns_are_never_requested_nor_loaded(
    scratch: t.Callable[..., MeltanoProject], company: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "output"
    out.mkdir()
    project = scratch({**sandbox_env(company), "TARGET_JSONL_DESTINATION_PATH": str(out)})

    discovered = project.run(*documented("--environment=dev", "invoke", "tap-personio",
                                         "--discover"))  # fmt: skip
    # What the guide's jq does: the key of the employees column titled IBAN.
    (employees,) = [
        s for s in json.loads(discovered.stdout)["streams"] if s["tap_stream_id"] == "employees"
    ]
    iban = [k for k, v in employees["schema"]["properties"].items() if v.get("title") == "IBAN"]
    assert iban == [IBAN]
    for args in (
        ("select", "tap-personio", "--exclude", "employees", "fix_salary*"),
        ("select", "tap-personio", "--exclude", "employees", "hourly_salary*"),
        ("select", "tap-personio", "--exclude", "employees", IBAN),
        ("select", "tap-personio", "--exclude", "persons", IBAN),
    ):
        project.run(*documented(*args))
    company.clear_requests()
    project.run(*documented("run", "tap-personio", "target-jsonl"))

    gone = {"fix_salary", "fix_salary_currency", "fix_salary_interval", "hourly_salary",
            "hourly_salary_currency", IBAN}  # fmt: skip
    queries = [r.query for r in company.requests if r.path == "/v1/company/employees"]
    assert queries
    for query in queries:
        requested = set(query["attributes[]"])
        assert not requested & gone, sorted(requested & gone)
        assert {"first_name", "last_name", "weekly_working_hours", "dynamic_653694"} <= requested
    loaded = jsonl(out)
    for stream in ("employees", "persons"):
        assert loaded[stream]
        for record in loaded[stream]:
            assert not set(record) & gone, (stream, sorted(set(record) & gone))
            assert record["last_name"]  # the rest is still there
            assert "dynamic_653694" in record
    assert any(r["weekly_working_hours"] for r in loaded["employees"])


def test_every_stream_but_recruiting(
    scratch: t.Callable[..., MeltanoProject], company: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "output"
    out.mkdir()
    project = scratch({**sandbox_env(company), "TARGET_JSONL_DESTINATION_PATH": str(out)})
    before = listed_streams(project.run("--environment=dev", "select", "tap-personio", "--list"))
    assert {"recruiting_jobs", "recruiting_categories"} <= before

    project.run(*documented("select", "tap-personio", "--exclude", "recruiting_*", "*"))
    listing = project.run(*documented("--environment=dev", "select", "tap-personio", "--list"))
    selected = listed_streams(listing)
    assert selected == {s for s in before if not s.startswith("recruiting_")}
    company.clear_requests()
    project.run(*documented("run", "tap-personio", "target-jsonl"))

    assert not [p for p in data_paths(company) if p.startswith("/v2/recruiting")]
    assert {"/v1/company/employees", "/v2/persons", "/v2/attendance-periods"} <= data_paths(company)
    loaded = jsonl(out)
    assert set(loaded) == selected
    assert all(loaded[s] for s in ("employees", "persons", "attendance_periods", "jobs"))


# ---------------------------------------------------------------------------------------------
# 3. metadata columns


def test_metadata_columns_say_when_each_row_was_read_loaded_and_deleted(
    scratch: t.Callable[..., MeltanoProject], postgres: PostgresServer, tmp_path: Path
) -> None:
    schema = "journey_metadata"
    streams = only("employees", "employments")
    with small_sandbox(seed=3) as sandbox:
        project = scratch({**sandbox_env(sandbox), **postgres_env(postgres, schema)})
        project.run(*documented("config", "set", "target-postgres", "add_record_metadata", "true"))
        project.run(*documented("config", "set", "target-postgres", "hard_delete", "false"))

        started = datetime.now(UTC)
        project.run(*documented("run", "tap-personio", "target-postgres"), env=streams)
        ended = datetime.now(UTC)
        first = tables(postgres, schema)
        (erased,) = sandbox.company.mutate(delete=1)["deleted"]
        second_started = datetime.now(UTC)
        project.run(*documented("run", "tap-personio", "target-postgres"), env=streams)
        second_ended = datetime.now(UTC)
    after = tables(postgres, schema)

    def within(moment: datetime, start: datetime, end: datetime) -> bool:
        """``moment``, a `timestamp` column (UTC without a zone), falls in the run."""
        assert moment.tzinfo is None
        slack = timedelta(seconds=2)
        return start - slack <= moment.replace(tzinfo=UTC) <= end + slack

    def millis(moment: datetime) -> int:
        return int(moment.timestamp() * 1000)

    for stream in ("employees", "employments"):
        loaded = first[stream]
        assert loaded, stream
        assert set(METADATA) <= set(loaded[0]), stream
        for row in loaded:
            assert within(row["_sdc_extracted_at"], started, ended), row
            assert within(row["_sdc_received_at"], started, ended), row
            assert within(row["_sdc_batched_at"], started, ended), row
            assert row["_sdc_extracted_at"] <= row["_sdc_received_at"] + timedelta(seconds=1)
            assert row["_sdc_deleted_at"] is None
            assert isinstance(row["_sdc_sequence"], int)
            assert millis(started) - 2000 <= row["_sdc_sync_started_at"] <= millis(ended)
        # The first run reads each stream in full: one table version for all its rows.
        versions = {row["_sdc_table_version"] for row in loaded}
        (version,) = versions
        assert version is not None
        assert millis(started) - 2000 <= version <= millis(ended)

    # employments is read in full every run: the erased person's row is marked, not deleted.
    employments = {row["person_id"]: row for row in after["employments"]}
    marked = {p for p, row in employments.items() if row["_sdc_deleted_at"] is not None}
    assert marked == {str(erased)}
    gone, kept = employments[str(erased)], employments[next(iter(set(employments) - marked))]
    assert within(gone["_sdc_deleted_at"], second_started, second_ended)
    assert gone["_sdc_table_version"] < kept["_sdc_table_version"]
    assert gone["_sdc_sync_started_at"] < kept["_sdc_sync_started_at"]
    # employees ran incrementally: no full read, so no delete yet (the weekly full read does).
    assert erased in {row["id"] for row in after["employees"]}
    assert all(row["_sdc_deleted_at"] is None for row in after["employees"])

    types = rows(
        postgres,
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = 'employments' AND column_name LIKE '_sdc_%%'",
        schema,
    )
    stamp, number = "timestamp without time zone", "bigint"
    assert {r["column_name"]: r["data_type"] for r in types} == {
        "_sdc_extracted_at": stamp,
        "_sdc_received_at": stamp,
        "_sdc_batched_at": stamp,
        "_sdc_deleted_at": stamp,
        "_sdc_sequence": number,
        "_sdc_table_version": number,
        "_sdc_sync_started_at": number,
    }
    # The guide's query runs as shown and returns one row of each kind.
    query = sql_block("_sdc_table_version").replace("tap_personio.", f"{schema}.")
    shown = rows(postgres, query)
    assert [row["_sdc_deleted_at"] is None for row in shown] == [True, False]
    (tmp_path / "metadata-sample.json").write_text(json.dumps(shown, default=str, indent=1))


# ---------------------------------------------------------------------------------------------
# 4. schedules


def test_a_nightly_schedule_and_a_weekly_full_read_under_its_own_state_id(
    scratch: t.Callable[..., MeltanoProject], company: Sandbox, postgres: PostgresServer
) -> None:
    project = scratch({**sandbox_env(company), **postgres_env(postgres, "journey_schedules")})
    project.run(*documented("job", "add", "personio-nightly", "--tasks",
                            "[tap-personio target-postgres]"))  # fmt: skip
    project.run(*documented("schedule", "add", "personio-nightly", "--job", "personio-nightly",
                            "--interval", "0 2 * * *"))  # fmt: skip
    project.run(*documented("schedule", "add", "personio-weekly-full-read", "--job",
                            "personio-nightly", "--interval", "0 4 * * 0"))  # fmt: skip
    project.run(*documented("config", "set", "tap-personio", "full_resync_days", "0"))
    shown = yaml_block("MELTANO_RUN_FULL_REFRESH")["schedules"]

    def add_env(document: dict) -> None:
        """The guide's edit: its schedules are what `schedule add` wrote, plus `env:`."""
        written = [{k: v for k, v in s.items() if k != "env"} for s in shown]
        assert document["schedules"] == written
        document["schedules"] = shown

    edit_meltano_yml(project, add_env)

    listed = json.loads(project.run(*documented("schedule", "list", "--format=json")).stdout)
    by_name = {s["name"]: s for s in listed["schedules"]["job"]}
    assert listed["schedules"]["elt"] == []
    assert set(by_name) == {"personio-nightly", "personio-weekly-full-read"}
    nightly, weekly = by_name["personio-nightly"], by_name["personio-weekly-full-read"]
    assert (nightly["interval"], nightly["cron_interval"]) == ("0 2 * * *", "0 2 * * *")
    assert (weekly["interval"], weekly["cron_interval"]) == ("0 4 * * 0", "0 4 * * 0")
    for schedule in (nightly, weekly):
        assert schedule["job"] == {
            "name": "personio-nightly",
            "tasks": ["tap-personio target-postgres"],
        }
    assert nightly["env"] == {}
    assert weekly["env"] == {
        "MELTANO_RUN_FULL_REFRESH": "true",
        "MELTANO_RUN_STATE_ID_SUFFIX": "weekly-full-read",
    }

    # What the scheduler runs: the nightly run is incremental from its second run on; the
    # weekly one reads in full every time, under its own state id.
    def reads_in_full(name: str) -> bool:
        """`meltano schedule run NAME`; whether it read employees without `updated_since`."""
        company.clear_requests()
        project.run(*documented("schedule", "run", name), env=only("employees"))
        queries = [r.query for r in company.requests if r.path == "/v1/company/employees"]
        assert queries, f"{name} did not read employees"
        incremental = {"updated_since" in q for q in queries}
        assert len(incremental) == 1, queries
        return not incremental.pop()

    assert reads_in_full("personio-nightly")  # the first run
    assert not reads_in_full("personio-nightly")
    nightly_state = project.state(NIGHTLY)
    assert reads_in_full("personio-weekly-full-read")
    assert reads_in_full("personio-weekly-full-read")  # again: forced, though it has a state
    weekly_state = project.state(f"{NIGHTLY}:weekly-full-read")
    assert weekly_state["singer_state"]["bookmarks"]["employees"]["replication_key_value"]
    assert project.state(NIGHTLY) == nightly_state


# ---------------------------------------------------------------------------------------------
# 5. backfill one stream


def test_a_backfill_loads_one_streams_history_and_leaves_the_nightly_state_alone(
    scratch: t.Callable[..., MeltanoProject], company: Sandbox, postgres: PostgresServer
) -> None:
    schema = "journey_backfill"
    project = scratch({**sandbox_env(company), **postgres_env(postgres, schema)})
    nightly_streams = only("employees", "time_offs", "absence_periods", "attendance_periods")
    nightly_start = date(2026, 9, 1)
    project.run("config", "set", "tap-personio", "start_date", nightly_start.isoformat())
    project.run(*documented("run", "tap-personio", "target-postgres"), env=nightly_streams)
    nightly = tables(postgres, schema)
    nightly_bookmarks = bookmarks(project, NIGHTLY)
    all_time_offs = {t.id for t in company.company.time_offs}
    old = {t.id for t in company.company.time_offs if t.updated_at.date() < nightly_start}
    recent = all_time_offs - old
    # The nightly run honours start_date (a day or two of look-back at most).
    loaded = {row["id"] for row in nightly["time_offs"]}
    assert recent <= loaded
    assert old
    assert len(old & loaded) < len(old) / 4

    backfill = {"TAP_PERSONIO__SELECT_FILTER": '["time_offs"]',
                "TAP_PERSONIO_START_DATE": "2025-01-01"}  # fmt: skip
    company.clear_requests()
    project.run(
        *documented("run", "--full-refresh", "--state-id-suffix", "backfill", "tap-personio",
                    "target-postgres", env=backfill),
        env=backfill,
    )  # fmt: skip
    after = tables(postgres, schema)

    assert data_paths(company) == {"/v1/company/time-offs"}
    assert {row["id"] for row in after["time_offs"]} == all_time_offs
    for stream in ("employees", "absence_periods", "attendance_periods"):

        def written(table: list[dict]) -> set[tuple]:
            return {(row["id"], row["_sdc_batched_at"]) for row in table}

        assert written(after[stream]) == written(nightly[stream]), stream
    assert bookmarks(project, NIGHTLY) == nightly_bookmarks
    assert set(bookmarks(project, f"{NIGHTLY}:backfill")) == {"time_offs"}

    # As the guide says: move start_date back, else the next full read of time_offs (every
    # full_resync_days) reads from the later date again and deletes the history.
    project.run(*documented("config", "set", "tap-personio", "start_date", "2025-01-01"))
    state = project.state(NIGHTLY)
    week_ago = (datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")
    for bookmark in state["singer_state"]["bookmarks"].values():
        bookmark["full_read_at"] = week_ago
    project.run("state", "set", "--force", NIGHTLY, json.dumps(state))
    due = project.run("run", "tap-personio", "target-postgres", env=nightly_streams)
    assert "time_offs: reading every record (the last full read was on" in due.stderr
    assert {row["id"] for row in tables(postgres, schema)["time_offs"]} == all_time_offs


# ---------------------------------------------------------------------------------------------
# 6. many accounts


def test_two_accounts_load_into_their_own_schemas_with_their_own_state(
    scratch: t.Callable[..., MeltanoProject], postgres: PostgresServer
) -> None:
    accounts = yaml_block("tap-personio--acme")["plugins"]["extractors"]
    assert [a["name"] for a in accounts] == ["tap-personio--acme", "tap-personio--globex"]
    with (
        small_sandbox(21, client_id="acme-id", client_secret="acme-secret") as acme,
        small_sandbox(22, 12, client_id="globex-id", client_secret="globex-secret") as globex,
    ):
        project = scratch(
            {
                **postgres_env(postgres, None),  # the schema comes from each load_schema
                "ACME_PERSONIO_CLIENT_ID": acme.client_id,
                "ACME_PERSONIO_CLIENT_SECRET": acme.client_secret,
                "TAP_PERSONIO__ACME_API_URL": acme.url,
                "GLOBEX_PERSONIO_CLIENT_ID": globex.client_id,
                "GLOBEX_PERSONIO_CLIENT_SECRET": globex.client_secret,
                "TAP_PERSONIO__GLOBEX_API_URL": globex.url,
            }
        )
        edit_meltano_yml(project, lambda d: d["plugins"]["extractors"].extend(accounts))
        for name in ("acme", "globex"):
            project.run(
                *documented("run", f"tap-personio--{name}", "target-postgres"),
                env={f"TAP_PERSONIO__{name.upper()}__SELECT_FILTER": '["employees"]'},
            )
        companies = {
            "acme": {i: acme.v1_employee(i) for i in acme.v1_employee_ids()},
            "globex": {i: globex.v1_employee(i) for i in globex.v1_employee_ids()},
        }
        assert acme.count(path="/v1/company/employees")
        assert globex.count(path="/v1/company/employees")

    states = project.run(*documented("state", "list")).stdout.split()
    for name, people in companies.items():
        loaded = {
            row["id"]: row["email"]
            for row in rows(postgres, f"SELECT id, email FROM personio_{name}.employees")
        }
        assert loaded == {i: a["email"]["value"] for i, a in people.items()}, name
        state_id = f"dev:tap-personio--{name}-to-target-postgres"
        assert state_id in states
        bookmark = bookmarks(project, state_id)["employees"]["replication_key_value"]
        changes = [datetime.fromisoformat(p["last_modified_at"]["value"]) for p in people.values()]
        newest = max(changes)
        assert datetime.fromisoformat(bookmark) == newest, name
    # The companies differ (20 and 12 people), so a schema holding the other's rows would fail.
    assert len(companies["acme"]) != len(companies["globex"])
    assert NIGHTLY not in states


# ---------------------------------------------------------------------------------------------
# the guide is one link from the README


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


@pytest.mark.parametrize(
    "heading",
    [
        "Pick datasets and attributes",
        "Metadata columns",
        "Schedules",
        "Backfilling one stream",
        "Many Personio accounts",
    ],
)
def test_each_journey_section_is_one_link_from_the_readme(heading: str) -> None:
    assert f"\n## {heading}\n" in DOCS.read_text()
    assert f"(docs/meltano.md#{slug(heading)})" in (REPO / "README.md").read_text()
