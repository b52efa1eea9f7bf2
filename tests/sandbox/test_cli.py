"""The `personio-sandbox` command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tap_personio.sandbox.cli import build_parser, configure

SWITCHES = (
    "--port", "--host", "--employees", "--seed", "--years", "--custom-attributes",
    "--client-id", "--client-secret", "--token-lifetime", "--readable-attributes",
    "--access-rights", "--no-rate-limits", "--latency", "--latency-max", "--fault-path",
    "--fail-status", "--fail-count", "--drop", "--truncate", "--slow", "--slow-seconds",
    "--revoke-after", "--malformed", "--malformed-attribute", "--malformed-value",
    "--new-attribute-after", "--repeat-cursor", "--retired-status", "--disable-features",
)  # fmt: skip


def test_help_documents_every_switch() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tap_personio.sandbox.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    for switch in SWITCHES:
        assert switch in done.stdout
    declared = {o for a in build_parser()._actions for o in a.option_strings} - {"-h", "--help"}
    assert declared == set(SWITCHES)


def test_flags_configure_the_sandbox() -> None:
    args = build_parser().parse_args(
        ["--employees", "7", "--seed", "3", "--no-rate-limits", "--client-id", "me",
         "--access-rights", "employees", "--fail-status", "503", "--fail-count", "2",
         "--fault-path", "/v1/", "--drop", "1", "--latency", "0.01"]
    )  # fmt: skip
    sandbox = configure(args)
    assert len(sandbox.v1_employee_ids()) == 7
    assert sandbox.client_id == "me"
    assert sandbox.credential.rights == frozenset({"employees"})
    assert not sandbox.app.limiter.enabled
    kinds = {(f.kind, f.remaining, f.path) for f in sandbox.faults.active()}
    assert {("status", 2, "/v1/"), ("drop", 1, "/v1/"), ("latency", 1, "/v1/")} == kinds


def test_cli_prints_url_and_credential(capsys: pytest.CaptureFixture[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tap_personio.sandbox.cli", "--port", "0", "--employees", "5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert lines[0].startswith("Personio sandbox listening on http://127.0.0.1:")
    assert "sandbox-client-id" in lines[2]
    assert "sandbox-client-secret" in lines[3]
