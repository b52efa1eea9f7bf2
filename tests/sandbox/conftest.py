"""Fixtures for the sandbox's own tests: each test gets a small sandbox on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tap_personio.sandbox import Sandbox


class FakeClock:
    """A clock tests move by hand, so expiry and rate limits need no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_sandbox(clock: FakeClock) -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with the given options (rate limits off unless asked), stop them after."""
    started: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        options.setdefault("employees", 40)
        options.setdefault("rate_limits", False)
        options.setdefault("clock", clock)
        sandbox = Sandbox(**options).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()


def v1_token(sandbox: Sandbox) -> str:
    response = requests.post(
        f"{sandbox.url}/v1/auth",
        json={"client_id": sandbox.client_id, "client_secret": sandbox.client_secret},
        timeout=5,
    )
    response.raise_for_status()
    return str(response.json()["data"]["token"])


def v2_token(sandbox: Sandbox, scope: str | None = None) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
    }
    if scope is not None:
        form["scope"] = scope
    response = requests.post(f"{sandbox.url}/v2/auth/token", data=form, timeout=5)
    response.raise_for_status()
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(sandbox: Sandbox, path: str, token: str | None = None, **params: Any) -> requests.Response:
    """GET a sandbox path with a (fresh v1) token."""
    token = token if token is not None else v1_token(sandbox)
    return requests.get(f"{sandbox.url}{path}", headers=bearer(token), params=params, timeout=5)
