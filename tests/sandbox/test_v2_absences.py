"""v2 absence types, absence periods and breakdowns."""

from __future__ import annotations

from datetime import timedelta

from tap_personio.sandbox import Sandbox
from tests.sandbox.v2_helpers import data, every_page, v2


def test_absence_types_are_the_companys_time_off_types(sb: Sandbox) -> None:
    items = data(sb, "/v2/absence-types")
    expected = [(t.id_v2, t.unit.upper()) for t in sb.company.time_off_types]
    assert [(i["id"], i["unit"]) for i in items] == expected


def test_single_absence_type_by_id(sb: Sandbox) -> None:
    kind = sb.company.time_off_types[1]
    assert v2(sb, f"/v2/absence-types/{kind.id_v2}").json()["name"] == kind.name


def test_absence_periods_cover_day_and_hour_based_absences(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/absence-periods")
    assert len(items) == len(sb.company.time_offs) + len(sb.company.hourly_absences)


def test_single_absence_period_equals_the_list_item(sb: Sandbox) -> None:
    item = data(sb, "/v2/absence-periods", limit=1)[0]
    assert v2(sb, f"/v2/absence-periods/{item['id']}").json() == item


def test_day_based_period_ends_at_the_exclusive_midnight_after_its_last_day(sb: Sandbox) -> None:
    off = sb.company.time_offs[0]
    item = v2(sb, f"/v2/absence-periods/{off.id_v2}").json()
    assert item["starts_from"]["date_time"] == f"{off.start_date}T00:00:00"
    assert item["ends_at"]["date_time"] == f"{off.end_date + timedelta(days=1)}T00:00:00"


def test_updated_at_gte_keeps_periods_updated_since(sb: Sandbox) -> None:
    bound = sorted(o.updated_at for o in sb.company.time_offs)[len(sb.company.time_offs) // 2]
    text = bound.strftime("%Y-%m-%dT%H:%M:%SZ")
    items = every_page(sb, "/v2/absence-periods", **{"updated_at.gte": text})
    assert items
    assert all(i["updated_at"] >= text for i in items)


def test_person_id_filter_takes_a_comma_list(sb: Sandbox) -> None:
    a, b = sb.v1_employee_ids()[:2]
    items = every_page(sb, "/v2/absence-periods", **{"person.id": f"{a},{b}"})
    assert {i["person"]["id"] for i in items} == {str(a), str(b)}


def test_absence_type_id_filter(sb: Sandbox) -> None:
    hourly = next(t for t in sb.company.time_off_types if t.unit == "hour")
    items = every_page(sb, "/v2/absence-periods", **{"absence_type.id": hourly.id_v2})
    assert items
    assert {i["absence_type"]["id"] for i in items} == {hourly.id_v2}


def test_periods_of_deleted_people_disappear(sb: Sandbox) -> None:
    gone = sb.company.mutate(delete=3)["deleted"]
    people = {i["person"]["id"] for i in every_page(sb, "/v2/absence-periods")}
    assert not people & {str(g) for g in gone}


def test_breakdowns_have_one_entry_per_day_with_weekends_at_zero(sb: Sandbox) -> None:
    off = next(o for o in sb.company.time_offs if (o.end_date - o.start_date).days >= 3
               and not o.half_day_start)  # fmt: skip
    items = data(sb, f"/v2/absence-periods/{off.id_v2}/breakdowns")
    assert len(items) == (off.end_date - off.start_date).days + 1
    for item in items:
        weekend = off.start_date.fromisoformat(item["date"]).weekday() >= 5
        assert item["effective_duration"] == {"unit": "DAY", "value": 0.0 if weekend else 1.0}


def test_hour_based_breakdown_is_in_hours(sb: Sandbox) -> None:
    hourly = sb.company.hourly_absences[0]
    item = data(sb, f"/v2/absence-periods/{hourly.id}/breakdowns")[0]
    hours = (hourly.end - hourly.start).total_seconds() / 3600
    assert item["effective_duration"] == {"unit": "HOUR", "value": hours}


def test_breakdowns_of_an_unknown_period_are_404(sb: Sandbox) -> None:
    assert v2(sb, "/v2/absence-periods/nope/breakdowns").status_code == 404
