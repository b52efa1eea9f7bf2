"""persons: typed by the same catalogue as employees, tolerant of what the catalogue misses."""

from __future__ import annotations

import logging

from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import discover, run_tap, select, tap_config


def test_persons_and_employees_have_the_same_custom_columns_and_values():
    with Sandbox(employees=20, seed=9, custom_attributes=10, rate_limits=False) as sb:
        run = run_tap(tap_config(sb), streams=("persons", "employees"))
    assert run.returncode == 0, run.stderr[-2000:]
    persons, employees = (run.schemas[n]["properties"] for n in ("persons", "employees"))
    custom = {k for k in employees if k.startswith("dynamic_")}
    assert len(custom) == 10
    assert {k for k in persons if k.startswith("dynamic_")} == custom
    assert all(persons[k]["type"] == employees[k]["type"] for k in custom)
    by_id = {str(e["id"]): e for e in run.records["employees"]}
    for person in run.records["persons"]:
        assert {k: person[k] for k in custom} == {k: by_id[person["id"]][k] for k in custom}


def test_an_attribute_the_catalog_does_not_know_is_kept_untyped_and_logged_once():
    with Sandbox(employees=15, seed=9, custom_attributes=4, rate_limits=False) as sb:
        catalog = select(discover(tap_config(sb)), ("persons",))
        added = sb.company.add_custom_attribute("Shoe size", "integer").key
        run = run_tap(tap_config(sb), catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    records = run.records["persons"]
    assert added not in run.schemas["persons"]["properties"]
    kept = [r["other_custom_attributes"] for r in records if r["other_custom_attributes"]]
    assert len(kept) == len(records)
    assert all(set(other) == {added} for other in kept)
    assert run.stderr.count(f"custom attribute {added} is not in the attribute catalogue") == 1


def test_empty_and_null_custom_values_become_null(caplog):
    with Sandbox(employees=3, seed=9, custom_attributes=3, rate_limits=False) as sb:
        stream = TapPersonio(config=tap_config(sb), validate_config=True).streams["persons"]
        columns = list(stream.columns)
        raw = {
            "id": "7",
            "custom_attributes": [
                {"id": columns[0], "type": "string", "value": None},
                {"id": columns[1], "type": "string", "value": ""},
                {"id": columns[2], "type": "string_list", "value": []},
            ],
        }
        with caplog.at_level(logging.WARNING):
            row = stream.shape(stream.preprocess(raw))
    assert [row[c] for c in columns] == [None, None, None]
    assert row["other_custom_attributes"] is None
    assert "does not fit" not in caplog.text
