"""Session fixtures of the end-to-end tests: PostgreSQL, the Meltano project, its plugins."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from tests.e2e.meltano_project import MeltanoProject
from tests.e2e.postgres import PostgresServer

#: The plugins the end-to-end tests run; installed once per session, reused across sessions.
PLUGINS = ("tap-personio", "target-postgres", "target-jsonl")


@pytest.fixture(scope="session")
def postgres() -> t.Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def meltano_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("meltano")


@pytest.fixture(scope="session")
def installed_plugins(meltano_workdir: Path) -> MeltanoProject:
    """`meltano install` of the plugins the tests use, into the repository's .meltano/.

    Meltano skips a plugin whose virtual environment matches its pip_url, so only the first
    session on a machine pays for the installation.
    """
    project = MeltanoProject(meltano_workdir, {})
    project.run("install", *PLUGINS, timeout=1800)
    return project


@pytest.fixture(scope="session")
def meltano_project(
    installed_plugins: MeltanoProject, postgres: PostgresServer, meltano_workdir: Path
) -> MeltanoProject:
    """The project with target-postgres pointed at the session's server."""
    return MeltanoProject(
        meltano_workdir,
        {
            "TARGET_POSTGRES_HOST": postgres.host,
            "TARGET_POSTGRES_PORT": str(postgres.port),
            "TARGET_POSTGRES_USER": postgres.user,
            "TARGET_POSTGRES_PASSWORD": "unused-with-trust-auth",
            "TARGET_POSTGRES_DATABASE": postgres.database,
            "TARGET_JSONL_DESTINATION_PATH": str(meltano_workdir / "jsonl"),
        },
    )
