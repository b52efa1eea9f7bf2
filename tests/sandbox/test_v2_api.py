"""Behaviour shared by every v2 list endpoint: envelope, paging, limits, filters, limits, faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import FakeClock, bearer, v2_token
from tests.sandbox.v2_helpers import detail, every_page, v2


def _first_person(sb: Sandbox) -> str:
    return str(sb.v1_employee_ids()[0])


def _first_period(sb: Sandbox) -> str:
    return str(v2(sb, "/v2/absence-periods", limit=1).json()["_data"][0]["id"])


def _first_project(sb: Sandbox) -> str:
    return str(sb.company.projects[0].id)


# path (with {person}/{period}/{project}), extra query, (default, max limit), keys of an item
ENDPOINTS: list[tuple[str, dict[str, str], tuple[int, int], set[str]]] = [
    ("/v2/persons/{person}/employments", {}, (10, 50), {"id", "person", "status", "_meta"}),
    ("/v2/absence-types", {}, (100, 100), {"id", "name", "category", "unit"}),
    ("/v2/absence-periods", {}, (100, 100),
     {"id", "person", "absence_type", "starts_from", "ends_at", "approval", "updated_at"}),
    ("/v2/absence-periods/{period}/breakdowns", {}, (28, 28), {"date", "effective_duration"}),
    ("/v2/attendance-periods", {}, (100, 100),
     {"id", "type", "person", "start", "end", "attribution_date", "approval", "updated_at"}),
    ("/v2/projects", {}, (100, 100), {"id", "name", "status", "created_at"}),
    ("/v2/projects/{project}/members", {}, (100, 100), {"id"}),
    ("/v2/compensations", {}, (100, 100),
     {"id", "person", "type", "amount", "interval", "effective_from"}),
    ("/v2/compensations/types", {}, (100, 100), {"id", "name", "category"}),
    ("/v2/legal-entities", {}, (20, 100), {"id", "name", "country"}),
    ("/v2/org-units", {"type": "department"}, (20, 100),
     {"id", "type", "name", "parent_id", "create_time"}),
    ("/v2/cost-centers", {}, (100, 200), {"id", "name"}),
    ("/v2/workplaces", {}, (100, 200), {"id", "name"}),
    ("/v2/jobs", {}, (50, 100), {"id", "name"}),
    ("/v2/document-management/documents", {"owner_id": "{person}"}, (100, 200),
     {"id", "name", "category", "owner", "created_at"}),
    ("/v2/recruiting/candidates", {}, (100, 200),
     {"id", "email", "applications", "updated_at"}),
    ("/v2/recruiting/applications", {}, (100, 200),
     {"id", "candidate", "job", "current_stage", "updated_at"}),
    ("/v2/recruiting/jobs", {}, (100, 200), {"id", "name", "hiring_team", "updated_at"}),
    ("/v2/recruiting/categories", {}, (100, 200), {"id", "name", "stages"}),
]  # fmt: skip
IDS = [path for path, *_ in ENDPOINTS]


def _resolve(sb: Sandbox, path: str, query: dict[str, str]) -> tuple[str, dict[str, str]]:
    values: dict[str, Callable[[Sandbox], str]] = {
        "person": _first_person, "period": _first_period, "project": _first_project}  # fmt: skip
    fill = {name: get(sb) for name, get in values.items() if "{" + name + "}" in path + str(query)}
    return path.format(**fill), {k: v.format(**fill) for k, v in query.items()}


@pytest.mark.parametrize(("path", "query", "limits", "keys"), ENDPOINTS, ids=IDS)
def test_list_has_the_v2_envelope_and_item_keys(
    sb: Sandbox, path: str, query: dict[str, str], limits: Any, keys: set[str]
) -> None:
    path, query = _resolve(sb, path, query)
    response = v2(sb, path, **query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"_data", "_meta"}
    assert body["_meta"]["links"]["self"]["href"].startswith(sb.url + path)
    assert body["_data"], "the sandbox company should fill every list"
    assert keys <= set(body["_data"][0])


@pytest.mark.parametrize(("path", "query", "limits", "keys"), ENDPOINTS, ids=IDS)
def test_limit_above_the_endpoint_maximum_is_400(
    sb: Sandbox, path: str, query: dict[str, str], limits: tuple[int, int], keys: Any
) -> None:
    path, query = _resolve(sb, path, query)
    response = v2(sb, path, limit=limits[1] + 1, **query)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert v2(sb, path, limit=limits[1], **query).status_code == 200


@pytest.mark.parametrize(("path", "query", "limits", "keys"), ENDPOINTS, ids=IDS)
def test_limit_zero_is_400(
    sb: Sandbox, path: str, query: dict[str, str], limits: Any, keys: Any
) -> None:
    path, query = _resolve(sb, path, query)
    assert v2(sb, path, limit=0, **query).status_code == 400


@pytest.mark.parametrize(
    ("path", "default"),
    [("/v2/absence-periods", 100), ("/v2/attendance-periods", 100), ("/v2/org-units", 20),
     ("/v2/recruiting/applications", 100), ("/v2/recruiting/candidates", 100)],
)  # fmt: skip
def test_default_page_size_is_the_endpoint_default(
    make_sandbox: Callable[..., Sandbox], path: str, default: int
) -> None:
    sb = make_sandbox(employees=250)
    if path == "/v2/org-units":  # only 8 departments: make the team list page by default
        sb.company.teams.extend(sb.company.teams * 2)
    query = {"type": "team"} if path == "/v2/org-units" else {}
    body = v2(sb, path, **query).json()
    assert len(body["_data"]) == default
    assert "next" in body["_meta"]["links"]


@pytest.mark.parametrize(
    ("path", "query"),
    [("/v2/absence-types", {}), ("/v2/jobs", {}), ("/v2/recruiting/jobs", {}),
     ("/v2/attendance-periods", {"attribution_date.gte": "2026-11-01"})],
)  # fmt: skip
def test_following_absolute_next_links_reads_every_item_once(
    sb: Sandbox, path: str, query: dict[str, str]
) -> None:
    first = v2(sb, path, limit=3, **query).json()
    assert first["_meta"]["links"]["next"]["href"].startswith(sb.url + path)
    ids = [item["id"] for item in every_page(sb, path, limit=3, **query)]
    assert len(ids) == len(set(ids)) == len(every_page(sb, path, limit=100, **query))


def test_the_last_page_has_no_next_link(sb: Sandbox) -> None:
    body = v2(sb, "/v2/absence-types", limit=100).json()
    assert "next" not in body["_meta"]["links"]


def test_invalid_cursor_is_400(sb: Sandbox) -> None:
    response = v2(sb, "/v2/absence-periods", cursor="cur_not-a-cursor")
    assert response.status_code == 400


def test_unknown_filter_operator_is_400_invalid_encoding(sb: Sandbox) -> None:
    response = v2(sb, "/v2/absence-periods", **{"updated_at.gt": "2026-01-01T00:00:00"})
    assert response.status_code == 400
    assert detail(response) == "Provided filter encoding is invalid."


def test_malformed_filter_key_is_400_invalid_encoding(sb: Sandbox) -> None:
    response = v2(sb, "/v2/attendance-periods", **{"id.nooperator": "x"})
    assert detail(response) == "Provided filter encoding is invalid."


def test_bad_filter_value_is_400_invalid_parameters(sb: Sandbox) -> None:
    response = v2(sb, "/v2/absence-periods", **{"updated_at.gte": "yesterday"})
    assert response.status_code == 400
    assert detail(response) == "Provided request parameters are invalid."


def test_repeat_cursor_fault_applies_to_v2_lists(sb: Sandbox) -> None:
    token = v2_token(sb)
    first = v2(sb, "/v2/absence-periods", token=token, limit=5).json()
    second_url = first["_meta"]["links"]["next"]["href"]
    sb.inject("repeat_cursor", path="/v2/absence-periods")
    second = requests.get(second_url, headers=bearer(token), timeout=5).json()
    assert second["_meta"]["links"]["next"]["href"] == second_url


def test_status_fault_on_a_v2_list_is_problem_json(sb: Sandbox) -> None:
    sb.inject("status", status=503, path="/v2/compensations")
    response = v2(sb, "/v2/compensations")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"


def test_each_endpoint_has_its_own_token_bucket_with_headers(
    make_sandbox: Callable[..., Sandbox], clock: FakeClock
) -> None:
    sb = make_sandbox(rate_limits=True)
    token = v2_token(sb)
    statuses = [v2(sb, "/v2/absence-periods", token=token, limit=1) for _ in range(11)]
    assert statuses[0].headers["x-ratelimit-replenish-rate"] == "10"
    assert statuses[-1].status_code == 429
    assert "Retry-After" not in statuses[-1].headers
    assert statuses[-1].headers["x-ratelimit-remaining"] == "0"
    other = v2(sb, "/v2/absence-types", token=token)
    assert other.status_code == 200
    clock.advance(1.0)
    assert v2(sb, "/v2/absence-periods", token=token, limit=1).status_code == 200


@pytest.mark.parametrize(
    ("path", "right"),
    [("/v2/absence-periods", "absences"), ("/v2/attendance-periods", "attendances"),
     ("/v2/compensations", "compensations"), ("/v2/recruiting/jobs", "recruiting"),
     ("/v2/cost-centers", "cost_centers"), ("/v2/projects", "projects")],
)  # fmt: skip
def test_endpoint_without_its_access_right_is_403(
    make_sandbox: Callable[..., Sandbox], path: str, right: str
) -> None:
    sb = make_sandbox(access_rights=["employees"])
    response = v2(sb, path)
    assert response.status_code == 403
    assert response.json()["errors"][0]["title"] == "Insufficient access scope"
