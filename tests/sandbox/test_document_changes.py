"""v2 documents stay put across `Company.mutate`; `mutate(documents=n)` uploads new ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.company import Company
from tap_personio.sandbox.documents import owner_documents
from tap_personio.sandbox.timefmt import SANDBOX_NOW, utc_timestamp
from tests.sandbox.v2_helpers import every_page

DOCUMENTS = "/v2/document-management/documents"


def _served(sb: Sandbox, owner: int, **params: Any) -> list[dict[str, Any]]:
    return every_page(sb, DOCUMENTS, owner_id=str(owner), **params)


@pytest.fixture
def warm(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    sb = make_sandbox(employees=30)
    assert _served(sb, sb.v1_employee_ids()[0])
    return sb


def test_without_documents_the_result_has_no_documents_key() -> None:
    assert "documents" not in Company(20, seed=4).mutate(update=2, add=1, absences=1)


def test_seeded_documents_lie_before_the_initial_clock() -> None:
    company = Company(30, seed=3)
    docs = [d for emp in company.employees() for d in owner_documents(company, emp)]
    assert docs
    assert max(d.created_at for d in docs) < SANDBOX_NOW


def test_documents_are_stable_across_mutate(warm: Sandbox) -> None:
    owners = warm.v1_employee_ids()
    before = {owner: _served(warm, owner) for owner in owners}
    changed = warm.company.mutate(update=3)
    assert len(changed["updated"]) == 3
    assert set(changed) == {"updated", "added", "deleted"}
    assert {owner: _served(warm, owner) for owner in owners} == before


def test_a_new_hire_keeps_their_documents(warm: Sandbox) -> None:
    hired = warm.company.mutate(add=1)["added"][0]
    first = _served(warm, hired)
    assert first
    warm.company.mutate(update=2)
    assert _served(warm, hired) == first


def test_mutate_documents_uploads_new_documents_for_their_owners(warm: Sandbox) -> None:
    company = warm.company
    before = {owner: _served(warm, owner) for owner in company.employee_ids()}
    changed = company.mutate(documents=4)
    new = changed["documents"]
    assert len(new) == len(set(new)) == 4
    assert new == sorted(new)
    owners = {d.id: owner for owner, docs in company.added_documents.items() for d in docs}
    assert set(owners) == set(new)
    assert set(owners.values()) <= set(company.employee_ids())
    stamp, today = utc_timestamp(company.now), company.now.date().isoformat()
    for owner in sorted(set(owners.values())):
        served = _served(warm, owner)
        ids = {i["id"] for i in served}
        mine = {doc for doc, who in owners.items() if who == owner}
        assert ids == {i["id"] for i in before[owner]} | mine
        assert [i["created_at"] for i in served] == sorted(i["created_at"] for i in served)
        assert {i["created_at"] for i in served if i["id"] in mine} == {stamp}
        assert all(i["owner"]["id"] == str(owner) for i in served)
        recent = _served(warm, owner, **{"created_at.gte": today})
        assert {i["id"] for i in recent} == {i["id"] for i in served if i["date"] >= today}
        assert mine <= {i["id"] for i in recent}
    for owner in set(company.employee_ids()) - set(owners.values()):
        assert _served(warm, owner) == before[owner]


def test_document_uploads_are_deterministic() -> None:
    first, second = Company(30, seed=7), Company(30, seed=7)
    assert first.mutate(documents=3, update=1) == second.mutate(documents=3, update=1)
    assert first.added_documents == second.added_documents
