"""Absence edits for `Company.mutate(absences=n)`: HR changes existing absences between syncs.

`TimeOff` and `HourlyAbsence` are frozen; an edit replaces the record at its place in the
company's list (`dataclasses.replace`), so ids, list order and start/end stay as they were
(v2 breakdowns and the v2 period order remain valid) and every view that reads the lists
(v1 time-offs, absence periods and balances, v2 absence periods) serves the new record. An
edit flips the approval status (approved -> pending, anything else -> approved) and sets
`updated_at` to the company clock, which `mutate` has already moved past every timestamp.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, NotRequired, TypedDict, TypeVar

if TYPE_CHECKING:
    from datetime import datetime

    from tap_personio.sandbox.company import Company, HourlyAbsence, TimeOff

_Record = TypeVar("_Record", "TimeOff", "HourlyAbsence")


class Mutation(TypedDict):
    """What `Company.mutate` changed. The keys after `deleted` are present only when asked for."""

    updated: list[int]  # employee ids
    added: list[int]
    deleted: list[int]
    #: v1 time-off ids; their v2 absence-period id is the record's `id_v2`
    time_offs: NotRequired[list[int]]
    #: hour-based absence ids, which are their v2 absence-period ids as well
    hourly_absences: NotRequired[list[str]]
    #: v2 attendance-period ids of edited attendances: each one's WORK and BREAK period
    attendance_periods: NotRequired[list[str]]
    #: v2 document ids of uploaded documents
    documents: NotRequired[list[str]]
    #: v2 ids of the applications moved a stage on, and of their candidates and jobs
    recruiting_applications: NotRequired[list[str]]
    recruiting_candidates: NotRequired[list[str]]
    recruiting_jobs: NotRequired[list[str]]


def absence_stamps(company: Company) -> Iterator[datetime]:
    """`updated_at` of the absences built so far (unbuilt ones all lie before SANDBOX_NOW)."""
    built = vars(company)
    for name in ("time_offs", "hourly_absences"):
        for record in built.get(name, ()):
            yield record.updated_at


def _edit(records: list[_Record], alive: set[int], rng: random.Random, count: int,
          now: datetime) -> list[_Record]:  # fmt: skip
    candidates = [i for i, record in enumerate(records) if record.employee_id in alive]
    chosen = sorted(rng.sample(candidates, min(count, len(candidates))))
    for index in chosen:
        old = records[index]
        status = "pending" if old.status == "approved" else "approved"
        records[index] = replace(old, status=status, updated_at=now)
    return [records[index] for index in chosen]


def change_absences(
    company: Company, rng: random.Random, count: int
) -> tuple[list[int], list[str]]:
    """Edit `count` time-offs and `count` hourly absences of current employees, chosen with
    `rng`; returns their ids (time-offs by v1 id, hourly absences by id), ascending."""
    alive = set(company.employee_ids())
    offs = _edit(company.time_offs, alive, rng, count, company.now)
    hourly = _edit(company.hourly_absences, alive, rng, count, company.now)
    return sorted(off.id for off in offs), sorted(period.id for period in hourly)
