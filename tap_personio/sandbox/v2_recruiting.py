"""v2 recruiting (beta): candidates, applications and their stage transitions, jobs,
categories (personio-api.md 5.12).

Every path needs `Beta: true` and the company's recruiting feature (404 otherwise). Lists are
newest updated first; stage transitions newest first. Shapes follow the observed ones in
section 5.12; timestamps are objects `{"date-time": <UTC>, "timezone": "Europe/Berlin"}` on
every recruiting object. The data is built from the seed on first use, about one candidate per
two employees. `Company.mutate(recruiting=n)` moves n open applications one stage on
(`change_recruiting`), which updates them, their candidates and their jobs.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from tap_personio.sandbox.company import Company
from tap_personio.sandbox.server import ApiError, App, Request, Route
from tap_personio.sandbox.timefmt import SANDBOX_NOW, utc_timestamp
from tap_personio.sandbox.v2_api import (
    NOT_FOUND,
    Filter,
    V2Endpoint,
    bad_request,
    bucket,
    endpoint_routes,
    memo,
    ops,
    revise,
)

_STAGES = (("Unassigned", "UNASSIGNED"), ("Screening", "CUSTOM"), ("Interview", "CUSTOM"),
           ("Offer", "OFFER"), ("Hired", "HIRED"), ("Rejected", "REJECTED"))  # fmt: skip
_CHANNELS = ("Career page", "LinkedIn", "Referral", "Indeed")
_JOB_TITLES = ("Backend Engineer", "Frontend Engineer", "Product Designer", "Sales Manager",
               "Recruiter", "Data Analyst", "Support Agent", "Controller")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    name: str
    department_id: int
    category: Category
    hiring_team: tuple[int, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    first_name: str
    last_name: str
    email: str
    gender: str
    birthday: date
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Application:
    id: str
    candidate: Candidate
    job: Job
    stage: int  # index into _STAGES: the current stage
    channel: int
    created_at: datetime
    updated_at: datetime
    #: Stages entered after the application was built (`change_recruiting`), oldest first,
    #: and the stage and update time it was built with, which fix its earlier transitions.
    moves: tuple[tuple[int, datetime], ...] = ()
    built: tuple[int, datetime] | None = None


@dataclass(frozen=True, slots=True)
class Recruiting:
    categories: list[Category]
    jobs: list[Job]
    candidates: list[Candidate]
    applications: list[Application]
    by_candidate: dict[str, list[Application]]


def _build(company: Company) -> Recruiting:
    rng = random.Random(f"recruiting:{company.seed}")

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def moment(days_back: int) -> datetime:
        return SANDBOX_NOW - timedelta(days=rng.randint(1, days_back), seconds=rng.randrange(86400))

    founded = SANDBOX_NOW - timedelta(days=900)
    categories = [Category(str(100 + i), name, founded) for i, name in
                  enumerate(("Default hiring process", "Engineering hiring process"))]  # fmt: skip
    people = company.employee_ids()
    jobs = []
    for title in _JOB_TITLES:
        created = moment(600)
        updated = min(created + timedelta(days=rng.randint(0, 60)), SANDBOX_NOW)
        category = categories[1] if "Engineer" in title else categories[0]
        team = tuple(rng.sample(people, min(2, len(people))))
        department = rng.choice(company.departments).id
        jobs.append(Job(new_id(), title, department, category, team, created, updated))
    candidates: list[Candidate] = []
    applications: list[Application] = []
    for index in range(max(10, len(people) // 2)):
        first, last = f"Applicant{index}", rng.choice(("Meier", "Lopez", "Smith", "Rossi", "Novak"))
        created = moment(365)
        updated = min(created + timedelta(days=rng.randint(0, 45)), SANDBOX_NOW)
        candidate = Candidate(new_id(), first, last, f"{first}.{last}@applicants.example".lower(),
                              rng.choice(("male", "female", "diverse")),
                              date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 35)),
                              created, updated)  # fmt: skip
        candidates.append(candidate)
        for _ in range(rng.randint(1, 2)):
            stage, channel = rng.randrange(len(_STAGES)), rng.randrange(len(_CHANNELS))
            job = rng.choice(jobs)
            applications.append(
                Application(new_id(), candidate, job, stage, channel, created, updated)
            )
    return _listed(categories, jobs, candidates, applications)


def _listed(categories: list[Category], jobs: Iterable[Job], candidates: Iterable[Candidate],
            applications: Iterable[Application]) -> Recruiting:  # fmt: skip
    """The lists in Personio's order (newest updated first) and applications by candidate."""
    applications = sorted(applications, key=lambda a: (a.updated_at, a.id), reverse=True)
    by_candidate: dict[str, list[Application]] = {}
    for application in applications:
        by_candidate.setdefault(application.candidate.id, []).append(application)
    return Recruiting(
        categories,
        sorted(jobs, key=lambda j: j.updated_at, reverse=True),
        sorted(candidates, key=lambda c: (c.updated_at, c.id), reverse=True),
        applications,
        by_candidate,
    )


def _data(app: App) -> Recruiting:
    data: Recruiting = memo(app.company, "recruiting", lambda: _build(app.company))
    return data


def stamp(moment: datetime) -> dict[str, str]:
    return {"date-time": utc_timestamp(moment), "timezone": "Europe/Berlin"}


def _stage(index: int, category: Category) -> dict[str, Any]:
    name, kind = _STAGES[index]
    return {"id": f"{category.id}-{index}", "kind": kind, "name": name, "type": kind}


def _department(app: App, department_id: int) -> dict[str, Any] | None:
    unit = app.company.lookup("departments", department_id)
    return None if unit is None else {"id": str(unit.id), "name": unit.name}


def render_category(app: App, req: Request, item: Category) -> dict[str, Any]:
    return {"id": item.id, "name": item.name,
            "stages": [_stage(i, item) for i in range(len(_STAGES))],
            "company": {"id": str(app.company.seed)}}  # fmt: skip


def _hiring_team(job: Job) -> list[dict[str, Any]]:
    roles = ("Hiring manager", "Recruiter")
    return [{"person": {"id": str(p)}, "role": {"name": roles[i % 2]}}
            for i, p in enumerate(job.hiring_team)]  # fmt: skip


def render_job(app: App, req: Request, job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "name": job.name,
        "department": _department(app, job.department_id),
        "category": {"id": job.category.id, "name": job.category.name},
        "hiring_team": _hiring_team(job),
        "company": {"id": str(app.company.seed)},
        "created_at": stamp(job.created_at),
        "updated_at": stamp(job.updated_at),
    }


def render_candidate(app: App, req: Request, c: Candidate) -> dict[str, Any]:
    applied = _data(app).by_candidate.get(c.id, [])
    return {
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "gender": c.gender,
        "phone": None,
        "location": "Munich",
        "birthday": c.birthday.isoformat(),
        "linkedin_profile": None,
        "available_from": (c.created_at + timedelta(days=60)).date().isoformat(),
        "applications": [
            {"id": a.id, "application_date": a.created_at.date().isoformat()} for a in applied
        ],
        "created_at": stamp(c.created_at),
        "updated_at": stamp(c.updated_at),
    }


def render_application(app: App, req: Request, a: Application) -> dict[str, Any]:
    c = a.candidate
    return {
        "id": a.id,
        "application_date": a.created_at.date().isoformat(),
        "candidate": {"id": c.id, "email": c.email, "first_name": c.first_name,
                      "last_name": c.last_name, "gender": c.gender},
        "job": {"id": a.job.id, "name": a.job.name,
                "department": _department(app, a.job.department_id),
                "category": {"id": a.job.category.id, "name": a.job.category.name}},
        "current_stage": _stage(a.stage, a.job.category),
        "channel": {"id": str(a.channel + 1), "name": _CHANNELS[a.channel]},
        "hiring_team": _hiring_team(a.job),
        "is_anonymized": False,
        "created_at": stamp(a.created_at),
        "updated_at": stamp(a.updated_at),
    }  # fmt: skip


def stage_path(a: Application, stage: int) -> list[int]:
    """Stages the application went through, from Unassigned up to `stage`, its stage as built.

    Hired went through every stage before it; Rejected was rejected after one of the stages up
    to Offer (which one derives from the application id).
    """
    if _STAGES[stage][0] != "Rejected":
        return list(range(stage + 1))
    return [*range(random.Random(a.id).randint(0, 3) + 1), stage]


def stage_transitions(a: Application) -> list[tuple[int, datetime]]:
    """(stage index, entered at), oldest first: Unassigned at creation, the stage as built at
    the update as built, the others evenly in between, then the stages `change_recruiting`
    moved it to. An application updated less than a second per stage after its creation (rare)
    has its stages one second apart from its creation."""
    stage, updated = a.built or (a.stage, a.updated_at)
    path = stage_path(a, stage)
    steps = len(path) - 1
    span = (updated - a.created_at).total_seconds()
    if steps == 0:
        return [(path[0], a.created_at), *a.moves]
    step = timedelta(seconds=span // steps if span >= steps else 1)
    return [(stage, a.created_at + step * i) for i, stage in enumerate(path[:-1])] + [
        (path[-1], updated if span >= steps else a.created_at + step * steps),
        *a.moves,
    ]


_OFFER, _HIRED = 3, 4


def change_recruiting(
    company: Company, rng: random.Random, count: int
) -> tuple[list[str], list[str], list[str]]:
    """Move `count` open applications (Unassigned to Offer) one stage on at `company.now`
    (Offer to Hired); their candidates and jobs are updated then too. Returns the ids of the
    changed applications, candidates and jobs, each ascending."""
    moved: dict[str, Application] = {}
    people: set[str] = set()
    jobs: set[str] = set()

    def step(data: Recruiting) -> Recruiting:
        open_ = [i for i, a in enumerate(data.applications) if a.stage <= _OFFER]
        now = company.now
        for index in sorted(rng.sample(open_, min(count, len(open_)))):
            a = data.applications[index]
            stage = _HIRED if a.stage == _OFFER else a.stage + 1
            moved[a.id] = replace(a, stage=stage, updated_at=now, moves=(*a.moves, (stage, now)),
                                  built=a.built or (a.stage, a.updated_at))  # fmt: skip
            people.add(a.candidate.id)
            jobs.add(a.job.id)
        candidates = {c.id: replace(c, updated_at=now) if c.id in people else c
                      for c in data.candidates}  # fmt: skip
        positions = {j.id: replace(j, updated_at=now) if j.id in jobs else j for j in data.jobs}
        applications = [
            replace(moved.get(a.id, a), candidate=candidates[a.candidate.id],
                    job=positions[a.job.id])
            for a in data.applications
        ]  # fmt: skip
        return _listed(data.categories, positions.values(), candidates.values(), applications)

    revise(company, "recruiting", lambda: _build(company), step)
    return sorted(moved), sorted(people), sorted(jobs)


Transition = tuple[int, datetime, Category]  # stage index, entered at, the job's category


def _transitions(app: App, req: Request) -> Sequence[Transition]:
    """Newest first; an unknown application is a 404."""
    wanted = req.params["application_id"]
    found = next((a for a in _data(app).applications if a.id == wanted), None)
    if found is None:
        raise ApiError(404, NOT_FOUND)
    category = found.job.category
    return [(stage, moment, category) for stage, moment in reversed(stage_transitions(found))]


def render_transition(app: App, req: Request, item: Transition) -> dict[str, Any]:
    stage, moment, category = item
    return {"entered_at": stamp(moment), "stage": _stage(stage, category)}


def _candidates(app: App, req: Request) -> Sequence[Candidate]:
    """`updated_at.gt` or `updated_at.lt`, not both (as the reference says for candidates)."""
    if "updated_at.gt" in req.query and "updated_at.lt" in req.query:
        raise bad_request()
    return _data(app).candidates


_UPDATED = Filter("updated_at", lambda i: i.updated_at, "instant", ops("gt", "lt"))
ENDPOINTS = (
    V2Endpoint("/v2/recruiting/candidates", _candidates, render_candidate, "recruiting",
               (100, 200), bucket("/v2/recruiting/candidates"),
               (_UPDATED, Filter("email", lambda c: c.email)), beta=True, feature="recruiting",
               wrap_single=True),
    V2Endpoint("/v2/recruiting/applications", lambda app, req: _data(app).applications,
               render_application, "recruiting", (100, 200),
               bucket("/v2/recruiting/applications"),
               (_UPDATED, Filter("candidate.email", lambda a: a.candidate.email)), beta=True,
               feature="recruiting", wrap_single=True),
    V2Endpoint("/v2/recruiting/applications/{application_id}/stage-transitions",
               _transitions, render_transition, "recruiting", (100, 200),
               bucket("/v2/recruiting/stage-transitions"), beta=True, feature="recruiting",
               single=False),
    V2Endpoint("/v2/recruiting/jobs", lambda app, req: _data(app).jobs, render_job,
               "recruiting", (100, 200), bucket("/v2/recruiting/jobs"), (_UPDATED,),
               beta=True, feature="recruiting", wrap_single=True),
    V2Endpoint("/v2/recruiting/categories", lambda app, req: _data(app).categories,
               render_category, "recruiting", (100, 200), bucket("/v2/recruiting/categories"),
               beta=True, feature="recruiting", wrap_single=True),
)  # fmt: skip

ROUTES: tuple[Route, ...] = tuple(r for e in ENDPOINTS for r in endpoint_routes(e))
