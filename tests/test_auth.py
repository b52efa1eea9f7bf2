"""Tokens: minted lazily per API generation, reused, renewed, re-minted once on refusal."""

from __future__ import annotations

import json

import pytest
import requests

from tap_personio.auth import V1_TOKEN, V2_TOKEN, PersonioAuthenticator
from tap_personio.errors import PersonioAuthError
from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import discover, run_tap, select, tap_config


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_answer(token: str, lifetime: int = 86400) -> requests.Response:
    r = requests.Response()
    r.status_code = 200
    r._content = json.dumps({"access_token": token, "expires_in": lifetime}).encode()
    return r


def authenticator(clock: Clock, lifetime: int = 86400):
    posts: list[dict] = []

    def post(url: str, body: dict, form: bool) -> requests.Response:
        posts.append({"url": url, "body": body, "form": form})
        return token_answer(f"papi-{len(posts)}", lifetime)

    auth = PersonioAuthenticator(
        endpoint=V2_TOKEN,
        api_url="http://x",
        client_id="id",
        client_secret="secret",
        post=post,
        clock=clock,
    )
    return auth, posts


def test_no_token_is_minted_before_a_request_needs_one():
    auth, posts = authenticator(Clock())
    assert posts == []
    assert auth.token == "papi-1"
    assert len(posts) == 1


def test_v2_token_request_is_an_oauth2_client_credentials_form():
    auth, posts = authenticator(Clock())
    _ = auth.token
    assert posts[0] == {
        "url": "http://x/v2/auth/token",
        "form": True,
        "body": {"client_id": "id", "client_secret": "secret", "grant_type": "client_credentials"},
    }


def test_v1_token_is_read_from_personios_envelope():
    r = requests.Response()
    r._content = json.dumps(
        {"success": True, "data": {"token": "papi-v1", "expires_in": 86400}}
    ).encode()
    assert V1_TOKEN.parse(r.json()) == ("papi-v1", 86400)


def test_a_token_is_reused_until_shortly_before_it_expires_then_renewed():
    clock = Clock()
    auth, posts = authenticator(clock, lifetime=3600)
    assert {auth.token for _ in range(50)} == {"papi-1"}
    clock.now += 3600 - 61
    assert auth.token == "papi-1"
    clock.now += 2  # inside the last minute
    assert auth.token == "papi-2"
    assert len(posts) == 2


def test_a_refused_token_is_dropped_once_then_the_refusal_is_final():
    auth, _ = authenticator(Clock())
    _ = auth.token
    assert auth.rejected() is True
    assert auth.token == "papi-2"
    assert auth.rejected() is False


def test_refusals_of_a_dropped_token_retry_and_only_the_fresh_ones_refusal_is_final():
    auth, _ = authenticator(Clock())
    old = f"Bearer {auth.token}"
    assert auth.rejected(old) is True  # the first request back with the revoked token
    assert auth.rejected(old) is True  # others were in flight with it
    fresh = f"Bearer {auth.token}"
    assert fresh != old
    assert auth.rejected(old) is True  # a late one, after the re-mint
    assert auth.rejected(fresh) is False


def test_a_success_between_refusals_allows_another_fresh_token():
    auth, _ = authenticator(Clock())
    assert auth.rejected() is True
    auth.accepted()
    assert auth.rejected() is True


def test_revoked_tokens_are_reminted_once_and_the_sync_completes(fresh_sandbox):
    tap = TapPersonio(config=tap_config(fresh_sandbox), validate_config=True)
    stream = tap.streams["employees"]
    fresh_sandbox.revoke_tokens()
    records = list(stream.get_records(None))
    assert len(records) == len(fresh_sandbox.v1_employee_ids())
    assert fresh_sandbox.count(path="/v1/auth") == 2


def test_only_the_generation_in_use_mints_a_token(fresh_sandbox):
    catalog = select(discover(tap_config(fresh_sandbox)), ("employees", "time_offs"))
    fresh_sandbox.clear_requests()
    run = run_tap(tap_config(fresh_sandbox), catalog=catalog)
    assert run.returncode == 0, run.stderr
    assert run.records["time_offs"]
    assert fresh_sandbox.count(path="/v1/auth") == 1  # reused by every request of the run
    assert fresh_sandbox.count(path="/v2/auth/token") == 0


def test_every_request_carries_the_app_id_header(fresh_sandbox):
    run = run_tap(tap_config(fresh_sandbox, app_id="ACME_WAREHOUSE"))
    assert run.returncode == 0, run.stderr
    assert fresh_sandbox.requests
    assert {r.app_id for r in fresh_sandbox.requests} == {"ACME_WAREHOUSE"}


def test_a_wrong_secret_is_one_clear_line_and_a_failed_exit(fresh_sandbox):
    run = run_tap(tap_config(fresh_sandbox, client_secret="wrong"), args=("--discover",))
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "Personio refused the credential" in run.stderr
    assert "POST /v1/auth answered 401" in run.stderr
    assert "wrong" not in run.stderr.replace("wrong-", "")


def test_an_unknown_client_id_is_one_clear_line_and_a_failed_exit(fresh_sandbox):
    run = run_tap(tap_config(fresh_sandbox, client_id="no-such-client"), args=("--discover",))
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    [line] = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert "Personio refused the credential" in line
    assert "Check client_id and client_secret" in line
    assert fresh_sandbox.client_secret not in run.stderr


def test_a_second_refusal_ends_the_sync_naming_revocation(fresh_sandbox):
    tap = TapPersonio(config=tap_config(fresh_sandbox), validate_config=True)
    stream = tap.streams["employees"]
    # The next request's token is revoked, and so is the fresh one minted after it.
    fresh_sandbox.inject("revoke_after", count=0)
    fresh_sandbox.inject("revoke_after", count=1)
    with pytest.raises(PersonioAuthError, match="revoked or lacks access"):
        list(stream.get_records(None))


def test_a_token_personio_no_longer_knows_is_reminted_after_v1s_403():
    # v1 answers 403 "Provided authorization is not valid" for a token it does not know,
    # as a Personio that forgot its tokens does: the tap mints a new one and goes on.
    with Sandbox(employees=12, seed=8, rate_limits=False) as first:
        port = int(first.url.rsplit(":", 1)[1])
        tap = TapPersonio(config=tap_config(first), validate_config=True)
        stream = tap.streams["employees"]
    for session in (tap.api.session, tap.api.token_session):
        session.close()  # no kept-alive connection to the stopped server
    with Sandbox(employees=12, seed=8, rate_limits=False, port=port) as second:
        assert len(list(stream.get_records(None))) == 12
        refused = [r for r in second.requests if r.status == 403]
        assert [r.path for r in refused] == ["/v1/company/employees"]
        assert second.count(path="/v1/auth") == 1
