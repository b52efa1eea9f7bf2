"""A full sync of every stream at DEBUG level: no log line holds a secret, a token, the pseudonym
key or a personal value of the sandbox's company."""

from __future__ import annotations

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.streams import STREAMS
from tests.conftest import run_tap, tap_config

KEY = "pseudonym-key-never-logged"


@pytest.fixture(scope="module")
def debug_run():
    with Sandbox(employees=6, seed=13, years=1, custom_attributes=8, rate_limits=False) as sb:
        # A bad value of every kind on the way, so that every warning path speaks too.
        sb.inject("malformed", count=2, attribute="hire_date", value="0000-00-00")
        config = tap_config(sb, pseudonymize_fields={"*": ["email"]}, pseudonymize_key=KEY)
        run = run_tap(
            config, streams=tuple(s.name for s in STREAMS), env={"TAP_PERSONIO_LOGLEVEL": "DEBUG"}
        )
        tokens = list(sb.app.tokens._tokens)
        people = [sb.v1_employee(i) for i in sb.v1_employee_ids()]
        secret = sb.client_secret
    return run, tokens, people, secret


def personal_values(people: list[dict]) -> set[str]:
    """Names, emails and every custom attribute's text of the sandbox's employees."""
    values = set()
    for attributes in people:
        for key, entry in attributes.items():
            value = entry.get("value") if isinstance(entry, dict) else None
            personal = key in ("first_name", "last_name", "email") or key.startswith("dynamic_")
            if personal and isinstance(value, str) and len(value) > 4 and not value[:4].isdigit():
                values.add(value)
    return values


def test_the_debug_sync_ran_every_stream(debug_run):
    run, _, _, _ = debug_run
    assert run.returncode == 0, run.stderr[-3000:]
    assert "DEBUG" in run.stderr
    empty = {s.name for s in STREAMS} - set(run.records)
    assert empty <= {"documents"}, f"no records for {sorted(empty)}"


def test_no_log_line_holds_a_secret_a_token_or_the_pseudonym_key(debug_run):
    run, tokens, _, secret = debug_run
    assert tokens
    leaked = [s for s in (secret, KEY, *tokens) if s in run.stderr]
    assert leaked == []


def test_no_log_line_holds_a_personal_value(debug_run):
    run, _, people, _ = debug_run
    values = personal_values(people)
    assert len(values) > 20
    leaked = sorted(v for v in values if v in run.stderr)
    assert leaked == [], leaked[:5]
