"""The synthetic company the sandbox serves.

Everything is derived from one seed through private `random.Random` instances, so the same
arguments always give the same company. The model stores plain values (dates, ids, numbers);
the API modules turn them into Personio's JSON shapes per request, which keeps a large company
small in memory. Absence and attendance history is built on first use, per employee of the
initial company, so that the order of requests never changes the data.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

from tap_personio.sandbox.absence_changes import Mutation, absence_stamps, change_absences
from tap_personio.sandbox.attendance_changes import attendance_stamps, change_attendances
from tap_personio.sandbox.documents import Document, add_documents
from tap_personio.sandbox.timefmt import SANDBOX_NOW

#: Every v1 attribute type (Personio's TypeEnum).
ATTRIBUTE_TYPES = ("standard", "date", "integer", "decimal", "list", "tags", "multiline", "link")


@dataclass(frozen=True, slots=True)
class AttributeDef:
    """One entry of the v1 attribute catalogue."""

    key: str
    label: str
    type: str
    universal_id: str | None
    options: tuple[str, ...] = ()
    #: custom date attributes: True = "YYYY-MM-DD", False = full ISO with offset
    plain_date: bool = True


def _std(key: str, label: str, type_: str = "standard") -> AttributeDef:
    return AttributeDef(key, label, type_, key)


#: The standard attributes in the order Personio's example response lists them.
STANDARD_ATTRIBUTES: tuple[AttributeDef, ...] = (
    _std("id", "ID", "integer"),
    _std("first_name", "First name"),
    _std("last_name", "Last name"),
    _std("preferred_name", "Name (preferred)"),
    _std("email", "Email"),
    _std("gender", "Gender"),
    _std("status", "Status"),
    _std("position", "Position"),
    _std("supervisor", "Supervisor"),
    _std("employment_type", "Employment type"),
    _std("weekly_working_hours", "Weekly hours"),
    _std("hire_date", "Hire date", "date"),
    _std("contract_end_date", "Contract ends", "date"),
    _std("termination_date", "Termination date", "date"),
    _std("termination_type", "Termination type"),
    _std("termination_reason", "Termination reason"),
    _std("probation_period_end", "Probation period end", "date"),
    _std("created_at", "created_at", "date"),
    _std("last_modified_at", "Last modified", "date"),
    _std("subcompany", "Subcompany"),
    _std("office", "Office"),
    _std("department", "Department"),
    _std("cost_centers", "Cost center"),
    _std("holiday_calendar", "Public holidays"),
    _std("absence_entitlement", "Absence entitlement"),
    _std("work_schedule", "Work schedule"),
    _std("fix_salary", "Fix salary", "decimal"),
    _std("fix_salary_interval", "Salary interval"),
    _std("hourly_salary", "Hourly salary", "decimal"),
    _std("last_working_day", "Last day of work", "date"),
    _std("profile_picture", "Profile Picture"),
    _std("team", "Team"),
)

# (label, type, universal_id, options): the first eight cover every attribute type.
_CUSTOM_TEMPLATES: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    ("IBAN", "standard", "iban", ()),
    ("Birthday", "date", "date_of_birth", ()),
    ("Desk number", "integer", None, ()),
    ("Commute distance (km)", "decimal", None, ()),
    ("Shirt size", "list", None, ("XS", "S", "M", "L", "XL")),
    ("Language skills", "tags", None, ("English", "French", "German", "Spanish", "Italian")),
    ("Notes", "multiline", None, ()),
    ("LinkedIn profile", "link", None, ()),
    ("Anniversary date", "date", None, ()),
    ("Marital status", "list", None, ("married", "single", "divorced", "widowed")),
    ("Certifications", "tags", None, ("AWS", "PMP", "Scrum Master", "CPA", "First aid")),
    ("Titel", "standard", None, ()),
)

_FIRST = (
    "Alexander", "Anna", "Ben", "Clara", "David", "Elif", "Emma", "Felix", "Greta", "Hannah",
    "Ivan", "Jana", "Jonas", "Jürgen", "Katarzyna", "Lea", "Leon", "Lukas", "Maria", "Mehmet",
    "Mia", "Noah", "Olga", "Paul", "Sofia", "Tobias", "Zoë", "Luca", "Nina", "Omar",
)  # fmt: skip
_LAST = (
    "Bergmann", "Schmidt", "Müller", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Kowalski", "Nowak", "García", "Rossi",
    "O'Brien", "Dubois", "Jansen",
)  # fmt: skip
_POSITIONS = (
    "Software Engineer", "Senior Software Engineer", "Product Manager", "Designer", "Recruiter",
    "Account Executive", "Customer Success Manager", "Data Analyst", "HR Manager", "Controller",
    "Office Manager", "Support Agent", "Marketing Manager", "Team Lead", "Working Student",
)  # fmt: skip
_DEPARTMENTS = ("Engineering", "Product", "Sales", "Marketing", "Customer Support", "People",
                "Finance", "Operations")  # fmt: skip
_OFFICES = ("Munich", "Berlin", "Madrid", "London", "Amsterdam", "Vienna")
_SUBCOMPANIES = (("CS Demo GmbH", "DE"), ("CS Demo S.L.", "ES"), ("CS Demo Ltd", "GB"))
_CALENDARS = (
    ("Deutschland (Bayern) Feiertage", "DE", "Bayern"),
    ("Deutschland (Berlin) Feiertage", "DE", "Berlin"),
    ("España (Madrid) Festivos", "ES", "Madrid"),
    ("United Kingdom Bank Holidays", "GB", None),
)
_TERMINATION_TYPES = ("employee", "employer", "mutual agreement", "contract expired")
_TERMINATION_REASONS = ("New job", "Relocation", "Performance", "Restructuring", "")
# (name, category, unit)
_TIME_OFF_TYPES = (
    ("Paid vacation", "paid_vacation", "day"),
    ("Sick leave", "sick_leave", "day"),
    ("Unpaid vacation", "unpaid_vacation", "day"),
    ("Parental leave", "maternity_parental_leave", "day"),
    ("Home office", "offsite_work", "day"),
    ("Training", "other", "day"),
    ("Doctor's appointment", "other", "hour"),
    ("Child care", "child_care", "hour"),
)
_COMPENSATION_TYPES = (
    ("Base salary", "FIXED_SALARY"),
    ("Hourly salary", "HOURLY_SALARY"),
    ("Bonus", "BONUS"),
    ("One-time payment", "ONE_TIME"),
)


@dataclass(frozen=True, slots=True)
class Named:
    """A small reference object: office, cost center, legal entity, project, ..."""

    id: int
    name: str
    id_v2: str = ""
    country: str | None = None
    state: str | None = None
    created_at: datetime = SANDBOX_NOW


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """A department or a team (v1 shows both as employee attributes, v2 as org units)."""

    id: int
    type: str
    name: str
    abbreviation: str
    parent_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WorkSchedule:
    id: int
    name: str
    hours: tuple[str, ...]  # monday..sunday, "HH:MM"


@dataclass(frozen=True, slots=True)
class TimeOffType:
    id: int
    id_v2: str
    name: str
    category: str
    unit: str  # "day" | "hour"
    approval_required: bool


@dataclass(slots=True)
class Employee:
    """One person; v1 id is an int, the v2 person id is `str(id)`."""

    id: int
    first_name: str
    last_name: str
    preferred_name: str
    email: str
    gender: str
    status: str
    position: str
    employment_type: str
    weekly_working_hours: float
    hire_date: date
    contract_end_date: date | None
    termination_date: date | None
    termination_type: str | None
    termination_reason: str | None
    probation_period_end: date | None
    last_working_day: date | None
    created_at: datetime
    last_modified_at: datetime
    supervisor_id: int | None
    subcompany_id: int
    office_id: int
    department_id: int
    team_id: int | None
    cost_centers: tuple[tuple[int, float], ...]
    holiday_calendar_id: int
    work_schedule_id: int
    absence_entitlement: tuple[tuple[int, float], ...]
    fix_salary: float
    fix_salary_interval: str
    hourly_salary: float
    has_picture: bool
    employment_id: str
    custom: list[Any] = field(default_factory=list)  # aligned with Company.custom_attributes


@dataclass(frozen=True, slots=True)
class TimeOff:
    """A day-based absence (v1 time-off)."""

    id: int
    id_v2: str
    employee_id: int
    type_id: int
    start_date: date
    end_date: date
    half_day_start: bool
    half_day_end: bool
    status: str
    days_count: float
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class HourlyAbsence:
    """An hour-based absence period (v1 /company/absence-periods)."""

    id: str
    employee_id: int
    type_id: int
    start: datetime
    end: datetime
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Attendance:
    """One attendance period; times are minutes after local midnight."""

    id: int
    id_v2: str
    employee_id: int
    day: date
    start_minute: int
    end_minute: int | None
    break_minutes: int
    project_id: int | None
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Compensation:
    id: str
    employee_id: int
    type_id: str
    amount: float
    currency: str
    interval: str
    effective_from: date


class Company:
    """Seeded synthetic company; thread-safe for reads during `mutate`."""

    def __init__(
        self, employees: int = 200, seed: int = 1, years: int = 1, custom_attributes: int = 12
    ) -> None:
        if employees < 1 or years < 1 or custom_attributes < 0:
            raise ValueError("employees and years must be >= 1, custom_attributes >= 0")
        self.seed = seed
        self.years = years
        self.now = SANDBOX_NOW
        self._lock = threading.RLock()
        rng = random.Random(f"company:{seed}")
        self._mutation_rng = random.Random(f"mutate:{seed}")
        self._used_ids: set[int] = set()
        self._emails: set[str] = set()
        self.history_start = (SANDBOX_NOW - timedelta(days=365 * years)).date()
        self._build_reference_data(rng)
        self.custom_attributes: list[AttributeDef] = [
            self._make_custom_attribute(rng, i) for i in range(custom_attributes)
        ]
        self._employees: dict[int, Employee] = {}
        next_id = 1000
        for _ in range(employees):
            next_id += rng.randint(1, 3)
            self._employees[next_id] = self._make_employee(rng, next_id)
        self._assign_supervisors(rng)
        self._initial_ids = tuple(self._employees)
        self.added_documents: dict[int, tuple[Document, ...]] = {}  # by owner (documents.py)

    # ----------------------------------------------------------------- reference data
    def _unique_id(self, rng: random.Random, low: int = 10_000, high: int = 999_999) -> int:
        while True:
            value = rng.randint(low, high)
            if value not in self._used_ids:
                self._used_ids.add(value)
                return value

    @staticmethod
    def _uuid(rng: random.Random) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def _past(self, rng: random.Random, earliest: datetime, latest: datetime) -> datetime:
        span = max(1, int((latest - earliest).total_seconds()))
        return earliest + timedelta(seconds=rng.randrange(span))

    def _build_reference_data(self, rng: random.Random) -> None:
        founded = datetime(2015, 3, 2, 9, 0, tzinfo=UTC)
        self.subcompanies = [
            Named(self._unique_id(rng, 1000, 9999), name, country=country, created_at=founded)
            for name, country in _SUBCOMPANIES
        ]
        self.offices = [Named(self._unique_id(rng), name, created_at=founded) for name in _OFFICES]
        self.departments = [
            OrgUnit(self._unique_id(rng), "department", name, name[:3].upper(), None, founded)
            for name in _DEPARTMENTS
        ]
        self.teams = [
            OrgUnit(self._unique_id(rng), "team", f"{dep.name} {suffix}", f"{dep.abbreviation}{i}",
                    dep.id, founded + timedelta(days=30 * i))
            for dep in self.departments
            for i, suffix in enumerate(("Alpha", "Beta"), start=1)
        ]  # fmt: skip
        self.cost_centers = [
            Named(self._unique_id(rng), f"Cost center {i}", id_v2=self._uuid(rng))
            for i in range(1, 7)
        ]
        self.holiday_calendars = [
            Named(i, name, country=country, state=state)
            for i, (name, country, state) in enumerate(_CALENDARS, start=1)
        ]
        self.work_schedules = [
            WorkSchedule(self._unique_id(rng), name, hours)
            for name, hours in (
                ("Full-time, 40 hours without time tracking, (mon,tue,wed,thu,fri)",
                 ("08:00",) * 5 + ("00:00",) * 2),
                ("Part-time, 30 hours, (mon,tue,wed,thu,fri)", ("06:00",) * 5 + ("00:00",) * 2),
                ("Part-time, 20 hours, (mon,tue,wed,thu)", ("05:00",) * 4 + ("00:00",) * 3),
            )
        ]  # fmt: skip
        self.time_off_types = [
            TimeOffType(self._unique_id(rng), self._uuid(rng), name, category, unit, i % 3 != 2)
            for i, (name, category, unit) in enumerate(_TIME_OFF_TYPES)
        ]
        self.projects = [
            Named(self._unique_id(rng, 100, 99_999), f"Project {name}", id_v2=self._uuid(rng),
                  created_at=self._past(rng, founded, SANDBOX_NOW - timedelta(days=30)))
            for name in ("Apollo", "Borealis", "Cassini", "Daedalus", "Eos", "Fenix", "Gaia")
        ]  # fmt: skip
        self.compensation_types = [
            Named(0, name, id_v2=self._uuid(rng), state=category)
            for name, category in _COMPENSATION_TYPES
        ]

    @property
    def legal_entities(self) -> list[Named]:
        """v2 legal entities are v1 subcompanies under their newer name."""
        return self.subcompanies

    @property
    def org_units(self) -> list[OrgUnit]:
        return self.departments + self.teams

    def _make_custom_attribute(self, rng: random.Random, index: int) -> AttributeDef:
        label, type_, universal_id, options = _CUSTOM_TEMPLATES[index % len(_CUSTOM_TEMPLATES)]
        cycle = index // len(_CUSTOM_TEMPLATES)
        if cycle:
            label, universal_id = f"{label} {cycle + 1}", None
        key = f"dynamic_{self._unique_id(rng, 10_000, 999_999)}"
        return AttributeDef(key, label, type_, universal_id, options, plain_date=index % 2 == 1)

    def _custom_value(self, rng: random.Random, attr: AttributeDef, emp_id: int) -> Any:
        """A value for a custom attribute, in the form the v1 API sends it."""
        if attr.universal_id != "iban" and rng.random() < 0.15:
            return None
        match attr.type:
            case "date":
                return date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
            case "integer":
                return rng.randint(1, 500)
            case "decimal":
                return round(rng.uniform(0.5, 80.0), 2)
            case "list":
                return rng.choice(attr.options)
            case "tags":
                return ",".join(sorted(rng.sample(attr.options, rng.randint(1, 3))))
            case "multiline":
                return f"Line one for {emp_id}\nLine two: {rng.randint(1, 99)}"
            case "link":
                return f"https://www.linkedin.com/in/sandbox-{emp_id}"
            case _ if attr.universal_id == "iban":
                return (
                    f"DE{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
                )
            case _:
                return rng.choice(("Dr", "Prof.", "Mag.", "B.Sc.", "M.A."))

    # ----------------------------------------------------------------- employees
    def _make_employee(
        self, rng: random.Random, emp_id: int, hired: date | None = None
    ) -> Employee:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        email = f"{first}.{last}".lower().replace("'", "") + "@sandbox-company.example"
        if email in self._emails:
            email = email.replace("@", f".{emp_id}@")
        self._emails.add(email)
        if hired is None:
            hired = date(2015, 4, 1) + timedelta(
                days=rng.randrange((SANDBOX_NOW.date() - date(2015, 4, 1)).days)
            )
        roll = rng.random()
        status, termination, last_day = "active", None, None
        if hired > (SANDBOX_NOW - timedelta(days=14)).date():
            status = "onboarding"
        elif roll < 0.1:
            status = "inactive"
            termination = hired + timedelta(days=rng.randrange(60, 2000))
            termination = min(termination, SANDBOX_NOW.date() - timedelta(days=1))
            last_day = termination
        elif roll < 0.13:
            status = "leave"
        created = datetime.combine(
            hired - timedelta(days=rng.randint(5, 40)), datetime.min.time(), UTC
        ) + timedelta(seconds=rng.randrange(86_400))
        created = min(created, SANDBOX_NOW - timedelta(days=1))
        modified = self._past(rng, created, SANDBOX_NOW - timedelta(minutes=5))
        schedule = rng.choice(self.work_schedules)
        hours = {0: 40.0, 1: 30.0, 2: 20.0}[self.work_schedules.index(schedule)]
        department = rng.choice(self.departments)
        teams = [t for t in self.teams if t.parent_id == department.id]
        split = rng.random() < 0.2
        first_cc = rng.choice(self.cost_centers)
        cost_centers: tuple[tuple[int, float], ...] = ((first_cc.id, 100.0),)
        if split:
            other = rng.choice([c for c in self.cost_centers if c is not first_cc])
            cost_centers = ((first_cc.id, 60.0), (other.id, 40.0))
        vacation, sick = self.time_off_types[0], self.time_off_types[1]
        employment_type = "external" if rng.random() < 0.08 else "internal"
        return Employee(
            id=emp_id,
            first_name=first,
            last_name=last,
            preferred_name=f"{first} {last}" if rng.random() < 0.8 else first,
            email=email,
            gender=rng.choice(("male", "female", "diverse", "female", "male")),
            status=status,
            position=rng.choice(_POSITIONS),
            employment_type=employment_type,
            weekly_working_hours=hours,
            hire_date=hired,
            contract_end_date=hired + timedelta(days=730) if rng.random() < 0.1 else None,
            termination_date=termination,
            termination_type=rng.choice(_TERMINATION_TYPES) if termination else None,
            termination_reason=rng.choice(_TERMINATION_REASONS) if termination else None,
            probation_period_end=hired + timedelta(days=182) if rng.random() < 0.9 else None,
            last_working_day=last_day,
            created_at=created,
            last_modified_at=modified,
            supervisor_id=None,
            subcompany_id=rng.choice(self.subcompanies).id,
            office_id=rng.choice(self.offices).id,
            department_id=department.id,
            team_id=rng.choice(teams).id if teams and rng.random() < 0.85 else None,
            cost_centers=cost_centers,
            holiday_calendar_id=rng.choice(self.holiday_calendars).id,
            work_schedule_id=schedule.id,
            absence_entitlement=((vacation.id, float(rng.choice((24, 25, 26, 28, 30)))),
                                 (sick.id, 0.0)),
            fix_salary=float(rng.randrange(2500, 9000, 50)),
            fix_salary_interval="monthly",
            hourly_salary=0.0 if employment_type == "internal" else float(rng.randint(40, 120)),
            has_picture=rng.random() < 0.9,
            employment_id=self._uuid(rng),
            custom=[self._custom_value(rng, a, emp_id) for a in self.custom_attributes],
        )  # fmt: skip

    def _assign_supervisors(self, rng: random.Random) -> None:
        """A tree: everyone but the first employee reports to someone hired before them."""
        ids = list(self._employees)
        for index, emp_id in enumerate(ids[1:], start=1):
            self._employees[emp_id].supervisor_id = ids[rng.randrange(max(1, index // 6 + 1))]

    def employees(self) -> list[Employee]:
        """A snapshot of the current employees, ordered by id."""
        with self._lock:
            return list(self._employees.values())

    def employee(self, emp_id: int) -> Employee | None:
        with self._lock:
            return self._employees.get(emp_id)

    def employee_ids(self) -> list[int]:
        with self._lock:
            return list(self._employees)

    def attribute(self, key: str) -> AttributeDef | None:
        return next((a for a in self.attribute_catalogue() if a.key == key), None)

    def attribute_catalogue(self) -> list[AttributeDef]:
        """Standard then custom attributes, as the unrestricted catalogue lists them."""
        with self._lock:
            return [*STANDARD_ATTRIBUTES, *self.custom_attributes]

    def custom_value(self, emp: Employee, key: str) -> Any:
        with self._lock:
            for index, attr in enumerate(self.custom_attributes):
                if attr.key == key:
                    return emp.custom[index] if index < len(emp.custom) else None
        raise KeyError(key)

    def lookup(self, kind: str, ref_id: int | None) -> Any:
        """A reference object by id; kind names the list attribute (`offices`, `teams`, ...)."""
        if ref_id is None:
            return None
        return next((item for item in getattr(self, kind) if item.id == ref_id), None)

    def add_custom_attribute(
        self, label: str, type_: str = "standard", options: tuple[str, ...] = ()
    ) -> AttributeDef:
        """Schema drift: a new custom attribute with a value for every employee."""
        if type_ not in ATTRIBUTE_TYPES:
            raise ValueError(f"unknown attribute type {type_!r}")
        with self._lock:
            rng = random.Random(f"attribute:{self.seed}:{len(self.custom_attributes)}")
            key = f"dynamic_{self._unique_id(rng, 10_000, 999_999)}"
            attr = AttributeDef(key, label, type_, None, tuple(options))
            self.custom_attributes.append(attr)
            for emp in self._employees.values():
                emp.custom.append(self._custom_value(rng, attr, emp.id))
            return attr

    # ----------------------------------------------------------------- mutation
    def mutate(self, update: int = 0, add: int = 0, delete: int = 0, absences: int = 0,
               attendances: int = 0, documents: int = 0,
               recruiting: int = 0) -> Mutation:  # fmt: skip
        """Change the company between two syncs; returns the affected employee ids.

        The company clock moves one minute past every existing timestamp first (employees',
        absences' and attendances'), so every changed or new record is later than all earlier
        ones. `absences` edits that many time-offs and as many hourly absences of current
        employees (absence_changes.py); only then does the result carry `time_offs` (v1 ids;
        v2 absence-period id: `TimeOff.id_v2`) and `hourly_absences` (ids = v2 period ids).
        `attendances` edits attendances (attendance_changes.py; key `attendance_periods`, the
        v2 WORK and BREAK ids), `documents` uploads documents (documents.py; key `documents`),
        `recruiting` moves open applications a stage on (v2_recruiting.py; keys
        `recruiting_applications`, `recruiting_candidates` and `recruiting_jobs`, v2 ids).
        """
        with self._lock:
            rng = self._mutation_rng
            stamps = (e.last_modified_at for e in self._employees.values())
            latest = max((*stamps, *absence_stamps(self), *attendance_stamps(self)),
                         default=self.now)  # fmt: skip
            self.now = max(self.now, latest) + timedelta(minutes=1)
            deletable = set(self._employees) - {e.supervisor_id for e in self._employees.values()}
            deleted = sorted(rng.sample(sorted(deletable), min(delete, len(deletable))))
            for emp_id in deleted:
                del self._employees[emp_id]
            updated = sorted(rng.sample(list(self._employees), min(update, len(self._employees))))
            for emp_id in updated:
                self._update_employee(rng, self._employees[emp_id])
            added: list[int] = []
            next_id = max(self._employees, default=1000)
            ids = list(self._employees)
            for _ in range(add):
                next_id += rng.randint(1, 3)
                emp = self._make_employee(rng, next_id, hired=self.now.date())
                emp.created_at = emp.last_modified_at = self.now
                emp.supervisor_id = rng.choice(ids) if ids else None
                self._employees[next_id] = emp
                added.append(next_id)
            result: Mutation = {"updated": updated, "added": added, "deleted": deleted}
            if absences > 0:
                result["time_offs"], result["hourly_absences"] = change_absences(
                    self, rng, absences
                )
            if attendances > 0:
                result["attendance_periods"] = change_attendances(self, rng, attendances)
            if documents > 0:
                result["documents"] = add_documents(self, rng, documents)
            if recruiting > 0:
                from tap_personio.sandbox.v2_recruiting import change_recruiting

                (result["recruiting_applications"], result["recruiting_candidates"],
                 result["recruiting_jobs"]) = change_recruiting(self, rng, recruiting)  # fmt: skip
            return result

    def _update_employee(self, rng: random.Random, emp: Employee) -> None:
        emp.position = rng.choice([p for p in _POSITIONS if p != emp.position])
        emp.fix_salary += 100.0
        for index, attr in enumerate(self.custom_attributes):
            if attr.type in ("integer", "list", "multiline") and rng.random() < 0.5:
                emp.custom[index] = self._custom_value(rng, attr, emp.id)
        emp.last_modified_at = self.now

    # ----------------------------------------------------------------- history (lazy)
    def _history_rng(self, kind: str, emp_id: int) -> random.Random:
        return random.Random(f"{kind}:{self.seed}:{emp_id}")

    def _history_employees(self) -> Iterator[Employee]:
        """Employees of the initial company, so history does not depend on mutation timing."""
        for emp_id in self._initial_ids:
            emp = self._employees.get(emp_id)
            if emp is not None:
                yield emp

    def _workdays(self, emp: Employee) -> Iterator[date]:
        first = max(self.history_start, emp.hire_date)
        last = min(SANDBOX_NOW.date() - timedelta(days=1), emp.termination_date or date.max)
        day = first
        while day <= last:
            if day.weekday() < 5:
                yield day
            day += timedelta(days=1)

    @cached_property
    def time_offs(self) -> list[TimeOff]:
        """Day-based absences over the history window (about a dozen per person-year)."""
        day_types = [t for t in self.time_off_types if t.unit == "day"]
        result: list[TimeOff] = []
        next_id = 500_000
        for emp in self._history_employees():
            rng = self._history_rng("time-off", emp.id)
            days = list(self._workdays(emp))
            for _ in range(len(days) // 20):
                start = rng.choice(days)
                length = rng.randint(1, 5)
                end = start + timedelta(days=length - 1)
                half_start = length == 1 and rng.random() < 0.1
                time_off_type = rng.choice(day_types[:2] * 3 + day_types)
                created = datetime.combine(start, datetime.min.time(), UTC) - timedelta(
                    days=rng.randint(1, 60), seconds=rng.randrange(86_400)
                )
                updated = min(created + timedelta(hours=rng.randint(0, 72)),
                              SANDBOX_NOW - timedelta(minutes=1))  # fmt: skip
                next_id += rng.randint(1, 4)
                result.append(TimeOff(
                    next_id, self._uuid(rng), emp.id, time_off_type.id, start, end, half_start,
                    False, rng.choice(("approved",) * 8 + ("pending", "rejected")),
                    0.5 if half_start else float(length), created, updated))  # fmt: skip
        return result

    @cached_property
    def hourly_absences(self) -> list[HourlyAbsence]:
        """Hour-based absence periods (doctor's appointments, child care)."""
        hour_types = [t for t in self.time_off_types if t.unit == "hour"]
        result: list[HourlyAbsence] = []
        for emp in self._history_employees():
            rng = self._history_rng("hourly", emp.id)
            days = list(self._workdays(emp))
            for _ in range(len(days) // 80):
                day = rng.choice(days)
                start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                    hours=rng.randint(7, 13)
                )
                end = start + timedelta(minutes=rng.choice((60, 90, 120, 180)))
                created = start - timedelta(days=rng.randint(1, 20))
                result.append(HourlyAbsence(
                    self._uuid(rng), emp.id, rng.choice(hour_types).id, start, end,
                    rng.choice(("approved",) * 5 + ("pending",)), created,
                    created + timedelta(minutes=rng.randint(0, 600))))  # fmt: skip
        return result

    @cached_property
    def attendances(self) -> list[Attendance]:
        """One attendance period per working day of every internal employee."""
        result: list[Attendance] = []
        next_id = 1_000_000
        for emp in self._history_employees():
            if emp.employment_type != "internal":
                continue
            rng = self._history_rng("attendance", emp.id)
            workday_minutes = int(emp.weekly_working_hours * 12)
            for day in self._workdays(emp):
                start = rng.randrange(7 * 60, 10 * 60, 5)
                end = start + workday_minutes + rng.randrange(0, 90, 5)
                moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                    minutes=end + rng.randint(1, 600)
                )
                project = rng.choice(self.projects).id if rng.random() < 0.3 else None
                next_id += 1
                status = "confirmed" if rng.random() < 0.95 else "pending"
                result.append(Attendance(
                    next_id, self._uuid(rng), emp.id, day, start, end, rng.choice((30, 45, 60)),
                    project, status, moment, moment))  # fmt: skip
        return result

    @cached_property
    def compensations(self) -> list[Compensation]:
        """Base salary (yearly raises) plus an occasional bonus per employee."""
        base, hourly, bonus = (self.compensation_types[i].id_v2 for i in range(3))
        result: list[Compensation] = []
        for emp in self._history_employees():
            rng = self._history_rng("compensation", emp.id)
            if emp.employment_type == "external":
                result.append(
                    Compensation(
                        self._uuid(rng),
                        emp.id,
                        hourly,
                        emp.hourly_salary,
                        "EUR",
                        "HOURLY",
                        max(emp.hire_date, self.history_start),
                    )
                )
                continue
            amount = emp.fix_salary
            for year in range(self.years):
                effective = max(emp.hire_date, self.history_start + timedelta(days=365 * year))
                result.append(
                    Compensation(self._uuid(rng), emp.id, base, amount, "EUR", "MONTHLY", effective)
                )
                amount = round(amount * 1.03, -1)
                if rng.random() < 0.3:
                    result.append(
                        Compensation(
                            self._uuid(rng),
                            emp.id,
                            bonus,
                            float(rng.randrange(500, 5000, 100)),
                            "EUR",
                            "ONE_TIME",
                            effective + timedelta(days=90),
                        )
                    )
        return result
