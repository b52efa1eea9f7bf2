"""v2 organisation data: legal entities, org units, cost centers, workplaces, jobs (section 5.9).

All are views of the company's reference data: legal entities are v1 subcompanies, org units
its departments and teams, workplaces its offices, and the job catalogue its position titles.
Ids match the references inside v2 employments.

Salary bands, from Personio's "Jobs and Salary Bands" (openapi/jobs-v2.yaml, reference pages
listsalarybands and getsalaryband): `/v2/salary-bands` and `/{id}` (a UUID), scope
`personio:salary-bands:read`, `id` filter (comma list), `cursor`, `limit` 1-100 default 50.
Assumed, as no item schema was found: one band per job and legal entity, fields `{id, name,
job{id}, legal_entity{id}, interval, minimum, midpoint, maximum, created_at, updated_at}` with
amounts `{value, currency}` as v2 compensations write them, and /v2/jobs' order (id descending).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from tap_personio.sandbox.company import Named, OrgUnit
from tap_personio.sandbox.server import App, Request, Route
from tap_personio.sandbox.timefmt import SANDBOX_NOW, utc_timestamp
from tap_personio.sandbox.v2_api import (
    Filter,
    Sorting,
    V2Endpoint,
    bad_request,
    bucket,
    endpoint_routes,
)
from tap_personio.sandbox.v2_people import job_id


# --------------------------------------------------------------------------- legal entities
def _legal_entities(app: App, req: Request) -> list[Named]:
    """Newest created first (ties: higher id first)."""
    return sorted(app.company.legal_entities, key=lambda e: (e.created_at, e.id), reverse=True)


def render_legal_entity(app: App, req: Request, entity: Named) -> dict[str, Any]:
    return {
        "id": str(entity.id),
        "name": entity.name,
        "country": entity.country,
        "created_at": utc_timestamp(entity.created_at),
        "updated_at": utc_timestamp(entity.created_at),
    }


# --------------------------------------------------------------------------- org units
def _org_units(app: App, req: Request) -> list[OrgUnit]:
    """`type` is required (department or team); other values are a 400."""
    kind = req.arg("type")
    if kind not in ("department", "team"):
        raise bad_request()
    if req.arg("include_parent_chain") not in (None, "true", "false"):
        raise bad_request()
    return [u for u in app.company.org_units if u.type == kind]


def render_org_unit(app: App, req: Request, unit: OrgUnit) -> dict[str, Any]:
    """The single GET spells out the parent chain; the list only names the parents' ids."""
    result: dict[str, Any] = {
        "id": str(unit.id),
        "type": unit.type,
        "name": unit.name,
        "abbreviation": unit.abbreviation,
        "description": f"{unit.name} ({unit.type})",
        "parent_id": None if unit.parent_id is None else str(unit.parent_id),
        "resource_uri": f"{req.base_url}/v2/org-units/{unit.id}?type={unit.type}",
        "create_time": utc_timestamp(unit.created_at),
    }
    if req.arg("include_parent_chain") == "true":
        chain: list[dict[str, Any]] = []
        full = "item_id" in req.params
        parent = app.company.lookup("departments", unit.parent_id)
        while parent is not None:
            link = {"id": str(parent.id)}
            chain.append({**link, "type": parent.type, "name": parent.name} if full else link)
            parent = app.company.lookup("departments", parent.parent_id)
        result["parent_chain"] = chain
    result["_meta"] = {"links": {"self": {"href": result["resource_uri"]}}}
    return result


_BY_ID_AND_NAME = Sorting({"id": lambda i: int(i.id), "name": lambda i: i.name}, "id")


# --------------------------------------------------------------------------- jobs
@dataclass(frozen=True, slots=True)
class Job:
    id: str
    name: str


def _jobs(app: App, req: Request) -> list[Job]:
    """The job catalogue: one job per position title held; ids as in employments' `job`."""
    titles = sorted({e.position for e in app.company.employees()})
    return [Job(job_id(app.company, title), title) for title in titles]


def render_job(app: App, req: Request, job: Job) -> dict[str, Any]:
    stamp = utc_timestamp(SANDBOX_NOW.replace(year=2020))
    return {"id": job.id, "name": job.name, "created_at": stamp, "updated_at": stamp}


# --------------------------------------------------------------------------- salary bands
@dataclass(frozen=True, slots=True)
class SalaryBand:
    id: str
    job: Job
    entity: Named
    midpoint: int  # yearly, whole currency units


def _salary_bands(app: App, req: Request) -> list[SalaryBand]:
    """One band per job of the catalogue and legal entity; ids and amounts from the seed."""
    seed = app.company.seed
    bands = []
    for job in _jobs(app, req):
        for entity in app.company.legal_entities:
            key = f"sandbox:{seed}:salary-band:{job.name}:{entity.id}"
            midpoint = random.Random(key).randrange(36_000, 120_000, 500)
            bands.append(
                SalaryBand(str(uuid.uuid5(uuid.NAMESPACE_URL, key)), job, entity, midpoint)
            )
    return sorted(bands, key=lambda b: b.id, reverse=True)


def render_salary_band(app: App, req: Request, band: SalaryBand) -> dict[str, Any]:
    currency = "GBP" if band.entity.country == "GB" else "EUR"
    stamp = utc_timestamp(SANDBOX_NOW.replace(year=2021))

    def money(factor: float) -> dict[str, Any]:
        return {"value": float(round(band.midpoint * factor)), "currency": currency}

    return {
        "id": band.id,
        "name": f"{band.job.name} ({band.entity.country})",
        "job": {"id": band.job.id},
        "legal_entity": {"id": str(band.entity.id)},
        "interval": "YEARLY",
        "minimum": money(0.8),
        "midpoint": money(1.0),
        "maximum": money(1.2),
        "created_at": stamp,
        "updated_at": stamp,
    }


def _named(app: App, req: Request, item: Named) -> dict[str, Any]:
    return {"id": str(item.id), "name": item.name}


_NAMED_FILTERS = (Filter("id", lambda i: str(i.id)), Filter("name", lambda i: i.name))

ENDPOINTS = (
    V2Endpoint("/v2/legal-entities", _legal_entities, render_legal_entity, "legal_entities",
               (20, 100), bucket("/v2/legal-entities"),
               (Filter("id", lambda e: str(e.id), "int_list"),
                Filter("country", lambda e: e.country)), feature="legal_entities"),
    V2Endpoint("/v2/org-units", _org_units, render_org_unit, "org_units", (20, 100),
               bucket("/v2/org-units"), (Filter("id", lambda u: str(u.id), "int_list"),),
               frozenset({"type", "include_parent_chain"}), _BY_ID_AND_NAME, beta=True,
               single_beta=False),
    V2Endpoint("/v2/cost-centers", lambda app, req: app.company.cost_centers, _named,
               "cost_centers", (100, 200), bucket("/v2/cost-centers"), _NAMED_FILTERS,
               sorting=_BY_ID_AND_NAME, beta=True),
    V2Endpoint("/v2/workplaces", lambda app, req: app.company.offices, _named, "workplaces",
               (100, 200), bucket("/v2/workplaces"), _NAMED_FILTERS, sorting=_BY_ID_AND_NAME,
               beta=True),
    V2Endpoint("/v2/jobs", _jobs, render_job, "jobs", (50, 100), bucket("/v2/jobs"),
               (Filter("id", lambda j: j.id), Filter("name", lambda j: j.name)),
               sorting=Sorting({"id": lambda j: j.id, "name": lambda j: j.name}, "-id")),
    V2Endpoint("/v2/salary-bands", _salary_bands, render_salary_band, "salary_bands", (50, 100),
               bucket("/v2/salary-bands"), (Filter("id", lambda b: b.id),)),
)  # fmt: skip

ROUTES: tuple[Route, ...] = tuple(r for e in ENDPOINTS for r in endpoint_routes(e))
