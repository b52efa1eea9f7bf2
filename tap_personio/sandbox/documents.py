"""The company's documents (v2 document management): seeded per owner, plus those `mutate` adds.

A person's seeded documents are generated from the seed on request, so nothing is stored; their
`created_at` lies between the owner's creation (at most three years back) and `SANDBOX_NOW`,
so they stay put however often `mutate` moves the company clock. `Company.mutate(documents=n)`
uploads `n` new documents for current employees, chosen with the mutation generator, each
created at the company clock; those are kept in `Company.added_documents` by owner. Category
ids are the v1 document categories' (1-based positions in `DOCUMENT_CATEGORIES`).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tap_personio.sandbox.timefmt import SANDBOX_NOW

if TYPE_CHECKING:
    from tap_personio.sandbox.company import Company, Employee

DOCUMENT_CATEGORIES = (
    "Certificates of employment",
    "Contracts",
    "Payslips",
    "Sick notes",
    "Training certificates",
    "Other documents",
)
_NAMES = ("Employment contract", "Certificate of employment", "Payslip", "Sick note",
          "Training certificate", "Signed policy")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    owner_id: int
    name: str
    category_id: int
    size: int
    created_at: datetime


def _document(rng: random.Random, owner_id: int, start: datetime, span: int = 0) -> Document:
    """A document created `start` plus up to `span` seconds (drawn last, after its fields)."""
    return Document(
        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        owner_id,
        rng.choice(_NAMES),
        rng.randint(1, len(DOCUMENT_CATEGORIES)),
        rng.randint(20_000, 2_000_000),
        start + timedelta(seconds=rng.randrange(span)) if span else start,
    )


def owner_documents(company: Company, emp: Employee) -> list[Document]:
    """The owner's seeded and added documents, oldest first."""
    rng = random.Random(f"documents:{company.seed}:{emp.id}")
    start = max(emp.created_at, SANDBOX_NOW - timedelta(days=3 * 365))
    span = max(1, int((max(start, SANDBOX_NOW) - start).total_seconds()))
    docs = [_document(rng, emp.id, start, span) for _ in range(rng.randint(1, 6))]
    docs += company.added_documents.get(emp.id, ())
    return sorted(docs, key=lambda d: d.created_at)


def add_documents(company: Company, rng: random.Random, count: int) -> list[str]:
    """Upload `count` documents for current employees (chosen with `rng`), created now;
    returns their ids, ascending."""
    owners = company.employee_ids()
    added: list[str] = []
    for _ in range(count if owners else 0):
        doc = _document(rng, rng.choice(owners), company.now)
        company.added_documents[doc.owner_id] = (*company.added_documents.get(doc.owner_id, ()),
                                                 doc)  # fmt: skip
        added.append(doc.id)
    return sorted(added)
