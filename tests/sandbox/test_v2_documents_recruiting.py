"""v2 documents (per owner) and recruiting (beta, newest updated first)."""

from __future__ import annotations

from tap_personio.sandbox import Sandbox
from tests.sandbox.v2_helpers import data, every_page, v2

DOCUMENTS = "/v2/document-management/documents"


def test_documents_require_owner_id(sb: Sandbox) -> None:
    assert v2(sb, DOCUMENTS).status_code == 400


def test_documents_belong_to_their_owner(sb: Sandbox) -> None:
    owner = str(sb.v1_employee_ids()[2])
    items = data(sb, DOCUMENTS, owner_id=owner)
    assert items
    assert {i["owner"]["id"] for i in items} == {owner}


def test_documents_created_at_gte_filters_by_date(sb: Sandbox) -> None:
    owner = sb.v1_employee_ids()[4]
    items = data(sb, DOCUMENTS, owner_id=owner)
    newest = max(i["created_at"][:10] for i in items)
    recent = data(sb, DOCUMENTS, owner_id=owner, **{"created_at.gte": newest})
    assert recent
    assert all(i["created_at"][:10] >= newest for i in recent)


def test_documents_limit_300_is_rejected(sb: Sandbox) -> None:
    assert v2(sb, DOCUMENTS, owner_id=sb.v1_employee_ids()[0], limit=300).status_code == 400


def test_recruiting_needs_the_beta_header(sb: Sandbox) -> None:
    assert v2(sb, "/v2/recruiting/candidates", beta=False).status_code == 404


def test_recruiting_is_404_when_the_feature_is_off(sb: Sandbox) -> None:
    sb.set_feature("recruiting", False)
    assert v2(sb, "/v2/recruiting/jobs").status_code == 404


def test_recruiting_lists_are_newest_updated_first(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/recruiting/applications")
    stamps = [i["updated_at"]["date-time"] for i in items]
    assert stamps == sorted(stamps, reverse=True)


def test_recruiting_updated_at_gt_filter(sb: Sandbox) -> None:
    items = every_page(sb, "/v2/recruiting/candidates")
    middle = items[len(items) // 2]["updated_at"]["date-time"]
    newer = every_page(sb, "/v2/recruiting/candidates", **{"updated_at.gt": middle})
    assert newer
    assert all(i["updated_at"]["date-time"] > middle for i in newer)


def test_candidates_refuse_gt_and_lt_together(sb: Sandbox) -> None:
    query = {"updated_at.gt": "2026-01-01T00:00:00Z", "updated_at.lt": "2026-06-01T00:00:00Z"}
    assert v2(sb, "/v2/recruiting/candidates", **query).status_code == 400


def test_candidate_applications_exist(sb: Sandbox) -> None:
    candidate = data(sb, "/v2/recruiting/candidates", limit=1)[0]
    ids = {a["id"] for a in every_page(sb, "/v2/recruiting/applications")}
    assert {a["id"] for a in candidate["applications"]} <= ids


def test_recruiting_single_is_wrapped_in_data(sb: Sandbox) -> None:
    category = data(sb, "/v2/recruiting/categories", limit=1)[0]
    response = v2(sb, f"/v2/recruiting/categories/{category['id']}")
    assert response.json() == {"_data": category}
