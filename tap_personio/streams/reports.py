"""Personio's v1 custom reports: the report list, the column catalogue, and every report's rows.

Custom reports are a service of their own: they ignore the attribute whitelist (every column of
a report is returned), page by ``page`` from 1 and ``limit`` (employees per page), and answer
errors as an array. A report Personio cannot serve (archived, still computing, or failing) is
skipped with one warning that names it; the other reports are still read.
"""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th
from typing_extensions import override

from tap_personio.children import PersonioChildStream
from tap_personio.client import PersonioV1Stream, ReadOnce
from tap_personio.errors import PersonioError
from tap_personio.pagination import page_items
from tap_personio.streams.fields import key, prop

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context

REPORTS_RIGHT = "Custom reports: read"
REPORTS = "/v1/company/custom-reports"


class CustomReportsStream(ReadOnce, PersonioV1Stream):
    """The custom reports the credential may read, with their definitions."""

    name = "custom_reports"
    path = f"{REPORTS}/reports"
    primary_keys = ("id",)
    access_right = REPORTS_RIGHT
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("description", th.StringType),
        prop("author_first_name", th.StringType),
        prop("author_last_name", th.StringType),
        prop("type", th.StringType, "point_in_time, timeframe or historical_data"),
        prop("status", th.StringType, "up_to_date, updating or update_failed"),
        prop("period_type", th.StringType),
        prop("start_date", th.DateType),
        prop("end_date", th.DateType),
        prop("columns", th.ArrayType(th.StringType), "attribute_id of each column"),
        prop("filters", th.ArrayType(th.ObjectType(
            th.Property("column", th.StringType), th.Property("comparison", th.StringType),
            th.Property("value", th.StringType)))),
        prop("created_at", th.DateTimeType),
        prop("updated_at", th.DateTimeType),
        prop("data_refreshed_at", th.DateTimeType),
    ).to_dict()  # fmt: skip


class CustomReportColumnsStream(ReadOnce, PersonioV1Stream):
    """Every column a custom report can have, with its label and data type."""

    name = "custom_report_columns"
    path = f"{REPORTS}/columns"
    primary_keys = ("attribute_id",)
    access_right = REPORTS_RIGHT
    schema = th.PropertiesList(
        key("attribute_id"),
        prop("human_readable", th.StringType, "The column's label"),
        prop("data_type", th.StringType, "TEXT, ENTITY, DURATION, SALARY, COST_CENTER, ..."),
    ).to_dict()

    @override
    def parse_page(self, body: t.Any) -> list[dict]:
        """The columns come as one object whose ``attributes`` is the list of columns."""
        data = body.get("data") if isinstance(body, dict) else None
        columns = data.get("attributes") if isinstance(data, dict) else None
        return [self.shape(c) for c in columns or [] if isinstance(c, dict)]


class CustomReportItemsStream(PersonioChildStream, PersonioV1Stream):
    """Every report's rows as Personio sends them: one row per employee (and effective date,
    for historical reports), its cells untyped. ``custom_report_<slug>`` streams type them."""

    name = "custom_report_items"
    path = f"{REPORTS}/reports/{{report_id}}"
    primary_keys = ("report_id", "employee_id", "effective_date")
    parent = CustomReportsStream
    parent_key = "report_id"
    parent_fields = {"report_status": "status"}  # noqa: RUF012
    selected_by_default = True  # one request per report page: reports are few
    access_right = REPORTS_RIGHT
    paging = "page"
    page_param = "page"  # custom reports name it so (time-offs reuse ``offset``)
    page_size = 100
    schema = th.PropertiesList(
        key("report_id"),
        key("employee_id", th.IntegerType),
        key("effective_date", th.DateType, "The state's date (historical reports), else the "
            "report's end date"),
        prop("cells", th.ArrayType(th.ObjectType(additional_properties=True)),
             "The row's cells: {attribute_id, data_type, value, ...} as Personio sends them"),
    ).to_dict()  # fmt: skip

    @override
    def parents(self, context: Context | None) -> t.Iterator[dict[str, t.Any]]:
        for parent in super().parents(context):
            if parent.get("report_status") == "updating":
                self.logger.warning(
                    "%s: report %s is still being computed by Personio; skipped this run",
                    self.name, parent[self.parent_key],
                )  # fmt: skip
                self.versioning.skip_part()
                continue
            yield parent

    @override
    def children(self, parent: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        try:
            rows = list(self.request_records(parent))
        except PersonioError as error:  # archived, grouped or failing: the others still load
            self.logger.warning("%s: report %s skipped. %s", self.name, parent["report_id"], error)
            self.versioning.skip_part(error)
            return []
        ident = {"report_id": parent["report_id"]}
        return [{**row, **ident} for row in rows]

    @override
    def parse_page(self, body: t.Any) -> list[dict]:
        report = next(iter(page_items(body)), {})
        return [self.shape(row) for row in rows_of(report)]


def rows_of(report: t.Mapping[str, t.Any]) -> Iterable[dict[str, t.Any]]:
    """A report page's rows, one per employee and effective date, with their cells."""
    end = report.get("end_date")
    for item in report.get("items") or []:
        if "historical_attributes" not in item:
            yield {"employee_id": item.get("employee_id"), "effective_date": end,
                   "cells": item.get("attributes") or []}  # fmt: skip
            continue
        by_date: dict[str, list[dict]] = {}
        for cell in item.get("historical_attributes") or []:
            by_date.setdefault(str(cell.get("effective_date")), []).append(cell)
        for effective, cells in by_date.items():
            yield {"employee_id": item.get("employee_id"), "effective_date": effective,
                   "cells": cells}  # fmt: skip


#: Report column data types -> the column's schema and how a row's cells become its value.
_VALUE = th.StringType
_CELL_TYPES: dict[str, tuple[t.Any, t.Callable[[list[dict]], t.Any]]] = {
    "TEXT": (th.StringType, lambda cells: cells[0].get("value")),
    "ENTITY": (
        th.ObjectType(th.Property("entity_id", th.StringType), th.Property("value", _VALUE)),
        lambda cells: cells[0],
    ),
    "DURATION": (th.NumberType, lambda cells: cells[0].get("duration")),
    "SALARY": (
        th.ObjectType(th.Property("amount", th.NumberType), th.Property("currency_symbol", _VALUE)),
        lambda cells: cells[0],
    ),
    "COST_CENTER": (
        th.ArrayType(th.ObjectType(
            th.Property("cost_center_id", th.StringType), th.Property("value", _VALUE),
            th.Property("weight", th.StringType))),
        lambda cells: cells[0].get("cost_centers"),
    ),
    "ABSENCE_OVERVIEW": (
        th.ObjectType(
            th.Property("start_date", th.DateType), th.Property("end_date", th.DateType),
            th.Property("duration_days", th.NumberType),
            th.Property("duration_hours", th.NumberType)),
        lambda cells: cells[0],
    ),
    "ABSENCE_PERIOD": (
        th.ArrayType(th.ObjectType(
            th.Property("start_date", th.DateType), th.Property("end_date", th.DateType),
            th.Property("half_day_at_start", th.BooleanType),
            th.Property("half_day_at_end", th.BooleanType))),
        lambda cells: cells,
    ),
}  # fmt: skip
_OTHER = (th.StringType, lambda cells: cells[0].get("value"))


def slug(name: str) -> str:
    """A table name from a report's name: lower case, runs of other characters as one ``_``."""
    text = "".join(c if c.isalnum() else "_" for c in name.lower())
    return "_".join(part for part in text.split("_") if part) or "report"


class CustomReportStream(PersonioV1Stream):
    """One custom report as a table of its own: a typed column per report column, one row per
    employee (and effective date, for historical reports)."""

    primary_keys = ("employee_id", "effective_date")
    access_right = REPORTS_RIGHT
    paging = "page"
    page_param = "page"
    page_size = 100

    def __init__(self, tap: t.Any, name: str, report: dict, columns: dict[str, dict]) -> None:
        self.report_id = str(report["id"])
        self.path = f"{REPORTS}/reports/{self.report_id}"
        self.cells: dict[str, t.Callable[[list[dict]], t.Any]] = {}
        properties = [
            key("employee_id", th.IntegerType),
            key("effective_date", th.DateType, "The state's date (historical reports), else the "
                "report's end date"),
        ]  # fmt: skip
        for attribute in report.get("columns") or []:
            column = columns.get(attribute, {})
            kind, value = _CELL_TYPES.get(str(column.get("data_type")), _OTHER)
            self.cells[attribute] = value
            label = column.get("human_readable") or attribute
            described = f"Report column {label!r} ({column.get('data_type', 'unknown type')})"
            # a column name every warehouse takes (Personio's ids may hold ':')
            properties.append(prop(slug(attribute), kind, f"{described}, id {attribute}"))
        schema = th.PropertiesList(*properties).to_dict()
        schema["description"] = (
            f"Personio custom report {self.report_id}: {report.get('name')}. "
            f"{report.get('description') or ''}"
        ).strip()
        super().__init__(tap, name=name, schema=schema)

    @override
    def parse_page(self, body: t.Any) -> list[dict]:
        report = next(iter(page_items(body)), {})
        typed = []
        for row in rows_of(report):
            by_column: dict[str, list[dict]] = {}
            for cell in row["cells"]:
                by_column.setdefault(str(cell.get("attribute_id")), []).append(cell)
            values = {slug(a): get(by_column[a]) for a, get in self.cells.items() if a in by_column}
            typed.append(self.shape({**values, **row}))
        return typed

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        try:
            yield from super().get_records(context)
        except PersonioError as error:
            if self.config.get("strict_mode"):
                raise
            self.logger.warning("%s: report %s skipped. %s", self.name, self.report_id, error)
            self.versioning.skip_part(error)


def report_streams(tap: t.Any, taken: t.Collection[str]) -> list[CustomReportStream]:
    """One stream per custom report (see ``stream_names``)."""
    if not wanted(tap, "custom_report_"):
        return []
    try:
        reports = list(CustomReportsStream(tap).request_records(None))
        catalogue = CustomReportColumnsStream(tap).request_records(None)
        columns = {column["attribute_id"]: column for column in catalogue}
    except PersonioError:
        return []  # the credential may not read reports: custom_reports says so when synced
    names = stream_names(tap, "custom_report", "Personio custom report", reports, taken)
    return [CustomReportStream(tap, names[str(r["id"])], r, columns) for r in reports]


def wanted(tap: t.Any, prefix: str) -> bool:
    """Whether report streams need declaring: at discovery, or when the catalog in use selects
    one (a run that reads no report makes no report request)."""
    declared = (CustomReportItemsStream.name, CustomReportColumnsStream.name)
    return tap.input_catalog is None or any(
        name.startswith(prefix) and name not in declared and chosen(tap, name)
        for name in tap.input_catalog
    )


def chosen(tap: t.Any, name: str) -> bool:
    """Whether the stream ``name`` is read: at discovery every one is, else the catalog says."""
    if tap.input_catalog is None:
        return True
    entry = tap.input_catalog.get(name)
    if entry is None:
        return False
    root = entry.metadata.root
    return bool(root.selected if root.selected is not None else root.selected_by_default)


def stream_names(
    tap: t.Any, prefix: str, described: str, reports: list[dict], taken: t.Collection[str]
) -> dict[str, str]:
    """Report id -> stream name: ``<prefix>_<slug of the report's name>``.

    Reports whose names slug alike (or like another stream) get their id's first eight
    characters appended. A report renamed in Personio keeps the stream name the catalog in use
    gave it (so its table stays), with a log line; after the catalog is refreshed it goes by its
    new name. Discovery logs which report is which stream.
    """
    known = {}  # report id -> stream name, from the catalog in use
    for name, entry in (tap.input_catalog or {}).items():
        text = str(entry.schema.description or "")
        if name.startswith(f"{prefix}_") and text.startswith(f"{described} "):
            known[text.removeprefix(f"{described} ").split(":", 1)[0]] = name
    slugs = [f"{prefix}_{slug(str(r.get('name') or ''))}" for r in reports]
    names = {}
    for report, name in zip(reports, slugs, strict=True):
        ident = str(report["id"])
        if slugs.count(name) > 1 or name in taken:
            name = f"{name}_{ident[:8]}"
        previous = known.get(ident)
        if previous and previous != name:
            tap.logger.warning(
                "Report %s was renamed in Personio (now %r); it is still loaded as %s until the "
                "catalog is refreshed, then as %s.",
                ident, report.get("name"), previous, name,
            )  # fmt: skip
            name = previous
        tap.logger.info("Report %s (%r) is the stream %s", ident, report.get("name"), name)
        names[ident] = name
    return names
