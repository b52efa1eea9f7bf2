"""v1 time-off types, time-offs, hourly absence periods and the retired attendances/projects."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.cli import build_parser, configure
from tap_personio.sandbox.credential import RIGHT_NAMES
from tap_personio.sandbox.ratelimit import V1_GLOBAL
from tap_personio.sandbox.timefmt import berlin_timestamp
from tests.sandbox.conftest import get, v1_token

TYPES = "/v1/company/time-off-types"
TIME_OFFS = "/v1/company/time-offs"
PERIODS = "/v1/company/absence-periods"
ATTENDANCES = "/v1/company/attendances"
PROJECTS = "/v1/company/attendances/projects"
WINDOW = {"start_date": "2025-01-01", "end_date": "2026-12-31"}


def berlin_day(moment: datetime) -> str:
    return berlin_timestamp(moment)[:10]


def _ids(body: dict) -> list:
    return [item["attributes"]["id"] for item in body["data"]]


# ----------------------------------------------------------------------------- time-off types
def test_time_off_types_list_every_type_with_its_v2_id(sb: Sandbox) -> None:
    body = get(sb, TYPES).json()
    assert [a["id"] for a in (i["attributes"] for i in body["data"])] == [
        t.id for t in sb.company.time_off_types
    ]
    first = body["data"][0]
    assert first["type"] == "TimeOffType"
    assert set(first["attributes"]) == {"id", "id_v2", "name", "category", "unit",
                                        "approval_required"}  # fmt: skip
    assert first["attributes"]["id_v2"] == sb.company.time_off_types[0].id_v2
    assert body["limit"] == 200


def test_time_off_types_offset_is_a_record_offset(sb: Sandbox) -> None:
    body = get(sb, TYPES, offset=3, limit=2).json()
    assert _ids(body) == [t.id for t in sb.company.time_off_types[3:5]]
    assert body["metadata"]["current_page"] == 1


# ----------------------------------------------------------------------------- time-offs: paging
def test_time_offs_default_limit_is_200_and_pages_count_from_1(make_sandbox) -> None:
    sb = make_sandbox(employees=60)
    body = get(sb, TIME_OFFS).json()
    total = len(sb.company.time_offs)
    assert total > 200
    assert body["limit"] == 200
    assert len(body["data"]) == 200
    assert body["metadata"] == {"total_elements": total, "current_page": 1,
                                "total_pages": math.ceil(total / 200)}  # fmt: skip


def test_time_offs_offset_is_a_page_number(sb: Sandbox) -> None:
    body = get(sb, TIME_OFFS, offset=3, limit=5).json()
    assert _ids(body) == [o.id for o in sb.company.time_offs[10:15]]
    assert body["metadata"]["current_page"] == 3


def test_time_offs_offset_0_is_read_as_page_1(sb: Sandbox) -> None:
    token = v1_token(sb)
    zero = get(sb, TIME_OFFS, token, offset=0, limit=5).json()
    one = get(sb, TIME_OFFS, token, offset=1, limit=5).json()
    assert zero["data"] == one["data"]
    assert zero["metadata"]["current_page"] == 1


@pytest.mark.parametrize("limit", ["0", "201", "many"])
def test_time_offs_limit_outside_1_to_200_is_400(sb: Sandbox, limit: str) -> None:
    response = get(sb, TIME_OFFS, limit=limit)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_walking_time_off_pages_returns_each_once_in_id_order(sb: Sandbox) -> None:
    token, seen, page = v1_token(sb), [], 1
    while True:
        body = get(sb, TIME_OFFS, token, offset=page, limit=37).json()
        seen += _ids(body)
        if body["metadata"]["current_page"] >= body["metadata"]["total_pages"]:
            break
        page += 1
    assert seen == sorted(seen)
    assert seen == [o.id for o in sb.company.time_offs]


# ----------------------------------------------------------------------------- time-offs: filters
def test_time_offs_updated_from_and_to_are_inclusive_days(sb: Sandbox) -> None:
    off = sb.company.time_offs[7]
    day = berlin_day(off.updated_at)
    body = get(sb, TIME_OFFS, updated_from=day, updated_to=day).json()
    expected = [o.id for o in sb.company.time_offs if berlin_day(o.updated_at) == day]
    assert off.id in _ids(body)
    assert _ids(body) == expected


def test_time_offs_updated_from_takes_dates_only(sb: Sandbox) -> None:
    assert get(sb, TIME_OFFS, updated_from="2026-01-01T10:00:00").status_code == 400


def test_time_offs_start_and_end_date_select_overlapping_periods(sb: Sandbox) -> None:
    long = next(o for o in sb.company.time_offs if o.end_date > o.start_date)
    day = long.end_date.isoformat()  # inside the period, after its start
    ids = _ids(get(sb, TIME_OFFS, start_date=day, end_date=day).json())
    assert long.id in ids
    assert ids == [o.id for o in sb.company.time_offs
                   if o.start_date <= long.end_date <= o.end_date]  # fmt: skip


def test_time_offs_employees_filter(sb: Sandbox) -> None:
    wanted = sb.v1_employee_ids()[:2]
    body = get(sb, TIME_OFFS, **{"employees[]": wanted}).json()
    assert {item["attributes"]["employee"]["attributes"]["id"]["value"]
            for item in body["data"]} == set(wanted)  # fmt: skip
    assert body["metadata"]["total_elements"] == sum(
        o.employee_id in wanted for o in sb.company.time_offs
    )


# ----------------------------------------------------------------------------- time-offs: shape
def test_time_off_timestamps_have_offsets_without_a_colon(sb: Sandbox) -> None:
    attributes = get(sb, TIME_OFFS, limit=1).json()["data"][0]["attributes"]
    for key in ("start_date", "end_date", "created_at", "updated_at"):
        assert attributes[key][-5:] in ("+0100", "+0200"), key
    assert attributes["start_date"].endswith(("T00:00:00+0100", "T00:00:00+0200"))


def test_time_off_half_day_flags_are_booleans_and_count_half_a_day(make_sandbox) -> None:
    sb = make_sandbox(employees=60)
    half = next(o for o in sb.company.time_offs if o.half_day_start)
    attributes = get(sb, f"{TIME_OFFS}/{half.id}").json()["data"]["attributes"]
    assert attributes["half_day_start"] is True
    assert attributes["half_day_end"] is False
    assert attributes["days_count"] == 0.5


def test_time_off_carries_id_v2_type_and_certificate(sb: Sandbox) -> None:
    off = sb.company.time_offs[0]
    attributes = get(sb, f"{TIME_OFFS}/{off.id}").json()["data"]["attributes"]
    assert attributes["id_v2"] == off.id_v2
    assert attributes["time_off_type"]["attributes"]["id"] == off.type_id
    assert attributes["certificate"] == {"status": "not-required"}
    assert attributes["created_by"]


def test_embedded_employee_is_wrapped_and_follows_the_whitelist(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=["first_name"])
    employee = get(sb, TIME_OFFS, limit=1).json()["data"][0]["attributes"]["employee"]
    assert employee["type"] == "Employee"
    assert set(employee["attributes"]) == {"id", "first_name"}
    assert employee["attributes"]["first_name"]["universal_id"] == "first_name"


def test_single_time_off_matches_the_list_item(sb: Sandbox) -> None:
    token = v1_token(sb)
    item = get(sb, TIME_OFFS, token, limit=1).json()["data"][0]
    single = get(sb, f"{TIME_OFFS}/{item['attributes']['id']}", token).json()
    assert single == {"success": True, "data": item}


def test_unknown_time_off_is_404(sb: Sandbox) -> None:
    response = get(sb, f"{TIME_OFFS}/1")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": {
        "code": 404, "message": "The absence period was not found."}}  # fmt: skip


def test_time_offs_of_deleted_employees_disappear(sb: Sandbox) -> None:
    deleted = sb.company.mutate(delete=3)["deleted"]
    body = get(sb, TIME_OFFS, **{"employees[]": deleted}).json()
    assert body["data"] == []


def test_malformed_fault_corrupts_time_off_dates(sb: Sandbox) -> None:
    sb.inject("malformed", path=TIME_OFFS)
    token = v1_token(sb)
    first = get(sb, TIME_OFFS, token, limit=2).json()["data"]
    assert [item["attributes"]["start_date"] for item in first] == ["0000-00-00"] * 2
    after = get(sb, TIME_OFFS, token, limit=1).json()["data"][0]["attributes"]
    assert after["start_date"].startswith("20")  # the fault was used up


def test_malformed_fault_can_serve_legacy_integer_half_day_flags(sb: Sandbox) -> None:
    sb.inject("malformed", path=TIME_OFFS, attribute="half_day_start", value=0)
    item = get(sb, TIME_OFFS, limit=1).json()["data"][0]
    assert item["attributes"]["half_day_start"] == 0
    assert item["attributes"]["half_day_start"] is not False


# ----------------------------------------------------------------------------- absence periods
def test_absence_period_shape(sb: Sandbox) -> None:
    period = sb.company.hourly_absences[0]
    kind = sb.company.lookup("time_off_types", period.type_id)
    attributes = get(sb, PERIODS, limit=1).json()["data"][0]["attributes"]
    assert attributes["id"] == period.id
    assert attributes["measurement_unit"] == "hour"
    assert attributes["absence_type"] == {"type": "AbsenceType", "attributes": {
        "id": kind.id_v2, "name": kind.name, "time_off_type_id": kind.id}}  # fmt: skip
    assert attributes["start"].endswith(".0Z")
    assert attributes["effective_duration"] == (period.end - period.start).seconds // 60
    assert (
        sum(b["effective_duration"] for b in attributes["breakdowns"])
        == attributes["effective_duration"]
    )
    assert attributes["timezone"] == "Europe/Berlin"


def test_absence_periods_offset_is_a_page_number_from_1(sb: Sandbox) -> None:
    token = v1_token(sb)
    ids = [p.id for p in sb.company.hourly_absences]
    assert _ids(get(sb, PERIODS, token, offset=2, limit=3).json()) == ids[3:6]
    assert _ids(get(sb, PERIODS, token, offset=0, limit=3).json()) == ids[0:3]
    assert get(sb, PERIODS, token, offset=0, limit=3).json()["metadata"]["current_page"] == 1


def test_absence_periods_updated_from_and_to_are_inclusive_date_times(sb: Sandbox) -> None:
    period = sb.company.hourly_absences[4]
    moment = period.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = get(sb, PERIODS, updated_from=moment, updated_to=moment).json()
    assert period.id in _ids(body)
    assert all(p.updated_at == period.updated_at for p in sb.company.hourly_absences
               if p.id in _ids(body))  # fmt: skip
    later = (period.updated_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert period.id not in _ids(get(sb, PERIODS, updated_from=later).json())


def test_unknown_absence_type_is_404(sb: Sandbox) -> None:
    response = get(sb, PERIODS, **{"absence_types[]": "00000000-0000-4000-8000-000000000000"})
    assert response.status_code == 404
    assert response.json()["error"] == {"code": 404, "message": "models.absence-types.not-found"}


def test_absence_types_filter_selects_by_uuid(sb: Sandbox) -> None:
    kind = next(t for t in sb.company.time_off_types if t.unit == "hour")
    body = get(sb, PERIODS, **{"absence_types[]": kind.id_v2}).json()
    assert body["data"]
    assert {i["attributes"]["absence_type"]["attributes"]["id"] for i in body["data"]} == {
        kind.id_v2
    }


def test_absence_periods_filter_by_period_ids(sb: Sandbox) -> None:
    wanted = [p.id for p in sb.company.hourly_absences[2:4]]
    assert _ids(get(sb, PERIODS, **{"absence_periods[]": wanted}).json()) == wanted


def test_absence_periods_window_may_be_open_on_one_side(sb: Sandbox) -> None:
    cutoff = sb.company.hourly_absences[0].start.date().isoformat()
    ids = _ids(get(sb, PERIODS, start_date=cutoff).json())
    assert ids == [p.id for p in sb.company.hourly_absences
                   if p.start.date().isoformat() >= cutoff]  # fmt: skip


# ----------------------------------------------------------------------------- retired endpoints
@pytest.mark.parametrize("path", [ATTENDANCES, PROJECTS])
def test_retired_endpoints_answer_404_by_default(sb: Sandbox, path: str) -> None:
    response = get(sb, path, **WINDOW)
    assert response.status_code == 404
    assert response.json()["success"] is False
    assert "2026-08-30" in response.json()["error"]["message"]


def test_retired_status_is_configurable(make_sandbox) -> None:
    sb = make_sandbox(retired_status=410)
    token = v1_token(sb)
    assert get(sb, ATTENDANCES, token, **WINDOW).status_code == 410
    sb.retired_status = 404
    assert get(sb, PROJECTS, token).status_code == 404


@pytest.fixture
def served(make_sandbox) -> Sandbox:
    return make_sandbox(retired_status=None)


def test_served_attendances_require_start_and_end_date(served: Sandbox) -> None:
    assert get(served, ATTENDANCES, start_date="2026-01-01").status_code == 400


def test_served_attendances_use_a_record_offset_echoed_as_strings(served: Sandbox) -> None:
    token = v1_token(served)
    everything = get(served, ATTENDANCES, token, **WINDOW, limit=200).json()
    body = get(served, ATTENDANCES, token, **WINDOW, offset=5, limit=4).json()
    assert [i["id"] for i in body["data"]] == [i["id"] for i in everything["data"][5:9]]
    assert (body["offset"], body["limit"]) == ("5", "4")
    assert body["metadata"]["current_page"] == 1


def test_served_attendances_hide_pending_unless_include_pending(served: Sandbox) -> None:
    token = v1_token(served)
    hidden = get(served, ATTENDANCES, token, **WINDOW, limit=200).json()["metadata"]
    shown = get(served, ATTENDANCES, token, **WINDOW, limit=200, includePending="true").json()
    pending = sum(a.status != "confirmed" for a in served.company.attendances
                  if a.day.isoformat() >= "2025-01-01")  # fmt: skip
    assert shown["metadata"]["total_elements"] - hidden["total_elements"] == pending > 0


def test_served_attendances_filter_by_updated_from(served: Sandbox) -> None:
    cutoff = served.company.attendances[-1].updated_at - timedelta(days=3)
    since = cutoff.astimezone(UTC).isoformat()
    body = get(served, ATTENDANCES, **WINDOW, includePending="true", updated_from=since).json()
    expected = sum(a.updated_at >= cutoff and a.day.isoformat() >= "2025-01-01"
                   for a in served.company.attendances)  # fmt: skip
    assert body["metadata"]["total_elements"] == expected > 0


def test_served_projects_list_every_project(served: Sandbox) -> None:
    data = get(served, PROJECTS).json()["data"]
    assert [p["id"] for p in data] == [p.id for p in served.company.projects]
    assert data[0]["type"] == "Project"
    assert data[0]["attributes"]["created_at"][-5:] in ("+0100", "+0200")


# ----------------------------------------------------------------------------- pipeline
ENDPOINT_RIGHTS = [(TYPES, "absences"), (TIME_OFFS, "absences"), (PERIODS, "absences"),
                   (ATTENDANCES, "attendances"), (PROJECTS, "attendances")]  # fmt: skip


@pytest.mark.parametrize(("path", "right"), ENDPOINT_RIGHTS)
def test_endpoint_needs_its_access_right(make_sandbox, path: str, right: str) -> None:
    sb = make_sandbox(access_rights=sorted(RIGHT_NAMES - {right}))
    response = get(sb, path, **WINDOW)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == 0


def test_v1_global_rate_limit_applies(make_sandbox) -> None:
    sb = make_sandbox(rate_limits=True)
    token = v1_token(sb)
    for _ in range(V1_GLOBAL.limit - 1):  # the auth call above counted once
        assert sb.app.limiter.acquire((V1_GLOBAL,)).allowed
    response = get(sb, TIME_OFFS, token)
    assert response.status_code == 429
    assert response.json()["success"] is False


def test_injected_5xx_uses_the_v1_envelope(sb: Sandbox) -> None:
    token = v1_token(sb)
    sb.inject("status", status=503, path=PERIODS)
    response = get(sb, PERIODS, token)
    assert response.status_code == 503
    assert response.json()["success"] is False


@pytest.mark.parametrize(("flag", "expected"), [("served", None), ("410", 410)])
def test_cli_retired_status_flag(flag: str, expected: int | None) -> None:
    args = build_parser().parse_args(["--retired-status", flag])
    assert configure(args).retired_status == expected


def test_cli_retired_status_rejects_a_non_error_status() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--retired-status", "200"])
