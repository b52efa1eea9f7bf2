"""The credential's attribute whitelist and access rights."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import get, v2_token

EMPLOYEES = "/v1/company/employees"
WHITELIST = ["first_name", "last_name", "email"]


def test_unreadable_attributes_are_omitted_from_the_list(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=WHITELIST)
    attributes = get(sb, EMPLOYEES).json()["data"][0]["attributes"]
    assert set(attributes) == {"id", *WHITELIST}


def test_unreadable_attributes_are_omitted_from_one_employee(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=WHITELIST)
    attributes = get(sb, f"{EMPLOYEES}/{sb.v1_employee_ids()[0]}").json()["data"]["attributes"]
    assert set(attributes) == {"id", *WHITELIST}


def test_projection_cannot_reach_unreadable_attributes(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=WHITELIST)
    body = get(sb, EMPLOYEES, **{"attributes[]": ["first_name", "fix_salary"]}).json()
    assert set(body["data"][0]["attributes"]) == {"id", "first_name"}


def test_catalogue_reflects_the_whitelist(make_sandbox) -> None:
    sb = make_sandbox()
    custom = sb.company.custom_attributes[0].key
    sb = make_sandbox(readable_attributes=[*WHITELIST, custom])
    keys = [item["key"] for item in get(sb, f"{EMPLOYEES}/attributes").json()["data"]]
    assert keys == ["id", *WHITELIST, custom]


def test_v2_persons_follow_the_whitelist(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=["first_name"])
    person = get(sb, "/v2/persons", v2_token(sb)).json()["_data"][0]
    assert set(person) == {"id", "first_name", "custom_attributes", "employments", "_meta"}
    assert person["custom_attributes"] == []


def test_the_whitelist_can_change_while_the_sandbox_runs(make_sandbox) -> None:
    sb = make_sandbox()
    custom = sb.company.custom_attributes[0].key
    token = v2_token(sb)
    sb.set_readable_attributes([*WHITELIST, custom])
    assert set(get(sb, EMPLOYEES, token).json()["data"][0]["attributes"]) == {
        "id", *WHITELIST, custom}  # fmt: skip
    sb.set_readable_attributes(WHITELIST)
    keys = [item["key"] for item in get(sb, f"{EMPLOYEES}/attributes", token).json()["data"]]
    assert keys == ["id", *WHITELIST]
    person = get(sb, "/v2/persons", token).json()["_data"][0]
    assert person["custom_attributes"] == []
    assert custom not in sb.v1_employee(sb.v1_employee_ids()[0])
    sb.set_readable_attributes(None)
    assert custom in get(sb, EMPLOYEES, token).json()["data"][0]["attributes"]


def test_v1_endpoint_without_its_right_is_403_forbidden_exception(make_sandbox) -> None:
    sb = make_sandbox(access_rights=["absences"])
    response = get(sb, EMPLOYEES)
    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "error": {
            "message": "personio.core.api.exceptions.api.forbidden.http.exception",
            "code": 0,
        },
    }


def test_v1_endpoint_with_its_right_is_served(make_sandbox) -> None:
    sb = make_sandbox(access_rights=["absences"])
    emp_id = sb.v1_employee_ids()[0]
    assert get(sb, f"{EMPLOYEES}/{emp_id}/absences/balance").status_code == 200


def test_v2_endpoint_without_its_right_is_403_insufficient_scope(make_sandbox) -> None:
    sb = make_sandbox(access_rights=["absences"])
    response = get(sb, "/v2/persons", v2_token(sb))
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error["title"] == "Insufficient access scope"
    assert error["detail"] == "Client scope insufficient to access resource"


def test_v2_token_cannot_ask_for_a_scope_the_credential_lacks(make_sandbox) -> None:
    sb = make_sandbox(access_rights=["absences"])
    with pytest.raises(Exception, match="400"):
        v2_token(sb, scope="personio:persons:read")


def test_unknown_access_right_is_rejected_at_start(make_sandbox) -> None:
    with pytest.raises(ValueError, match="unknown access rights"):
        make_sandbox(access_rights=["employees", "payroll"])
