"""The framework: request log, unknown routes, lifecycle, and the v2 persons cursor pages."""

from __future__ import annotations

import pytest
import requests

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import bearer, get, v1_token, v2_token

EMPLOYEES = "/v1/company/employees"


# ----------------------------------------------------------------------------- request log
def test_every_request_is_logged_with_method_path_query_status(sb: Sandbox) -> None:
    token = v1_token(sb)
    get(sb, EMPLOYEES, token, limit=5)
    entry = sb.requests[-1]
    assert (entry.method, entry.path, entry.status) == ("GET", EMPLOYEES, 200)
    assert entry.query == {"limit": ["5"]}
    assert entry.duration > 0


@pytest.mark.parametrize("header", ["X-Personio-App-ID", "Personio-App-ID"])
def test_the_app_id_header_is_logged_in_either_spelling(sb: Sandbox, header: str) -> None:
    requests.get(f"{sb.url}/v1/company/employees", headers={header: "MY_APP"}, timeout=10)
    assert sb.requests[-1].app_id == "MY_APP"


def test_count_filters_by_exact_path_prefix_status_and_method(sb: Sandbox) -> None:
    token = v1_token(sb)
    get(sb, EMPLOYEES, token)
    get(sb, f"{EMPLOYEES}/attributes", token)
    get(sb, f"{EMPLOYEES}/999999", token)
    assert sb.count(path=EMPLOYEES) == 1
    assert sb.count(path=f"{EMPLOYEES}*") == 3
    assert sb.count(status=404) == 1
    assert sb.count(method="POST") == 1  # the /v1/auth call
    assert sb.count() == 4


def test_dropped_connections_are_logged_with_status_0(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("drop")
    with pytest.raises(requests.ConnectionError):
        get(sb, EMPLOYEES, token)
    assert sb.count(path=EMPLOYEES, status=0) == 1


# ----------------------------------------------------------------------------- routing
def test_unknown_v1_route_is_404_in_the_v1_envelope(sb: Sandbox) -> None:
    response = get(sb, "/v1/company/unicorns")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_unknown_v2_route_is_404_problem_json_with_the_path(sb: Sandbox) -> None:
    response = get(sb, "/v2/unicorns")
    assert response.status_code == 404
    assert response.json()["errors"][0]["_meta"] == {"path": "/v2/unicorns"}


def test_context_manager_starts_and_stops() -> None:
    with Sandbox(employees=5, rate_limits=False) as sandbox:
        url = sandbox.url
        assert requests.post(f"{url}/v1/auth", timeout=5).status_code == 401
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/v1/auth", timeout=1)


# ----------------------------------------------------------------------------- v2 persons
def test_v2_person_is_the_v1_employee_with_a_string_id(sb: Sandbox) -> None:
    emp = sb.company.employees()[0]
    person = get(sb, f"/v2/persons/{emp.id}", v2_token(sb)).json()
    assert person["id"] == str(emp.id)
    assert person["email"] == emp.email
    assert person["updated_at"].endswith("Z")


def test_v2_cursor_walk_returns_everyone_once(sb: Sandbox) -> None:
    token = v2_token(sb)
    url: str | None = f"{sb.url}/v2/persons?limit=7"
    seen: list[str] = []
    while url:
        body = requests.get(url, headers=bearer(token), timeout=5).json()
        seen += [p["id"] for p in body["_data"]]
        url = body["_meta"]["links"].get("next", {}).get("href")
        assert url is None or url.startswith(sb.url)  # absolute links
    assert seen == [str(i) for i in sb.v1_employee_ids()]


def test_v2_default_limit_is_10(sb: Sandbox) -> None:
    assert len(get(sb, "/v2/persons", v2_token(sb)).json()["_data"]) == 10


def test_v2_limit_outside_1_to_50_is_400(sb: Sandbox) -> None:
    response = get(sb, "/v2/persons", v2_token(sb), limit=51)
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == "Provided value for limit is not valid"


def test_v2_invalid_cursor_is_400(sb: Sandbox) -> None:
    assert get(sb, "/v2/persons", v2_token(sb), cursor="garbage!").status_code == 400


def test_v2_updated_at_gt_filter(sb: Sandbox) -> None:
    changed = sb.company.mutate(update=3)["updated"]
    since = (sb.company.now.replace(microsecond=0)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = get(sb, "/v2/persons", v2_token(sb), **{"updated_at.gt": "2026-11-26T08:00:00Z"})
    assert [int(p["id"]) for p in body.json()["_data"]] == changed
    assert get(sb, "/v2/persons", v2_token(sb), **{"updated_at.gt": since}).json()["_data"] == []


def test_v2_unknown_filter_operator_is_400_filter_encoding(sb: Sandbox) -> None:
    response = get(sb, "/v2/persons", v2_token(sb), **{"updated_at.gte": "2020-01-01"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == "Provided filter encoding is invalid."


def test_v2_unknown_person_is_404(sb: Sandbox) -> None:
    response = get(sb, "/v2/persons/999999", v2_token(sb))
    assert response.status_code == 404
    assert response.json()["errors"][0]["title"] == "Resource not found"
