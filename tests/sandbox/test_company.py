"""The synthetic company: determinism, shape and mutation."""

from __future__ import annotations

from dataclasses import asdict

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.company import Company
from tap_personio.sandbox.timefmt import SANDBOX_NOW
from tests.sandbox.conftest import get

EMPLOYEES = "/v1/company/employees"


def _snapshot(company: Company) -> list[dict]:
    return [asdict(e) for e in company.employees()]


def test_same_seed_gives_the_same_company() -> None:
    assert _snapshot(Company(50, seed=3)) == _snapshot(Company(50, seed=3))


def test_another_seed_gives_another_company() -> None:
    assert _snapshot(Company(50, seed=3)) != _snapshot(Company(50, seed=4))


def test_same_seed_gives_the_same_history() -> None:
    first, second = Company(20, seed=3), Company(20, seed=3)
    assert first.time_offs == second.time_offs
    assert first.attendances[:50] == second.attendances[:50]


def test_company_has_the_requested_size() -> None:
    assert len(Company(10_000, seed=1).employee_ids()) == 10_000


def test_timestamps_lie_before_the_sandbox_now() -> None:
    company = Company(200, seed=2)
    assert all(e.created_at <= e.last_modified_at < SANDBOX_NOW for e in company.employees())


def test_supervisors_form_a_tree_rooted_at_the_first_employee() -> None:
    company = Company(200, seed=2)
    ids = company.employee_ids()
    for emp in company.employees()[1:]:
        assert emp.supervisor_id in ids
        assert emp.supervisor_id < emp.id  # so following supervisors always ends at the root


def test_history_covers_the_requested_years() -> None:
    company = Company(30, seed=2, years=2)
    days = {a.day for a in company.attendances}
    assert (max(days) - min(days)).days > 365
    assert company.hourly_absences
    assert company.compensations


def test_mutate_updates_with_a_later_timestamp(sb: Sandbox) -> None:
    latest = max(e.last_modified_at for e in sb.company.employees())
    changed = sb.company.mutate(update=4)["updated"]
    assert len(changed) == 4
    assert all(sb.company.employee(i).last_modified_at > latest for i in changed)


def test_mutate_changes_served_values(sb: Sandbox) -> None:
    emp_id = sb.v1_employee_ids()[0]
    before = sb.v1_employee(emp_id)
    sb.company.mutate(update=len(sb.v1_employee_ids()))
    after = get(sb, f"{EMPLOYEES}/{emp_id}").json()["data"]["attributes"]
    assert after["position"] != before["position"]
    assert after["last_modified_at"] != before["last_modified_at"]


def test_mutate_adds_employees_with_new_ids(sb: Sandbox) -> None:
    before = sb.v1_employee_ids()
    added = sb.company.mutate(add=3)["added"]
    assert len(added) == 3
    assert min(added) > max(before)
    assert sb.v1_employee_ids() == before + added


def test_mutate_deletes_employees(sb: Sandbox) -> None:
    deleted = sb.company.mutate(delete=2)["deleted"]
    assert len(deleted) == 2
    assert not set(deleted) & set(sb.v1_employee_ids())
    assert get(sb, f"{EMPLOYEES}/{deleted[0]}").status_code == 404


def test_mutate_is_deterministic() -> None:
    first, second = Company(40, seed=9), Company(40, seed=9)
    assert first.mutate(update=5, add=2, delete=2) == second.mutate(update=5, add=2, delete=2)
    assert _snapshot(first) == _snapshot(second)


def test_successive_mutations_move_the_clock_forward() -> None:
    company = Company(20, seed=1)
    first = company.mutate(update=1)["updated"][0]
    stamp = company.employee(first).last_modified_at
    second = company.mutate(update=1)["updated"][0]
    assert company.employee(second).last_modified_at > stamp
