"""Contract tests: real sandbox responses against Personio's official v2 OpenAPI descriptions.

The specs live in `../shared/personio-openapi/v2/` (relative to the repository root). OpenAPI
3.0 schemas become JSON Schema here: `$ref`s are inlined (also across files), `nullable: true`
admits null, and objects that declare `properties` reject undeclared keys, so a misspelt field
fails. One deviation is allowed: custom attribute `type` in lower case, as the API and every
spec example send it (personio-api.md 5.1). A custom attribute `value` is never null: the spec's
`CustomAttributeValue` is not nullable, so an empty one is `""` or `[]`. Its `oneOf` (string |
string[] | object[]) is read as `anyOf`, because an empty list is both kinds of list and a
strict `oneOf` could never accept it.

Lists are read to their end: every page of persons (limit 50 over more than three pages) and
every person's employments, and every item of every page is checked, not a sample.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from tap_personio.sandbox import Sandbox
from tests.sandbox.conftest import bearer, v2_token
from tests.sandbox.v2_helpers import v2

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
    """Lower-case custom attribute types (personio-api.md 5.1); custom attribute values as
    `anyOf`, so that the empty list fits (null still does not)."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            enum = node.get("enum")
            if enum and "STRING_LIST" in enum:
                node["enum"] = [*enum, *(value.lower() for value in enum)]
            value = node.get("properties", {}).get("value")
            if isinstance(value, dict) and "oneOf" in value:
                node["properties"]["value"] = {"anyOf": value["oneOf"]}
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


PAGE = 50  # the persons maximum
EMPLOYEES = 3 * PAGE + 13  # more than three full pages


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with Sandbox(employees=EMPLOYEES, rate_limits=False) as sb:
        yield sb


def _validator(spec: str, path: str) -> jsonschema.protocols.Validator:
    schema = response_schema(spec, path, "get", "200")
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _assert_valid(validator: jsonschema.protocols.Validator, body: Any, where: str) -> None:
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, (
        where + "\n" + "\n".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5])
    )


def _pages(sb: Sandbox, path: str, **query: Any) -> Iterator[dict[str, Any]]:
    """Every page of a v2 list, following `_meta.links.next.href`."""
    token = v2_token(sb)
    response = v2(sb, path, beta=False, token=token, **query)
    for _ in range(1000):
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        yield body
        following = body["_meta"]["links"].get("next")
        if following is None:
            return
        response = requests.get(following["href"], headers=bearer(token), timeout=10)
    raise AssertionError(f"{path}: no last page after 1000 pages")


def _person_with_supervisor(sb: Sandbox) -> int:
    return next(e.id for e in sb.company.employees() if e.supervisor_id is not None)


# (spec, spec path, status, request path template, query); lists: see the page walks below
GET_CASES = [
    (PERSONS, "/v2/persons/{id}", "200", "/v2/persons/{person}", {}),
    (PERSONS, "/v2/persons/{id}", "404", "/v2/persons/999999", {}),
    (PERSONS, "/v2/persons", "400", "/v2/persons", {"limit": 100}),
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
    employment = sandbox.company.employee(person).employment_id  # type: ignore[union-attr]
    url = sandbox.url + path.format(person=person, employment=employment)
    response = requests.get(url, headers=bearer(v2_token(sandbox)), params=query, timeout=5)
    assert response.status_code == int(status), response.text
    method = "get"
    jsonschema.validate(response.json(), response_schema(spec, spec_path, method, status))


def test_every_persons_page_matches_the_official_spec(sandbox: Sandbox) -> None:
    validator = _validator(PERSONS, "/v2/persons")
    sizes, ids = [], []
    for number, body in enumerate(_pages(sandbox, "/v2/persons", limit=PAGE), start=1):
        _assert_valid(validator, body, f"page {number}")
        sizes.append(len(body["_data"]))
        ids.extend(person["id"] for person in body["_data"])
    assert sizes.count(PAGE) >= 3, sizes
    assert sorted(ids) == sorted(str(i) for i in sandbox.v1_employee_ids())  # each once


def test_every_persons_employments_match_the_official_spec(sandbox: Sandbox) -> None:
    """Each person's list, every page: terminated people and those with a supervisor too."""
    validator = _validator(EMPLOYMENTS, "/v2/persons/{person_id}/employments")
    employees = sandbox.company.employees()
    assert any(e.termination_date for e in employees)
    assert any(e.supervisor_id for e in employees)
    for emp in employees:
        path = f"/v2/persons/{emp.id}/employments"
        items = []
        for body in _pages(sandbox, path, limit=PAGE):
            _assert_valid(validator, body, path)
            items.extend(body["_data"])
        assert [item["id"] for item in items] == [emp.employment_id]


def test_the_value_schema_takes_empty_values_but_not_null() -> None:
    """The contract test can fail: a custom attribute sent as null is rejected."""
    validator = _validator(PERSONS, "/v2/persons")

    def page(value: Any) -> dict[str, Any]:
        attribute = {"id": "dynamic_1", "type": "string_list", "value": value,
                     "global_id": "dynamic_1", "label": "Tags"}  # fmt: skip
        return {"_data": [{"id": "1", "custom_attributes": [attribute]}], "_meta": {"links": {}}}

    for value in ("", [], ["English"], "Red"):
        validator.validate(page(value))
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(page(None))


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
