"""Personio's employee attribute catalogue turned into typed columns.

``GET /v1/company/employees/attributes`` lists what the credential may read: standard keys
(``first_name``, ``department``, ...) and custom ones (``dynamic_NNN``), each with a ``type``.
Every attribute becomes one column keyed by its stable key (labels change and are translated, so
the label only goes into the column's title and description). Each column carries a converter
that turns Personio's value into the JSON value its schema promises, or into null with a warning
when the value does not fit: a bad value never aborts a sync and never drops the record.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

from tap_personio.shaping import (
    Converter,
    Unconvertible,
    UnfitValues,
    converter_for,
    to_string,
    to_tags,
)


def _nullable(schema: dict[str, t.Any]) -> dict[str, t.Any]:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"] if isinstance(kind, str) else [*kind, "null"]}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}


def _object(**properties: dict[str, t.Any]) -> dict[str, t.Any]:
    return {"type": "object", "properties": {k: _nullable(v) for k, v in properties.items()}}


_NAMED = _object(id=INTEGER, name=STRING)
_DAYS = {day: STRING for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
_WEEKEND = {day: STRING for day in ("saturday", "sunday")}

#: Standard attributes whose value is a Personio object (``{"type": ..., "attributes": {...}}``)
#: or a list of them, typed after Personio's published examples.
NESTED: dict[str, dict[str, t.Any]] = {
    "supervisor": _object(
        id=INTEGER, first_name=STRING, last_name=STRING, preferred_name=STRING, email=STRING
    ),
    "department": _NAMED,
    "office": _NAMED,
    "team": _NAMED,
    "subcompany": _NAMED,
    "holiday_calendar": _object(id=INTEGER, name=STRING, country=STRING, state=STRING),
    "work_schedule": _object(id=INTEGER, name=STRING, valid_from=DATE, **_DAYS, **_WEEKEND),
    "cost_centers": {
        "type": "array",
        "items": _object(id=INTEGER, name=STRING, percentage=NUMBER),
    },
    "absence_entitlement": {
        "type": "array",
        "items": _object(id=INTEGER, name=STRING, category=STRING, entitlement=NUMBER),
    },
}

#: Standard attributes of type "standard" whose values are not text.
STANDARD_TYPES: dict[str, dict[str, t.Any]] = {
    "id": INTEGER,
    "weekly_working_hours": NUMBER,
}

#: Date attributes that are instants (emitted in UTC, so bookmarks compare as text); every other
#: date attribute is a calendar date and keeps the day Personio wrote, whatever its offset.
INSTANTS = frozenset({"created_at", "last_modified_at"})

#: Salary attributes that carry their currency beside the value.
WITH_CURRENCY = frozenset({"fix_salary", "hourly_salary"})


@dataclass(frozen=True, slots=True)
class Column:
    """One employee column: its key, JSON schema and converter."""

    key: str
    schema: dict[str, t.Any]
    convert: Converter
    personio_type: str


def column_for(attribute: t.Mapping[str, t.Any]) -> Column:
    """The column for one catalogue entry (``key``, ``label``, ``type``, ``options``)."""
    key = str(attribute["key"])
    kind = str(attribute.get("type") or "standard").lower()
    options = [o for o in attribute.get("options") or [] if isinstance(o, str)]
    schema: dict[str, t.Any]
    if key in NESTED:
        schema = NESTED[key]
    elif key in STANDARD_TYPES:
        schema = STANDARD_TYPES[key]
    elif kind == "date":
        schema = DATE_TIME if key in INSTANTS else DATE
    elif kind == "integer":
        schema = INTEGER
    elif kind == "decimal":
        schema = NUMBER
    elif kind == "tags":
        schema = {"type": "array", "items": {"type": "string"}}
        if options:
            schema["items"]["enum"] = options
    elif kind == "list" and options:
        schema = {"type": "string", "enum": options}
    else:  # standard, multiline, link, list without options
        schema = STRING
    convert = to_tags if kind == "tags" and key not in NESTED else converter_for(schema)
    schema = _nullable(schema)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    label = str(attribute.get("label") or key)
    described = f"Personio attribute {label!r} ({kind}"
    if attribute.get("universal_id"):
        described += f", universal id {attribute['universal_id']}"
    schema = {**schema, "title": label, "description": described + ")"}
    return Column(key=key, schema=schema, convert=convert, personio_type=kind)


def columns_for(catalogue: t.Iterable[t.Mapping[str, t.Any]]) -> dict[str, Column]:
    """Columns for a whole catalogue, with a currency column beside each salary."""
    columns: dict[str, Column] = {}
    for attribute in catalogue:
        column = column_for(attribute)
        columns[column.key] = column
        if column.key in WITH_CURRENCY:
            currency = f"{column.key}_currency"
            columns[currency] = Column(
                key=currency,
                schema={
                    "type": ["string", "null"],
                    "title": f"{column.schema['title']} currency",
                    "description": f"Currency of {column.key} (ISO 4217)",
                },
                convert=to_string,
                personio_type="currency",
            )
    return columns


class EmployeeFlattener:
    """Turns a v1 employee (``{key: {label, value, type, universal_id}}``) into a row.

    The row holds exactly the requested columns, with JSON-native values, so the SDK need not
    conform types again. A value that does not fit becomes null; the first such value of each
    column is logged with the column and the employee id, never the value itself.
    """

    def __init__(self, columns: t.Mapping[str, Column], logger: logging.Logger) -> None:
        self.columns = columns
        self.unfit = UnfitValues(logger, "Employee")

    def __call__(self, attributes: t.Mapping[str, t.Any], keys: t.Iterable[str]) -> dict:
        row: dict[str, t.Any] = {}
        for key in keys:
            column = self.columns[key]
            if column.personio_type == "currency":
                source = attributes.get(key.removesuffix("_currency"))
                raw = source.get("currency") if isinstance(source, dict) else None
            else:
                source = attributes.get(key)
                raw = source.get("value") if isinstance(source, dict) else source
            row[key] = self._convert(column, raw, attributes)
        return row

    def _convert(self, column: Column, raw: t.Any, attributes: t.Mapping[str, t.Any]) -> t.Any:
        if raw is None or raw == "" or raw == []:
            return [] if raw == [] and column.schema["type"][0] == "array" else None
        try:
            return column.convert(raw)
        except Unconvertible:
            employee = attributes.get("id")
            employee_id = employee.get("value") if isinstance(employee, dict) else employee
            self.unfit(column.key, column.personio_type, employee_id)
            return None


#: State key of a stream typed by the catalogue: the columns selected in its last complete run.
COLUMNS_STATE_KEY = "selected_columns"


def added_columns(stream: t.Any, selected: t.Iterable[str]) -> list[str]:
    """The selected columns the stream's last complete run did not have (an attribute ticked as
    readable or added by HR, after the catalog was refreshed); such a run reads every record
    once, so the new columns are filled for everyone, and says so."""
    selected = list(selected)
    previous = stream.stream_state.get(COLUMNS_STATE_KEY)
    added = sorted(set(selected) - set(previous or selected))
    if added:
        stream.logger.info(
            "%s: reading every record once, not only the changed ones, so that the columns "
            "added since the last run are filled: %s",
            stream.name, ", ".join(added),
        )  # fmt: skip
    return added
