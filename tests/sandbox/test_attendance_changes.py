"""`Company.mutate(attendances=n)`: edited attendances are the newest records on v1 and v2."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.attendance_changes import break_id
from tap_personio.sandbox.company import Company
from tap_personio.sandbox.timefmt import SANDBOX_NOW, berlin_timestamp, utc_timestamp
from tests.sandbox.conftest import get
from tests.sandbox.v2_helpers import data, every_page, v2

V1_ATTENDANCES = "/v1/company/attendances"
V2_PERIODS = "/v2/attendance-periods"


def _period_ids(work_ids: set[str]) -> list[str]:
    return sorted({*work_ids, *(break_id(i) for i in work_ids)})


@pytest.fixture
def warm(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox whose v2 attendance views were served (and cached) before the change."""
    sb = make_sandbox(employees=40, retired_status=None)
    assert data(sb, V2_PERIODS)
    assert data(sb, V2_PERIODS, sort="updated_at")
    first = sb.company.attendances[0]
    assert v2(sb, f"{V2_PERIODS}/{first.id_v2}").status_code == 200
    return sb


def test_without_the_new_keywords_the_result_has_no_new_keys() -> None:
    changed = Company(20, seed=4).mutate(update=1, add=1, delete=1, absences=1)
    assert set(changed) == {"updated", "added", "deleted", "time_offs", "hourly_absences"}
    assert set(Company(20, seed=4).mutate()) == {"updated", "added", "deleted"}


def test_mutate_edits_that_many_attendances() -> None:
    company = Company(40, seed=4)
    before = list(company.attendances)
    changed = company.mutate(update=2, attendances=5)
    assert len(changed["updated"]) == 2
    ids = changed["attendance_periods"]
    assert len(ids) == len(set(ids)) == 10
    assert ids == sorted(ids)
    edited = {a.id_v2 for a in company.attendances if a.updated_at == company.now}
    assert len(edited) == 5
    assert ids == _period_ids(edited)
    for old, new in zip(before, company.attendances, strict=True):
        assert (new.id, new.id_v2, new.employee_id) == (old.id, old.id_v2, old.employee_id)
        if new.id_v2 not in edited:
            assert new == old
            continue
        assert new.updated_at == company.now > old.updated_at
        assert new.created_at == old.created_at
        assert new.status == ("pending" if old.status == "confirmed" else "confirmed")
        assert new == replace(old, status=new.status, updated_at=new.updated_at)


def test_edited_attendances_are_strictly_the_newest_records() -> None:
    company = Company(40, seed=4)
    company.mutate(attendances=3)
    first = company.now
    changed = company.mutate(attendances=3)
    assert company.now > first
    edited = set(changed["attendance_periods"])
    assert all(a.updated_at == company.now for a in company.attendances if a.id_v2 in edited)
    others = [a.updated_at for a in company.attendances if a.id_v2 not in edited]
    others += [e.last_modified_at for e in company.employees()]
    assert max(others) < company.now


def test_the_clock_moves_past_built_attendances() -> None:
    company = Company(20, seed=5)
    late = SANDBOX_NOW + timedelta(days=2)
    company.attendances[0] = replace(company.attendances[0], updated_at=late)
    company.mutate()
    assert company.now == late + timedelta(minutes=1)


def test_unbuilt_attendances_stay_unbuilt_and_lie_before_now() -> None:
    company = Company(20, seed=5)
    company.mutate(update=1)
    assert "attendances" not in vars(company)
    assert max(a.updated_at for a in company.attendances) < SANDBOX_NOW < company.now


def test_only_current_employees_attendances_are_edited() -> None:
    company = Company(30, seed=6)
    changed = company.mutate(delete=8, attendances=40)
    alive = set(company.employee_ids())
    owners = {a.id_v2: a.employee_id for a in company.attendances}
    owners |= {break_id(work): person for work, person in owners.items()}
    assert len(changed["attendance_periods"]) == 80
    assert all(owners[i] in alive for i in changed["attendance_periods"])


def test_attendance_edits_are_deterministic() -> None:
    first, second = Company(30, seed=7), Company(30, seed=7)
    assert first.mutate(update=2, attendances=4) == second.mutate(update=2, attendances=4)
    assert first.attendances == second.attendances


def test_v2_updated_at_gte_now_is_exactly_the_edited_periods(warm: Sandbox) -> None:
    company = warm.company
    changed = company.mutate(attendances=5)
    naive_utc = company.now.strftime("%Y-%m-%dT%H:%M:%S")  # e.g. 2026-11-26T08:01:00
    items = every_page(warm, V2_PERIODS, sort="updated_at", **{"updated_at.gte": naive_utc})
    assert sorted(i["id"] for i in items) == changed["attendance_periods"]
    assert len(items) == 10
    assert {i["type"] for i in items} == {"WORK", "BREAK"}
    assert {i["updated_at"] for i in items} == {utc_timestamp(company.now)}
    status = {a.id_v2: a.status for a in company.attendances}
    status |= {break_id(work): value for work, value in status.items()}
    for item in items:
        assert item["approval"]["status"] == status[item["id"]].upper()
        assert v2(warm, f"{V2_PERIODS}/{item['id']}").json() == {"_data": item}


def test_v2_lists_serve_the_edited_records(warm: Sandbox) -> None:
    company = warm.company
    changed = set(company.mutate(attendances=5)["attendance_periods"])
    by_updated = data(warm, V2_PERIODS, sort="-updated_at", limit=10)
    assert {i["id"] for i in by_updated} == changed
    people = {str(a.employee_id) for a in company.attendances if a.id_v2 in changed}
    served = [i for person in sorted(people)
              for i in every_page(warm, V2_PERIODS, **{"person.id": person})]  # fmt: skip
    stamp = utc_timestamp(company.now)
    assert {i["id"] for i in served if i["updated_at"] == stamp} == changed


def test_v1_attendances_updated_from_now_are_the_edited_ones(warm: Sandbox) -> None:
    company = warm.company
    changed = set(company.mutate(attendances=5)["attendance_periods"])
    local = berlin_timestamp(company.now)[:19]  # naive = Berlin time on this endpoint
    window = {"start_date": "2000-01-01", "end_date": "2030-12-31"}
    body = get(warm, V1_ATTENDANCES, **window, includePending="true", updated_from=local).json()
    assert {i["id_v2"] for i in body["data"]} == changed & {a.id_v2 for a in company.attendances}
    assert len(body["data"]) == 5
    statuses = {a.id_v2: a.status for a in company.attendances}
    assert all(i["attributes"]["status"] == statuses[i["id_v2"]] for i in body["data"])
