"""A ``--config``, ``--catalog`` or ``--state`` file that is missing, not JSON or not of this
tap stops the run before any request, with one line naming the file, the problem and the fix."""

from __future__ import annotations

import json
import subprocess
import typing as t
from pathlib import Path

import pytest

from tap_personio.sandbox import Sandbox
from tests.conftest import TAP, tap_config

#: (flag, file content, what the one line must say)
BAD_FILES = [
    ("--catalog", "not json {", "is not JSON"),
    ("--catalog", "[1, 2]", "holds a JSON list, not an object"),
    ("--catalog", '{"foo": 1}', "has no list of streams: it is not a Singer catalog"),
    ("--catalog", json.dumps({"streams": [{"tap_stream_id": "orders"}]}),
     "names no stream of tap-personio (orders, ...): it is another tap's catalog"),
    ("--state", "", "is not JSON"),
    ("--state", '"bookmarks"', "holds a JSON str, not an object"),
    ("--state", '{"singer_state": {"bookmarks": {}}}', "Meltano's wrapper around a state"),
    ("--state", '{"foo": 1}', "is not a Singer state"),
    ("--state", json.dumps({"bookmarks": {"orders": {"replication_key_value": "x"}}}),
     "holds bookmarks of no tap-personio stream (orders, ...)"),
    ("--config", "{client_id: 1}", "is not JSON"),
]  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> t.Iterator[Sandbox]:
    with Sandbox(employees=3, seed=2, rate_limits=False) as sb:
        yield sb


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TAP, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("flag", "content", "says"), BAD_FILES)
def test_a_bad_file_is_one_line_naming_it_and_no_request(sandbox, tmp_path, flag, content, says):
    config, bad = tmp_path / "config.json", tmp_path / "bad.json"
    config.write_text(json.dumps(tap_config(sandbox)))
    bad.write_text(content)
    sandbox.clear_requests()
    args = (
        ["--config", str(bad)] if flag == "--config" else ["--config", str(config), flag, str(bad)]
    )
    done = run(args)
    assert done.returncode == 1
    assert done.stdout == ""  # no RECORD, no STATE: nothing that looks like a sync
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith(f"Error: {flag} {bad} ")
    assert says in lines[-1]
    assert "Traceback" not in done.stderr
    assert sandbox.requests == []


def test_a_config_file_that_is_not_there_says_how_to_write_one(tmp_path: Path):
    done = run(["--config", str(tmp_path / "nope.json"), "--discover"])
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: --config {tmp_path / 'nope.json'}: no such file.")
    )


def test_a_state_of_this_tap_and_an_empty_one_are_accepted(sandbox, tmp_path):
    config, state = tmp_path / "config.json", tmp_path / "state.json"
    config.write_text(json.dumps(tap_config(sandbox)))
    for content in ("{}", json.dumps({"bookmarks": {"custom_report_head_count": {}}})):
        state.write_text(content)
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps({"streams": []}))
        done = run(["--config", str(config), "--state", str(state), "--catalog", str(catalog)])
        assert done.returncode == 0, done.stderr[-2000:]
