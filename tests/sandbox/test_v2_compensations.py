"""v2 compensations (month windows) and compensation types."""

from __future__ import annotations

from tap_personio.sandbox import Sandbox
from tests.sandbox.v2_helpers import data, detail, every_page, v2


def test_without_dates_the_window_is_the_current_month(sb: Sandbox) -> None:
    default = every_page(sb, "/v2/compensations")
    november = every_page(sb, "/v2/compensations", start_date="2026-11-01", end_date="2026-11-30")
    assert default == november != []


def test_one_date_selects_its_month(sb: Sandbox) -> None:
    assert every_page(sb, "/v2/compensations", start_date="2026-03-15") == every_page(
        sb, "/v2/compensations", start_date="2026-03-01", end_date="2026-03-31"
    )


def test_window_longer_than_a_month_is_400(sb: Sandbox) -> None:
    response = v2(sb, "/v2/compensations", start_date="2026-01-01", end_date="2026-02-01")
    assert response.status_code == 400
    assert "one month" in detail(response)


def test_reversed_window_is_400(sb: Sandbox) -> None:
    response = v2(sb, "/v2/compensations", start_date="2026-02-01", end_date="2026-01-01")
    assert response.status_code == 400


def test_one_time_payments_appear_only_in_their_month(sb: Sandbox) -> None:
    bonus = next(c for c in sb.company.compensations if c.interval == "ONE_TIME")
    month = bonus.effective_from.replace(day=1).isoformat()
    inside = every_page(sb, "/v2/compensations", start_date=month)
    assert bonus.id in {i["id"] for i in inside}
    later = bonus.effective_from.replace(day=1, year=bonus.effective_from.year + 1).isoformat()
    assert bonus.id not in {i["id"] for i in every_page(sb, "/v2/compensations", start_date=later)}


def test_a_base_salary_is_listed_once_per_person_and_window(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/compensations", start_date="2026-06-01")
    base = [i["person"]["id"] for i in items if i["type"]["category"] == "FIXED_SALARY"]
    assert len(base) == len(set(base)) > 0


def test_person_id_filter(sb: Sandbox) -> None:
    person = str(sb.v1_employee_ids()[0])
    items = every_page(sb, "/v2/compensations", **{"person.id": person})
    assert items
    assert {i["person"]["id"] for i in items} == {person}


def test_compensation_types_are_listed(sb: Sandbox) -> None:
    items = data(sb, "/v2/compensations/types")
    assert [i["id"] for i in items] == [t.id_v2 for t in sb.company.compensation_types]
    used = {i["type"]["id"] for i in every_page(sb, "/v2/compensations")}
    assert used <= {i["id"] for i in items}
