"""Contract tests: real sandbox responses against Personio's official v2 OpenAPI descriptions.

The specs live in `../shared/personio-openapi/v2/` (relative to the repository root). OpenAPI
3.0 schemas become JSON Schema here: `$ref`s are inlined (also across files), `nullable: true`
admits null, and objects that declare `properties` reject undeclared keys, so a misspelt field
fails. Two deviations Personio documents itself are allowed (personio-api.md 5.1): custom
attribute `type` in lower case, and a custom attribute without a value sent as null.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import bearer, v2_token

SPEC_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "personio-openapi" / "v2"

if not SPEC_DIR.is_dir():
    pytest.skip(
        f"Personio's OpenAPI descriptions are not available at {SPEC_DIR}",
        allow_module_level=True,
    )


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPEC_DIR / name).read_text())
    return data


def _pointer(doc: dict[str, Any], fragment: str) -> Any:
    node: Any = doc
    for part in fragment.lstrip("/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def to_json_schema(node: Any, doc_name: str, seen: tuple[str, ...] = ()) -> Any:
    """Inline `$ref`s (local or `file.json#/...`) and translate OpenAPI 3.0 keywords."""
    if isinstance(node, list):
        return [to_json_schema(item, doc_name, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, _, fragment = node["$ref"].partition("#")
        name = target or doc_name
        key = f"{name}#{fragment}"
        if key in seen:  # recursion: accept anything below this point
            return {}
        return to_json_schema(_pointer(_load(name), fragment), name, (*seen, key))
    dropped = ("example", "examples", "readOnly", "deprecated", "nullable")
    result = {k: to_json_schema(v, doc_name, seen) for k, v in node.items() if k not in dropped}
    if node.get("nullable"):
        result = {"anyOf": [result, {"type": "null"}]}
    elif "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


def response_schema(spec: str, path: str, method: str, status: str) -> dict[str, Any]:
    doc = _load(spec)
    responses = doc["paths"][path][method]["responses"][status]["content"]
    media = next(iter(responses.values()))
    schema: dict[str, Any] = to_json_schema(media["schema"], spec)
    return allow_documented_quirks(schema)


def allow_documented_quirks(schema: Any) -> Any:
    """Lower-case custom attribute types and null values (personio-api.md 5.1, quirks)."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            enum = node.get("enum")
            if enum and "STRING_LIST" in enum:
                node["enum"] = [*enum, *(value.lower() for value in enum)]
            value = node.get("properties", {}).get("value")
            if isinstance(value, dict) and "oneOf" in value:
                node["properties"]["value"] = {"oneOf": [*value["oneOf"], {"type": "null"}]}
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return schema


PERSONS = "persons-service-api-v2.json"
EMPLOYMENTS = "employment-contract-v2.json"
CREDENTIALS = "credentials-service-api-v2.json"


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with Sandbox(employees=30, rate_limits=False) as sb:
        yield sb


def _person_with_supervisor(sb: Sandbox) -> int:
    return next(e.id for e in sb.company.employees() if e.supervisor_id is not None)


# (spec, spec path, status, request path template, query, HTTP status expected)
GET_CASES = [
    (PERSONS, "/v2/persons", "200", "/v2/persons", {"limit": 5}),
    (PERSONS, "/v2/persons/{id}", "200", "/v2/persons/{person}", {}),
    (PERSONS, "/v2/persons/{id}", "404", "/v2/persons/999999", {}),
    (PERSONS, "/v2/persons", "400", "/v2/persons", {"limit": 100}),
    (EMPLOYMENTS, "/v2/persons/{person_id}/employments", "200",
     "/v2/persons/{person}/employments", {}),
    (EMPLOYMENTS, "/v2/persons/{person_id}/employments", "200",
     "/v2/persons/{terminated}/employments", {}),
    (EMPLOYMENTS, "/v2/persons/{person_id}/employments/{id}", "200",
     "/v2/persons/{person}/employments/{employment}", {}),
    (EMPLOYMENTS, "/v2/persons/{person_id}/employments", "400",
     "/v2/persons/{person}/employments", {"id.invalid": "x"}),
    (EMPLOYMENTS, "/v2/persons/{person_id}/employments", "404",
     "/v2/persons/404/employments", {}),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "spec_path", "status", "path", "query"), GET_CASES)
def test_v2_response_matches_the_official_spec(
    sandbox: Sandbox, spec: str, spec_path: str, status: str, path: str, query: dict[str, Any]
) -> None:
    person = _person_with_supervisor(sandbox)
    terminated = next(e.id for e in sandbox.company.employees() if e.termination_date)
    employment = sandbox.company.employee(person).employment_id  # type: ignore[union-attr]
    url = sandbox.url + path.format(person=person, terminated=terminated, employment=employment)
    response = requests.get(url, headers=bearer(v2_token(sandbox)), params=query, timeout=5)
    assert response.status_code == int(status), response.text
    method = "get"
    jsonschema.validate(response.json(), response_schema(spec, spec_path, method, status))


TOKEN_CASES = [
    ("200", {"grant_type": "client_credentials", "client_id": "{id}", "client_secret": "{secret}"}),
    ("400", {"grant_type": "client_credentials", "client_id": "{id}"}),
    ("400", {"grant_type": "client_credentials", "client_id": "{id}", "client_secret": "wrong"}),
    ("400", {"grant_type": "password", "client_id": "{id}", "client_secret": "{secret}"}),
    ("400", {"grant_type": "client_credentials", "client_id": "{id}", "client_secret": "{secret}",
             "scope": "fake_scope:777"}),
]  # fmt: skip


@pytest.mark.parametrize(("status", "form"), TOKEN_CASES)
def test_v2_token_response_matches_the_official_spec(
    sandbox: Sandbox, status: str, form: dict[str, str]
) -> None:
    body = {
        k: v.format(id=sandbox.client_id, secret=sandbox.client_secret) for k, v in form.items()
    }
    response = requests.post(f"{sandbox.url}/v2/auth/token", data=body, timeout=5)
    assert response.status_code == int(status), response.text
    schema = response_schema(CREDENTIALS, "/v2/auth/token", "post", status)
    jsonschema.validate(response.json(), schema)


def test_the_strict_schema_rejects_an_undeclared_employment_field() -> None:
    """The contract test can fail: a misspelt field (the spec example's own) is caught."""
    schema = response_schema(EMPLOYMENTS, "/v2/persons/{person_id}/employments/{id}", "get", "200")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "x", "termination": {"last_working_date": "2023-01-07"}}, schema)


def test_nullable_fields_admit_null_and_others_do_not() -> None:
    token = response_schema(CREDENTIALS, "/v2/auth/token", "post", "200")
    jsonschema.validate({"access_token": "papi-x", "refresh_token": None}, token)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"access_token": None}, token)
