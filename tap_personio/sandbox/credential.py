"""The API credential and the tokens minted from it.

A Personio credential is a client id/secret pair with access rights (scopes) and a list of
readable employee attributes. Both token endpoints mint from the same pair, and a token of
either generation is accepted by v1 and v2 endpoints alike.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Right:
    """An access right with its v1 and v2 scope spellings."""

    name: str
    v1_scope: str | None
    v2_scope: str


RIGHTS: tuple[Right, ...] = (
    Right("employees", "employees:read", "personio:persons:read"),
    Right("absences", "absences:read", "personio:absences:read"),
    Right("attendances", "attendances:read", "personio:attendances:read"),
    Right("projects", None, "personio:projects:read"),
    Right("compensations", None, "personio:compensations:read"),
    Right("documents", "documents:read", "personio:documents:read"),
    Right("custom_reports", "reports.custom:read", "personio:reports:read"),
    Right("reports", None, "personio:reports:read"),  # v2 reports (analytics 2.0)
    Right("org_units", None, "personio:org-units:read"),
    Right("legal_entities", None, "personio:legal-entities:read"),
    Right("cost_centers", None, "personio:cost-centers:read"),
    Right("workplaces", None, "personio:workplaces:read"),
    Right("jobs", None, "personio:jobs:read"),
    Right("salary_bands", None, "personio:salary-bands:read"),
    Right("recruiting", None, "personio:recruiting:read"),
    Right("webhooks", None, "personio:webhooks:read"),
)
RIGHT_NAMES = frozenset(r.name for r in RIGHTS)


def rights_for_scopes(
    scopes: Iterable[str], held: frozenset[str] | None = None
) -> frozenset[str] | None:
    """Map requested scope strings (v1 or v2 spelling) to right names; None if one is unknown.

    A scope several rights share (`personio:reports:read`: v1 Custom Reports and v2 reports)
    grants those of them in `held`; when none is held, all of them are returned, so that the
    caller's "subset of the credential" check refuses the scope.
    """
    result: set[str] = set()
    for scope in scopes:
        matches = {r.name for r in RIGHTS if scope in (r.v1_scope, r.v2_scope)}
        if not matches:
            return None
        result |= (matches & held or matches) if held is not None else matches
    return frozenset(result)


@dataclass(frozen=True, slots=True)
class Credential:
    """What the sandbox's single API credential may do."""

    client_id: str
    client_secret: str
    readable_attributes: frozenset[str] | None  # None: every attribute, also future ones
    rights: frozenset[str]

    @classmethod
    def create(
        cls,
        client_id: str,
        client_secret: str,
        readable_attributes: Iterable[str] | None = None,
        access_rights: Iterable[str] | None = None,
    ) -> Credential:
        rights = RIGHT_NAMES if access_rights is None else frozenset(access_rights)
        unknown = rights - RIGHT_NAMES
        if unknown:
            raise ValueError(
                f"unknown access rights {sorted(unknown)}; known: {sorted(RIGHT_NAMES)}"
            )
        readable = None if readable_attributes is None else frozenset(readable_attributes)
        return cls(client_id, client_secret, readable, rights)

    def can_read(self, attribute_key: str) -> bool:
        """`id` is always readable: a record cannot be identified without it."""
        if attribute_key == "id" or self.readable_attributes is None:
            return True
        return attribute_key in self.readable_attributes

    def scope_string(self, rights: frozenset[str], generation: str) -> str:
        scopes = {
            r.v1_scope if generation == "v1" else r.v2_scope for r in RIGHTS if r.name in rights
        }
        return " ".join(sorted(s for s in scopes if s))


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    rights: frozenset[str]
    expires_at: float


class TokenState(Enum):
    VALID = "valid"
    UNKNOWN = "unknown"  # never issued (or garbage)
    EXPIRED = "expired"
    REVOKED = "revoked"


class TokenStore:
    """Issued tokens; the v1 token is stable per credential until it expires or is revoked."""

    def __init__(self, lifetime: float, clock: Callable[[], float]) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}
        self._revoked: set[str] = set()
        self._v1_token: Token | None = None

    def _mint(self, rights: frozenset[str]) -> Token:
        token = Token("papi-" + secrets.token_urlsafe(48), rights, self._clock() + self.lifetime)
        self._tokens[token.value] = token
        return token

    def v1_token(self, rights: frozenset[str]) -> Token:
        """The same token for every /v1/auth call during its lifetime."""
        with self._lock:
            current = self._v1_token
            if current is None or current.value not in self._tokens or self._expired(current):
                current = self._v1_token = self._mint(rights)
            return current

    def v2_token(self, rights: frozenset[str]) -> Token:
        with self._lock:
            return self._mint(rights)

    def _expired(self, token: Token) -> bool:
        return self._clock() >= token.expires_at

    def expires_in(self, token: Token) -> int:
        return max(0, round(token.expires_at - self._clock()))

    def check(self, value: str) -> tuple[TokenState, Token | None]:
        with self._lock:
            token = self._tokens.get(value)
            if token is None:
                state = TokenState.REVOKED if value in self._revoked else TokenState.UNKNOWN
                return state, None
            if self._expired(token):
                return TokenState.EXPIRED, None
            return TokenState.VALID, token

    def revoke(self, value: str) -> None:
        with self._lock:
            if self._tokens.pop(value, None) is not None:
                self._revoked.add(value)

    def revoke_all(self) -> None:
        with self._lock:
            self._revoked.update(self._tokens)
            self._tokens.clear()
            self._v1_token = None
