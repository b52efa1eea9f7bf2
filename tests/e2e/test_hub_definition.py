"""The Meltano Hub definition (hub/tap-personio.yml) and meltano.yml agree with the tap.

`tap-personio --about` is the source of truth for settings and capabilities; the Hub page and
`meltano config` are generated from the YAML files, so each must list the same settings, mark the
secret ones sensitive, and describe every one.
"""

from __future__ import annotations

import json
import subprocess
import typing as t
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.e2e.meltano_project import MELTANO, REPO, TAP, clean_env

pytestmark = pytest.mark.e2e

HUB_FILE = REPO / "hub" / "tap-personio.yml"

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}

#: Meltano Hub's rules for an extractor definition (its plugin_definitions JSON schemas), as
#: documented: name, namespace, variant and quality required, no key the Hub does not know.
HUB_SETTING_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": _STRING,
        "aliases": _STRINGS,
        "label": _STRING,
        "value": {},
        "placeholder": _STRING,
        "kind": {
            "enum": [
                "oauth",
                "hidden",
                "password",
                "date_iso8601",
                "file",
                "email",
                "integer",
                "options",
                "object",
                "array",
                "boolean",
                "string",
                "decimal",
            ],
        },
        "description": _STRING,
        "tooltip": _STRING,
        "documentation": _STRING,
        "env": _STRING,
        "value_processor": {"enum": ["upcase_string", "nest_object", "stringify"]},
        "value_post_processor": {"enum": ["upcase_string", "nest_object", "stringify"]},
        "oauth": {"type": "object", "required": ["provider"]},
        "options": {"type": "array", "items": {"type": "object"}},
        "docs": _STRING,
        "hidden": {"type": "boolean"},
        "sensitive": {"type": "boolean"},
    },
}
HUB_EXTRACTOR_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "required": ["name", "namespace", "variant", "quality"],
    "additionalProperties": False,
    "properties": {
        **{
            key: _STRING
            for key in (
                "name",
                "namespace",
                "variant",
                "label",
                "description",
                "pip_url",
                "executable",
                "repo",
                "docs",
                "python",
                "definition",
                "next_steps",
                "settings_preamble",
                "usage",
                "prereq",
                "log_parser",
            )
        },
        "logo_url": {"type": ["string", "null"]},
        "domain_url": {"type": ["string", "null"], "format": "uri"},
        "hidden": {"type": "boolean"},
        "settings": {"type": "array", "items": HUB_SETTING_SCHEMA},
        "settings_group_validation": {"type": "array", "items": _STRINGS},
        "commands": {"type": "object"},
        "capabilities": {
            "type": "array",
            "items": {
                "enum": [
                    "properties",
                    "catalog",
                    "discover",
                    "state",
                    "about",
                    "stream-maps",
                    "schema-flattening",
                    "activate-version",
                    "batch",
                    "test",
                    "log-based",
                    "structured-logging",
                ]
            },
        },
        "metadata": {"type": "object"},
        "schema": {"type": "object"},
        "select": _STRINGS,
        "maintenance_status": {"enum": ["active", "beta", "development", "inactive", "unknown"]},
        "quality": {"enum": ["gold", "silver", "bronze", "unknown"]},
        "keywords": _STRINGS,
        "requires": {"type": "object"},
        "supported_python_versions": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^3\.\d+$"},
        },
    },
}

#: JSON Schema type of an --about setting -> the Meltano `kind` that edits it.
KINDS = {
    "string": "string",
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "object": "object",
    "array": "array",
}


@pytest.fixture(scope="module")
def about() -> dict[str, t.Any]:
    found = subprocess.run(
        [str(TAP), "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    return json.loads(found.stdout)


def hub_definition() -> dict[str, t.Any]:
    return yaml.safe_load(HUB_FILE.read_text())


def project_extractor() -> dict[str, t.Any]:
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    (tap,) = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-personio"]
    return tap


def expected_kind(prop: dict[str, t.Any]) -> str:
    types = [kind for kind in t.cast(list, prop.get("type") or ["string"]) if kind != "null"]
    if prop.get("format") in ("date-time", "date"):
        return "date_iso8601"
    return KINDS.get(types[0] if types else "string", "string")


def test_hub_definition_is_valid_for_the_hub() -> None:
    definition = hub_definition()
    jsonschema.validate(
        definition, HUB_EXTRACTOR_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    assert definition["name"] == "tap-personio"
    assert definition["namespace"] == "tap_personio"
    assert definition["executable"] == "tap-personio"
    for key in ("label", "description", "pip_url", "repo", "keywords", "maintenance_status"):
        assert definition.get(key), f"the Hub page needs {key}"


def test_hub_capabilities_are_the_taps(about: dict[str, t.Any]) -> None:
    assert sorted(hub_definition()["capabilities"]) == sorted(about["capabilities"])


@pytest.mark.parametrize("source", ["hub/tap-personio.yml", "meltano.yml"])
def test_settings_agree_with_about(about: dict[str, t.Any], source: str) -> None:
    plugin = hub_definition() if source.startswith("hub") else project_extractor()
    settings = {s["name"]: s for s in plugin["settings"]}
    properties = about["settings"]["properties"]
    assert list(settings) == list(dict.fromkeys(settings)), "a setting is listed twice"
    assert set(settings) == set(properties), (
        f"only in {source}: {sorted(set(settings) - set(properties))}; "
        f"only in --about: {sorted(set(properties) - set(settings))}"
    )
    for name, prop in properties.items():
        setting = settings[name]
        assert setting.get("sensitive", False) == bool(prop.get("secret")), name
        assert setting.get("description"), f"{name} has no description"
        assert setting.get("label"), f"{name} has no label"
        assert setting.get("kind") == expected_kind(prop), name
        if "default" in prop:
            assert setting.get("value") == prop["default"], f"{name}: default differs"
    required = set(about["settings"].get("required", []))
    assert [sorted(group) for group in plugin["settings_group_validation"]] == [sorted(required)]


def test_meltano_add_from_the_hub_file_installs_the_tap(tmp_path: Path) -> None:
    """`meltano add tap-personio --from-ref <file>` in a new project, then `meltano config`.

    The package is not on PyPI during development, so the copy installs it from this checkout.
    """
    env = clean_env()
    definition = hub_definition()
    definition["pip_url"] = str(REPO)
    reference = tmp_path / "tap-personio.yml"
    reference.write_text(yaml.safe_dump(definition, sort_keys=False))

    def meltano(*args: str, cwd: Path) -> str:
        done = subprocess.run(
            [str(MELTANO), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, f"meltano {' '.join(args)}:\n{done.stderr[-4000:]}"
        return done.stdout

    meltano("init", "scratch", "--no-usage-stats", cwd=tmp_path)
    project = tmp_path / "scratch"
    meltano("add", "tap-personio", "--from-ref", str(reference), cwd=project)
    listed = meltano("config", "list", "tap-personio", "--all", cwd=project)
    for setting in definition["settings"]:
        assert f"{setting['name']} [env: TAP_PERSONIO_" in listed, setting["name"]
    installed = json.loads(
        meltano("invoke", "tap-personio", "--about", "--format=json", cwd=project)
    )
    assert installed["name"] == "tap-personio"
    assert set(installed["settings"]["properties"]) == {s["name"] for s in definition["settings"]}
