"""v2 document management: `GET /v2/document-management/documents` (personio-api.md 5.10).

There is no company-wide listing: `owner_id` (a person id) is required. The documents
themselves (seeded per owner, plus those `Company.mutate(documents=n)` adds) come from
`documents.py`; their category ids are the v1 document categories'.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tap_personio.sandbox.documents import Document, owner_documents
from tap_personio.sandbox.server import App, Request, Route
from tap_personio.sandbox.timefmt import utc_timestamp
from tap_personio.sandbox.v2_api import (
    Filter,
    V2Endpoint,
    bad_request,
    bucket,
    endpoint_routes,
    ops,
)


def _documents(app: App, req: Request) -> list[Document]:
    """The owner's documents, oldest first; an unknown owner simply has none."""
    owner = req.arg("owner_id")
    if not owner:
        raise bad_request("The owner_id parameter is required.")
    if not owner.isdigit():
        raise bad_request()
    emp = app.company.employee(int(owner))
    return [] if emp is None else owner_documents(app.company, emp)


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
