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
from datetime import UTC, datetime

import pendulum

Converter = t.Callable[[t.Any], t.Any]


class Unconvertible(ValueError):
    """A value that does not fit its column."""


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


def _parse_datetime(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = pendulum.parse(value, strict=False)
        except (ValueError, pendulum.parsing.exceptions.ParserError) as exc:
            raise Unconvertible from exc
        if not isinstance(parsed, datetime):
            raise Unconvertible from None
        return parsed


def to_instant(value: t.Any) -> str:
    """An ISO 8601 instant in UTC (naive times are taken as UTC)."""
    if not isinstance(value, str) or not value.strip():
        raise Unconvertible
    moment = _parse_datetime(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def to_date(value: t.Any) -> str:
    """``YYYY-MM-DD`` as Personio wrote it, from a date or a midnight timestamp."""
    if not isinstance(value, str) or not value.strip():
        raise Unconvertible
    return _parse_datetime(value.strip()).date().isoformat()


def to_integer(value: t.Any) -> int:
    if isinstance(value, bool):
        raise Unconvertible
    if isinstance(value, int):
        return value
    number = to_number(value)
    if number != int(number):
        raise Unconvertible
    return int(number)


def to_number(value: t.Any) -> float | int:
    if isinstance(value, bool):
        raise Unconvertible
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise Unconvertible from None
        return int(number) if number.is_integer() and "." not in text else number
    raise Unconvertible


def to_local_instant(value: t.Any) -> str:
    """An ISO 8601 instant that keeps the offset it was written with (local wall time)."""
    if not isinstance(value, str) or not value.strip():
        raise Unconvertible
    moment = _parse_datetime(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def to_boolean(value: t.Any) -> bool:
    """Booleans, and the 0/1 flags (or their text) of older Personio data."""
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise Unconvertible


def to_string(value: t.Any) -> str:
    if isinstance(value, dict | list):
        raise Unconvertible
    return str(value)


def to_tags(value: t.Any) -> list[str]:
    """Tags arrive as a list or as one comma-separated string; either way a list of strings."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    raise Unconvertible


def _unwrap(value: t.Any) -> t.Any:
    """Personio objects and attribute objects reduced to plain values."""
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, dict):
        if "attributes" in value and isinstance(value["attributes"], dict):
            return {k: _unwrap(v) for k, v in value["attributes"].items()}
        if "value" in value and ("label" in value or "type" in value):
            return _unwrap(value["value"])
    return value


def converter_for(schema: dict[str, t.Any], keep_offset: bool = False) -> Converter:
    """A converter that builds exactly what ``schema`` describes. Instants move to UTC, or,
    with ``keep_offset``, keep the offset they were written with (local wall times)."""
    kind = schema["type"]
    if kind == "object" and not schema.get("properties"):  # free-form: kept as it came
        return _as_object
    if kind == "object":
        fields = {k: converter_for(v, keep_offset) for k, v in schema["properties"].items()}

        def convert_object(value: t.Any) -> dict[str, t.Any]:
            value = _unwrap(value)
            if not isinstance(value, dict):
                raise Unconvertible
            return {k: _convert_or_none(c, value.get(k)) for k, c in fields.items()}

        return convert_object
    if kind == "array":
        item = converter_for(schema["items"], keep_offset)

        def convert_array(value: t.Any) -> list[t.Any]:
            value = _unwrap(value)
            if not isinstance(value, list):
                raise Unconvertible
            return [item(v) for v in value]

        return convert_array
    if isinstance(kind, list):  # nullable property of a nested object
        return converter_for({**schema, "type": kind[0]}, keep_offset)
    fmt = schema.get("format")
    if fmt == "date":
        return to_date
    if fmt == "date-time":
        return to_local_instant if keep_offset else to_instant
    return {"integer": to_integer, "number": to_number, "boolean": to_boolean}.get(kind, to_string)


def _as_object(value: t.Any) -> dict[str, t.Any]:
    if not isinstance(value, dict):
        raise Unconvertible
    return value


def _convert_or_none(convert: Converter, value: t.Any) -> t.Any:
    if value is None or value == "":
        return None
    try:
        return convert(value)
    except Unconvertible:
        return None


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


class UnfitValues:
    """Counts values that did not fit their column; logs the first of each column only, with the
    record's key and never the value (it may be personal data)."""

    def __init__(self, logger: logging.Logger, stream: str) -> None:
        self.logger = logger
        self.stream = stream
        self.counts: dict[str, int] = {}

    def __call__(self, column: str, expected: str, record_key: t.Any) -> None:
        count = self.counts.get(column, 0) + 1
        self.counts[column] = count
        if count == 1:
            self.logger.warning(
                "%s %s: the value of %s does not fit its type (%s); emitted null. Further "
                "values of this column that do not fit are counted, not logged.",
                self.stream,
                record_key,
                column,
                expected,
            )


def _expected(schema: t.Mapping[str, t.Any]) -> str:
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    return str(schema.get("format") or kind)


class RecordShaper:
    """Builds a row holding exactly the schema's properties, as JSON-native values.

    Each property is converted by the converter its schema implies (or one given for it); a
    value that does not fit becomes null and is reported once per column. Rows are shaped once
    here, so the SDK need not conform types again.
    """

    def __init__(
        self,
        schema: t.Mapping[str, t.Any],
        logger: logging.Logger,
        stream: str,
        key: t.Sequence[str],
        converters: t.Mapping[str, Converter] | None = None,
    ) -> None:
        properties = schema["properties"]
        given = converters or {}
        self.converters = {
            name: (given.get(name) or converter_for(prop), _expected(prop))
            for name, prop in properties.items()
        }
        self.key = tuple(key)
        self.unfit = UnfitValues(logger, stream)

    def __call__(self, raw: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
        row: dict[str, t.Any] = {}
        for name, (convert, expected) in self.converters.items():
            value = raw.get(name)
            if value is None or value == "":
                row[name] = None
                continue
            try:
                row[name] = convert(value)
            except Unconvertible:
                row[name] = None
                self.unfit(name, expected, "/".join(str(raw.get(k)) for k in self.key))
        return row


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
