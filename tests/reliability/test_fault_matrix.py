"""Every stream under Personio's faults, each run judged by its output: the records a full sync
emits must equal what the sandbox serves (every key, no duplicate primary key, equal values),
not merely arrive without a crash.

Which test covers which fault:

* ``test_a_fault_on_every_endpoint_loses_no_row[...]``: a 429, 500, 502, 503, 504, a dropped
  connection, a truncated body and a response slower than ``request_timeout``, each once on the
  endpoint of every stream of ``STREAMS`` (v1 and v2), in one full sync per fault.
* ``test_each_retry_warning_names_the_endpoint_that_failed[...]``: in those runs, the tap's
  retry warnings name every stream's endpoint.
* ``test_an_injected_429_carries_no_hint_so_the_tap_backs_off_on_its_own``: the 429s of that
  matrix carry no ``Retry-After`` on either generation (nor v2's ``x-ratelimit-*``), and the tap
  waited its own exponential first step for each.
* ``test_429_bursts_on_both_token_endpoints_are_waited_out``: 429 bursts on ``/v1/auth`` and
  ``/v2/auth/token``.
* ``test_a_token_expiring_mid_run_is_renewed_before_personio_refuses_it``: token lifetime of a
  few seconds, with latency.
* ``test_a_token_revoked_mid_run_is_reminted_once_and_loses_no_row``: ``revoke_after`` between
  two sequential requests.
* ``test_a_token_revoked_while_children_are_in_flight_is_reminted_once``: ``revoke_after``
  while a child stream has several requests in flight.
* ``test_a_second_refusal_ends_the_sync_with_one_line_and_a_state_to_resume_from``: a revoked
  token whose re-minted successor is refused too, in the second of two incremental streams.
* ``test_a_repeated_v2_cursor_neither_loses_nor_duplicates_a_row``: ``repeat_cursor`` on every
  v2 list.
* ``test_an_empty_company_syncs_every_stream_without_an_error``: a company without employees.

How the runs are kept short: the tap runs as its command line, in a subprocess whose
``backoff`` sleeps at most 50 ms per retry (the waits it meant are written to a file, so the
tests still see them: the approach of ``tests/test_faults.py``'s ``waits`` fixture, carried into
the subprocess); ``request_timeout`` is 1 s where a response is made slower than it. The eight
transport runs are independent and mostly wait on the tap's rate limiter, so they run side by
side, each against a sandbox of its own.

Faults are put on each stream's *endpoint* (``inject(..., exact=True)``): its path template matched
whole (``{...}`` standing for one path segment). A plain ``path`` is a prefix, and prefixes nest:
``/v1/company/employees`` is a prefix of ``/v1/company/employees/attributes``, which every run
reads first, so the attribute read's retry would take the employees fault and the employees
endpoint would never see one (``/v2/compensations/types`` and ``/v2/compensations`` likewise).
"""

from __future__ import annotations

import re
import sys
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests

import tests.conftest
from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.server import LoggedRequest
from tap_personio.streams import STREAMS
from tests.conftest import TapRun, discover, run_tap, select, tap_config
from tests.streams.personio_data import EXPECTATIONS, Expected, Reader, differences

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

NAMES = tuple(stream.name for stream in STREAMS)
V2_LISTS = tuple(s.name for s in STREAMS if s.api_version == "v2" and "{" not in s.path)
TOKEN_PATHS = ("/v1/auth", "/v2/auth/token")
#: A small company: a full sync of every stream takes about 10 s, bounded by the tap's own
#: pace on v2 (10 requests a second until Personio's headers say more).
COMPANY: dict[str, t.Any] = {"employees": 3, "seed": 3, "years": 1, "rate_limits": False}

# --------------------------------------------------------------------------- the tap, quickly
#: The tap's command line, with backoff's sleeps cut to at most 50 ms and written to the file
#: named by TAP_PERSONIO_TEST_WAITS (one wait per line), so that retries cost no real time.
SHORT_WAITS = """
import os, time
import backoff._sync

class ShortSleeps:
    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds):
        record = os.environ.get("TAP_PERSONIO_TEST_WAITS")
        if record:
            with open(record, "a") as waits:
                waits.write(f"{seconds}\\n")
        time.sleep(min(seconds, 0.05))

backoff._sync.time = ShortSleeps()
from tap_personio.tap import TapPersonio
TapPersonio.cli()
"""


@pytest.fixture(scope="module", autouse=True)
def short_waits() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tests.conftest, "TAP", [sys.executable, "-c", SHORT_WAITS])
        yield


def sync(
    sandbox: Sandbox,
    catalog: dict,
    waits: Path | None = None,
    state: dict | None = None,
    **config: object,
) -> TapRun:
    """One run of the tap with ``catalog``; the backoff waits it meant go to ``waits``."""
    env = {"TAP_PERSONIO_TEST_WAITS": str(waits)} if waits else None
    settings = tap_config(sandbox, **{"request_timeout": 10, **config})
    return run_tap(settings, catalog=catalog, state=state, env=env, timeout=240)


def catalog_of(sandbox: Sandbox, names: Iterable[str] = NAMES) -> dict:
    """The discovered catalog with ``names`` selected (discovered before any fault)."""
    return select(discover(tap_config(sandbox)), tuple(names))


def waits_in(path: Path) -> list[float]:
    return [float(line) for line in path.read_text().split()] if path.exists() else []


# --------------------------------------------------------------------------- faults on endpoints
def endpoint(template: str) -> re.Pattern[str]:
    """A stream's path template as a pattern: each ``{name}`` is one path segment."""
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


def fault_endpoint(sandbox: Sandbox, kind: str, template: str, count: int = 1, **params: t.Any):
    """``sandbox.inject`` on one endpoint only, its template matched whole."""
    sandbox.inject(kind, count, template, exact=True, **params)


def left_over(sandbox: Sandbox) -> list[str]:
    """The endpoints whose injected fault no request took."""
    return [f"{f.kind} on {f.path}" for f in sandbox.faults.active()]


def streams_answered(log: list[LoggedRequest], answered: Callable[[LoggedRequest], bool]) -> set:
    """The streams whose endpoint answered at least one logged request as ``answered`` says."""
    return {
        stream.name
        for stream in STREAMS
        if any(endpoint(stream.path).fullmatch(e.path) and answered(e) for e in log)
    }


RETRIED = re.compile(r"Retrying in .* after (?:\w+ (/\S+) answered|.*failure reaching (/\S+) on)")


def streams_retried(stderr: str) -> set[str]:
    """The streams whose endpoint the tap's log names in a retry warning."""
    paths = {a or b for a, b in RETRIED.findall(stderr)}
    return {s.name for s in STREAMS if any(endpoint(s.path).fullmatch(p) for p in paths)}


# --------------------------------------------------------------------------- the comparison
def truth_of(sandbox: Sandbox, names: Iterable[str] = NAMES) -> dict[str, Expected]:
    """What each stream should emit, read from the sandbox with every fault cleared."""
    sandbox.clear_faults()
    with Reader(sandbox) as read:
        return {name: EXPECTATIONS[name](read) for name in names}


def primary_key(record: dict, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(record.get(field)) for field in fields)


def mismatches(run: TapRun, truth: dict[str, Expected]) -> dict[str, list[str]]:
    """Per stream, how its records differ from the sandbox's (the catalogue test's comparison:
    the same set of primary keys, none twice, every value equal); empty when none do."""
    found: dict[str, list[str]] = {}
    for name, want in truth.items():
        emitted = run.records.get(name, [])
        by_key = {primary_key(record, want.key): record for record in emitted}
        wanted = {primary_key(record, want.key): record for record in want.records}
        problems = [f"{len(emitted) - len(by_key)} duplicate primary keys"] * (
            len(by_key) != len(emitted)
        )
        problems += [f"missing {key}" for key in sorted(wanted.keys() - by_key.keys())]
        problems += [f"not in the sandbox: {key}" for key in sorted(by_key.keys() - wanted.keys())]
        problems += [
            f"{key} {problem}"
            for key, record in wanted.items()
            if key in by_key
            for problem in differences(record, by_key[key])
        ]
        if problems:
            found[name] = problems[:5] + ([f"... {len(problems)} in all"] * (len(problems) > 5))
    return found


def bookmarks(state: dict) -> dict[str, t.Any]:
    """Each stream's replication key value in a Singer state."""
    return {
        name: entry.get("replication_key_value")
        for name, entry in (state.get("bookmarks") or {}).items()
        if entry.get("replication_key_value") is not None
    }


def failure_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.search(r"\| (ERROR|CRITICAL) ", line)]


# --------------------------------------------------------------------------- 1. transport faults
@dataclass(frozen=True)
class Transport:
    """One transport fault of the matrix, and how the sandbox's log shows it was served."""

    name: str
    kind: str
    params: dict[str, t.Any] = field(default_factory=dict)
    config: dict[str, t.Any] = field(default_factory=dict)
    #: None: the log cannot show it (a truncated body is logged with its status)
    answered: Callable[[LoggedRequest], bool] | None = None


SLOW_SECONDS = 2.0


def slow(entry: LoggedRequest) -> bool:
    return entry.duration >= SLOW_SECONDS


def answered_with(status: int) -> Callable[[LoggedRequest], bool]:
    """Logged with ``status``: an injected status, or 0 for a dropped connection."""
    return lambda entry: entry.status == status


TRANSPORTS = (
    *(
        Transport(str(s), "status", {"status": s}, answered=answered_with(s))
        for s in (429, 500, 502, 503, 504)
    ),
    Transport("drop", "drop", answered=answered_with(0)),
    Transport("truncate", "truncate"),
    Transport("slow", "slow", {"seconds": SLOW_SECONDS}, {"request_timeout": 1}, answered=slow),
)


@dataclass
class Outcome:
    run: TapRun
    log: list[LoggedRequest]
    left_over: list[str]
    truth: dict[str, Expected]
    waits: list[float]
    #: for 429: the headers of one injected 429 per generation, read before the run
    probes: dict[str, requests.structures.CaseInsensitiveDict] = field(default_factory=dict)


def probe_429s(sandbox: Sandbox) -> dict[str, requests.structures.CaseInsensitiveDict]:
    """The headers of an injected 429 on a v1 and on a v2 endpoint."""
    with Reader(sandbox) as read:
        headers = {}
        for version, path in (("v1", "/v1/company/time-off-types"), ("v2", "/v2/jobs")):
            fault_endpoint(sandbox, "status", path, status=429)
            answer = read.session.get(
                sandbox.url + path,
                headers={"Authorization": f"Bearer {read.tokens[version]}"},
                timeout=10,
            )
            assert answer.status_code == 429
            headers[version] = answer.headers
    return headers


def transport_run(case: Transport, waits: Path) -> Outcome:
    """A full sync of every stream with ``case`` once on the endpoint of each."""
    with Sandbox(**COMPANY) as sandbox:
        catalog = catalog_of(sandbox)
        probes = probe_429s(sandbox) if case.params.get("status") == 429 else {}
        assert left_over(sandbox) == []
        sandbox.clear_requests()
        for stream in STREAMS:
            fault_endpoint(sandbox, case.kind, stream.path, **case.params)
        run = sync(sandbox, catalog, waits, **case.config)
        remaining = left_over(sandbox)
        if case.kind == "slow":  # a slowed answer is logged once its delay is over
            time.sleep(SLOW_SECONDS)
        log = sandbox.requests
        return Outcome(run, log, remaining, truth_of(sandbox), waits_in(waits), probes)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, t.Any]:
    """Every transport run, side by side (each waits mostly on the tap's rate limiter); a
    case's failure is raised in that case's test."""
    folder = tmp_path_factory.mktemp("waits")
    with ThreadPoolExecutor(4) as pool:  # the slow case, the longest, starts first
        futures = {
            case.name: pool.submit(transport_run, case, folder / case.name)
            for case in sorted(TRANSPORTS, key=lambda c: c.kind != "slow")
        }
        return {name: future.exception() or future.result() for name, future in futures.items()}


def outcome_of(matrix: dict[str, t.Any], name: str) -> Outcome:
    found = matrix[name]
    if isinstance(found, BaseException):
        raise found
    return t.cast("Outcome", found)


@pytest.mark.parametrize("case", TRANSPORTS, ids=[case.name for case in TRANSPORTS])
def test_a_fault_on_every_endpoint_loses_no_row(matrix, case):
    outcome = outcome_of(matrix, case.name)
    run = outcome.run
    assert run.returncode == 0, run.stderr[-3000:]
    assert all(outcome.truth[name].records for name in NAMES), "no data would prove nothing"
    assert mismatches(run, outcome.truth) == {}
    # The sandbox served every fault, each on its own stream's endpoint, and the tap waited
    # before each retry.
    assert outcome.left_over == []
    if case.answered is not None:
        assert set(NAMES) - streams_answered(outcome.log, case.answered) == set()
    assert len(outcome.waits) >= len(NAMES)
    assert failure_lines(run.stderr) == []


@pytest.mark.parametrize(
    "case",
    TRANSPORTS,
    ids=[case.name for case in TRANSPORTS],
)
def test_each_retry_warning_names_the_endpoint_that_failed(matrix, case):
    run = outcome_of(matrix, case.name).run
    assert set(NAMES) - streams_retried(run.stderr) == set()


def test_an_injected_429_carries_no_hint_so_the_tap_backs_off_on_its_own(matrix):
    # The sandbox sends Retry-After on neither generation, and its injected 429s carry no
    # x-ratelimit-* either (only its real v2 rate limiter sets those): both generations'
    # 429s are waited out by the tap's own backoff, whose first step is 0.5 to 1 s.
    outcome = outcome_of(matrix, "429")
    for version in ("v1", "v2"):
        headers = outcome.probes[version]
        assert "Retry-After" not in headers, version
        assert not [h for h in headers if h.lower().startswith("x-ratelimit")], version
    assert outcome.waits
    assert all(0.5 <= wait <= 1.0 for wait in outcome.waits), outcome.waits


# --------------------------------------------------------------------------- 2. token endpoints
def test_429_bursts_on_both_token_endpoints_are_waited_out(tmp_path):
    with Sandbox(**COMPANY) as sandbox:
        catalog = catalog_of(sandbox)
        sandbox.clear_requests()
        for path in TOKEN_PATHS:  # as many 429s as the tap retries (max_retries 3)
            sandbox.inject("status", count=3, status=429, path=path)
        run = sync(sandbox, catalog, tmp_path / "waits")
        refused = {path: sandbox.count(path=path, status=429) for path in TOKEN_PATHS}
        minted = {path: sandbox.count(path=path, status=200) for path in TOKEN_PATHS}
        truth = truth_of(sandbox)
    assert run.returncode == 0, run.stderr[-3000:]
    assert refused == {path: 3 for path in TOKEN_PATHS}
    assert minted == {path: 1 for path in TOKEN_PATHS}
    assert mismatches(run, truth) == {}
    assert len(waits_in(tmp_path / "waits")) == 6


# --------------------------------------------------------------------------- 3. tokens mid-run
class Clock:
    """The sandbox's clock: real time until frozen (so the Reader's tokens do not expire)."""

    def __init__(self) -> None:
        self.frozen: float | None = None

    def __call__(self) -> float:
        return time.monotonic() if self.frozen is None else self.frozen

    def freeze(self) -> None:
        self.frozen = time.monotonic()


TOKEN_TROUBLE = re.compile(r"token|auth|401|refused|revoked", re.IGNORECASE)


def test_a_token_expiring_mid_run_is_renewed_before_personio_refuses_it(tmp_path):
    clock = Clock()
    with Sandbox(**COMPANY, token_lifetime=3, clock=clock) as sandbox:
        catalog = catalog_of(sandbox)
        sandbox.clear_requests()
        sandbox.inject("latency", seconds=0.02)  # every answer takes a while, tokens too
        started = time.monotonic()
        run = sync(sandbox, catalog, tmp_path / "waits")
        lasted = time.monotonic() - started
        minted = {path: sandbox.count(path=path, status=200) for path in TOKEN_PATHS}
        refused = sandbox.count(status=401)
        clock.freeze()
        truth = truth_of(sandbox)
    assert run.returncode == 0, run.stderr[-3000:]
    assert lasted > 2 * 3  # the run outlived its first tokens
    assert all(count > 1 for count in minted.values()), minted
    assert refused == 0
    warnings = [
        line
        for line in run.stderr.splitlines()
        if re.search(r"\| (WARNING|ERROR|CRITICAL) ", line) and TOKEN_TROUBLE.search(line)
    ]
    assert warnings == []
    assert mismatches(run, truth) == {}


def test_a_token_revoked_mid_run_is_reminted_once_and_loses_no_row(tmp_path):
    with Sandbox(**COMPANY) as sandbox:
        catalog = catalog_of(sandbox)
        sandbox.clear_requests()
        # Every token is revoked between two of attendance_periods' (sequential) windows, in
        # the middle of the run: both generations are in use before and after.
        sandbox.inject("revoke_after", count=3, path="/v2/attendance-periods")
        run = sync(sandbox, catalog, tmp_path / "waits")
        minted = {path: sandbox.count(path=path, status=200) for path in TOKEN_PATHS}
        refused = sandbox.count(status=401)
        assert left_over(sandbox) == []
        truth = truth_of(sandbox)
    assert run.returncode == 0, run.stderr[-3000:]
    assert minted == {path: 2 for path in TOKEN_PATHS}  # re-minted once per generation
    assert refused == 2
    assert mismatches(run, truth) == {}


def test_a_token_revoked_while_children_are_in_flight_is_reminted_once(tmp_path):
    names = ("absence_period_breakdowns",)
    with Sandbox(**COMPANY) as sandbox:
        catalog = catalog_of(sandbox, names)
        sandbox.clear_requests()
        # Breakdowns are read eight periods at a time; with 0.3 s per answer several are in
        # flight, all with the token that is revoked as the first of them arrives.
        sandbox.inject("latency", seconds=0.3, path="/v2/absence-periods/")
        sandbox.inject("revoke_after", count=0, path="/v2/absence-periods/")
        run = sync(sandbox, catalog, tmp_path / "waits")
        minted = sandbox.count(path="/v2/auth/token", status=200)
        truth = truth_of(sandbox, names)
    assert run.returncode == 0, run.stderr[-3000:]
    assert minted == 2
    assert mismatches(run, truth) == {}


def test_a_second_refusal_ends_the_sync_with_one_line_and_a_state_to_resume_from(tmp_path):
    # The SDK syncs streams in name order: employees, then time_offs (both incremental, v1).
    names = ("employees", "time_offs")
    with Sandbox(**COMPANY) as sandbox:
        catalog = catalog_of(sandbox, names)
        # time_offs' first request finds its token revoked; the re-minted one is revoked too.
        sandbox.inject("revoke_after", count=0, path="/v1/company/time-offs")
        sandbox.inject("revoke_after", count=1, path="/v1/company/time-offs")
        failed = sync(sandbox, catalog, tmp_path / "waits")
        sandbox.clear_faults()
        rerun = sync(sandbox, catalog, tmp_path / "waits", state=failed.state)
        truth = truth_of(sandbox, names)
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr
    [line] = [line for line in failed.stderr.splitlines() if line.startswith("Error: ")]
    assert "GET /v1/company/time-offs answered 401" in line
    assert "revoked" in line
    assert next(m["stream"] for m in failed.messages if m["type"] == "SCHEMA") == "employees"
    assert mismatches(failed, {"employees": truth["employees"]}) == {}
    newest = max(record["last_modified_at"] for record in failed.records["employees"])
    assert bookmarks(failed.state) == {"employees": newest}  # time_offs did not complete

    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert mismatches(rerun, {"time_offs": truth["time_offs"]}) == {}
    assert set(bookmarks(rerun.state)) == set(names)
    # employees starts from its bookmark: whatever it re-reads is still Personio's
    by_id = {str(r["id"]): r for r in truth["employees"].records}
    assert [differences(by_id[str(r["id"])], r) for r in rerun.records["employees"]] == [
        [] for _ in rerun.records["employees"]
    ]


# --------------------------------------------------------------------------- 4. cursors, no one
def test_a_repeated_v2_cursor_neither_loses_nor_duplicates_a_row(tmp_path):
    # repeat_cursor fires on a page that was asked for with a cursor and has a next one, so a
    # list needs three pages: 15 employees give /v2/absence-periods three (234 periods at 100
    # a page); the other lists of a company this size fit in two pages or one.
    with Sandbox(employees=15, seed=3, years=1, rate_limits=False) as sandbox:
        catalog = catalog_of(sandbox, V2_LISTS)
        sandbox.clear_requests()
        for stream in STREAMS:
            if stream.name in V2_LISTS:
                fault_endpoint(sandbox, "repeat_cursor", stream.path)
        run = sync(sandbox, catalog, tmp_path / "waits")
        repeated = {stream.path for stream in STREAMS if stream.name in V2_LISTS} - {
            fault.path for fault in sandbox.faults.active()
        }
        truth = truth_of(sandbox, V2_LISTS)
    assert "/v2/absence-periods" in repeated  # the fault was served
    assert run.returncode == 0, run.stderr[-3000:]
    assert mismatches(run, truth) == {}


def test_an_empty_company_syncs_every_stream_without_an_error(tmp_path):
    # A company needs one employee (Sandbox(employees=0) is refused), so: one, who then left.
    # Their history drops out of every list; what is not a person's stays (legal entities,
    # org units, projects, recruiting, reports).
    with Sandbox(**{**COMPANY, "employees": 1}) as sandbox:
        sandbox.company.mutate(delete=1)
        assert sandbox.v1_employee_ids() == []
        run = sync(sandbox, catalog_of(sandbox), tmp_path / "waits")
        truth = truth_of(sandbox)
    assert run.returncode == 0, run.stderr[-3000:]
    assert failure_lines(run.stderr) == []
    assert "Traceback" not in run.stderr
    people = ("employees", "persons", "employments", "time_offs", "absence_periods",
              "absence_period_breakdowns", "employee_absence_balances", "attendance_periods",
              "compensations", "documents", "project_members", "custom_report_items")  # fmt: skip
    assert {name: len(run.records.get(name, [])) for name in people} == dict.fromkeys(people, 0)
    assert mismatches(run, truth) == {}
    assert waits_in(tmp_path / "waits") == []  # nothing was retried
