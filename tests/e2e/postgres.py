"""A throwaway PostgreSQL server for the end-to-end tests.

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) ``initdb`` and
``pg_ctl`` run as the ``postgres`` OS user through ``runuser``. The cluster lives in a temporary
directory owned by that user, listens on a free port on 127.0.0.1 only, trusts local
connections, and is thrown away at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

#: Where Debian's postgresql packages put the server binaries (they are not on PATH).
BINARY_GLOB = "/usr/lib/postgresql/*/bin/initdb"


def find_bindir() -> Path:
    """The newest installed PostgreSQL's bin directory, or a clear failure."""
    found = sorted(
        (Path(p).parent for p in glob.glob(BINARY_GLOB)),
        key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError(
            f"No PostgreSQL server binaries match {BINARY_GLOB}. The end-to-end tests start "
            "their own server: install it with `apt-get install postgresql` (.ci/run does)."
        )
    return found[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl in a temporary directory; ``start()``/``stop()``."""

    def __init__(self, database: str = "personio") -> None:
        self.bindir = find_bindir()
        self.database = database
        self.user = "postgres"
        self.host = "127.0.0.1"
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="tap-personio-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "Running as root, but there is no `postgres` OS user to run the server as "
                    "(the postgresql package creates it)."
                ) from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._as_postgres, *args], capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{Path(args[0]).name} failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{log[-2000:]}"
            )

    def start(self) -> PostgresServer:
        self._run(
            str(self.bindir / "initdb"),
            "--pgdata", str(self.data),
            "--username", self.user,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--no-sync",
        )  # fmt: skip
        options = (
            f"-h {self.host} -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "--pgdata", str(self.data),
            "--log", str(self.log),
            "--options", options,
            "--wait",
            "start",
        )  # fmt: skip
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "--pgdata", str(self.data), "--mode",
                      "fast", "--wait", "stop")  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str | None = None) -> str:
        return (
            f"host={self.host} port={self.port} user={self.user} dbname={database or self.database}"
        )

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.dsn(), autocommit=True)
