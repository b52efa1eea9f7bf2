"""The reports of a company, which HR adds, renames and archives while the sandbox runs.

v1 Custom Reports and v2 reports are separate services in Personio, so each generation keeps
a book of its own (`v1_reports.report_book`, `v2_reports.report_book`), seeded from the company
on first use. A report keeps its id for life: both APIs address a report by id, and a rename
only changes its name and `updated_at`. Archived reports stay in the book (not listed; reading
one is an error whose status each generation decides).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from tap_personio.sandbox.company import Company
from tap_personio.sandbox.timefmt import SANDBOX_NOW
from tap_personio.sandbox.v2_api import memo


class StoredReport(Protocol):
    """What the book needs of a report (both generations' report classes have it)."""

    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def updated_at(self) -> datetime: ...


R = TypeVar("R", bound=StoredReport)


class ReportBook(Generic[R]):
    """A company's reports of one generation, in the order they were created."""

    def __init__(self, reports: Iterable[R]) -> None:
        self._lock = threading.Lock()
        self._reports: list[R] = list(reports)
        self.added = 0  # reports added through the Python API (seeds their ids)

    def reports(self) -> list[R]:
        """A snapshot, archived reports included."""
        with self._lock:
            return list(self._reports)

    def find(self, report_id: str) -> R | None:
        with self._lock:
            return next((r for r in self._reports if r.id == report_id), None)

    def add(self, report: R) -> R:
        with self._lock:
            if any(r.id == report.id for r in self._reports):
                raise ValueError(f"report {report.id} exists")
            self._reports.append(report)
            self.added += 1
            return report

    def change(self, report_id: str, **changes: Any) -> R | None:
        """Replace fields of one report (dataclass `replace`); None if the id is not here."""
        with self._lock:
            for index, report in enumerate(self._reports):
                if report.id == report_id:
                    self._reports[index] = replace(report, **changes)  # type: ignore[type-var]
                    return self._reports[index]
            return None


def report_book(company: Company, name: str, seed: Callable[[], Iterable[R]]) -> ReportBook[R]:
    """The company's book called `name`, seeded on first use."""
    book: ReportBook[R] = memo(company, f"report-book:{name}", lambda: ReportBook(seed()))
    return book


_CLOCK_LOCK = threading.Lock()


def next_stamp(company: Company) -> datetime:
    """The time of an HR change: a minute after the previous one and the company clock.

    Seeded report stamps all lie before `SANDBOX_NOW`, the company clock's start, so a client
    comparing `updated_at` values sees every change; the result only depends on the sequence
    of changes (and `Company.mutate` calls), which keeps runs reproducible.
    """
    last: list[datetime] = memo(company, "report-clock", lambda: [SANDBOX_NOW])
    with _CLOCK_LOCK:
        last[0] = max(company.now, last[0]) + timedelta(minutes=1)
        return last[0]


def change_report(company: Company, books: Iterable[ReportBook[Any]], report_id: str,
                  **changes: Any) -> None:  # fmt: skip
    """Apply an HR change to the report with that id, whichever book holds it; `updated_at`
    moves to `next_stamp`. Unknown ids are a KeyError."""
    for book in books:
        if book.find(report_id) is not None:
            book.change(report_id, **changes, updated_at=next_stamp(company))
            return
    raise KeyError(report_id)
