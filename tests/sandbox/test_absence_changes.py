"""`Company.mutate(absences=n)`: edited absences are the newest records on v1 and v2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.company import Company
from tap_personio.sandbox.timefmt import berlin_timestamp, utc_timestamp
from tests.sandbox.conftest import get, v1_token
from tests.sandbox.v2_helpers import every_page, v2

TIME_OFFS = "/v1/company/time-offs"
PERIODS = "/v1/company/absence-periods"
V2_PERIODS = "/v2/absence-periods"


def v1_every_page(sb: Sandbox, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a v1 list whose `offset` is a page number from 1."""
    token, items, page = v1_token(sb), [], 1
    while True:
        response = get(sb, path, token, offset=page, limit=200, **params)
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        items.extend(data)
        if len(data) < 200:
            return items
        page += 1


@pytest.fixture
def warm(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox whose v1 and v2 absence views were served (and cached) before the change."""
    sb = make_sandbox(employees=40)
    assert every_page(sb, V2_PERIODS)
    assert v1_every_page(sb, TIME_OFFS)
    assert v1_every_page(sb, PERIODS)
    return sb


def test_without_absences_the_result_keeps_its_three_keys() -> None:
    assert set(Company(20, seed=4).mutate(update=1)) == {"updated", "added", "deleted"}


def test_mutate_edits_that_many_absences_of_each_kind() -> None:
    company = Company(40, seed=4)
    offs, hourly = list(company.time_offs), list(company.hourly_absences)
    changed = company.mutate(update=2, absences=5)
    assert len(changed["updated"]) == 2
    assert len(changed["time_offs"]) == len(set(changed["time_offs"])) == 5
    assert len(changed["hourly_absences"]) == len(set(changed["hourly_absences"])) == 5
    for before, after in zip(offs + hourly, company.time_offs + company.hourly_absences,
                             strict=True):  # fmt: skip
        assert after.id == before.id
        if after.id not in {*changed["time_offs"], *changed["hourly_absences"]}:
            assert after == before
            continue
        assert after.updated_at == company.now > before.updated_at
        assert after.status != before.status
        assert after.status in ("approved", "pending")
        dates = ("start_date", "end_date") if hasattr(after, "start_date") else ("start", "end")
        assert all(getattr(after, name) == getattr(before, name) for name in dates)


def test_edited_absences_are_strictly_the_newest_records() -> None:
    company = Company(40, seed=4)
    company.mutate(absences=3)
    first = company.now
    changed = company.mutate(absences=3)
    assert company.now > first
    edited = {*changed["time_offs"], *changed["hourly_absences"]}
    records = company.time_offs + company.hourly_absences
    assert all(r.updated_at == company.now for r in records if r.id in edited)
    others = [r.updated_at for r in records if r.id not in edited]
    others += [e.last_modified_at for e in company.employees()]
    assert max(others) < company.now


def test_only_current_employees_absences_are_edited() -> None:
    company = Company(30, seed=6)
    changed = company.mutate(delete=8, absences=40)
    alive = set(company.employee_ids())
    offs = {o.id: o.employee_id for o in company.time_offs}
    hourly = {h.id: h.employee_id for h in company.hourly_absences}
    assert all(offs[i] in alive for i in changed["time_offs"])
    assert all(hourly[i] in alive for i in changed["hourly_absences"])
    assert not set(changed["deleted"]) & alive


def test_absence_edits_are_deterministic() -> None:
    first, second = Company(30, seed=7), Company(30, seed=7)
    assert first.mutate(update=2, absences=4) == second.mutate(update=2, absences=4)
    assert first.time_offs == second.time_offs
    assert first.hourly_absences == second.hourly_absences


def test_v1_time_offs_updated_from_today_hold_the_edited_ones(warm: Sandbox) -> None:
    """`updated_from` has day granularity: others updated on the same day come along."""
    company = warm.company
    changed = company.mutate(absences=5)
    today = berlin_timestamp(company.now)[:10]
    items = v1_every_page(warm, TIME_OFFS, updated_from=today)
    alive = set(company.employee_ids())
    same_day = {
        o.id
        for o in company.time_offs
        if berlin_timestamp(o.updated_at)[:10] == today and o.employee_id in alive
    }
    assert {i["attributes"]["id"] for i in items} == same_day  # fmt: skip
    assert set(changed["time_offs"]) <= same_day
    stamp = berlin_timestamp(company.now, colon=False)
    served = {i["attributes"]["id"]: i["attributes"] for i in items}
    for off_id in changed["time_offs"]:
        assert served[off_id]["updated_at"] == stamp
        model = next(o for o in company.time_offs if o.id == off_id)
        assert served[off_id]["status"] == model.status


def test_v1_absence_periods_updated_from_now_are_the_edited_ones(warm: Sandbox) -> None:
    changed = warm.company.mutate(absences=5)
    now = warm.company.now.strftime("%Y-%m-%dT%H:%M:%S")  # naive = UTC on this endpoint
    items = v1_every_page(warm, PERIODS, updated_from=now)
    assert sorted(i["attributes"]["id"] for i in items) == changed["hourly_absences"]
    assert all(i["attributes"]["updated_at"].startswith(now) for i in items)


def test_v2_absence_periods_updated_since_now_are_exactly_the_ten_edited(warm: Sandbox) -> None:
    company = warm.company
    changed = company.mutate(absences=5)
    v2_ids = {o.id_v2 for o in company.time_offs if o.id in changed["time_offs"]}
    v2_ids |= set(changed["hourly_absences"])  # hour-based: the same id on v1 and v2
    stamp = utc_timestamp(company.now)
    items = every_page(warm, V2_PERIODS, **{"updated_at.gte": stamp})
    assert len(items) == 10
    assert {i["id"] for i in items} == v2_ids
    assert {i["updated_at"] for i in items} == {stamp}
    status = {o.id_v2: o.status for o in company.time_offs}
    status |= {h.id: h.status for h in company.hourly_absences}
    for item in items:
        assert item["approval"]["status"] == status[item["id"]].upper()
        single = v2(warm, f"{V2_PERIODS}/{item['id']}")
        assert single.json() == item
        assert v2(warm, f"{V2_PERIODS}/{item['id']}/breakdowns").status_code == 200


def _balances(sb: Sandbox, emp_id: int) -> dict[int, float]:
    body = get(sb, f"/v1/company/employees/{emp_id}/absences/balance").json()
    return {row["id"]: row["balance"] for row in body["data"]}


def test_v1_balance_follows_the_edited_approvals(warm: Sandbox) -> None:
    """Only approved time-offs are taken; an edit flips approval, so the balance moves."""
    company = warm.company
    year = company.now.year
    people = {o.employee_id for o in company.time_offs if o.start_date.year == year}
    before = {emp_id: _balances(warm, emp_id) for emp_id in people}
    offs = {o.id: o for o in company.time_offs}
    changed = company.mutate(absences=20)["time_offs"]
    expected = {emp_id: dict(rows) for emp_id, rows in before.items()}
    for off_id in changed:
        old, new = offs[off_id], next(o for o in company.time_offs if o.id == off_id)
        if old.start_date.year != year or old.employee_id not in expected:
            continue
        taken = (new.status == "approved") - (old.status == "approved")
        expected[old.employee_id][old.type_id] -= taken * old.days_count
    assert expected != before
    assert {emp_id: _balances(warm, emp_id) for emp_id in people} == expected  # halves: exact
