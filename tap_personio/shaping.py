"""Values from Personio turned into the JSON values a schema promises, once per record.

Each property's converter is derived from its JSON schema (instants to UTC, dates as the day
Personio wrote, numbers sent as text to numbers, 0/1 flags to booleans, nested objects to
exactly their declared fields). A value that does not fit becomes null with one warning per
column, naming the record's key and never the value: a bad value never aborts a sync and never
drops the record.
"""

from __future__ import annotations

import logging
import typing as t
from datetime import UTC, datetime

import pendulum

Converter = t.Callable[[t.Any], t.Any]


class Unconvertible(ValueError):
    """A value that does not fit its column."""


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
