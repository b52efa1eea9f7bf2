"""v1 employees, one employee, attribute catalogue, absence balance and profile picture."""

from __future__ import annotations

import struct
import zlib

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.company import ATTRIBUTE_TYPES
from tap_personio.sandbox.timefmt import berlin_timestamp
from tests.sandbox.conftest import get, v1_token

EMPLOYEES = "/v1/company/employees"


def _ids(body: dict) -> list[int]:
    return [item["attributes"]["id"]["value"] for item in body["data"]]


# ----------------------------------------------------------------------------- paging
def test_default_page_is_50_with_metadata(make_sandbox) -> None:
    sb = make_sandbox(employees=120)
    body = get(sb, EMPLOYEES).json()
    assert body["limit"] == 50
    assert body["offset"] == 0
    assert len(body["data"]) == 50
    assert body["metadata"] == {"total_elements": 120, "current_page": 0, "total_pages": 3}


def test_offset_is_a_record_offset_and_current_page_counts_from_zero(sb: Sandbox) -> None:
    body = get(sb, EMPLOYEES, limit=10, offset=20).json()
    assert _ids(body) == sb.v1_employee_ids()[20:30]
    assert body["metadata"]["current_page"] == 2
    assert body["offset"] == 20


def test_limit_above_100_is_clamped_to_100(make_sandbox) -> None:
    sb = make_sandbox(employees=150)
    body = get(sb, EMPLOYEES, limit=500).json()
    assert body["limit"] == 100
    assert len(body["data"]) == 100
    assert body["metadata"]["total_pages"] == 2


@pytest.mark.parametrize("limit", ["0", "-1", "ten"])
def test_invalid_limit_is_400(sb: Sandbox, limit: str) -> None:
    response = get(sb, EMPLOYEES, limit=limit)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_walking_all_pages_returns_every_employee_once_in_id_order(sb: Sandbox) -> None:
    token, seen, offset = v1_token(sb), [], 0
    while True:
        body = get(sb, EMPLOYEES, token, limit=7, offset=offset).json()
        if not body["data"]:
            break
        seen += _ids(body)
        offset += len(body["data"])
    assert seen == sb.v1_employee_ids()
    assert seen == sorted(seen)


# ----------------------------------------------------------------------------- filters
def test_updated_since_returns_exactly_the_employees_changed_after_it(sb: Sandbox) -> None:
    before = berlin_timestamp(sb.company.now)[:19]  # naive local time, as the docs show
    changed = sb.company.mutate(update=5)["updated"]
    body = get(sb, EMPLOYEES, updated_since=before, limit=100).json()
    assert _ids(body) == changed
    assert body["metadata"]["total_elements"] == 5


def test_updated_since_is_strictly_after_the_instant(sb: Sandbox) -> None:
    emp = sb.company.employees()[0]
    since = berlin_timestamp(emp.last_modified_at)[:19]
    ids = _ids(get(sb, EMPLOYEES, updated_since=since, limit=100).json())
    assert emp.id not in ids
    assert all(e.last_modified_at > emp.last_modified_at for e in map(sb.company.employee, ids))


def test_updated_since_accepts_a_date(sb: Sandbox) -> None:
    body = get(sb, EMPLOYEES, updated_since="2026-01-01", limit=100).json()
    expected = [e.id for e in sb.company.employees() if e.last_modified_at.year == 2026]
    assert _ids(body) == expected


def test_updated_since_still_pages(sb: Sandbox) -> None:
    body = get(sb, EMPLOYEES, updated_since="2000-01-01", limit=5, offset=5).json()
    assert _ids(body) == sb.v1_employee_ids()[5:10]
    assert body["metadata"]["total_elements"] == len(sb.v1_employee_ids())


def test_invalid_updated_since_is_400(sb: Sandbox) -> None:
    assert get(sb, EMPLOYEES, updated_since="yesterday").status_code == 400


def test_email_filter_is_an_exact_match(sb: Sandbox) -> None:
    emp = sb.company.employees()[3]
    body = get(sb, EMPLOYEES, email=emp.email).json()
    assert _ids(body) == [emp.id]
    assert get(sb, EMPLOYEES, email="x" + emp.email).json()["data"] == []


def test_email_is_ignored_with_updated_since(sb: Sandbox) -> None:
    emp = sb.company.employees()[3]
    body = get(sb, EMPLOYEES, email=emp.email, updated_since="2000-01-01", limit=100).json()
    assert len(body["data"]) == len(sb.v1_employee_ids())


# ----------------------------------------------------------------------------- projection
def test_attributes_projection_returns_only_those_plus_id(sb: Sandbox) -> None:
    params = {"attributes[]": ["first_name", "department"]}
    body = get(sb, EMPLOYEES, **params).json()
    assert set(body["data"][0]["attributes"]) == {"id", "first_name", "department"}


def test_unknown_projected_attributes_are_ignored(sb: Sandbox) -> None:
    body = get(sb, EMPLOYEES, **{"attributes[]": ["first_name", "shoe_size"]}).json()
    assert set(body["data"][0]["attributes"]) == {"id", "first_name"}


def test_served_employee_equals_v1_employee_helper(sb: Sandbox) -> None:
    body = get(sb, EMPLOYEES, limit=3).json()
    for item in body["data"]:
        emp_id = item["attributes"]["id"]["value"]
        assert item == {"type": "Employee", "attributes": sb.v1_employee(emp_id)}


# ----------------------------------------------------------------------------- formats
def test_attribute_values_use_personio_formats(sb: Sandbox) -> None:
    attrs = sb.v1_employee(sb.v1_employee_ids()[1])
    assert attrs["id"] == {"label": "ID", "value": attrs["id"]["value"], "type": "integer",
                           "universal_id": "id"}  # fmt: skip
    assert isinstance(attrs["weekly_working_hours"]["value"], str)
    assert attrs["hire_date"]["value"].endswith(("T00:00:00+01:00", "T00:00:00+02:00"))
    assert attrs["fix_salary"]["currency"] == "EUR"
    assert attrs["supervisor"]["value"]["type"] == "Employee"
    assert attrs["department"]["value"]["type"] == "Department"
    assert any(key.startswith("dynamic_") for key in attrs)


def test_some_dates_are_written_without_a_colon_in_the_offset(sb: Sandbox) -> None:
    values = [sb.v1_employee(i)["probation_period_end"]["value"] for i in sb.v1_employee_ids()]
    assert any(v and v[-5:] in ("+0100", "+0200") for v in values)


def test_terminated_employees_are_inactive_with_a_termination_date(make_sandbox) -> None:
    sb = make_sandbox(employees=200)
    inactive = [sb.v1_employee(i) for i in sb.v1_employee_ids()
                if sb.v1_employee(i)["status"]["value"] == "inactive"]  # fmt: skip
    assert inactive
    assert all(a["termination_date"]["value"] for a in inactive)


# ----------------------------------------------------------------------------- single employee
def test_single_employee(sb: Sandbox) -> None:
    emp_id = sb.v1_employee_ids()[5]
    body = get(sb, f"{EMPLOYEES}/{emp_id}").json()
    assert body == {"success": True, "data": {"type": "Employee",
                                              "attributes": sb.v1_employee(emp_id)}}  # fmt: skip


def test_unknown_employee_is_404_with_code_0(sb: Sandbox) -> None:
    response = get(sb, f"{EMPLOYEES}/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == 0


# ----------------------------------------------------------------------------- catalogue
def test_catalogue_covers_every_attribute_type_with_options(sb: Sandbox) -> None:
    data = get(sb, f"{EMPLOYEES}/attributes").json()["data"]
    assert {item["type"] for item in data} == set(ATTRIBUTE_TYPES)
    assert all(set(item) == {"key", "label", "type", "universal_id", "options"} for item in data)
    assert all(item["options"] for item in data if item["type"] in ("list", "tags"))


def test_custom_attributes_alias_serves_the_catalogue(sb: Sandbox) -> None:
    token = v1_token(sb)
    alias = get(sb, f"{EMPLOYEES}/custom-attributes", token).json()
    assert alias == get(sb, f"{EMPLOYEES}/attributes", token).json()


def test_catalogue_lists_the_configured_number_of_custom_attributes(make_sandbox) -> None:
    sb = make_sandbox(custom_attributes=20)
    data = get(sb, f"{EMPLOYEES}/attributes").json()["data"]
    assert sum(item["key"].startswith("dynamic_") for item in data) == 20


# ----------------------------------------------------------------------------- balance
def test_absence_balance_has_one_row_per_day_type(sb: Sandbox) -> None:
    emp_id = sb.v1_employee_ids()[0]
    rows = get(sb, f"{EMPLOYEES}/{emp_id}/absences/balance").json()["data"]
    day_types = [t for t in sb.company.time_off_types if t.unit == "day"]
    assert [row["id"] for row in rows] == [t.id for t in day_types]
    assert all(set(row) == {"id", "name", "category", "balance", "available_balance"}
               for row in rows)  # fmt: skip


def test_absence_balance_of_unknown_employee_is_404(sb: Sandbox) -> None:
    assert get(sb, f"{EMPLOYEES}/999999/absences/balance").status_code == 404


# ----------------------------------------------------------------------------- picture
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    return width, height


def _with_picture(sb: Sandbox) -> int:
    return next(e.id for e in sb.company.employees() if e.has_picture)


def test_profile_picture_is_a_png_of_the_requested_width(sb: Sandbox) -> None:
    response = get(sb, f"{EMPLOYEES}/{_with_picture(sb)}/profile-picture/40")
    assert response.headers["Content-Type"] == "image/png"
    assert _png_size(response.content) == (40, 40)
    assert "Authorization" not in response.headers


def test_profile_picture_without_width_is_the_original(sb: Sandbox) -> None:
    response = get(sb, f"{EMPLOYEES}/{_with_picture(sb)}/profile-picture")
    assert _png_size(response.content) == (128, 128)


def test_profile_picture_is_404_when_not_whitelisted(make_sandbox) -> None:
    sb = make_sandbox(readable_attributes=["first_name"])
    assert get(sb, f"{EMPLOYEES}/{_with_picture(sb)}/profile-picture").status_code == 404
