"""v2 employments: per person, newest first, `updated_at` filters, whitelist, mutation."""

from __future__ import annotations

from collections.abc import Callable

from tap_personio.sandbox import Sandbox
from tests.sandbox.v2_helpers import data, detail, v2


def _person(sb: Sandbox) -> int:
    return next(e.id for e in sb.company.employees() if e.supervisor_id is not None)


def test_employments_list_holds_the_persons_employment(sb: Sandbox) -> None:
    emp = sb.company.employee(_person(sb))
    assert emp is not None
    items = data(sb, f"/v2/persons/{emp.id}/employments")
    assert [(i["id"], i["person"]["id"]) for i in items] == [(emp.employment_id, str(emp.id))]


def test_person_links_to_its_employments(sb: Sandbox) -> None:
    person = data(sb, "/v2/persons", limit=1)[0]
    href = person["_meta"]["links"]["employments"]["href"]
    assert href == f"{sb.url}/v2/persons/{person['id']}/employments"
    assert data(sb, href.removeprefix(sb.url))[0]["id"] == person["employments"][0]["id"]


def test_single_employment_is_the_bare_object(sb: Sandbox) -> None:
    emp = sb.company.employee(_person(sb))
    assert emp is not None
    response = v2(sb, f"/v2/persons/{emp.id}/employments/{emp.employment_id}")
    assert response.json()["id"] == emp.employment_id
    assert response.json()["supervisor"] == {"id": str(emp.supervisor_id)}


def test_unknown_employment_of_a_known_person_is_404(sb: Sandbox) -> None:
    assert v2(sb, f"/v2/persons/{_person(sb)}/employments/nope").status_code == 404


def test_employments_of_an_unknown_person_are_404(sb: Sandbox) -> None:
    response = v2(sb, "/v2/persons/404/employments")
    assert response.status_code == 404
    assert detail(response) == "There is no resource for the specified id."


def test_employments_updated_at_gt_filters_by_update_time(sb: Sandbox) -> None:
    emp = sb.company.employee(_person(sb))
    assert emp is not None
    path = f"/v2/persons/{emp.id}/employments"
    before = emp.last_modified_at.date().isoformat()  # a plain date, as pysonio sends
    after = emp.last_modified_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(data(sb, path, **{"updated_at.gt": before})) == 1
    assert data(sb, path, **{"updated_at.gt": after}) == []


def test_employments_do_not_offer_gte(sb: Sandbox) -> None:
    response = v2(sb, f"/v2/persons/{_person(sb)}/employments", **{"updated_at.gte": "2020-01-01"})
    assert detail(response) == "Provided filter encoding is invalid."


def test_employment_fields_follow_the_whitelist(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(readable_attributes=["first_name", "status"])
    item = data(sb, f"/v2/persons/{_person(sb)}/employments")[0]
    assert set(item) == {"id", "status", "person", "_meta"}


def test_terminated_employment_has_its_termination(sb: Sandbox) -> None:
    emp = next(e for e in sb.company.employees() if e.termination_date is not None)
    item = data(sb, f"/v2/persons/{emp.id}/employments")[0]
    assert item["status"] == "INACTIVE"
    assert item["employment_end_date"] == item["termination"]["termination_date"]


def test_mutated_person_gets_a_newer_employment_updated_at(sb: Sandbox) -> None:
    changed = sb.company.mutate(update=1)["updated"][0]
    item = data(sb, f"/v2/persons/{changed}/employments")[0]
    newest = max(e.last_modified_at for e in sb.company.employees())
    assert item["updated_at"] == newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert item["position"]["title"] == sb.company.employee(changed).position  # type: ignore[union-attr]


def test_employment_job_is_in_the_job_catalogue(sb: Sandbox) -> None:
    job = data(sb, f"/v2/persons/{_person(sb)}/employments")[0]["job"]["id"]
    assert job in {j["id"] for j in data(sb, "/v2/jobs", limit=100)}
