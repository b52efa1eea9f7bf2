"""Personio's rate limits, as published or observed (personio-api.md section 8).

Limits are declared as frozen specs on routes and their state lives in one `RateLimiter` per
sandbox. The clock is injected so tests can move time instead of sleeping.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WindowLimit:
    """At most `limit` requests per sliding `window` seconds.

    Going over starts a penalty of `penalty_seconds` during which only `penalty_per_second`
    requests per second pass (0 = locked out), as Personio's two auth endpoints do.
    """

    name: str
    limit: int
    window: float
    penalty_seconds: float = 0.0
    penalty_per_second: int = 0


@dataclass(frozen=True, slots=True)
class TokenBucket:
    """A v2 gateway bucket: refills `rate` tokens per second up to `burst`; one token a request."""

    name: str
    rate: float
    burst: int


Limit = WindowLimit | TokenBucket

V1_GLOBAL = WindowLimit("v1", 2000, 60.0)  # every v1 endpoint, per source IP (2024-07-08)
V1_AUTH = WindowLimit("v1-auth", 60, 60.0, penalty_seconds=60.0)  # then a 60 s lock
V1_EMPLOYEES = (
    WindowLimit("v1-employees-minute", 300, 60.0),  # since 2024-05-06
    WindowLimit("v1-employees-burst", 15, 1.0),
)
V2_AUTH = WindowLimit("v2-auth", 150, 60.0, penalty_seconds=60.0, penalty_per_second=1)
V2_PERSONS = TokenBucket("v2-persons", 30.0, 30)  # observed by a client: 30 req/s
V2_DEFAULT = TokenBucket("v2-default", 10.0, 20)  # absence periods were observed at 10 req/s


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    headers: dict[str, str]


class _Window:
    def __init__(self) -> None:
        self.hits: deque[float] = deque()
        self.penalty_until = 0.0
        self.penalty_hits: deque[float] = deque()


class _Bucket:
    def __init__(self, spec: TokenBucket, now: float) -> None:
        self.tokens = float(spec.burst)
        self.updated = now


class RateLimiter:
    """Decides per request whether every limit of its route still has room."""

    def __init__(self, clock: Callable[[], float], enabled: bool = True) -> None:
        self.enabled = enabled
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        self._buckets: dict[str, _Bucket] = {}

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self._buckets.clear()

    def acquire(self, limits: Sequence[Limit]) -> Decision:
        """Count the request against all limits, or against none if one of them refuses."""
        if not self.enabled or not limits:
            return Decision(True, {})
        with self._lock:
            now = self._clock()
            allowed = all(self._has_room(limit, now) for limit in limits)
            if allowed:
                for limit in limits:
                    self._consume(limit, now)
            else:
                for limit in limits:
                    self._maybe_start_penalty(limit, now)
            return Decision(allowed, self._headers(limits, now))

    # The two kinds keep separate state; these helpers dispatch on the spec type.
    def _window(self, spec: WindowLimit, now: float) -> _Window:
        state = self._windows.setdefault(spec.name, _Window())
        while state.hits and state.hits[0] <= now - spec.window:
            state.hits.popleft()
        while state.penalty_hits and state.penalty_hits[0] <= now - 1.0:
            state.penalty_hits.popleft()
        return state

    def _bucket(self, spec: TokenBucket, now: float) -> _Bucket:
        state = self._buckets.get(spec.name)
        if state is None:
            state = self._buckets[spec.name] = _Bucket(spec, now)
        state.tokens = min(spec.burst, state.tokens + (now - state.updated) * spec.rate)
        state.updated = now
        return state

    def _has_room(self, limit: Limit, now: float) -> bool:
        if isinstance(limit, TokenBucket):
            return self._bucket(limit, now).tokens >= 1.0
        state = self._window(limit, now)
        if now < state.penalty_until:
            return len(state.penalty_hits) < limit.penalty_per_second
        return len(state.hits) < limit.limit

    def _consume(self, limit: Limit, now: float) -> None:
        if isinstance(limit, TokenBucket):
            self._bucket(limit, now).tokens -= 1.0
            return
        state = self._window(limit, now)
        (state.penalty_hits if now < state.penalty_until else state.hits).append(now)

    def _maybe_start_penalty(self, limit: Limit, now: float) -> None:
        if isinstance(limit, WindowLimit) and limit.penalty_seconds:
            state = self._window(limit, now)
            if now >= state.penalty_until and len(state.hits) >= limit.limit:
                state.penalty_until = now + limit.penalty_seconds
                state.hits.clear()

    def _headers(self, limits: Sequence[Limit], now: float) -> dict[str, str]:
        """Spring Cloud Gateway headers of the route's token bucket (v2 only)."""
        for limit in limits:
            if isinstance(limit, TokenBucket):
                state = self._bucket(limit, now)
                return {
                    "x-ratelimit-replenish-rate": f"{limit.rate:g}",
                    "x-ratelimit-burst-capacity": str(limit.burst),
                    "x-ratelimit-requested-tokens": "1",
                    "x-ratelimit-remaining": str(max(0, int(state.tokens))),
                }
        return {}
