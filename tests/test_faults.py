"""The tap under Personio's faults: retried, waited out or reported, never losing a row."""

from __future__ import annotations

import logging

import pytest

from tap_personio.client import PersonioV2Stream
from tap_personio.errors import PersonioAccessError, PersonioError
from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import run_tap, tap_config

EMPLOYEES_PATH = "/v1/company/employees"


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """Backoff waits, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr("backoff._sync.time.sleep", slept.append)
    return slept


def employees(sandbox: Sandbox, *faults: dict, **config: object) -> list[dict]:
    """Sync employees, with ``faults`` injected once discovery has read the catalogue."""
    stream = TapPersonio(config=tap_config(sandbox, **config), validate_config=True).streams[
        "employees"
    ]
    for fault in faults:
        sandbox.inject(path=EMPLOYEES_PATH, **fault)
    return list(stream.get_records(None))


def test_a_429_burst_is_waited_out_and_loses_nothing(fresh_sandbox, waits):
    assert (
        len(employees(fresh_sandbox, {"kind": "status", "count": 3, "status": 429}, max_retries=3))
        == 30
    )
    assert fresh_sandbox.count(path=EMPLOYEES_PATH, status=429) == 3
    assert len(waits) == 3


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(fresh_sandbox, waits, status):
    assert len(employees(fresh_sandbox, {"kind": "status", "count": 2, "status": status})) == 30
    assert waits[:2] == [pytest.approx(1.0, abs=0.5), pytest.approx(2.0, abs=1.0)]


@pytest.mark.parametrize("kind", ["drop", "truncate"])
def test_dropped_connections_and_truncated_bodies_are_retried(fresh_sandbox, waits, kind):
    records = employees(fresh_sandbox, {"kind": kind, "count": 2})
    assert sorted(r["id"] for r in records) == fresh_sandbox.v1_employee_ids()
    assert len(waits) == 2


def test_a_response_slower_than_the_timeout_is_retried(fresh_sandbox, waits):
    slow = {"kind": "slow", "count": 1, "seconds": 2.5}
    assert len(employees(fresh_sandbox, slow, request_timeout=1)) == 30
    assert len(waits) == 1


def test_retries_give_up_after_max_retries_with_one_clear_error(fresh_sandbox, waits):
    with pytest.raises(
        PersonioError,
        match=r"Gave up after 3 attempts: GET /v1/company/"
        r"employees answered 503",
    ):
        employees(fresh_sandbox, {"kind": "status", "count": 10, "status": 503}, max_retries=2)
    assert fresh_sandbox.count(path=EMPLOYEES_PATH, status=503) == 3


def test_429_is_retried_even_when_everything_else_would_be_fatal(fresh_sandbox, waits):
    burst = {"kind": "status", "count": 6, "status": 429}
    assert len(employees(fresh_sandbox, burst, max_retries=6)) == 30


def test_a_stream_the_credential_may_not_read_is_skipped_naming_the_right():
    with Sandbox(employees=5, seed=1, rate_limits=False, access_rights=["absences"]) as sb:
        run = run_tap(tap_config(sb))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "employees: skipped" in run.stderr
    assert '"Employees: read' in run.stderr
    assert run.records["employees"] == []


def test_strict_mode_fails_on_a_stream_the_credential_may_not_read():
    with Sandbox(employees=5, seed=1, rate_limits=False, access_rights=["absences"]) as sb:
        tap_kwargs = {"config": tap_config(sb, strict_mode=True), "validate_config": True}
        with pytest.raises(PersonioAccessError, match=r'lacks an access right .*"Employees: read'):
            TapPersonio(**tap_kwargs).streams  # noqa: B018 - discovery reads the catalogue


def test_a_malformed_value_is_nulled_with_a_warning_and_the_record_kept(fresh_sandbox, caplog):
    malformed = {"kind": "malformed", "count": 1, "attribute": "hire_date", "value": "0000-00-00"}
    with caplog.at_level(logging.WARNING):
        records = employees(fresh_sandbox, malformed)
    assert len(records) == 30
    assert any(r["hire_date"] is None for r in records)
    assert "hire_date does not fit its type" in caplog.text
    assert "0000-00-00" not in caplog.text


def test_the_proactive_limiter_keeps_the_tap_under_personios_limit(waits):
    # 40 pages of employees at Personio's pace: the limiter spaces them, no 429 comes back.
    with Sandbox(employees=400, seed=4, rate_limits=True) as sb:
        tap = TapPersonio(config=tap_config(sb), validate_config=True)
        stream = tap.streams["employees"]
        stream.page_size = 10
        assert len(list(stream.get_records(None))) == 400
        assert sb.count(status=429) == 0


def test_a_page_that_is_not_json_is_retried(fresh_sandbox, waits, monkeypatch):
    stream = TapPersonio(config=tap_config(fresh_sandbox), validate_config=True).streams[
        "employees"
    ]
    send = stream.requests_session.send
    calls = []

    def garble_first(request, **kwargs):
        response = send(request, **kwargs)
        calls.append(request.path_url)
        if len(calls) == 1:
            response._content = b"<html>502 Bad Gateway</html>"
        return response

    monkeypatch.setattr(stream.requests_session, "send", garble_first)
    assert len(list(stream.get_records(None))) == 30
    assert len(waits) == 1


def test_a_feature_the_company_lacks_skips_its_stream_with_one_warning():
    with Sandbox(employees=5, seed=1, rate_limits=False) as sb:
        sb.set_feature("legal_entities", False)
        run = run_tap(tap_config(sb), streams=("legal_entities", "jobs"))
        strict = run_tap(tap_config(sb, strict_mode=True), streams=("legal_entities", "jobs"))
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records["jobs"]
    assert "legal_entities" not in run.records
    assert run.stderr.count("legal_entities: skipped") == 1
    assert "does not have Personio's legal entities feature" in run.stderr
    assert strict.returncode != 0
    assert "Traceback" not in strict.stderr


class RecruitingJobsProbe(PersonioV2Stream):
    """A beta endpoint of a feature the company may lack, declared as streams declare it."""

    name = "recruiting_jobs_probe"
    path = "/v2/recruiting/jobs"
    primary_keys = ("id",)
    beta = True
    feature = "recruiting (beta)"
    page_size = 100
    schema = {"type": "object", "properties": {"id": {"type": "string"}}}  # noqa: RUF012


def test_a_beta_endpoint_answering_404_skips_its_stream_naming_the_feature(caplog):
    with Sandbox(employees=5, seed=1, rate_limits=False) as sb:
        # A stream of no catalog: it has no stream map to send ACTIVATE_VERSION through.
        config = tap_config(sb, emit_activate_version_messages=False)
        tap = TapPersonio(config=config, validate_config=True)
        assert list(RecruitingJobsProbe(tap).get_records(None))  # Beta: true is sent
        sb.set_feature("recruiting", False)
        with caplog.at_level(logging.WARNING):
            assert list(RecruitingJobsProbe(tap).get_records(None)) == []
        strict = TapPersonio(config=tap_config(sb, strict_mode=True), validate_config=True)
        with pytest.raises(PersonioAccessError, match="recruiting"):
            list(RecruitingJobsProbe(strict).get_records(None))
    assert "recruiting_jobs_probe: skipped" in caplog.text
    assert "recruiting (beta) feature" in caplog.text
