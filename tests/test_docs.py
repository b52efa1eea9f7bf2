"""The README and the code say the same thing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tap_personio.children import PersonioChildStream
from tap_personio.streams import STREAMS

README = (Path(__file__).parents[1] / "README.md").read_text()


def about() -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tap_personio.tap", "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def test_every_setting_is_documented_in_the_readme():
    table = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    settings = set(about()["settings"]["properties"])
    assert settings - documented == set()


def test_every_setting_has_a_title_and_a_description():
    for name, prop in about()["settings"]["properties"].items():
        assert prop.get("description"), name


def replication(stream: type) -> str:
    """How a stream replicates, in the README's words, from its declaration."""
    declared = stream.replication_key  # a class attribute, or the SDK's property when none
    if not isinstance(declared, str):
        text = "full table"
    else:
        text = f"incremental on `{declared}`"
        if stream.filter_param:
            by_day = ", by day" if stream.filter_format == "%Y-%m-%d" else ""
            text += f" (`{stream.filter_param}`{by_day})"
        if stream.replication_note:
            text += f", {stream.replication_note}"
    if issubclass(stream, PersonioChildStream):
        changed = "changed " if isinstance(declared, str) else ""
        parent = stream.parent_key.removesuffix("_id").replace("_", " ")
        text += f", one request per {changed}{parent}"
    return text


def stream_row(stream: type) -> str:
    cells = [
        f"`{stream.name}`",
        f"`GET {stream.path}`",
        stream.api_version,
        ", ".join(f"`{key}`" for key in stream.primary_keys),
        replication(stream),
        stream.access_right,
        "yes" if stream.selected_by_default else "no",
    ]
    return "| " + " | ".join(cells) + " |"


def test_the_readmes_stream_table_is_the_code_s():
    """Every stream, as declared; on failure the message is the table to paste."""
    header = (
        "| stream | Personio endpoint | API | primary key | replication | access right "
        "| selected by default |"
    )
    table = README.split(header, 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    expected = [stream_row(stream) for stream in STREAMS]
    assert table == expected, "\n" + "\n".join([header, "| --- " * 7 + "|", *expected])


def test_every_stream_names_the_access_right_it_needs():
    assert all(stream.access_right for stream in STREAMS)


def test_every_test_the_reliability_table_names_exists():
    table = README.split("## Reliability", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", table)
    assert len(named) > 20
    root = Path(__file__).parents[1]
    missing = [f"{path}::{name}" for path, name in named
               if f"def {name}(" not in (root / path).read_text()]  # fmt: skip
    assert missing == []
