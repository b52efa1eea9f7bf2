"""Attendance edits for `Company.mutate(attendances=n)`: people correct tracked time between syncs.

`Attendance` is frozen; an edit replaces the record at its place in `Company.attendances`
(`dataclasses.replace`), so ids, list order, day and times stay as they were (v2 periods keep
their ids and Personio's default order, project statistics stay valid) and every view that
reads the list (v1 attendances, v2 attendance periods) serves the new record. An edit flips
the approval (confirmed -> pending, anything else -> confirmed) and sets `updated_at` to the
company clock, which `mutate` has already moved past every timestamp. Both v2 periods derived
from an attendance (its WORK period and the BREAK inside it) change with it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from tap_personio.sandbox.company import Company

_BREAK_MASK = 0xB4EA << 16  # flips bits of the node field, never the version/variant


def break_id(work_id: str) -> str:
    """The break's own UUID, derived from its work period's so nothing extra is stored."""
    return str(uuid.UUID(int=uuid.UUID(work_id).int ^ _BREAK_MASK))


def attendance_stamps(company: Company) -> Iterator[datetime]:
    """`updated_at` of the attendances, if built yet (unbuilt ones all lie before SANDBOX_NOW)."""
    for record in vars(company).get("attendances", ()):
        yield record.updated_at


def change_attendances(company: Company, rng: random.Random, count: int) -> list[str]:
    """Edit `count` attendances of current employees, chosen with `rng`; returns the v2 ids
    of every period derived from them (WORK and BREAK), ascending."""
    alive = set(company.employee_ids())
    records = company.attendances
    candidates = [i for i, record in enumerate(records) if record.employee_id in alive]
    changed: list[str] = []
    for index in sorted(rng.sample(candidates, min(count, len(candidates)))):
        old = records[index]
        status = "pending" if old.status == "confirmed" else "confirmed"
        records[index] = replace(old, status=status, updated_at=company.now)
        changed += (old.id_v2, break_id(old.id_v2))
    return sorted(changed)
