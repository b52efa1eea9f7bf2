"""v2 organisation data: legal entities, org units, cost centers, workplaces, jobs."""

from __future__ import annotations

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.cli import build_parser, configure
from tap_personio.sandbox.v2_api import feature_enabled
from tests.sandbox.v2_helpers import data, every_page, v2


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


def test_cli_flag_switches_company_features_off() -> None:
    args = build_parser().parse_args(["--disable-features", "legal_entities,recruiting"])
    company = configure(args).company
    assert not feature_enabled(company, "legal_entities")
    assert not feature_enabled(company, "recruiting")
