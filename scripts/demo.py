"""`make demo`: Personio -> Meltano -> DuckDB on this machine, with no credentials.

Starts the local Personio sandbox with a synthetic company, installs the two Meltano plugins it
needs (once; later runs reuse .meltano/), runs `meltano run tap-personio target-duckdb`, stops
the sandbox and prints what landed: every table with its row count and one example query.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tap_personio.sandbox import Sandbox

REPO = Path(__file__).resolve().parent.parent
MELTANO = Path(sys.executable).parent / "meltano"
OUTPUT = REPO / "output"
DATABASE = OUTPUT / "demo.duckdb"
LOG = OUTPUT / "demo-meltano.log"
SCHEMA = "tap_personio"  # the extractor's namespace, Meltano's default load schema
EMPLOYEES = 500

ABSENCE_QUERY = f"""
SELECT t.name AS absence_type, count(*) AS time_offs, sum(o.days_count) AS days
FROM {SCHEMA}.time_offs o JOIN {SCHEMA}.time_off_types t
  ON t.id = CAST(json_extract(o.time_off_type, '$.id') AS BIGINT)
WHERE o.status = 'approved'
GROUP BY 1
ORDER BY days DESC
"""

EXAMPLE_QUERY = f"""
SELECT json_extract_string(department, '$.name') AS department,
       count(*) AS employees,
       round(avg(weekly_working_hours), 1) AS avg_weekly_hours
FROM {SCHEMA}.employees
WHERE status <> 'inactive'
GROUP BY 1
ORDER BY employees DESC, department
"""


def meltano(*args: str, env: dict[str, str]) -> None:
    """Run one Meltano command, its output appended to the log; on failure show its end."""
    with LOG.open("a") as log:
        log.write(f"\n$ meltano {' '.join(args)}\n")
        log.flush()
        result = subprocess.run(
            [str(MELTANO), *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    if result.returncode != 0:
        tail = LOG.read_text(errors="replace").splitlines()[-40:]
        sys.exit(f"`meltano {' '.join(args)}` failed; the end of {LOG}:\n" + "\n".join(tail))


def print_table(header: list[str], rows: list[tuple]) -> None:
    cells = [header, *[[("" if v is None else str(v)) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        print(("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True))).rstrip())
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def main() -> None:
    OUTPUT.mkdir(exist_ok=True)
    LOG.write_text("")
    DATABASE.unlink(missing_ok=True)
    # Only what this demo sets reaches Meltano: no credential or target setting of the shell.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TAP_PERSONIO_", "TARGET_DUCKDB_", "MELTANO_"))
    }
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["MELTANO_ENVIRONMENT"] = "dev"
    # target-duckdb 0.8.0 fails (a DuckDB internal error) to upsert a table whose columns are
    # all key columns, such as project_members; the demo leaves that one table out.
    env["TAP_PERSONIO__SELECT_FILTER"] = '["!project_members"]'

    started = time.monotonic()
    print("Installing the Meltano plugins tap-personio and target-duckdb (first run only) ...")
    meltano("install", "tap-personio", "target-duckdb", env=env)

    with Sandbox(employees=EMPLOYEES, seed=1, years=1, custom_attributes=12) as sandbox:
        print(f"Personio sandbox: {len(sandbox.v1_employee_ids())} employees at {sandbox.url}")
        env["TAP_PERSONIO_API_URL"] = sandbox.url
        env["TAP_PERSONIO_CLIENT_ID"] = sandbox.client_id
        env["TAP_PERSONIO_CLIENT_SECRET"] = sandbox.client_secret
        env["TARGET_DUCKDB_FILEPATH"] = str(DATABASE)
        print("Running: meltano run tap-personio target-duckdb ...")
        meltano("run", "--full-refresh", "tap-personio", "target-duckdb", env=env)
        people = len(sandbox.v1_employee_ids())
        expected = {"employees": people, "persons": people, "employments": people}
    print(f"Done in {time.monotonic() - started:.0f} s; Meltano's log: {LOG.relative_to(REPO)}")
    report(expected)


def report(expected: dict[str, int]) -> None:
    """Every table with its row count, and one query; fails if employees went missing."""
    with duckdb.connect(str(DATABASE), read_only=True) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                "ORDER BY table_name",
                [SCHEMA],
            ).fetchall()
        ]
        counts = {
            name: db.execute(f'SELECT count(*) FROM {SCHEMA}."{name}"').fetchone()[0]  # type: ignore[index]
            for name in tables
        }
        print(f"\nTables in {DATABASE.relative_to(REPO)}, schema {SCHEMA}:")
        print_table(["table", "rows"], list(counts.items()))
        print("\nActive employees per department:")
        print("  " + " ".join(EXAMPLE_QUERY.split()))
        cursor = db.execute(EXAMPLE_QUERY)
        print_table([d[0] for d in cursor.description], cursor.fetchall())
        print("\nApproved time-offs per absence type:")
        cursor = db.execute(ABSENCE_QUERY)
        print_table([d[0] for d in cursor.description], cursor.fetchall())
    wrong = {k: (counts.get(k), n) for k, n in expected.items() if counts.get(k) != n}
    if wrong:
        sys.exit(f"Rows lost on the way (table: loaded, in the sandbox): {wrong}; see {LOG}.")
    path = DATABASE.relative_to(REPO)
    print(
        "\nExplore it: .venv/bin/python -c "
        f"\"import duckdb; duckdb.connect('{path}').sql('FROM {SCHEMA}.employees LIMIT 5').show()\""
    )


if __name__ == "__main__":
    main()
