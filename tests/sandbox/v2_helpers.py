"""Shared helpers for the v2 endpoint tests."""

from __future__ import annotations

from typing import Any

import requests

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import bearer, v2_token


def v2(
    sb: Sandbox, path: str, *, beta: bool = True, token: str | None = None, **params: Any
) -> requests.Response:
    """GET a v2 path with a fresh token and (by default) `Beta: true`."""
    headers = bearer(token or v2_token(sb))
    if beta:
        headers["Beta"] = "true"
    return requests.get(f"{sb.url}{path}", headers=headers, params=params, timeout=10)


def data(sb: Sandbox, path: str, **params: Any) -> list[dict[str, Any]]:
    response = v2(sb, path, **params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["_data"]
    return items


def every_page(sb: Sandbox, path: str, **params: Any) -> list[dict[str, Any]]:
    """Follow `_meta.links.next.href` to the end."""
    token = v2_token(sb)
    response = v2(sb, path, token=token, **params)
    items: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["_data"])
        following = body["_meta"]["links"].get("next")
        if following is None:
            return items
        response = requests.get(
            following["href"], timeout=10, headers={**bearer(token), "Beta": "true"}
        )


def detail(response: requests.Response) -> str:
    return str(response.json()["errors"][0]["detail"])
