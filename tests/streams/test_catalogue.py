"""Every stream of the catalogue, one sync each, against what the sandbox serves.

Parametrised over ``STREAMS``: a new stream without an expectation in ``personio_data`` fails
here, so each stream is held to the same checks the day it lands: its records (count, keys,
values) equal Personio's, and it makes no more requests than Personio's page maxima require
(plus one per parent for per-parent streams).
"""

from __future__ import annotations

import typing as t

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.streams import STREAMS
from tests.conftest import TapRun, discover, run_tap, tap_config
from tests.streams.personio_data import EXPECTATIONS, Expected, Reader, differences

NAMES = [stream.name for stream in STREAMS]
TOKEN_PATHS = ("/v1/auth", "/v2/auth/token")
#: Discovery reads the attribute catalogue once per run (it types employees and persons, and is
#: the employee_attributes stream too). The report lists are read at discovery only when a
#: stream of a single report is selected, which these runs never do.
DISCOVERY = 1


@pytest.fixture(scope="module")
def company() -> t.Iterator[Sandbox]:
    with Sandbox(employees=15, seed=21, years=1, custom_attributes=10, rate_limits=False) as sb:
        yield sb


@pytest.fixture(scope="module")
def truth(company: Sandbox) -> dict[str, Expected]:
    read = Reader(company)
    return {name: expect(read) for name, expect in EXPECTATIONS.items()}


@pytest.fixture(scope="module")
def catalog(company: Sandbox) -> dict:
    return discover(tap_config(company))


@pytest.fixture(scope="module")
def runs(company: Sandbox, truth: dict[str, Expected], catalog: dict) -> dict[str, t.Any]:
    """Each stream synced alone, with the requests it made; read lazily, once."""
    cache: dict[str, tuple[TapRun, list[str]]] = {}

    def run(name: str) -> tuple[TapRun, list[str]]:
        if name not in cache:
            company.clear_requests()
            result = run_tap(tap_config(company), catalog=catalog, streams=(name,))
            assert result.returncode == 0, result.stderr[-3000:]
            paths = [r.path for r in company.requests if r.path not in TOKEN_PATHS]
            cache[name] = (result, paths)
        return cache[name]

    return {"run": run}


def test_every_stream_has_an_expectation(truth):
    assert set(NAMES) - set(truth) == set()


@pytest.mark.parametrize("name", NAMES)
def test_records_equal_the_sandboxs(name, runs, truth):
    run, _ = runs["run"](name)
    want = truth[name]
    emitted = run.records[name]
    assert want.records, f"the sandbox serves no {name}: the test would prove nothing"
    assert len(emitted) == len(want.records)

    def key(record: dict) -> tuple:
        return tuple(str(record[k]) for k in want.key)

    by_key = {key(record): record for record in emitted}
    assert len(by_key) == len(emitted), "duplicate primary keys"
    assert set(by_key) == {key(record) for record in want.records}
    problems = [
        (key(record), problem)
        for record in want.records
        for problem in differences(record, by_key[key(record)])
    ]
    assert problems == []


@pytest.mark.parametrize("name", NAMES)
def test_requests_stay_at_the_page_maximum_minimum(name, runs, truth):
    _, paths = runs["run"](name)
    want = truth[name]
    assert want.min_requests <= len(paths) - DISCOVERY <= want.min_requests + want.slack


@pytest.mark.parametrize("name", NAMES)
def test_records_follow_their_schema(name, runs):
    run, _ = runs["run"](name)
    schema = run.schemas[name]["properties"]
    python = {"string": str, "integer": int, "number": (int, float), "object": dict,
              "array": list, "boolean": bool}  # fmt: skip
    for record in run.records[name]:
        assert set(record) == set(schema)
        for column, value in record.items():
            kinds = schema[column]["type"]
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if value is None:
                assert "null" in kinds, column
            else:
                assert isinstance(value, tuple(python[k] for k in kinds if k != "null")), column
