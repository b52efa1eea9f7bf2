"""v2 document management: `GET /v2/document-management/documents` (personio-api.md 5.10).

There is no company-wide listing: `owner_id` (a person id) is required. A person's documents
are generated from the seed on request, so nothing is stored; their category ids are the v1
document categories'.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tap_personio.sandbox.server import App, Request, Route
from tap_personio.sandbox.timefmt import utc_timestamp
from tap_personio.sandbox.v1_reports import DOCUMENT_CATEGORIES
from tap_personio.sandbox.v2_api import (
    Filter,
    V2Endpoint,
    bad_request,
    bucket,
    endpoint_routes,
    ops,
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


def _documents(app: App, req: Request) -> list[Document]:
    """The owner's documents, oldest first; an unknown owner simply has none."""
    owner = req.arg("owner_id")
    if not owner:
        raise bad_request("The owner_id parameter is required.")
    if not owner.isdigit():
        raise bad_request()
    emp = app.company.employee(int(owner))
    if emp is None:
        return []
    rng = random.Random(f"documents:{app.company.seed}:{emp.id}")
    start = max(emp.created_at, app.company.now - timedelta(days=3 * 365))
    span = max(1, int((app.company.now - start).total_seconds()))
    docs = [
        Document(
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            emp.id,
            rng.choice(_NAMES),
            rng.randint(1, len(DOCUMENT_CATEGORIES)),
            rng.randint(20_000, 2_000_000),
            start + timedelta(seconds=rng.randrange(span)),
        )
        for _ in range(rng.randint(1, 6))
    ]
    return sorted(docs, key=lambda d: d.created_at)


def render_document(app: App, req: Request, doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "name": f"{doc.name}.pdf",
        "date": doc.created_at.date().isoformat(),
        "comment": "",
        "category": {"id": str(doc.category_id)},
        "owner": {"id": str(doc.owner_id)},
        "document_type": "pdf",
        "size": doc.size,
        "created_at": utc_timestamp(doc.created_at),
        "virus_scan": {"status": "CLEAN"},
        "esignature": {"status": "NOT_REQUESTED"},
    }


def _day(doc: Document) -> date:
    return doc.created_at.date()


ENDPOINTS = (
    V2Endpoint("/v2/document-management/documents", _documents, render_document, "documents",
               (100, 200), bucket("/v2/document-management/documents"),
               (Filter("category_id", lambda d: str(d.category_id)),
                Filter("created_at", _day, "date", ops("gte", "lt"))),
               frozenset({"owner_id"}), single=False),
)  # fmt: skip

ROUTES: tuple[Route, ...] = tuple(r for e in ENDPOINTS for r in endpoint_routes(e))
