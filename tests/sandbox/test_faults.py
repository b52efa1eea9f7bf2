"""Each fault kind, injected through the Python API."""

from __future__ import annotations

import time

import pytest
import requests

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import bearer, get, v1_token, v2_token

EMPLOYEES = "/v1/company/employees"


def test_latency_delays_every_response_until_cleared(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("latency", seconds=0.15)
    started = time.perf_counter()
    get(sb, EMPLOYEES, token)
    assert time.perf_counter() - started >= 0.15
    sb.clear_faults()
    started = time.perf_counter()
    get(sb, EMPLOYEES, token)
    assert time.perf_counter() - started < 0.15


def test_latency_range_stays_within_bounds(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("latency", min_seconds=0.05, max_seconds=0.1)
    started = time.perf_counter()
    get(sb, EMPLOYEES, token)
    assert 0.05 <= time.perf_counter() - started < 0.5


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_status_fault_answers_n_requests_then_recovers(sb: Sandbox, status: int) -> None:
    token = v1_token(sb)
    sb.inject("status", count=2, status=status, path=EMPLOYEES)
    codes = [get(sb, EMPLOYEES, token).status_code for _ in range(3)]
    assert codes == [status, status, 200]


def test_status_fault_only_hits_its_path_prefix(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("status", count=1, status=503, path="/v2/")
    assert get(sb, EMPLOYEES, token).status_code == 200
    response = get(sb, "/v2/persons", token)
    assert response.status_code == 503
    assert response.json()["errors"][0]["type"].endswith("common.service_unavailable")


def test_an_exact_fault_hits_its_endpoint_and_not_the_paths_below_it(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("status", count=1, status=503, path=EMPLOYEES, exact=True)
    assert get(sb, f"{EMPLOYEES}/attributes", token).status_code == 200
    assert get(sb, EMPLOYEES, token).status_code == 503
    sb.inject("status", count=1, status=503, path=f"{EMPLOYEES}/{{employee_id}}", exact=True)
    assert get(sb, EMPLOYEES, token).status_code == 200
    assert get(sb, f"{EMPLOYEES}/1001", token).status_code == 503


def test_v1_status_fault_uses_the_v1_envelope(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("status", status=500)
    assert get(sb, EMPLOYEES, token).json()["success"] is False


def test_drop_closes_the_connection_without_an_answer(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("drop", path=EMPLOYEES)
    with pytest.raises(requests.ConnectionError):
        get(sb, EMPLOYEES, token)
    assert get(sb, EMPLOYEES, token).status_code == 200


def test_truncate_sends_less_than_content_length(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("truncate", path=EMPLOYEES)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(sb, EMPLOYEES, token)
    assert get(sb, EMPLOYEES, token).status_code == 200


def test_slow_response_exceeds_a_client_timeout(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("slow", seconds=0.5, path=EMPLOYEES)
    with pytest.raises(requests.Timeout):
        requests.get(f"{sb.url}{EMPLOYEES}", headers=bearer(token), timeout=0.1)
    started = time.perf_counter()
    assert get(sb, EMPLOYEES, token).status_code == 200
    assert time.perf_counter() - started < 0.5


def test_revoke_after_n_requests_then_401(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("revoke_after", count=2)
    codes = [get(sb, EMPLOYEES, token).status_code for _ in range(3)]
    assert codes == [200, 200, 401]
    assert get(sb, EMPLOYEES, v1_token(sb)).status_code == 200


def test_malformed_serves_a_bad_value_in_n_responses(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("malformed", attribute="hire_date", value="0000-00-00")
    bad = get(sb, EMPLOYEES, token).json()["data"]
    assert {item["attributes"]["hire_date"]["value"] for item in bad} == {"0000-00-00"}
    good = get(sb, EMPLOYEES, token).json()["data"]
    assert "0000-00-00" not in {item["attributes"]["hire_date"]["value"] for item in good}


def test_malformed_can_send_a_number_as_a_string(sb: Sandbox) -> None:
    key = next(a.key for a in sb.company.custom_attributes if a.type == "integer")
    sb.inject("malformed", attribute=key, value="40")
    item = get(sb, EMPLOYEES).json()["data"][0]
    assert item["attributes"][key]["value"] == "40"


def test_new_attribute_appears_after_n_requests(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("new_attribute", count=1, label="Favourite colour", type="list",
              options=("red", "blue"))  # fmt: skip
    before = get(sb, f"{EMPLOYEES}/attributes", token).json()["data"]
    after = get(sb, f"{EMPLOYEES}/attributes", token).json()["data"]
    assert len(after) == len(before) + 1
    new = after[-1]
    assert (new["label"], new["type"], new["options"]) == ("Favourite colour", "list",
                                                          ["red", "blue"])  # fmt: skip
    employee = get(sb, EMPLOYEES, token).json()["data"][0]["attributes"]
    assert employee[new["key"]]["value"] in ("red", "blue", None)


def test_mutate_changes_the_company_after_n_requests_and_records_what_changed(sb: Sandbox) -> None:
    token = v1_token(sb)
    before = sb.v1_employee_ids()
    sb.inject("mutate", count=1, path=EMPLOYEES, update=2, add=1, absences=1)
    first = get(sb, EMPLOYEES, token, limit=100).json()["data"]
    assert sb.mutations == []
    assert len(first) == len(before)
    second = get(sb, EMPLOYEES, token, limit=100).json()["data"]  # served after the change
    [change] = sb.mutations
    assert len(change["updated"]) == 2
    assert len(change["time_offs"]) == len(change["hourly_absences"]) == 1
    assert sb.v1_employee_ids() == sorted([*before, *change["added"]])
    assert len(second) == len(before) + 1
    get(sb, EMPLOYEES, token)
    assert len(sb.mutations) == 1  # fired once


def test_mutate_counts_only_requests_on_its_path(sb: Sandbox) -> None:
    token = v2_token(sb)
    sb.inject("mutate", count=0, path="/v2/attendance-periods", attendances=1)
    get(sb, "/v2/persons", token)
    assert sb.mutations == []
    get(sb, "/v2/attendance-periods", token)
    assert list(sb.mutations[0]) == ["updated", "added", "deleted", "attendance_periods"]


def test_mutate_takes_only_the_arguments_of_company_mutate(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown"):
        sb.inject("mutate", salaries=3)


def test_repeat_cursor_points_next_at_the_same_cursor(sb: Sandbox) -> None:
    token = v2_token(sb)
    first = get(sb, "/v2/persons", token, limit=5).json()
    second_url = first["_meta"]["links"]["next"]["href"]
    sb.inject("repeat_cursor", path="/v2/persons")
    second = requests.get(second_url, headers=bearer(token), timeout=5).json()
    assert second["_meta"]["links"]["next"]["href"] == second_url
    third = requests.get(second_url, headers=bearer(token), timeout=5).json()
    assert third["_meta"]["links"]["next"]["href"] != second_url


def test_unknown_fault_kind_is_rejected(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        sb.inject("meteor")


def test_status_fault_rejects_statuses_personio_does_not_send_as_faults(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        sb.inject("status", status=418)
