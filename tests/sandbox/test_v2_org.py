"""v2 organisation data: legal entities, org units, cost centers, workplaces, jobs, bands."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.cli import build_parser, configure
from tap_personio.sandbox.v2_api import feature_enabled
from tests.sandbox.conftest import v2_token
from tests.sandbox.v2_helpers import data, every_page, v2

BANDS = "/v2/salary-bands"


def test_legal_entities_newest_created_first(sb: Sandbox) -> None:
    items = data(sb, "/v2/legal-entities")
    stamps = [(i["created_at"], int(i["id"])) for i in items]
    assert stamps == sorted(stamps, reverse=True)


def test_legal_entity_ids_match_employment_references(sb: Sandbox) -> None:
    emp = sb.company.employees()[0]
    ref = data(sb, f"/v2/persons/{emp.id}/employments")[0]["legal_entity"]["id"]
    assert v2(sb, f"/v2/legal-entities/{ref}").json()["id"] == ref


def test_legal_entities_are_412_when_the_feature_is_off(sb: Sandbox) -> None:
    sb.set_feature("legal_entities", False)
    response = v2(sb, "/v2/legal-entities")
    assert response.status_code == 412
    assert response.headers["Content-Type"] == "application/problem+json"
    sb.set_feature("legal_entities", True)
    assert v2(sb, "/v2/legal-entities").status_code == 200


def test_legal_entity_id_filter_rejects_non_integers(sb: Sandbox) -> None:
    assert v2(sb, "/v2/legal-entities", id="abc").status_code == 400


def test_org_unit_list_requires_type(sb: Sandbox) -> None:
    assert v2(sb, "/v2/org-units").status_code == 400


def test_org_unit_list_requires_the_beta_header(sb: Sandbox) -> None:
    assert v2(sb, "/v2/org-units", beta=False, type="team").status_code == 404


def test_org_unit_list_has_only_the_requested_type_by_id(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/org-units", type="team")
    assert {i["type"] for i in items} == {"team"}
    assert [int(i["id"]) for i in items] == sorted(int(i["id"]) for i in items)


def test_org_unit_next_link_repeats_the_filters(sb: Sandbox) -> None:
    body = v2(sb, "/v2/org-units", type="team", limit=2).json()
    assert "type=team" in body["_meta"]["links"]["next"]["href"]


def test_single_org_unit_without_beta_spells_out_its_parent_chain(sb: Sandbox) -> None:
    team = sb.company.teams[0]
    response = v2(sb, f"/v2/org-units/{team.id}", beta=False, type="team",
                  include_parent_chain="true")  # fmt: skip
    assert response.status_code == 200
    parent = sb.company.lookup("departments", team.parent_id)
    assert response.json()["parent_chain"] == [
        {"id": str(parent.id), "type": "department", "name": parent.name}
    ]


def test_cost_centers_need_beta(sb: Sandbox) -> None:
    assert v2(sb, "/v2/cost-centers", beta=False).status_code == 404


def test_cost_centers_sort_by_name_descending(sb: Sandbox) -> None:
    names = [i["name"] for i in data(sb, "/v2/cost-centers", sort="-name")]
    assert names == sorted((c.name for c in sb.company.cost_centers), reverse=True)


def test_workplaces_are_the_offices_and_need_beta(sb: Sandbox) -> None:
    assert v2(sb, "/v2/workplaces", beta=False).status_code == 404
    names = {i["name"] for i in data(sb, "/v2/workplaces")}
    assert names == {o.name for o in sb.company.offices}


def test_jobs_default_to_id_descending(sb: Sandbox) -> None:
    ids = [i["id"] for i in every_page(sb, "/v2/jobs")]
    assert ids == sorted(ids, reverse=True)


def test_salary_bands_page_with_cursor_over_every_page(sb: Sandbox) -> None:
    everything = data(sb, BANDS, limit=100)
    jobs = every_page(sb, "/v2/jobs")
    assert len(everything) == len(jobs) * len(sb.company.legal_entities)
    assert len(data(sb, BANDS)) == min(50, len(everything))  # default limit
    first = v2(sb, BANDS, limit=7).json()
    assert len(first["_data"]) == 7
    assert "cursor=" in first["_meta"]["links"]["next"]["href"]
    paged = every_page(sb, BANDS, limit=7)
    assert [b["id"] for b in paged] == [b["id"] for b in everything]
    assert [b["id"] for b in paged] == sorted((b["id"] for b in paged), reverse=True)


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_salary_band_limit_outside_1_to_100_is_400(sb: Sandbox, limit: int) -> None:
    assert v2(sb, BANDS, limit=limit).status_code == 400


def test_salary_band_shape_and_references(sb: Sandbox) -> None:
    band = data(sb, BANDS, limit=1)[0]
    assert set(band) == {"id", "name", "job", "legal_entity", "interval", "minimum", "midpoint",
                         "maximum", "created_at", "updated_at"}  # fmt: skip
    jobs = {j["id"]: j["name"] for j in every_page(sb, "/v2/jobs")}
    assert band["job"]["id"] in jobs
    entity = v2(sb, f"/v2/legal-entities/{band['legal_entity']['id']}").json()
    assert band["name"] == f"{jobs[band['job']['id']]} ({entity['country']})"
    low, mid, high = (band[k] for k in ("minimum", "midpoint", "maximum"))
    assert 0 < low["value"] < mid["value"] < high["value"]
    assert low["currency"] == mid["currency"] == high["currency"] in ("EUR", "GBP")
    assert v2(sb, f"{BANDS}/{band['id']}").json() == band


def test_salary_band_id_filter_and_unknown_single_is_404(sb: Sandbox) -> None:
    wanted = [b["id"] for b in data(sb, BANDS, limit=3)][::2]
    assert {b["id"] for b in data(sb, BANDS, id=",".join(wanted))} == set(wanted)
    assert v2(sb, f"{BANDS}/00000000-0000-0000-0000-000000000000").status_code == 404


def test_salary_bands_are_the_same_for_the_same_seed(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    first, second = make_sandbox(seed=7), make_sandbox(seed=7)
    assert every_page(first, BANDS) == every_page(second, BANDS)
    assert every_page(make_sandbox(seed=8), BANDS) != every_page(first, BANDS)


def test_salary_bands_need_their_own_scope(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(access_rights=["employees", "jobs"])
    response = v2(sb, BANDS)
    assert response.status_code == 403
    assert response.json()["errors"][0]["title"] == "Insufficient access scope"
    assert v2(sb, f"{BANDS}/any").status_code == 403
    full = make_sandbox()
    narrow = v2_token(full, scope="personio:salary-bands:read")
    assert v2(full, BANDS, token=narrow).status_code == 200
    assert v2(full, "/v2/jobs", token=narrow).status_code == 403


def test_cli_flag_switches_company_features_off() -> None:
    args = build_parser().parse_args(["--disable-features", "legal_entities,recruiting"])
    company = configure(args).company
    assert not feature_enabled(company, "legal_entities")
    assert not feature_enabled(company, "recruiting")
