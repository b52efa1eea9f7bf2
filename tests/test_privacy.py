"""What is deselected is never emitted, and for v2 streams never even shaped."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest

from tap_personio.privacy import digest
from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import discover, run_tap, select, tap_config

DESELECTED = {"persons": "email", "absence_periods": "comment", "employments": "supervisor"}


def deselect(catalog: dict, columns: dict[str, str]) -> dict:
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == ["properties", columns.get(entry["tap_stream_id"])]:
                item["metadata"]["selected"] = False
    return catalog


def test_a_deselected_v2_property_is_not_emitted():
    with Sandbox(employees=8, seed=2, rate_limits=False) as sb:
        catalog = deselect(select(discover(tap_config(sb)), tuple(DESELECTED)), DESELECTED)
        run = run_tap(tap_config(sb), catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    for stream, column in DESELECTED.items():
        assert run.records[stream], stream
        assert all(column not in record for record in run.records[stream]), stream
        assert column not in run.schemas[stream]["properties"]
        assert "id" in run.records[stream][0]


def test_a_deselected_property_is_not_shaped_so_its_bad_values_reach_no_log(caplog):
    with Sandbox(employees=4, seed=2, rate_limits=False) as sb:
        catalog = deselect(select(discover(tap_config(sb)), ("persons",)), {"persons": "email"})
        tap = TapPersonio(config=tap_config(sb), catalog=catalog, validate_config=True)
        stream = tap.streams["persons"]
        with caplog.at_level(logging.WARNING):
            row = stream.shape(stream.preprocess({"id": "1", "email": {"not": "text"}}))
    assert "email" not in row
    assert "email" not in caplog.text


KEY = "a-secret-key-for-tests"


def hmac_hex(text: str, key: str = KEY) -> str:
    """Computed here with the standard library alone, as a warehouse would in SQL or Python."""
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def pseudonymized():
    with Sandbox(employees=12, seed=4, custom_attributes=8, rate_limits=False) as sb:
        fields = {"*": ["email"], "employees": ["last_name"], "persons": ["first_name"]}
        config = tap_config(sb, pseudonymize_fields=fields, pseudonymize_key=KEY)
        run = run_tap(config, streams=("employees", "persons", "time_offs"))
        plain = run_tap(tap_config(sb), streams=("employees", "persons"))
        other_key = run_tap(
            tap_config(sb, pseudonymize_fields=fields, pseudonymize_key="another"),
            streams=("employees",),
        )
        again = run_tap(config, streams=("employees",))
        stdout = "\n".join(json.dumps(m) for m in run.messages)
        yield run, plain, other_key, stdout, again


def test_named_fields_are_the_keyed_hmac_of_their_value_in_every_stream(pseudonymized):
    run, plain, _, _, _ = pseudonymized
    for stream, fields in {
        "employees": ("email", "last_name"),
        "persons": ("email", "first_name"),
    }.items():
        raw = {r["id"]: r for r in plain.records[stream]}
        assert run.records[stream]
        for record in run.records[stream]:
            for field in fields:
                assert record[field] == hmac_hex(raw[record["id"]][field]), (stream, field)
            assert record["id"] == raw[record["id"]]["id"]  # other columns are untouched


def test_digests_are_stable_across_runs_and_streams_and_depend_on_the_key(pseudonymized):
    run, _, other_key, _, again = pseudonymized
    persons = {r["id"]: r["email"] for r in run.records["persons"]}
    employees = {str(r["id"]): r["email"] for r in run.records["employees"]}
    assert persons == employees  # the same person, the same digest: joins still work
    assert again.records["employees"] == run.records["employees"]  # and the next run too
    elsewhere = {str(r["id"]): r["email"] for r in other_key.records["employees"]}
    assert set(elsewhere.values()).isdisjoint(employees.values())


def test_no_raw_value_of_a_named_field_is_emitted(pseudonymized):
    run, plain, _, stdout, _ = pseudonymized
    emails = {r["email"] for r in plain.records["employees"]}
    surnames = {r["last_name"] for r in plain.records["employees"]}
    assert emails
    assert not [e for e in emails if e in stdout]
    assert not surnames & {r["last_name"] for r in run.records["employees"]}


def test_the_schema_types_a_named_field_as_its_digest(pseudonymized):
    run, _, _, _, _ = pseudonymized
    column = run.schemas["employees"]["properties"]["email"]
    assert column["type"] == ["string", "null"]
    assert "HMAC-SHA256" in column["description"]


def test_lists_are_pseudonymized_element_by_element_and_objects_as_canonical_json():
    key = b"k"
    assert digest(["a", "b"], key) == [digest("a", key), digest("b", key)]
    assert (
        digest({"b": 1, "a": "é"}, key)
        == hmac.new(key, '{"a":"é","b":1}'.encode(), hashlib.sha256).hexdigest()
    )
    assert digest(1003, key) == hmac.new(key, b"1003", hashlib.sha256).hexdigest()
    assert digest(None, key) is None


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ({"employees": ["shoe_size"]}, KEY, "names 'shoe_size', which stream 'employees' has not"),
        ({"*": ["shoe_size"]}, KEY, "names 'shoe_size', which any stream has not"),
        ({"payroll": ["email"]}, KEY, "names stream 'payroll'"),
        ({"employees": ["email"]}, None, "pseudonymize_key is not"),
    ],
)
def test_a_pseudonymisation_config_that_cannot_work_fails_at_start(fields, key, message):
    with Sandbox(employees=3, seed=4, rate_limits=False) as sb:
        config = tap_config(sb, pseudonymize_fields=fields)
        if key:
            config["pseudonymize_key"] = key
        run = run_tap(config)
        requests_made = [
            r.path for r in sb.requests if not r.path.startswith("/v1/company/employees/attributes")
        ]
    assert run.returncode != 0
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert not [m for m in run.messages if m["type"] == "RECORD"]
    if key is None:  # a config problem of its own: found before any request
        assert requests_made == []


def test_a_catalog_discovered_before_pseudonymisation_still_announces_digests():
    with Sandbox(employees=4, seed=4, rate_limits=False) as sb:
        catalog = select(discover(tap_config(sb)), ("employees",))  # no pseudonymize_fields yet
        config = tap_config(
            sb, pseudonymize_fields={"employees": ["hire_date"]}, pseudonymize_key=KEY
        )
        run = run_tap(config, catalog=catalog)
        plain = run_tap(tap_config(sb), catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    column = run.schemas["employees"]["properties"]["hire_date"]
    assert column["type"] == ["string", "null"]
    assert "format" not in column  # a target would otherwise expect a date
    days = {r["id"]: r["hire_date"] for r in plain.records["employees"]}
    assert all(r["hire_date"] == hmac_hex(days[r["id"]]) for r in run.records["employees"])
