"""Keyed pseudonymisation: named fields replaced by HMAC-SHA256 digests before they are emitted.

A digest is the lowercase hex HMAC-SHA256 of the value's UTF-8 text under the key's UTF-8 bytes,
so the same digest can be computed in SQL (``encode(hmac(value, key, 'sha256'), 'hex')`` in
PostgreSQL) or Python to join with other pseudonymised sources; without the key it cannot be
reversed with a dictionary, as an unsalted hash can. Text is hashed as it is, numbers and
booleans as their JSON text, a list of scalars element by element (so each element still
joins), and an object, or a list of objects, as its canonical JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import typing as t

from singer_sdk.singerlib import Catalog, Schema

#: ``pseudonymize_fields`` key that names fields of every stream that has them.
EVERY_STREAM = "*"


def digest(value: t.Any, key: bytes) -> t.Any:
    """The pseudonym of a JSON value (None stays None)."""
    if value is None:
        return None
    if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
        return [digest(v, key) for v in value]
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    else:
        text = json.dumps(value)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def fields_for(config: t.Mapping[str, t.Any], stream: str) -> list[str]:
    """The fields of ``stream`` the config names, directly or through ``"*"``."""
    named = config.get("pseudonymize_fields") or {}
    return sorted({*named.get(stream, ()), *named.get(EVERY_STREAM, ())})


def pseudonymized(properties: dict[str, t.Any], fields: t.Iterable[str]) -> dict[str, t.Any]:
    """``properties`` with each named field typed as its digest: text, or a list of texts."""
    result = dict(properties)
    for name in fields:
        if name not in result:
            continue
        prop = result[name]
        kinds = prop.get("type", [])
        is_list = "array" in kinds and prop.get("items", {}).get("type") not in ("object", "array")
        described = "HMAC-SHA256 digest (lowercase hex) of the value, keyed by pseudonymize_key"
        result[name] = {
            "type": ["array", "null"] if is_list else ["string", "null"],
            **({"items": {"type": "string"}} if is_list else {}),
            "title": prop.get("title", name),
            "description": described + (", element by element" if is_list else ""),
        }
    return result


def unknown_fields(config: t.Mapping[str, t.Any], schemas: dict[str, dict]) -> list[str]:
    """Config problems: streams and fields ``pseudonymize_fields`` names that do not exist."""
    problems = []
    for stream, fields in (config.get("pseudonymize_fields") or {}).items():
        if stream != EVERY_STREAM and stream not in schemas:
            problems.append(f"pseudonymize_fields names stream {stream!r}, which this tap has not")
            continue
        streams = list(schemas) if stream == EVERY_STREAM else [stream]
        for field in fields:
            if not any(field in schemas[s].get("properties", {}) for s in streams):
                where = "any stream" if stream == EVERY_STREAM else f"stream {stream!r}"
                problems.append(f"pseudonymize_fields names {field!r}, which {where} has not")
    return problems


def pseudonymize_catalog(catalog: Catalog | None, config: t.Mapping[str, t.Any]) -> None:
    """Type the named fields of an input catalog as digests, in place: a catalog discovered
    before the fields were pseudonymised would otherwise announce their old types."""
    for name, entry in (catalog or {}).items():
        fields = fields_for(config, name)
        if fields and entry.schema.properties:
            schema = entry.schema.to_dict()
            schema["properties"] = pseudonymized(schema["properties"], fields)
            entry.schema = Schema.from_dict(schema)
