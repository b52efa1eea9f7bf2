"""A local Personio API for tests, demos and benchmarks (see README.md in this folder).

`Sandbox` composes the synthetic company, the credential, the route modules and the switches
(rate limits, faults) behind one small Python API. Nothing here imports the tap.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Literal

from tap_personio.sandbox import (
    auth,
    report_book,
    v1_absences,
    v1_people,
    v1_reports,
    v2_absences,
    v2_api,
    v2_attendances,
    v2_compensations,
    v2_documents,
    v2_org,
    v2_people,
    v2_recruiting,
    v2_reports,
)
from tap_personio.sandbox.absence_changes import Mutation
from tap_personio.sandbox.company import Company
from tap_personio.sandbox.credential import Credential, TokenStore
from tap_personio.sandbox.faults import Faults
from tap_personio.sandbox.ratelimit import RateLimiter
from tap_personio.sandbox.server import App, LoggedRequest, Route, SandboxHTTPServer

#: Every endpoint the sandbox serves; a new area module adds its ROUTES here.
ROUTES: tuple[Route, ...] = (*auth.ROUTES, *v1_people.ROUTES, *v1_absences.ROUTES,
                             *v1_reports.ROUTES, *v2_people.ROUTES, *v2_absences.ROUTES,
                             *v2_attendances.ROUTES, *v2_compensations.ROUTES, *v2_org.ROUTES,
                             *v2_documents.ROUTES, *v2_recruiting.ROUTES,
                             *v2_reports.ROUTES)  # fmt: skip

DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "ROUTES", "Sandbox"]


class Sandbox:
    """One sandbox: a company served over HTTP on 127.0.0.1, with switches for tests."""

    def __init__(
        self,
        employees: int = 200,
        seed: int = 1,
        years: int = 1,
        custom_attributes: int = 12,
        rate_limits: bool = True,
        token_lifetime: float = 86400,
        readable_attributes: Iterable[str] | None = None,
        access_rights: Iterable[str] | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        retired_status: int | None = 404,
    ) -> None:
        self.company = Company(employees, seed, years, custom_attributes)
        self.credential = Credential.create(
            client_id, client_secret, readable_attributes, access_rights
        )
        self.faults = Faults(seed)
        self.app = App(
            routes=ROUTES,
            company=self.company,
            credential=self.credential,
            tokens=TokenStore(token_lifetime, clock),
            limiter=RateLimiter(clock, enabled=rate_limits),
            faults=self.faults,
            retired_status=retired_status,
        )
        self._host, self._port = host, port
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Sandbox:
        """Bind (a free port unless one was given) and serve in a daemon thread."""
        if self._server is None:
            self._server = SandboxHTTPServer(self.app, self._host, self._port)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},  # stop() waits at most this long
                name="personio-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self._host}:{self._server.server_port}"

    # ------------------------------------------------------------------ credential
    @property
    def client_id(self) -> str:
        return self.credential.client_id

    @property
    def client_secret(self) -> str:
        return self.credential.client_secret

    def revoke_tokens(self) -> None:
        """Every issued token becomes invalid (401 on next use); new ones can be minted."""
        self.app.tokens.revoke_all()

    def set_readable_attributes(self, keys: Iterable[str] | None) -> None:
        """Change the credential's attribute whitelist while the sandbox runs (None: every
        attribute); the next request is served under it, tokens stay valid."""
        readable = None if keys is None else frozenset(keys)
        self.credential = dataclasses.replace(self.credential, readable_attributes=readable)
        self.app.credential = self.credential

    # ------------------------------------------------------------------ data
    def v1_employee(
        self, employee_id: int, attributes: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """The `attributes` object as GET /v1/company/employees would serve it now (no faults)."""
        emp = self.company.employee(employee_id)
        if emp is None:
            raise KeyError(employee_id)
        keys = None if attributes is None else set(attributes)
        return v1_people.employee_attributes(self.company, self.credential, emp, self.url, keys)

    def v1_employee_ids(self) -> list[int]:
        return self.company.employee_ids()

    # ------------------------------------------------------------------ reports HR changes
    def add_report(
        self,
        name: str,
        *,
        generation: Literal["v1", "v2"] = "v2",
        description: str = "",
        kind: str | None = None,
        columns: Sequence[str] | None = None,
        rows: str | None = None,
        api_access: bool | None = None,
    ) -> str:
        """A new report; returns its id. It is created "now" (`report_book.next_stamp`).

        v1 Custom Report: `kind` in point_in_time (default), timeframe, historical_data;
        `columns` are v1 column ids (default first_name, last_name, department).
        v2 report: `kind` in table (default), grouped_table, chart (the last two answer 400);
        `rows` in employees (default), probation, compensations; `columns` from
        `v2_reports.COLUMNS`; `api_access=False` keeps it out of the API (default True).
        """
        if generation == "v1":
            if rows is not None or api_access is not None:
                raise ValueError("rows and api_access apply to v2 reports only")
            return v1_reports.add_report(
                self.company, name, description, kind or "point_in_time", columns
            ).id
        if generation != "v2":
            raise ValueError(f"unknown generation {generation!r}")
        report = v2_reports.add_report(self.company, name, description, kind or "table",
                                       columns, rows or "employees",
                                       True if api_access is None else api_access)  # fmt: skip
        return report.id

    def rename_report(self, report_id: str, new_name: str) -> None:
        """Rename a v1 or v2 report; its id stays, `updated_at` moves. KeyError if unknown."""
        report_book.change_report(self.company, self._report_books(), report_id, name=new_name)

    def archive_report(self, report_id: str) -> None:
        """Archive a v1 or v2 report: no longer listed; reading its data answers v1 400 (as
        documented) and v2 404 (see `v2_reports.get_report`). KeyError if unknown."""
        report_book.change_report(self.company, self._report_books(), report_id, archived=True)

    def _report_books(self) -> tuple[report_book.ReportBook[Any], ...]:
        return v1_reports.report_book(self.company), v2_reports.report_book(self.company)

    # ------------------------------------------------------------------ switches
    @property
    def retired_status(self) -> int | None:
        """Status of v1 attendances/projects (shut down 2026-08-30); None: still served."""
        return self.app.retired_status

    @retired_status.setter
    def retired_status(self, status: int | None) -> None:
        self.app.retired_status = status

    def set_feature(self, feature: str, enabled: bool) -> None:
        """Company features: `legal_entities` (off: 412) and `recruiting` (off: 404)."""
        v2_api.set_feature(self.company, feature, enabled)

    def set_rate_limits(self, enabled: bool) -> None:
        self.app.limiter.enabled = enabled
        self.app.limiter.reset()

    def inject(self, kind: str, count: int = 1, path: str | None = None, *, exact: bool = False,
               **params: Any) -> None:  # fmt: skip
        """Add a fault; kinds and parameters are listed in README.md and faults.FAULT_KINDS.
        `path` is a prefix; with `exact`, an endpoint matched whole (`{name}`: one segment)."""
        self.faults.inject(kind, count, path, exact=exact, **params)

    def clear_faults(self) -> None:
        self.faults.clear()

    @property
    def mutations(self) -> list[Mutation]:
        """What each fired `mutate` fault changed (`Company.mutate`'s results), oldest first."""
        return list(self.app.mutations)

    # ------------------------------------------------------------------ request log
    @property
    def requests(self) -> list[LoggedRequest]:
        return self.app.log.entries()

    def count(
        self, path: str | None = None, status: int | None = None, method: str | None = None
    ) -> int:
        """Logged requests; `path` is exact, or a prefix when it ends in `*`."""
        return self.app.log.count(path, status, method)

    def clear_requests(self) -> None:
        self.app.log.clear()
