"""Token endpoints, token lifetime, and the auth check on data endpoints."""

from __future__ import annotations

import pytest
import requests

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import FakeClock, bearer, get, v1_token, v2_token

EMPLOYEES = "/v1/company/employees"


def _token_form(sb: Sandbox, **fields: str) -> requests.Response:
    return requests.post(f"{sb.url}/v2/auth/token", data=fields, timeout=5)


def _oauth_error(response: requests.Response) -> str:
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    return str(response.json()["error"])


# ----------------------------------------------------------------------------- v1 /auth
def test_v1_auth_accepts_a_json_body(sb: Sandbox) -> None:
    body = {"client_id": sb.client_id, "client_secret": sb.client_secret}
    response = requests.post(f"{sb.url}/v1/auth", json=body, timeout=5)
    assert response.status_code == 200
    data = response.json()
    assert data["success"] is True
    assert data["data"]["token"].startswith("papi-")
    assert data["data"]["expires_in"] == 86400


def test_v1_auth_accepts_a_form_body(sb: Sandbox) -> None:
    body = {"client_id": sb.client_id, "client_secret": sb.client_secret}
    response = requests.post(f"{sb.url}/v1/auth", data=body, timeout=5)
    assert response.status_code == 200
    assert response.json()["data"]["token"].startswith("papi-")


def test_v1_auth_returns_the_same_token_during_its_lifetime(sb: Sandbox) -> None:
    assert v1_token(sb) == v1_token(sb)


def test_v1_auth_refuses_query_string_credentials_with_403(sb: Sandbox) -> None:
    params = {"client_id": sb.client_id, "client_secret": sb.client_secret}
    response = requests.post(f"{sb.url}/v1/auth", params=params, timeout=5)
    assert response.status_code == 403
    assert response.json()["success"] is False


@pytest.mark.parametrize(
    "body",
    [{"client_id": "sandbox-client-id", "client_secret": "wrong"}, {"client_id": "x"}, {}],
    ids=["wrong-secret", "missing-secret", "empty"],
)
def test_v1_auth_answers_bad_credentials_with_401(sb: Sandbox, body: dict[str, str]) -> None:
    response = requests.post(f"{sb.url}/v1/auth", json=body, timeout=5)
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": {"code": 401, "message": "Wrong credentials"},
    }


def test_v1_data_responses_echo_the_token(sb: Sandbox) -> None:
    token = v1_token(sb)
    response = get(sb, EMPLOYEES, token)
    assert response.headers["Authorization"] == f"Bearer {token}"


# ----------------------------------------------------------------------------- v1 token checks
def test_v1_without_token_is_401_authorization_not_provided(sb: Sandbox) -> None:
    response = requests.get(f"{sb.url}{EMPLOYEES}", timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Authorization is not provided"


def test_v1_with_unknown_token_is_403_authorization_not_valid(sb: Sandbox) -> None:
    response = get(sb, EMPLOYEES, "papi-made-up")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": 403,
        "message": "Provided authorization is not valid",
    }


def test_v1_token_expires_after_the_configured_lifetime(make_sandbox, clock: FakeClock) -> None:
    sb = make_sandbox(token_lifetime=30)
    token = v1_token(sb)
    clock.advance(29)
    assert get(sb, EMPLOYEES, token).status_code == 200
    clock.advance(1)
    assert get(sb, EMPLOYEES, token).status_code == 401


def test_v1_auth_mints_a_new_token_after_expiry(make_sandbox, clock: FakeClock) -> None:
    sb = make_sandbox(token_lifetime=30)
    first = v1_token(sb)
    clock.advance(31)
    second = v1_token(sb)
    assert second != first
    assert get(sb, EMPLOYEES, second).status_code == 200


def test_revoke_tokens_makes_every_token_401(sb: Sandbox) -> None:
    old_v1, old_v2 = v1_token(sb), v2_token(sb)
    sb.revoke_tokens()
    assert get(sb, EMPLOYEES, old_v1).status_code == 401
    assert get(sb, "/v2/persons", old_v2).status_code == 401
    assert get(sb, EMPLOYEES, v1_token(sb)).status_code == 200


# ----------------------------------------------------------------------------- v2 /auth/token
def test_v2_token_success_shape(sb: Sandbox) -> None:
    response = _token_form(
        sb, grant_type="client_credentials", client_id=sb.client_id, client_secret=sb.client_secret
    )
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("papi-")
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    assert "personio:persons:read" in body["scope"].split()
    assert body["refresh_token"] is None


def test_v2_token_requires_a_form_body(sb: Sandbox) -> None:
    body = {"grant_type": "client_credentials", "client_id": sb.client_id}
    response = requests.post(f"{sb.url}/v2/auth/token", json=body, timeout=5)
    assert _oauth_error(response) == "invalid_request"
    assert response.json()["type"].endswith("invalid_request_content_type")


def test_v2_token_missing_grant_type_lists_it(sb: Sandbox) -> None:
    response = _token_form(sb, client_id=sb.client_id)
    assert _oauth_error(response) == "invalid_request"
    assert response.json()["meta"] == {"missing_parameters": ["grant_type"]}


def test_v2_token_unknown_grant_is_invalid_grant(sb: Sandbox) -> None:
    assert _oauth_error(_token_form(sb, grant_type="lilu_dallas_multipass")) == "invalid_grant"


def test_v2_token_other_oauth_grant_is_unsupported(sb: Sandbox) -> None:
    response = _token_form(sb, grant_type="urn:ietf:params:oauth:grant-type:device_code")
    assert _oauth_error(response) == "unsupported_grant_type"


def test_v2_token_unknown_client_is_invalid_client(sb: Sandbox) -> None:
    response = _token_form(sb, grant_type="client_credentials", client_id="client_who")
    assert _oauth_error(response) == "invalid_client"


def test_v2_token_wrong_secret_is_unauthorized_client(sb: Sandbox) -> None:
    response = _token_form(
        sb, grant_type="client_credentials", client_id=sb.client_id, client_secret="wr0ng"
    )
    assert _oauth_error(response) == "unauthorized_client"


def test_v2_token_unknown_scope_is_invalid_scope(sb: Sandbox) -> None:
    response = _token_form(
        sb,
        grant_type="client_credentials",
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        scope="personio:persons:read fake_scope:777",
    )
    assert _oauth_error(response) == "invalid_scope"


def test_v2_token_with_narrow_scope_cannot_read_other_areas(sb: Sandbox) -> None:
    token = v2_token(sb, scope="personio:absences:read")
    response = get(sb, "/v2/persons", token)
    assert response.status_code == 403
    assert response.json()["errors"][0]["title"] == "Insufficient access scope"


def test_v2_revoke_invalidates_the_token(sb: Sandbox) -> None:
    token = v2_token(sb)
    response = requests.post(f"{sb.url}/v2/auth/revoke", data={"token": token}, timeout=5)
    assert response.status_code == 200
    assert response.content == b""
    assert get(sb, "/v2/persons", token).status_code == 401


def test_v2_invalid_token_is_401_problem_json(sb: Sandbox) -> None:
    response = get(sb, "/v2/persons", "papi-made-up")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {"personio_trace_id", "timestamp", "errors"} <= response.json().keys()


def test_v2_token_expires_after_the_configured_lifetime(make_sandbox, clock: FakeClock) -> None:
    sb = make_sandbox(token_lifetime=10)
    token = v2_token(sb)
    clock.advance(10)
    assert get(sb, "/v2/persons", token).status_code == 401


# ----------------------------------------------------------------------------- both generations
def test_a_v2_token_is_accepted_by_v1_endpoints(sb: Sandbox) -> None:
    assert get(sb, EMPLOYEES, v2_token(sb)).status_code == 200


def test_a_v1_token_is_accepted_by_v2_endpoints(sb: Sandbox) -> None:
    assert get(sb, "/v2/persons", v1_token(sb)).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Personio-App-ID": "TAP_TEST", "X-Personio-Partner-ID": "ACME"},
        {"Personio-App-ID": "TAP_TEST", "Personio-Partner-ID": "ACME"},
    ],
)
def test_both_app_id_header_spellings_are_accepted(sb: Sandbox, headers: dict[str, str]) -> None:
    response = requests.get(
        f"{sb.url}{EMPLOYEES}", headers={**headers, **bearer(v1_token(sb))}, timeout=5
    )
    assert response.status_code == 200
