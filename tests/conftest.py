"""Shared fixtures: a Personio sandbox on a free port, and the tap run as users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tap_personio.sandbox import Sandbox

TAP = [sys.executable, "-m", "tap_personio.tap"]


def tap_config(sandbox: Sandbox, **overrides: object) -> dict:
    """A config for the tap against ``sandbox``; short retries keep failing tests quick."""
    return {
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "api_url": sandbox.url,
        "max_retries": 3,
        **overrides,
    }


@dataclass
class TapRun:
    """What one run of ``tap-personio`` printed."""

    returncode: int
    stderr: str
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    schemas: dict[str, dict] = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    messages: list[dict] = field(default_factory=list)


def discover(config: dict) -> dict:
    """The catalog ``--discover`` prints for ``config``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "config.json")
        path.write_text(json.dumps(config))
        done = subprocess.run(
            [*TAP, "--config", str(path), "--discover"], capture_output=True, text=True, check=True
        )
    return dict(json.loads(done.stdout))


def select(catalog: dict, streams: tuple[str, ...]) -> dict:
    """The catalog with exactly ``streams`` selected (all their properties)."""
    chosen = json.loads(json.dumps(catalog))
    for entry in chosen["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return dict(chosen)


def run_tap(
    config: dict,
    *,
    state: dict | None = None,
    catalog: dict | None = None,
    streams: tuple[str, ...] = (),
    args: tuple[str, ...] = (),
    timeout: float = 300,
    env: dict[str, str] | None = None,
) -> TapRun:
    """Run the tap's command line as a user would and parse the Singer messages it prints;
    with ``streams``, only those are selected."""
    if streams:
        catalog = select(catalog or discover(config), streams)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"config": config, "state": state, "catalog": catalog}
        argv = list(TAP)
        for name, content in paths.items():
            if content is not None:
                path = Path(tmp, f"{name}.json")
                path.write_text(json.dumps(content))
                argv += [f"--{name}", str(path)]
        done = subprocess.run(
            [*argv, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, **env} if env else None,
        )
    run = TapRun(returncode=done.returncode, stderr=done.stderr)
    for line in done.stdout.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        run.messages.append(message)
        if message.get("type") == "RECORD":
            run.records[message["stream"]].append(message["record"])
        elif message.get("type") == "SCHEMA":
            run.schemas[message["stream"]] = message["schema"]
        elif message.get("type") == "STATE":
            run.state = message["value"]
    return run


def synced(config: dict, **options: object) -> TapRun:
    """``run_tap`` for a run that must succeed: a failure shows the tail of its log."""
    run = run_tap(config, **options)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.fixture(scope="session")
def sandbox() -> Sandbox:
    """A small company, rate limits off; tests that change it use their own sandbox."""
    with Sandbox(employees=60, seed=11, custom_attributes=12, rate_limits=False) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Sandbox:
    """A sandbox of one's own, for tests that inject faults or change the company."""
    with Sandbox(employees=30, seed=5, custom_attributes=8, rate_limits=False) as sb:
        yield sb
