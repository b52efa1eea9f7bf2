"""v2 recruiting: an application's stage transitions (beta, newest first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tap_personio.sandbox import Sandbox
from tests.sandbox.v2_helpers import data, every_page, v2

APPLICATIONS = "/v2/recruiting/applications"


def _path(application: dict[str, Any]) -> str:
    return f"{APPLICATIONS}/{application['id']}/stage-transitions"


def _stages(sb: Sandbox, category_id: str) -> list[dict[str, Any]]:
    category = v2(sb, f"/v2/recruiting/categories/{category_id}").json()["_data"]
    stages: list[dict[str, Any]] = category["stages"]
    return stages


def test_transitions_need_beta_and_the_recruiting_feature(sb: Sandbox) -> None:
    application = data(sb, APPLICATIONS, limit=1)[0]
    assert v2(sb, _path(application), beta=False).status_code == 404
    sb.set_feature("recruiting", False)
    assert v2(sb, _path(application)).status_code == 404


def test_unknown_application_is_404(sb: Sandbox) -> None:
    response = v2(sb, f"{APPLICATIONS}/00000000-0000-0000-0000-000000000000/stage-transitions")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


def test_transitions_need_the_recruiting_right(make_sandbox: Callable[..., Sandbox]) -> None:
    full = make_sandbox()
    application = data(full, APPLICATIONS, limit=1)[0]
    narrow = make_sandbox(access_rights=["employees"])
    assert v2(narrow, _path(application)).status_code == 403


def test_transitions_lead_from_unassigned_to_the_current_stage(sb: Sandbox) -> None:
    for application in every_page(sb, APPLICATIONS):
        items = data(sb, _path(application))
        assert set(items[0]) == {"entered_at", "stage"}
        assert items[0]["stage"] == application["current_stage"]
        assert items[-1]["stage"]["name"] == "Unassigned"
        stamps = [i["entered_at"]["date-time"] for i in items]
        assert stamps == sorted(stamps, reverse=True)
        assert len(set(stamps)) == len(stamps)
        assert stamps[-1] == application["created_at"]["date-time"]
        assert stamps[0] <= application["updated_at"]["date-time"]
        assert {i["entered_at"]["timezone"] for i in items} == {"Europe/Berlin"}


def test_transitions_follow_the_category_stages_in_order(sb: Sandbox) -> None:
    seen_rejected = False
    for application in every_page(sb, APPLICATIONS):
        stages = _stages(sb, application["job"]["category"]["id"])
        order = [s["id"] for s in stages]
        path = [i["stage"] for i in reversed(data(sb, _path(application)))]
        assert all(s in stages for s in path)
        ahead = [s for s in path if s["name"] != "Rejected"]
        assert [s["id"] for s in ahead] == order[: len(ahead)]
        if path[-1]["name"] == "Rejected":
            seen_rejected = True
            assert len(ahead) >= 1
    assert seen_rejected


@pytest.mark.parametrize("limit", [1, 2])
def test_transitions_page_with_a_cursor(sb: Sandbox, limit: int) -> None:
    application = next(a for a in every_page(sb, APPLICATIONS)
                       if a["current_stage"]["name"] in ("Offer", "Hired"))  # fmt: skip
    everything = data(sb, _path(application))
    assert len(everything) >= 4
    assert every_page(sb, _path(application), limit=limit) == everything


def test_transition_limit_above_200_is_400(sb: Sandbox) -> None:
    application = data(sb, APPLICATIONS, limit=1)[0]
    assert v2(sb, _path(application), limit=201).status_code == 400
