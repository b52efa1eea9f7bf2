"""The repository's own Meltano project, driven through the real `meltano` CLI.

Plugins install into the repository's `.meltano/` (git-ignored), so a second local run reuses
them. Each test session gets its own system database (state, run history), so the tests never
see or change the state of a developer's own `meltano run`, and vice versa.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MELTANO = BIN / "meltano"
TAP = BIN / "tap-personio"

#: Variables of the caller's shell that must not reach a test pipeline (a real credential, a
#: developer's warehouse, their Meltano environment).
FOREIGN_PREFIXES = ("TAP_PERSONIO", "TARGET_", "MELTANO_")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_PREFIXES)}
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


@dataclass
class Completed:
    """One finished `meltano` command: its arguments, output and duration."""

    args: tuple[str, ...]
    stdout: str
    stderr: str
    seconds: float


class MeltanoProject:
    """Runs `meltano` in the repository with a private system database and a fixed env.

    ``project`` is the Meltano project's directory (the repository unless a scratch copy, see
    `scratch_project`); ``environment`` is exported as MELTANO_ENVIRONMENT, or with None left to
    the project's `default_environment`, as a user's shell would.
    """

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str],
        *,
        project: Path = REPO,
        environment: str | None = "dev",
    ) -> None:
        if not MELTANO.exists():
            raise RuntimeError(f"{MELTANO} is missing: install the dev extra (`make install`).")
        self.workdir = workdir
        self.project = project
        self.log = workdir / "meltano.log"
        self.env = clean_env(MELTANO_DATABASE_URI=f"sqlite:///{workdir / 'meltano.db'}", **env)
        if environment is not None:
            self.env["MELTANO_ENVIRONMENT"] = environment

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> Completed:
        """`meltano ARGS`; a non-zero exit fails the test with the end of its output."""
        started = time.monotonic()
        result = subprocess.run(
            [str(MELTANO), *args],
            cwd=self.project,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        seconds = time.monotonic() - started
        with self.log.open("a") as log:
            log.write(
                f"\n$ meltano {' '.join(args)}  ({seconds:.1f} s, exit {result.returncode})\n"
            )
            log.write(result.stderr + result.stdout)
        if result.returncode != 0:
            tail = "\n".join((result.stderr + result.stdout).splitlines()[-60:])
            raise AssertionError(
                f"`meltano {' '.join(args)}` exited {result.returncode} after {seconds:.0f} s "
                f"(full log: {self.log}):\n{tail}"
            )
        return Completed(tuple(args), result.stdout, result.stderr, seconds)

    def state(self, state_id: str) -> dict:
        """The state Meltano keeps for ``state_id`` (its system database, not a file)."""
        return json.loads(self.run("state", "get", state_id).stdout)


def scratch_project(workdir: Path, env: dict[str, str]) -> MeltanoProject:
    """A copy of the repository's Meltano project in ``workdir/project``, to change freely.

    Commands that write `meltano.yml` (`meltano select`, `schedule add`, new plugins) change the
    copy only. The plugins' virtual environments are the repository's (symlinked from
    `.meltano/`, installed by the `installed_plugins` fixture), so the copy installs nothing;
    its run directories, catalog cache and system database are its own, and MELTANO_AUTO_INSTALL
    is off so that it never reinstalls the shared ones. No MELTANO_ENVIRONMENT is exported: the
    copy's `default_environment` (dev) applies, as in a user's shell.
    """
    project = workdir / "project"
    (project / ".meltano").mkdir(parents=True)
    shutil.copy(REPO / "meltano.yml", project / "meltano.yml")
    for kind in ("extractors", "loaders"):
        (project / ".meltano" / kind).symlink_to(REPO / ".meltano" / kind, target_is_directory=True)
    return MeltanoProject(
        workdir, {"MELTANO_AUTO_INSTALL": "false", **env}, project=project, environment=None
    )
