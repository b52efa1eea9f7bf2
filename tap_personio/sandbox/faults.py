"""Fault and latency injection, switchable while the sandbox runs.

Each injected fault has a kind, a remaining count and an optional path prefix. Transport
faults (status, drop, truncate, slow, latency) are taken by the server when a request
arrives; countdown faults (revoke_after, new_attribute, mutate) fire after N authenticated
requests; data faults (malformed, repeat_cursor) are taken by the endpoint that shapes the data.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

FAULT_STATUSES = (429, 500, 502, 503, 504)
#: the keyword arguments of `Company.mutate`, which a `mutate` fault passes on
MUTATE_PARAMS = ("update", "add", "delete", "absences", "attendances", "documents", "recruiting")

# kind -> (required params, optional params)
FAULT_KINDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "latency": (frozenset(), frozenset({"seconds", "min_seconds", "max_seconds"})),
    "status": (frozenset({"status"}), frozenset()),
    "drop": (frozenset(), frozenset()),
    "truncate": (frozenset(), frozenset()),
    "slow": (frozenset({"seconds"}), frozenset()),
    "revoke_after": (frozenset(), frozenset()),
    "malformed": (frozenset(), frozenset({"attribute", "value"})),
    "new_attribute": (frozenset(), frozenset({"label", "type", "options"})),
    "repeat_cursor": (frozenset(), frozenset()),
    "mutate": (frozenset(), frozenset(MUTATE_PARAMS)),
}
#: kinds that count authenticated requests down instead of affecting N responses
COUNTDOWN_KINDS = frozenset({"revoke_after", "new_attribute", "mutate"})


@dataclass(slots=True)
class Fault:
    kind: str
    remaining: int
    path: str | None
    params: dict[str, Any] = field(default_factory=dict)
    #: `path` is an endpoint matched whole (each `{name}` one segment), not a prefix.
    exact: bool = False

    def matches(self, path: str) -> bool:
        if self.path is None:
            return True
        if not self.exact:
            return path.startswith(self.path)
        parts = re.split(r"\{[^}]+\}", self.path)
        return re.fullmatch("[^/]+".join(map(re.escape, parts)), path) is not None


@dataclass(frozen=True, slots=True)
class TransportPlan:
    """What the server does to one request before and while answering it."""

    delay: float = 0.0
    drop: bool = False
    truncate: bool = False
    status: int | None = None


class Faults:
    """The active faults of one sandbox (thread-safe)."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._rng = random.Random(f"faults:{seed}")

    def inject(self, kind: str, count: int = 1, path: str | None = None, *, exact: bool = False,
               **params: Any) -> None:  # fmt: skip
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        required, optional = FAULT_KINDS[kind]
        missing, unknown = required - params.keys(), params.keys() - required - optional
        if missing or unknown:
            raise ValueError(
                f"fault {kind!r}: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        if kind == "status" and params["status"] not in FAULT_STATUSES:
            raise ValueError(f"status must be one of {FAULT_STATUSES}")
        if kind == "latency" and not params:
            raise ValueError("latency needs seconds, or min_seconds and max_seconds")
        if count < (0 if kind in COUNTDOWN_KINDS else 1):
            raise ValueError("count is too small")
        with self._lock:
            self._faults.append(Fault(kind, count, path, dict(params), exact))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.kind, f.remaining, f.path, dict(f.params), f.exact)
                    for f in self._faults]  # fmt: skip

    def take(self, kind: str, path: str) -> dict[str, Any] | None:
        """Consume one occurrence of the first matching fault of `kind`; its params or None."""
        with self._lock:
            return self._take(kind, path)

    def _take(self, kind: str, path: str) -> dict[str, Any] | None:
        for fault in self._faults:
            if fault.kind == kind and fault.matches(path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault.params
        return None

    def plan(self, path: str) -> TransportPlan:
        """The transport faults for one arriving request (latency is not consumed)."""
        with self._lock:
            delay = sum(
                self._latency(f) for f in self._faults if f.kind == "latency" and f.matches(path)
            )
            slow = self._take("slow", path)
            if slow is not None:
                delay += float(slow["seconds"])
            if self._take("drop", path) is not None:
                return TransportPlan(delay=delay, drop=True)
            status = self._take("status", path)
            return TransportPlan(
                delay=delay,
                truncate=self._take("truncate", path) is not None,
                status=None if status is None else int(status["status"]),
            )

    def _latency(self, fault: Fault) -> float:
        if "seconds" in fault.params:
            return float(fault.params["seconds"])
        low = float(fault.params.get("min_seconds", 0.0))
        return self._rng.uniform(low, float(fault.params.get("max_seconds", low)))

    def countdown(self, path: str) -> list[tuple[str, dict[str, Any]]]:
        """Count one authenticated request; returns the countdown faults that fire now."""
        fired: list[tuple[str, dict[str, Any]]] = []
        with self._lock:
            for fault in list(self._faults):
                if fault.kind in COUNTDOWN_KINDS and fault.matches(path):
                    if fault.remaining <= 0:
                        fired.append((fault.kind, fault.params))
                        self._faults.remove(fault)
                    else:
                        fault.remaining -= 1
        return fired
