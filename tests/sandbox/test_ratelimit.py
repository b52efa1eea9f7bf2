"""Rate limits: windows with penalties for auth, employees bursts, v2 token buckets."""

from __future__ import annotations

import requests

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.ratelimit import V1_GLOBAL, RateLimiter, TokenBucket
from tests.sandbox.conftest import FakeClock, bearer, get, v1_token, v2_token

EMPLOYEES = "/v1/company/employees"


def _auth(sb: Sandbox) -> int:
    body = {"client_id": sb.client_id, "client_secret": sb.client_secret}
    return requests.post(f"{sb.url}/v1/auth", json=body, timeout=5).status_code


def _token(sb: Sandbox) -> int:
    form = {"grant_type": "client_credentials", "client_id": sb.client_id,
            "client_secret": sb.client_secret}  # fmt: skip
    return requests.post(f"{sb.url}/v2/auth/token", data=form, timeout=5).status_code


def test_v1_auth_allows_60_per_minute_then_locks_for_60_seconds(make_sandbox, clock) -> None:
    sb = make_sandbox(rate_limits=True)
    assert [_auth(sb) for _ in range(60)] == [200] * 60
    assert _auth(sb) == 429
    clock.advance(59)
    assert _auth(sb) == 429  # the lock started with the refused request
    clock.advance(2)
    assert _auth(sb) == 200


def test_v1_429_uses_the_v1_error_envelope(make_sandbox) -> None:
    sb = make_sandbox(rate_limits=True)
    for _ in range(60):
        _auth(sb)
    body = {"client_id": sb.client_id, "client_secret": sb.client_secret}
    response = requests.post(f"{sb.url}/v1/auth", json=body, timeout=5)
    error = {"code": 429, "message": "Too Many Requests"}
    assert response.json() == {"success": False, "error": error}


def test_v2_token_allows_150_per_minute_then_one_per_second(make_sandbox, clock) -> None:
    sb = make_sandbox(rate_limits=True)
    session = requests.Session()
    form = {"grant_type": "client_credentials", "client_id": sb.client_id,
            "client_secret": sb.client_secret}  # fmt: skip
    codes = [session.post(f"{sb.url}/v2/auth/token", data=form).status_code for _ in range(150)]
    assert codes == [200] * 150
    assert _token(sb) == 429
    clock.advance(1)
    assert [_token(sb), _token(sb)] == [200, 429]
    clock.advance(61)
    assert [_token(sb), _token(sb)] == [200, 200]


def test_v1_employees_allow_bursts_of_15_per_second(make_sandbox, clock: FakeClock) -> None:
    sb = make_sandbox(rate_limits=True)
    token, session = v1_token(sb), requests.Session()
    url, headers = f"{sb.url}{EMPLOYEES}", bearer(token)
    codes = [session.get(url, headers=headers).status_code for _ in range(16)]
    assert codes == [200] * 15 + [429]
    clock.advance(1)
    assert get(sb, EMPLOYEES, token).status_code == 200


def test_v1_employees_allow_300_per_minute(make_sandbox, clock: FakeClock) -> None:
    sb = make_sandbox(rate_limits=True)
    session, headers = requests.Session(), bearer(v1_token(sb))
    url = f"{sb.url}{EMPLOYEES}"
    codes = []
    for _ in range(20):
        codes += [session.get(url, headers=headers, params={"limit": 1}).status_code
                  for _ in range(15)]  # fmt: skip
        clock.advance(1.01)
    assert codes == [200] * 300
    assert session.get(url, headers=headers).status_code == 429
    clock.advance(60)
    assert session.get(url, headers=headers).status_code == 200


def test_other_v1_endpoints_are_not_held_to_the_employees_limit(make_sandbox) -> None:
    sb = make_sandbox(rate_limits=True)
    session, headers = requests.Session(), bearer(v1_token(sb))
    url = f"{sb.url}{EMPLOYEES}/attributes"
    assert {session.get(url, headers=headers).status_code for _ in range(30)} == {200}


def test_v1_global_limit_is_2000_per_minute(clock: FakeClock) -> None:
    limiter = RateLimiter(clock)
    assert all(limiter.acquire([V1_GLOBAL]).allowed for _ in range(2000))
    assert not limiter.acquire([V1_GLOBAL]).allowed
    clock.advance(60)
    assert limiter.acquire([V1_GLOBAL]).allowed


def test_v2_responses_carry_token_bucket_headers(make_sandbox) -> None:
    sb = make_sandbox(rate_limits=True)
    token = v2_token(sb)
    first, second = get(sb, "/v2/persons", token), get(sb, "/v2/persons", token)
    assert first.headers["x-ratelimit-replenish-rate"] == "30"
    assert first.headers["x-ratelimit-burst-capacity"] == "30"
    assert first.headers["x-ratelimit-requested-tokens"] == "1"
    assert (
        int(second.headers["x-ratelimit-remaining"])
        == int(first.headers["x-ratelimit-remaining"]) - 1
    )


def test_v2_bucket_empties_into_429_without_retry_after(make_sandbox, clock) -> None:
    sb = make_sandbox(rate_limits=True)
    session, headers = requests.Session(), bearer(v2_token(sb))
    url = f"{sb.url}/v2/persons"
    codes = [session.get(url, headers=headers).status_code for _ in range(30)]
    refused = session.get(url, headers=headers)
    assert codes == [200] * 30
    assert refused.status_code == 429
    assert "Retry-After" not in refused.headers
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["Content-Type"] == "application/problem+json"
    clock.advance(0.1)  # 30 tokens per second: three tokens back
    assert session.get(url, headers=headers).status_code == 200


def test_token_bucket_refills_at_its_rate(clock: FakeClock) -> None:
    bucket, limiter = TokenBucket("b", rate=2.0, burst=2), RateLimiter(clock)
    assert [limiter.acquire([bucket]).allowed for _ in range(3)] == [True, True, False]
    clock.advance(0.5)
    assert [limiter.acquire([bucket]).allowed for _ in range(2)] == [True, False]


def test_rate_limits_can_be_switched_off(make_sandbox) -> None:
    sb = make_sandbox(rate_limits=True)
    sb.set_rate_limits(False)
    assert {_auth(sb) for _ in range(70)} == {200}
