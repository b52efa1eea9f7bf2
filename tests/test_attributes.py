"""Attribute catalogue -> column schema, and Personio values -> typed values."""

from __future__ import annotations

import logging

import pytest

from tap_personio.attributes import EmployeeFlattener, column_for, columns_for


def attr(key: str, kind: str, options: list[str] | None = None) -> dict:
    return {
        "key": key,
        "label": f"Label {key}",
        "type": kind,
        "universal_id": None,
        "options": options or [],
    }


def value(v: object, kind: str = "standard") -> dict:
    return {"label": "x", "value": v, "type": kind, "universal_id": None}


@pytest.mark.parametrize(
    ("kind", "json_type", "fmt"),
    [
        ("standard", ["string", "null"], None),
        ("multiline", ["string", "null"], None),
        ("link", ["string", "null"], None),
        ("date", ["string", "null"], "date"),
        ("integer", ["integer", "null"], None),
        ("decimal", ["number", "null"], None),
        ("tags", ["array", "null"], None),
        ("list", ["string", "null"], None),
    ],
)
def test_each_attribute_type_has_a_typed_nullable_column(kind, json_type, fmt):
    schema = column_for(attr("dynamic_1", kind, ["a", "b"])).schema
    assert schema["type"] == json_type
    assert schema.get("format") == fmt


def test_column_is_keyed_by_key_and_labelled_by_label():
    column = column_for(
        {"key": "dynamic_7", "label": "Shoe size", "type": "integer", "universal_id": None}
    )
    assert column.key == "dynamic_7"
    assert column.schema["title"] == "Shoe size"
    assert "Shoe size" in column.schema["description"]


def test_list_options_become_an_enum_and_tags_an_array_of_options():
    assert column_for(attr("dynamic_2", "list", ["married", "single"])).schema["enum"] == [
        "married",
        "single",
        None,
    ]
    tags = column_for(attr("dynamic_3", "tags", ["English", "French"])).schema
    assert tags["items"]["enum"] == ["English", "French"]


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("integer", 42, 42),
        ("integer", "42", 42),
        ("decimal", "40", 40),
        ("decimal", "37,5", 37.5),
        ("decimal", 12.25, 12.25),
        ("date", "2014-11-09T00:00:00+01:00", "2014-11-09"),
        ("date", "2014-11-09T00:00:00+0100", "2014-11-09"),
        ("date", "2021-01-01", "2021-01-01"),
        ("tags", "English, French", ["English", "French"]),
        ("tags", ["English", "French"], ["English", "French"]),
        ("list", "single", "single"),
        ("multiline", "line 1\nline 2", "line 1\nline 2"),
        ("link", "https://example.org", "https://example.org"),
        ("standard", 7, "7"),
    ],
)
def test_values_are_converted_to_their_column_type(kind, raw, expected):
    column = column_for(attr("dynamic_9", kind))
    flatten = EmployeeFlattener({column.key: column}, logging.getLogger("t"))
    assert flatten({"dynamic_9": value(raw, kind)}, [column.key]) == {"dynamic_9": expected}


def test_instants_are_emitted_in_utc():
    column = column_for(attr("last_modified_at", "date"))
    flatten = EmployeeFlattener({column.key: column}, logging.getLogger("t"))
    row = flatten({"last_modified_at": value("2017-05-23T09:49:03+02:00")}, [column.key])
    assert row == {"last_modified_at": "2017-05-23T07:49:03+00:00"}


def test_weekly_working_hours_sent_as_text_is_a_number():
    column = column_for(attr("weekly_working_hours", "standard"))
    assert column.schema["type"] == ["number", "null"]
    flatten = EmployeeFlattener({column.key: column}, logging.getLogger("t"))
    assert flatten({"weekly_working_hours": value("40")}, [column.key]) == {
        "weekly_working_hours": 40
    }


def test_nested_objects_are_typed_and_unwrapped():
    columns = columns_for(
        [
            attr("department", "standard"),
            attr("supervisor", "standard"),
            attr("cost_centers", "standard"),
        ]
    )
    flatten = EmployeeFlattener(columns, logging.getLogger("t"))
    row = flatten(
        {
            "department": value({"type": "Department", "attributes": {"id": 5, "name": "Ops"}}),
            "supervisor": value(
                {
                    "type": "Employee",
                    "attributes": {
                        "id": {"label": "ID", "value": 2, "type": "integer", "universal_id": "id"},
                        "first_name": {"label": "First", "value": "Ada", "type": "standard"},
                    },
                }
            ),
            "cost_centers": value(
                [{"type": "CostCenter", "attributes": {"id": 1, "name": "CC", "percentage": 100}}]
            ),
        },
        list(columns),
    )
    assert row["department"] == {"id": 5, "name": "Ops"}
    assert row["supervisor"]["id"] == 2
    assert row["supervisor"]["first_name"] == "Ada"
    assert row["cost_centers"] == [{"id": 1, "name": "CC", "percentage": 100}]
    assert columns["department"].schema["type"] == ["object", "null"]


def test_salary_currency_gets_a_column_of_its_own():
    columns = columns_for([attr("fix_salary", "decimal")])
    flatten = EmployeeFlattener(columns, logging.getLogger("t"))
    raw = {"fix_salary": {"label": "Salary", "value": 3000, "type": "decimal", "currency": "EUR"}}
    assert flatten(raw, list(columns)) == {"fix_salary": 3000, "fix_salary_currency": "EUR"}


@pytest.mark.parametrize(
    ("kind", "raw"), [("date", "0000-00-00"), ("integer", "many"), ("decimal", "n/a")]
)
def test_a_value_that_does_not_fit_becomes_null_with_a_warning_without_the_value(kind, raw, caplog):
    column = column_for(attr("dynamic_5", kind))
    flatten = EmployeeFlattener({column.key: column}, logging.getLogger("t"))
    with caplog.at_level(logging.WARNING):
        row = flatten({"id": value(17), "dynamic_5": value(raw, kind)}, [column.key])
    assert row == {"dynamic_5": None}
    assert "dynamic_5" in caplog.text
    assert "17" in caplog.text
    assert raw not in caplog.text


def test_missing_attribute_is_null_and_empty_list_stays_a_list():
    columns = columns_for([attr("team", "standard"), attr("cost_centers", "standard")])
    flatten = EmployeeFlattener(columns, logging.getLogger("t"))
    assert flatten({"cost_centers": value([])}, list(columns)) == {"team": None, "cost_centers": []}
