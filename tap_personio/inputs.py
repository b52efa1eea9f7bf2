"""The files a run is given (``--config``, ``--catalog``, ``--state``), checked before the run
starts: a file that is missing, not JSON, or not of this tap stops it with one line that names
the file, the problem and the fix, never a traceback or a sync that silently ignores it."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

from tap_personio.errors import PersonioError

#: Streams declared per report at discovery, named by these prefixes.
REPORT_PREFIXES = ("custom_report_", "report_")


#: What each file should be, for the messages.
FIX = {
    "--config": "Write the settings as one JSON object, e.g. "
    '{"client_id": "...", "client_secret": "..."}.',
    "--catalog": "Pass the file `tap-personio --discover` wrote.",
    "--state": "Pass the value of the last STATE message a previous run printed.",
}


def parsed(flag: str, name: str, text: str) -> dict[str, t.Any]:
    """The JSON object in ``text`` (the file ``name`` given as ``flag``)."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise PersonioError(f"{flag} {name} is not JSON ({error}). {FIX[flag]}") from None
    if not isinstance(value, dict):
        raise PersonioError(
            f"{flag} {name} holds a JSON {type(value).__name__}, not an object. {FIX[flag]}"
        )
    return value


def config_file(path: str) -> dict[str, t.Any]:
    """A ``--config`` file's settings."""
    file = Path(path)
    if not file.is_file():
        raise PersonioError(
            f"--config {path}: no such file. Write the settings (client_id, client_secret, ...) "
            "as a JSON object into it, or pass --config ENV to read TAP_PERSONIO_* variables."
        )
    return parsed("--config", path, file.read_text(encoding="utf-8"))


def ours(name: str, streams: t.Collection[str]) -> bool:
    return name in streams or name.startswith(REPORT_PREFIXES)


def check_catalog(name: str, text: str, streams: t.Collection[str]) -> str:
    """``text`` if it is a catalog of this tap."""
    catalog = parsed("--catalog", name, text)
    entries = catalog.get("streams")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PersonioError(
            f"--catalog {name} has no list of streams: it is not a Singer catalog. "
            f"{FIX['--catalog']}"
        )
    found = [str(e.get("tap_stream_id") or e.get("stream")) for e in entries]
    if found and not any(ours(stream, streams) for stream in found):
        raise PersonioError(
            f"--catalog {name} names no stream of tap-personio ({', '.join(found[:3])}, ...): "
            f"it is another tap's catalog. {FIX['--catalog']}"
        )
    return text


def check_state(name: str, text: str, streams: t.Collection[str]) -> str:
    """``text`` if it is a Singer state this tap can resume from."""
    state = parsed("--state", name, text)
    if "singer_state" in state:
        raise PersonioError(
            f"--state {name} is Meltano's wrapper around a state: pass the value of its "
            '"singer_state" (meltano state get prints both).'
        )
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict) or set(state) - {"bookmarks", "currently_syncing"}:
        raise PersonioError(
            f'--state {name} is not a Singer state (an object with "bookmarks"). {FIX["--state"]}'
        )
    if bookmarks and not any(ours(stream, streams) for stream in bookmarks):
        raise PersonioError(
            f"--state {name} holds bookmarks of no tap-personio stream "
            f"({', '.join(list(bookmarks)[:3])}, ...): it is another tap's state."
        )
    return text
