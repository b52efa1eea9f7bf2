"""Retry waits, the proactive limiter and Personio's error shapes."""

from __future__ import annotations

import json

import pytest
import requests
from singer_sdk.exceptions import RetriableAPIError

from tap_personio.api import (
    BACKOFF_CAP_SECONDS,
    RateLimiter,
    TokenRejected,
    describe_failure,
    retry_waits,
)
from tap_personio.client import PersonioV2Stream
from tap_personio.tap import TapPersonio
from tests.conftest import tap_config


def response(
    status: int,
    body: object = None,
    headers: dict | None = None,
    url: str = "https://api.personio.de/v1/company/employees?limit=100",
) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r.reason = "Reason"
    r.url = url
    r._content = json.dumps(body).encode() if body is not None else b""
    r.headers.update(headers or {})
    r.request = requests.Request("GET", url).prepare()
    return r


def waits(*failures: BaseException, rand: float = 1.0) -> list[float]:
    gen = retry_waits(rand=lambda: rand)
    gen.send(None)
    return [gen.send(f) for f in failures]


def test_retry_after_is_waited_exactly():
    failure = RetriableAPIError("x", response(429, headers={"Retry-After": "7"}))
    assert waits(failure) == [7.0]


def test_v2_rate_limit_headers_without_retry_after_give_the_refill_time():
    headers = {
        "x-ratelimit-replenish-rate": "10",
        "x-ratelimit-requested-tokens": "1",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-burst-capacity": "10",
    }
    assert waits(RetriableAPIError("x", response(429, headers=headers))) == [0.1]


def test_backoff_is_exponential_and_capped():
    failure = RetriableAPIError("x", response(503))
    assert waits(*[failure] * 9) == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert max(waits(*[failure] * 12)) == BACKOFF_CAP_SECONDS


def test_backoff_has_jitter_between_half_and_full_step():
    failure = RetriableAPIError("x", response(500))
    assert waits(failure, failure, failure, rand=0.0) == [0.5, 1.0, 2.0]


def test_a_refused_token_is_retried_at_once():
    assert waits(TokenRejected("x", response(401))) == [0.0]


def test_network_errors_back_off_too():
    assert waits(requests.exceptions.ConnectionError("reset")) == [1.0]


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_limiter_allows_the_burst_then_paces_at_the_rate():
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    limiter.configure("employees", rate=5, capacity=15)
    for _ in range(15):
        limiter.acquire(["employees"])
    assert fake.slept == []
    for _ in range(10):
        limiter.acquire(["employees"])
    assert fake.now == pytest.approx(2.0)  # 10 more requests at 5/s


def test_limiter_cap_applies_across_all_buckets():
    fake = FakeTime()
    limiter = RateLimiter(max_requests_per_second=2, clock=fake.clock, sleep=fake.sleep)
    for name in ["a", "b", "c", "d", "e", "f"]:
        limiter.acquire([name])
    assert fake.now == pytest.approx(2.0)  # burst of 2, then 4 more at 2/s


def test_limiter_adopts_the_bucket_personio_announces():
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    limiter.configure("v2:/v2/persons", rate=100, capacity=100)
    limiter.observe(
        "v2:/v2/persons",
        {
            "x-ratelimit-replenish-rate": "4",
            "x-ratelimit-burst-capacity": "4",
            "x-ratelimit-remaining": "0",
        },
    )
    limiter.acquire(["v2:/v2/persons"])
    assert fake.now == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"success": False, "error": {"code": 0, "message": "Es ist ein Problem aufgetreten"}},
            "Es ist ein Problem aufgetreten",
        ),
        (
            {
                "personio_trace_id": "t-1",
                "timestamp": "2024-09-18T09:37:58Z",
                "errors": [
                    {
                        "title": "Insufficient access scope",
                        "detail": "Client scope insufficient",
                        "type": "x",
                        "_meta": {},
                    }
                ],
            },
            "Insufficient access scope Client scope insufficient (trace id t-1)",
        ),
        (
            {"error": "unauthorized_client", "error_description": "Wrong secret"},
            "unauthorized_client Wrong secret",
        ),
        (
            [
                {
                    "status": 500,
                    "trace_id": "t-2",
                    "errors": [{"title": "Not Found", "details": "Report not found"}],
                }
            ],
            "Not Found Report not found (trace id t-2)",
        ),
    ],
)
def test_failures_name_endpoint_status_and_personio_reason(body, expected):
    message = describe_failure(response(403, body))
    assert message == f"GET /v1/company/employees answered 403 Reason: {expected}"


def test_failure_message_leaves_out_the_query_string():
    url = "https://api.personio.de/v1/company/employees?email=jane%40example.org"
    assert "jane" not in describe_failure(response(404, {}, url=url))


class PersonsProbe(PersonioV2Stream):
    """A v2 stream declared as future streams will be: only what differs from the base."""

    name = "persons_probe"
    path = "/v2/persons"
    primary_keys = ("id",)
    page_size = 7
    schema = {"type": "object", "properties": {"id": {"type": "string"}}}  # noqa: RUF012


def test_a_declared_v2_stream_follows_cursors_with_a_v2_token(fresh_sandbox):
    fresh_sandbox.clear_requests()
    # A stream of no catalog: it has no stream map to send ACTIVATE_VERSION through.
    config = tap_config(fresh_sandbox, emit_activate_version_messages=False)
    stream = PersonsProbe(TapPersonio(config=config, validate_config=True))
    ids = [record["id"] for record in stream.get_records(None)]
    assert sorted(ids, key=int) == [str(i) for i in fresh_sandbox.v1_employee_ids()]
    assert fresh_sandbox.count(path="/v2/persons") == -(-30 // 7)
    # One token per generation for the whole run: discovery's (attribute catalogue, v2 report
    # list) is the probe's too.
    assert fresh_sandbox.count(path="/v2/auth/token") == 1
    assert fresh_sandbox.count(path="/v1/auth") == 1
