"""Schema fragments several streams share, after Personio's published shapes."""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th


def prop(name: str, kind: t.Any, description: str | None = None) -> th.Property:
    """A nullable property (every non-key column is)."""
    return th.Property(name, kind, description=description)


def key(name: str, kind: t.Any = th.StringType, description: str | None = None) -> th.Property:
    """A primary-key column: required, never null."""
    return th.Property(name, kind, required=True, description=description)


def ref(name: str, description: str | None = None) -> th.Property:
    """A v2 reference to another object, ``{"id": "..."}``."""
    return prop(name, th.ObjectType(th.Property("id", th.StringType)), description)


def v1_ref(name: str, *fields: str) -> th.Property:
    """A v1 embedded object reduced to its integer id and the named text fields."""
    extra = [th.Property(field, th.StringType) for field in fields]
    return prop(name, th.ObjectType(th.Property("id", th.IntegerType), *extra))


def local_time(name: str, *extra: th.Property) -> th.Property:
    """A v2 absence boundary: wall time in the period's zone, emitted with that zone's offset."""
    return prop(
        name,
        th.ObjectType(
            th.Property(
                "date_time",
                th.DateTimeType,
                description="Local wall time with the offset of the period's timezone_id",
            ),
            *extra,
        ),
    )


V2_TIMESTAMPS = (
    prop("created_at", th.DateTimeType, "When Personio created it (UTC)"),
    prop("updated_at", th.DateTimeType, "When it last changed in Personio (UTC)"),
)
