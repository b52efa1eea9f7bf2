"""What each stream should emit, read straight from the sandbox's HTTP answers.

Deliberately independent of the tap: its own page walkers, its own idea of which endpoint feeds
which stream, and a comparison that says when an emitted value carries Personio's value (an
instant equal as an instant, a date as the day Personio wrote, a number as a number). If the
tap and these expectations shared code, a misreading of Personio would be made twice.
"""

from __future__ import annotations

import math
import time
import typing as t
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import requests

from tap_personio.sandbox import Sandbox

Raw = dict[str, t.Any]

#: Personio's documented page maxima (personio-api.md section 6).
PAGE_MAX = {
    "/v1/company/employees": 100,
    "/v1/company/time-offs": 200,
    "/v1/company/time-off-types": 200,
    "/v2/persons": 50,
    "/v2/persons/{id}/employments": 50,
    "/v2/absence-types": 100,
    "/v2/absence-periods": 100,
    "/v2/absence-periods/{id}/breakdowns": 28,
    "/v2/legal-entities": 100,
    "/v2/org-units": 100,
    "/v2/jobs": 100,
    "/v2/projects": 100,  # assumed (personio-api.md 5.7)
    "/v2/projects/{id}/members": 100,
    "/v2/compensations/types": 100,
    "/v2/salary-bands": 100,
    "/v2/attendance-periods": 100,
    "/v2/compensations": 100,
    "/v2/recruiting/candidates": 200,
    "/v2/recruiting/applications": 200,
    "/v2/recruiting/jobs": 200,
    "/v2/recruiting/categories": 200,
    # undocumented maxima: the tap asks for 100, every v2 list's default
    "/v2/cost-centers": 100,
    "/v2/workplaces": 100,
    "/v2/document-management/documents": 100,
}


class Reader:
    """Reads the sandbox as any HTTP client would: tokens, pages, cursors. It is no client under
    test, so the sandbox's rate limits do not apply to it: use it as a context manager."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        credentials = {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret}
        v1 = self.session.post(f"{sandbox.url}/v1/auth", json=credentials, timeout=10)
        v2 = self.session.post(
            f"{sandbox.url}/v2/auth/token",
            data={**credentials, "grant_type": "client_credentials"},
            timeout=10,
        )
        self.tokens = {"v1": v1.json()["data"]["token"], "v2": v2.json()["access_token"]}
        self._memo: dict[str, t.Any] = {}
        self._limited = sandbox.app.limiter.enabled

    def __enter__(self) -> Reader:
        self.sandbox.set_rate_limits(False)
        return self

    def __exit__(self, *exc: object) -> None:
        self.sandbox.set_rate_limits(self._limited)

    def memo(self, name: str, read: t.Callable[[], t.Any]) -> t.Any:
        """Lists several expectations share, read once per reader."""
        if name not in self._memo:
            self._memo[name] = read()
        return self._memo[name]

    def get(self, url: str, version: str, **params: t.Any) -> t.Any:
        """One answer; a 429 (when the sandbox's rate limits are on) is waited out."""
        if not url.startswith("http"):
            url = self.sandbox.url + url
        headers = {"Authorization": f"Bearer {self.tokens[version]}", "Beta": "true"}
        for _ in range(50):
            response = self.session.get(url, headers=headers, params=params, timeout=30)
            if response.status_code != 429:
                break
            rate = float(response.headers.get("x-ratelimit-replenish-rate") or 1)
            time.sleep(1 / rate)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        return response.json()

    def v1(self, path: str, *, limit: int = 0, pages: bool = False, **params: t.Any) -> list[Raw]:
        """Every item of a v1 list, unwrapped from ``{"type", "attributes"}``."""
        if not limit:
            return [_open(item) for item in _as_list(self.get(path, "v1", **params)["data"])]
        items: list[Raw] = []
        position = 1 if pages else 0
        while True:
            body = self.get(path, "v1", limit=limit, offset=position, **params)
            items += [_open(item) for item in body["data"]]
            position += 1 if pages else len(body["data"])
            if len(body["data"]) < limit or not body["data"]:
                return items

    def v2(self, path: str, limit: int, **params: t.Any) -> tuple[list[Raw], int]:
        """Every item of a v2 list, and the number of pages it took."""
        body = self.get(path, "v2", limit=limit, **params)
        items, pages = list(body["_data"]), 1
        while (following := body["_meta"]["links"].get("next")) is not None:
            body = self.get(following["href"], "v2")
            items += body["_data"]
            pages += 1
        return items, pages


def _as_list(data: t.Any) -> list[Raw]:
    return data if isinstance(data, list) else [data]


def _open(item: Raw) -> Raw:
    inner = item.get("attributes")
    if isinstance(inner, dict):
        return {**{k: v for k, v in item.items() if k not in ("type", "attributes")}, **inner}
    return item


@dataclass
class Expected:
    """A stream's records as Personio serves them, and the fewest requests that read them."""

    records: list[Raw]
    min_requests: int
    key: tuple[str, ...]
    #: Requests allowed beyond the minimum: one per window of a windowed read.
    slack: int = 0


def pages(count: int, path: str) -> int:
    """Requests a list of ``count`` items needs at the page maximum (an empty list needs one)."""
    return max(1, math.ceil(count / PAGE_MAX[path]))


def persons_as_columns(person: Raw) -> Raw:
    """A v2 person with its custom attributes as columns keyed by attribute id."""
    row = {k: v for k, v in person.items() if k not in ("_meta", "custom_attributes")}
    for attribute in person.get("custom_attributes") or []:
        row[attribute["id"]] = attribute.get("value")
    return row


def employees_as_columns(employee: Raw) -> Raw:
    return {key: entry.get("value") for key, entry in employee.items()}


def _employees(read: Reader) -> list[Raw]:
    return read.memo("employees", lambda: read.v1("/v1/company/employees", limit=100))


def _persons(read: Reader) -> tuple[list[Raw], int]:
    return read.memo("persons", lambda: read.v2("/v2/persons", 50))


def _periods(read: Reader) -> tuple[list[Raw], int]:
    return read.memo("periods", lambda: read.v2("/v2/absence-periods", 100))


def employee_attributes(read: Reader) -> Expected:
    return Expected(read.v1("/v1/company/employees/attributes"), 0, ("key",))  # at discovery


def employees(read: Reader) -> Expected:
    people = _employees(read)
    count = pages(len(people), "/v1/company/employees")
    return Expected([employees_as_columns(e) for e in people], count, ("id",))


def persons(read: Reader) -> Expected:
    people, used = _persons(read)
    return Expected([persons_as_columns(p) for p in people], used, ("id",))


def employments(read: Reader) -> Expected:
    people, used = _persons(read)
    records: list[Raw] = []
    for person in people:
        items, _ = read.v2(f"/v2/persons/{person['id']}/employments", 50)
        records += [{**item, "person_id": person["id"]} for item in items]
    return Expected(records, used + len(people), ("id",))


def time_off_types(read: Reader) -> Expected:
    items = read.v1("/v1/company/time-off-types", limit=200)
    return Expected(items, pages(len(items), "/v1/company/time-off-types"), ("id",))


def time_offs(read: Reader) -> Expected:
    items = read.v1("/v1/company/time-offs", limit=200, pages=True)
    return Expected(items, pages(len(items), "/v1/company/time-offs"), ("id",))


def absence_types(read: Reader) -> Expected:
    items, used = read.v2("/v2/absence-types", 100)
    return Expected(items, used, ("id",))


def absence_periods(read: Reader) -> Expected:
    items, used = _periods(read)
    return Expected(items, used, ("id",))


def absence_period_breakdowns(read: Reader) -> Expected:
    periods, used = _periods(read)
    records: list[Raw] = []
    for period in periods:
        items, pages_read = read.v2(f"/v2/absence-periods/{period['id']}/breakdowns", 28)
        used += pages_read
        records += [
            {**item, "absence_period_id": period["id"],
             "absence_period_updated_at": period["updated_at"]} for item in items
        ]  # fmt: skip
    return Expected(records, used, ("absence_period_id", "date"))


def employee_absence_balances(read: Reader) -> Expected:
    people = _employees(read)
    records: list[Raw] = []
    for employee in people:
        ident = employee["id"]["value"]
        items = read.v1(f"/v1/company/employees/{ident}/absences/balance")
        records += [{**item, "employee_id": ident} for item in items]
    used = pages(len(people), "/v1/company/employees") + len(people)
    return Expected(records, used, ("employee_id", "id"))


def _listed(path: str, **params: t.Any) -> t.Callable[[Reader], Expected]:
    """A plain v2 list read at its page maximum."""

    def expect(read: Reader) -> Expected:
        items, used = read.v2(path, PAGE_MAX[path], **params)
        return Expected(items, used, ("id",))

    expect.__name__ = path.rsplit("/", 1)[-1].replace("-", "_")
    return expect


legal_entities = _listed("/v2/legal-entities")
cost_centers = _listed("/v2/cost-centers")
workplaces = _listed("/v2/workplaces")
jobs = _listed("/v2/jobs")
projects = _listed("/v2/projects")
compensation_types = _listed("/v2/compensations/types")
compensation_types.__name__ = "compensation_types"
salary_bands = _listed("/v2/salary-bands")


def _recruiting(path: str) -> t.Callable[[Reader], Expected]:
    """A recruiting list; its instants come as {"date-time", "timezone"} objects."""

    def expect(read: Reader) -> Expected:
        items, used = read.v2(path, 200)
        for item in items:
            for name, value in item.items():
                if isinstance(value, dict) and "date-time" in value:
                    item[name] = value["date-time"]
        return Expected(items, used, ("id",))

    expect.__name__ = "recruiting_" + path.rsplit("/", 1)[-1]
    return expect


recruiting_candidates = _recruiting("/v2/recruiting/candidates")
recruiting_applications = _recruiting("/v2/recruiting/applications")
recruiting_jobs = _recruiting("/v2/recruiting/jobs")
recruiting_categories = _recruiting("/v2/recruiting/categories")


def recruiting_application_stage_transitions(read: Reader) -> Expected:
    applications = recruiting_applications(read)
    records: list[Raw] = []
    used = applications.min_requests
    for application in applications.records:
        path = f"/v2/recruiting/applications/{application['id']}/stage-transitions"
        items, pages_read = read.v2(path, 200)
        used += pages_read
        records += [
            {"application_id": application["id"],
             "entered_at": item["entered_at"]["date-time"].replace("Z", "+00:00"),
             "stage_id": item["stage"]["id"], "stage": item["stage"],
             "application_updated_at": application["updated_at"]}
            for item in items
        ]  # fmt: skip
    return Expected(records, used, ("application_id", "entered_at", "stage_id"))


def org_units(read: Reader) -> Expected:
    departments, first = read.v2("/v2/org-units", 100, type="department")
    teams, second = read.v2("/v2/org-units", 100, type="team")
    return Expected(departments + teams, first + second, ("type", "id"))


def project_members(read: Reader) -> Expected:
    listed, used = read.v2("/v2/projects", 100)
    records: list[Raw] = []
    for project in listed:
        members, pages_read = read.v2(f"/v2/projects/{project['id']}/members", 100)
        used += pages_read
        records += [{"project_id": project["id"], "person_id": m["id"]} for m in members]
    return Expected(records, used, ("project_id", "person_id"))


def document_categories(read: Reader) -> Expected:
    return Expected(read.v1("/v1/company/document-categories"), 1, ("id",))


def documents(read: Reader) -> Expected:
    people, used = _persons(read)
    records: list[Raw] = []
    for person in people:
        items, pages_read = read.v2("/v2/document-management/documents", 100, owner_id=person["id"])
        used += pages_read
        records += [{**item, "person_id": person["id"]} for item in items]
    return Expected(records, used, ("id",))


def attendance_periods(read: Reader) -> Expected:
    """Read in weekly windows from the oldest change: one request per window at most beyond
    the page minimum, plus one to find the oldest change."""
    items, _ = read.v2("/v2/attendance-periods", 100)
    changes = [datetime.fromisoformat(i["updated_at"].replace("Z", "+00:00")) for i in items]
    oldest = min(changes, default=datetime.now(UTC))  # an empty company has none
    weeks = math.ceil((datetime.now(UTC) - oldest) / timedelta(days=7))
    return Expected(items, pages(len(items), "/v2/attendance-periods") + 1, ("id",), weeks)


def month_windows(first: date, last: date) -> list[tuple[date, date]]:
    """Calendar months from ``first``'s to ``last``'s, as (first day, last day)."""
    windows = []
    month = first.replace(day=1)
    while month <= last:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        windows.append((month, following - timedelta(days=1)))
        month = following
    return windows


def compensations(read: Reader, months: int = 24) -> Expected:
    """A first run without start_date: this month and the 24 before it, each compensation once."""
    today = datetime.now(UTC).date()
    index = today.year * 12 + today.month - 1 - months
    first = date(index // 12, index % 12 + 1, 1)
    by_id: dict[str, Raw] = {}
    used = 0
    for start, end in month_windows(first, today):
        items, pages_read = read.v2(
            "/v2/compensations", 100, start_date=start.isoformat(), end_date=end.isoformat()
        )
        used += pages_read
        for item in items:
            by_id.setdefault(item["id"], item)
    return Expected(list(by_id.values()), used, ("id",))


REPORTS = "/v1/company/custom-reports"


def custom_reports(read: Reader) -> Expected:
    reports = read.memo("reports", lambda: read.v1(f"{REPORTS}/reports"))
    return Expected(reports, 1, ("id",))


def custom_report_columns(read: Reader) -> Expected:
    columns = read.get(f"{REPORTS}/columns", "v1")["data"]["attributes"]
    return Expected(columns, 1, ("attribute_id",))


def report_rows(read: Reader, report: Raw) -> tuple[list[Raw], int]:
    """A report's rows, one per employee and effective date, and the pages they took."""
    rows: list[Raw] = []
    page = 1
    while True:
        body = read.get(f"{REPORTS}/reports/{report['id']}", "v1", page=page, limit=100)
        attributes = body["data"][0]["attributes"]
        for item in attributes["items"]:
            if "historical_attributes" in item:
                dates = sorted({c["effective_date"] for c in item["historical_attributes"]})
                rows += [
                    {"employee_id": item["employee_id"], "effective_date": day, "cells": [
                        c for c in item["historical_attributes"] if c["effective_date"] == day]}
                    for day in dates
                ]  # fmt: skip
            else:
                rows.append({"employee_id": item["employee_id"],
                             "effective_date": attributes["end_date"],
                             "cells": item["attributes"]})  # fmt: skip
        if page >= body["metadata"]["total_pages"]:
            return rows, page
        page += 1


def custom_report_items(read: Reader) -> Expected:
    reports = custom_reports(read).records
    records: list[Raw] = []
    used = 1  # the list
    for report in reports:
        rows, pages_read = report_rows(read, report)
        used += pages_read
        records += [{**row, "report_id": report["id"]} for row in rows]
    return Expected(records, used, ("report_id", "employee_id", "effective_date"))


def _cell_value(data_type: str, cells: list[Raw]) -> t.Any:
    """What a report column holds for one row, read from Personio's cells."""
    plain = [{k: v for k, v in c.items() if k not in ("attribute_id", "data_type",
              "employee_id", "effective_date")} for c in cells]  # fmt: skip
    if data_type == "TEXT":
        return cells[0].get("value")
    if data_type == "DURATION":
        return cells[0].get("duration")
    if data_type == "COST_CENTER":
        return cells[0].get("cost_centers")
    if data_type == "ABSENCE_PERIOD":
        return plain
    if data_type in ("ENTITY", "SALARY", "ABSENCE_OVERVIEW"):
        return plain[0]
    return cells[0].get("value")


def slugged(text: str) -> str:
    """Lower case, every run of other characters one underscore (report and column names)."""
    return "_".join(part for part in "".join(
        c if c.isalnum() else "_" for c in text.lower()).split("_") if part)  # fmt: skip


def custom_report_table(read: Reader, report: Raw) -> Expected:
    """The typed table of one custom report."""
    types = {c["attribute_id"]: c["data_type"] for c in custom_report_columns(read).records}
    rows, used = report_rows(read, report)
    records = []
    for row in rows:
        record: Raw = {"employee_id": row["employee_id"], "effective_date": row["effective_date"]}
        for attribute in report["columns"]:
            cells = [c for c in row["cells"] if c["attribute_id"] == attribute]
            if cells:
                record[slugged(attribute)] = _cell_value(types[attribute], cells)
        records.append(record)
    return Expected(records, used, ("employee_id", "effective_date"))


def reports(read: Reader) -> Expected:
    items, used = read.v2("/v2/reports", 100)
    return Expected(items, used, ("id",))


_V2_VALUES = {
    "string_value": lambda v: v.get("value"),
    "numeric_value": lambda v: v.get("number"),
    "options_value": lambda v: v.get("options"),
    "time_range_value": lambda v: v,
}


def report_table(read: Reader, report: Raw) -> list[Raw]:
    """A v2 report's rows as column -> value, each cell read by its own shape."""
    body = read.get(f"/v2/reports/{report['id']}", "v2", limit=100)
    columns = [c["name"] for c in body["_meta"]["columns"]]
    rows = list(body["_data"])
    while (following := body["_meta"]["links"].get("next")) is not None:
        body = read.get(following["href"], "v2")
        rows += body["_data"]
    records = []
    for row in rows:
        record = {}
        for column, cell in zip(columns, row, strict=True):
            shaped = [f(cell[k]) for k, f in _V2_VALUES.items() if cell and k in cell]
            record[slugged(column)] = shaped[0] if shaped else None
        records.append(record)
    return records


#: Per stream, how to read what it should emit. A stream missing here fails the catalogue tests.
EXPECTATIONS: dict[str, t.Callable[[Reader], Expected]] = {
    f.__name__: f
    for f in (
        employee_attributes, employees, persons, employments, time_off_types, time_offs,
        absence_types, absence_periods, absence_period_breakdowns, employee_absence_balances,
        legal_entities, org_units, cost_centers, workplaces, jobs, projects, project_members,
        compensation_types, salary_bands, document_categories, documents, attendance_periods,
        compensations, recruiting_candidates, recruiting_applications, recruiting_jobs,
        recruiting_categories, recruiting_application_stage_transitions, custom_reports,
        custom_report_columns, custom_report_items, reports,
    )
}  # fmt: skip


# --------------------------------------------------------------------------- comparison
def _moment(text: str) -> datetime | None:
    if "T" not in text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _plain(value: t.Any) -> t.Any:
    """Personio's wrappers reduced to the value they carry."""
    if isinstance(value, dict) and isinstance(value.get("attributes"), dict):
        value = value["attributes"]
    if isinstance(value, dict) and "value" in value and ("label" in value or "type" in value):
        return _plain(value["value"])
    return value


def differences(raw: t.Any, emitted: t.Any, where: str = "") -> list[str]:
    """Where ``emitted`` does not carry ``raw``; empty when it does.

    Objects: every field Personio sent must be emitted (nested objects may keep a declared
    subset), with an equal value.
    """
    raw = _plain(raw)
    if raw is None or raw == "" or raw == []:
        return [] if emitted in (None, [], "") else [f"{where}: {emitted!r} for empty"]
    if isinstance(raw, dict):
        if not isinstance(emitted, dict):
            return [f"{where}: {emitted!r} is not an object"]
        found: list[str] = []
        for name, value in raw.items():
            if name == "_meta" or (where and name not in emitted):
                continue
            if name not in emitted:
                found.append(f"{name}: not emitted")
                continue
            found += differences(value, emitted[name], f"{where}.{name}".lstrip("."))
        return found
    if isinstance(raw, list):
        if not isinstance(emitted, list) or len(emitted) != len(raw):
            return [f"{where}: {emitted!r} against {len(raw)} items"]
        return [d for r, e in zip(raw, emitted, strict=True) for d in differences(r, e, where)]
    if isinstance(raw, bool) or isinstance(emitted, bool):
        return [] if bool(raw) == emitted and raw in (0, 1, True, False) else [f"{where}: bool"]
    if isinstance(emitted, int | float) and not isinstance(raw, bool):
        try:
            return [] if float(str(raw).replace(",", ".")) == float(emitted) else [where]
        except ValueError:
            return [f"{where}: {emitted!r} for text"]
    if isinstance(emitted, list):  # tags written as one comma-separated string
        return [] if sorted(emitted) == sorted(v.strip() for v in str(raw).split(",")) else [where]
    text, out = str(raw), str(emitted)
    sent, got = _moment(text), _moment(out)
    if sent is not None and got is not None:
        if sent.tzinfo is None:  # a wall time: the emitted value keeps it, with an offset
            return [] if got.replace(tzinfo=None) == sent else [f"{where}: {out} for {text}"]
        return [] if got == sent else [f"{where}: {out} for {text}"]
    if sent is not None and len(out) == 10:  # a midnight timestamp emitted as its day
        return [] if out == text[:10] else [f"{where}: {out} for {text}"]
    return [] if out == text else [f"{where}: {out!r} for {text!r}"]
