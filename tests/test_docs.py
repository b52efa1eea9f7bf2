"""The README and the code say the same thing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

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


def test_every_stream_is_in_the_readmes_stream_table():
    table = README.split("| stream |", 1)[1].split("\n\n", 1)[0]
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert rows == {stream.name for stream in STREAMS}


def test_every_stream_names_the_access_right_it_needs():
    assert all(stream.access_right for stream in STREAMS)
