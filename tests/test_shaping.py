"""Values that do not fit the schema, on every stream: the record is kept, a value sent in
another shape is converted (a number as text), one that cannot be is nulled, with one warning
per column, not per record, and never the value itself in the log.

Parametrised over ``STREAMS``: each stream's own shaper (built from its schema) gets rows in
which every property holds a misfit of its type.
"""

from __future__ import annotations

import logging
import typing as t

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.streams import STREAMS
from tap_personio.tap import TapPersonio
from tests.conftest import discover, run_tap, select, tap_config

NAMES = [s.name for s in STREAMS]
ROWS = 5
SECRET = "a-personal-value-never-logged"


def kind(prop: dict) -> str:
    """``date``, ``date-time``, or the JSON type of a property."""
    types = prop.get("type")
    return prop.get("format") or (types[0] if isinstance(types, list) else types)


#: Per kind: a misfit Personio has been seen to send, and what it must become.
MISFITS: dict[str, tuple[t.Any, t.Any]] = {
    "date": ("0000-00-00", None),
    "date-time": ("0000-00-00 00:00:00 " + SECRET, None),
    "integer": ("12", 12),  # a number as text: converted
    "number": ("3,5", 3.5),  # a decimal comma: converted
    "boolean": ("1", True),  # an old 0/1 flag as text: converted
    "string": ({"value": SECRET, "nested": True}, None),  # an object where text was declared
    "object": (12345, None),
    "array": (12345, None),
}


def key_of(properties: dict, keys: t.Iterable[str], i: int) -> dict[str, t.Any]:
    """Primary key values that fit their types, a different key per row."""
    day = f"2026-01-{i + 1:02d}"
    fitting = {"integer": i + 1, "date": day, "date-time": f"{day}T08:00:00+00:00"}
    return {k: fitting.get(kind(properties[k]), f"key-{i}") for k in keys}


@pytest.fixture(scope="module")
def tap() -> t.Iterator[TapPersonio]:
    """The tap with every stream and every column selected."""
    with Sandbox(employees=3, seed=5, custom_attributes=8, rate_limits=False) as sb:
        config = tap_config(sb)
        catalog = select(discover(config), tuple(NAMES))
        yield TapPersonio(config=config, catalog=catalog, validate_config=True)


#: Streams whose every column is part of the primary key: nothing to misfit but the key; and
#: employees, whose rows EmployeeFlattener builds (tests/test_attributes.py and the sandbox
#: test below).
KEYS_ONLY = ("project_members",)
FLATTENED = ("employees",)


def test_the_streams_left_out_have_key_columns_only(tap):
    for name in KEYS_ONLY:
        stream = tap.streams[name]
        assert set(stream.selected_schema["properties"]) == set(stream.primary_keys)


@pytest.mark.parametrize("name", sorted(set(NAMES) - {*KEYS_ONLY, *FLATTENED}))
def test_a_misfit_in_every_column_keeps_the_record_and_warns_once_per_column(tap, name, caplog):
    stream = tap.streams[name]
    properties = stream.selected_schema["properties"]
    keys = set(stream.primary_keys or ())
    columns = {p: kind(prop) for p, prop in properties.items() if p not in keys}
    raw = {p: MISFITS[k][0] for p, k in columns.items() if k in MISFITS}
    assert raw, f"{name} has no column to misfit: the test would prove nothing"
    with caplog.at_level(logging.WARNING):
        rows = [stream.shape({**raw, **key_of(properties, keys, i)}) for i in range(ROWS)]
    assert len(rows) == ROWS
    for row in rows:
        assert set(row) == set(properties)  # every declared column, no other
        for column in raw:
            assert row[column] == MISFITS[columns[column]][1], column
    nulled = {c for c in raw if MISFITS[columns[c]][1] is None}
    warned = [r.getMessage() for r in caplog.records if "does not fit its type" in r.getMessage()]
    assert len(warned) == len(nulled)  # one per column, not one per record
    assert {w.split("the value of ")[1].split(" does not fit")[0] for w in warned} == nulled
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("name", "column"), [("persons", "status"), ("employments", "type"), ("time_offs", "status")]
)
def test_an_unknown_enum_value_is_kept_as_personio_sent_it(tap, name, column, caplog):
    stream = tap.streams[name]
    with caplog.at_level(logging.WARNING):
        row = stream.shape({column: "SOMETHING_NEW", **dict.fromkeys(stream.primary_keys, "1")})
    assert row[column] == "SOMETHING_NEW"
    assert "does not fit" not in caplog.text


#: Streams whose endpoint the sandbox's ``malformed`` fault corrupts (v1 only), with the column.
MALFORMED = {
    "employees": ("/v1/company/employees", "hire_date"),
    "time_offs": ("/v1/company/time-offs", "start_date"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_date_0000_00_00_from_personio_is_nulled_with_one_warning(name):
    path, column = MALFORMED[name]
    with Sandbox(employees=4, seed=6, years=1, rate_limits=False) as sb:
        first = run_tap(tap_config(sb), streams=(name,))
        sb.inject("malformed", count=2, path=path, value="0000-00-00")
        bad = run_tap(tap_config(sb), streams=(name,))
    assert first.returncode == bad.returncode == 0, bad.stderr[-2000:]
    assert len(bad.records[name]) == len(first.records[name]) > 0  # every record kept
    nulled = [r for r in bad.records[name] if r.get(column) is None]
    assert nulled, f"no {column} was nulled: the fault missed"
    warned = [line for line in bad.stderr.splitlines() if "does not fit its type" in line]
    assert len(warned) == 1, warned  # one per column, not one per record
    assert "0000-00-00" not in bad.stderr
