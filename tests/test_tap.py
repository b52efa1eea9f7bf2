"""The command line: config errors before any request, discovery, connection test."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from tap_personio.streams import STREAMS
from tests.conftest import TAP, run_tap, tap_config


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"client_secret": ""}, "client_secret is empty"),
        ({"start_date": "last tuesday"}, "start_date 'last tuesday' is not a date"),
        ({"api_url": "api.personio.de"}, "api_url 'api.personio.de' is not a URL"),
        ({"max_retries": -1}, "max_retries must not be negative"),
        ({"max_retries": "many"}, "max_retries"),
        ({"max_requests_per_second": 0}, "max_requests_per_second must be greater than 0"),
    ],
)
def test_a_bad_config_fails_before_any_request_with_a_clear_line(fresh_sandbox, override, message):
    run = run_tap(tap_config(fresh_sandbox, **override))
    assert run.returncode == 1
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert fresh_sandbox.count() == 0


def test_a_missing_secret_is_named(fresh_sandbox):
    config = tap_config(fresh_sandbox)
    del config["client_secret"]
    run = run_tap(config, args=("--discover",))
    assert run.returncode == 1
    assert "'client_secret' is a required property" in run.stderr
    assert "Traceback" not in run.stderr


def test_discovery_lists_every_stream_with_typed_custom_attributes(fresh_sandbox):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "config.json")
        path.write_text(json.dumps(tap_config(fresh_sandbox)))
        catalog = json.loads(
            subprocess.run(
                [*TAP, "--config", str(path), "--discover"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    streams = {entry["tap_stream_id"]: entry for entry in catalog["streams"]}
    declared = {stream.name for stream in STREAMS}
    assert set(streams) - declared == {
        *(f"custom_report_{name}" for name in ("employee_master_data", "vacations_last_month",
                                               "position_history", "headcount_by_office")),
        *(f"report_{name}" for name in ("headcount_by_cost_center", "probation_ends",
                                        "salary_history")),
    }  # one stream per report the sandbox serves (not archived, not a chart)  # fmt: skip
    assert declared <= set(streams)
    properties = streams["employees"]["schema"]["properties"]
    dynamic = [p for key, p in properties.items() if key.startswith("dynamic_")]
    assert len(dynamic) == 8
    assert all(p.get("title") for p in dynamic)
    assert streams["employees"]["replication_key"] == "last_modified_at"


def test_the_connection_test_passes_against_the_sandbox(fresh_sandbox):
    run = run_tap(tap_config(fresh_sandbox), args=("--test",))
    assert run.returncode == 0, run.stderr[-2000:]
