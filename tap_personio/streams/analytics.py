"""Personio's v2 reports (analytics 2.0): the report list, and every report as a typed table.

A v2 report answers rows as positional arrays of typed cells lined up with ``_meta.columns``, and
fails when filters are sent beside a cursor (the tap follows each next link as given). Grouped
and chart reports cannot be read through the API: they are skipped with one warning at
discovery.
"""

from __future__ import annotations

import hashlib
import json
import typing as t
from http import HTTPStatus

import requests
from singer_sdk import typing as th
from typing_extensions import override

from tap_personio.api import describe_failure, personio_reason
from tap_personio.client import PersonioV2Stream, ReadOnce
from tap_personio.errors import PersonioAccessError, PersonioError
from tap_personio.pagination import page_body
from tap_personio.streams.fields import key, prop
from tap_personio.streams.reports import chosen, slug, stream_names, wanted


class V2ReportsBase(PersonioV2Stream):
    """v2 reports answer a missing right with 400 "Unauthorized token" (not 403): it is one."""

    @override
    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == HTTPStatus.BAD_REQUEST and "unauthorized token" in (
            personio_reason(response).lower()
        ):
            raise PersonioAccessError(
                f"{describe_failure(response)}. The Personio credential lacks the access right "
                f'"{self.access_right}"; grant it and share the reports with the API, or '
                "deselect this stream."
            )
        super().validate_response(response)


class ReportsStream(ReadOnce, V2ReportsBase):
    """Personio's v2 reports (analytics) shared with the API, newest first."""

    name = "reports"
    path = "/v2/reports"
    primary_keys = ("id",)
    access_right = "personio:reports:read (Reports: read, and the report shared with the API)"
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("description", th.StringType),
        prop("type", th.StringType),
        prop("created_at", th.DateTimeType),
        prop("updated_at", th.DateTimeType),
    ).to_dict()


#: v2 report column types -> the column's schema and how a cell becomes its value.
_V2_CELLS: dict[str, tuple[t.Any, t.Callable[[dict], t.Any]]] = {
    "string": (th.StringType, lambda c: (c.get("string_value") or {}).get("value")),
    "date": (th.DateType, lambda c: (c.get("string_value") or {}).get("value")),
    "decimal": (th.NumberType, lambda c: (c.get("numeric_value") or {}).get("number")),
    "option": (
        th.ArrayType(th.ObjectType(th.Property("key", th.StringType),
                                   th.Property("value", th.StringType))),
        lambda c: (c.get("options_value") or {}).get("options"),
    ),
    "time_range": (
        th.ObjectType(th.Property("from", th.StringType), th.Property("to", th.StringType)),
        lambda c: c.get("time_range_value"),
    ),
}  # fmt: skip


def _any_cell(cell: dict) -> t.Any:
    """A cell of a type the tap does not know: its one value, as text."""
    for name, value in cell.items():
        if name.endswith("_value") and isinstance(value, dict):
            inner = next(iter(value.values()), None)
            return None if inner is None else str(inner)
    return None


_OTHER = (th.StringType, _any_cell)


class ReportStream(V2ReportsBase):
    """One v2 report as a table: a typed column per report column, one row per report row.

    Report rows carry no id of their own, so the key ``row_key`` is a SHA-256 digest of the
    row's values: the same row keeps its key across runs, and identical rows are one.
    """

    primary_keys = ("row_key",)
    access_right = "personio:reports:read (Reports: read, and the report shared with the API)"
    page_size = 100

    def __init__(self, tap: t.Any, name: str, report: dict,
                 first: requests.Response | None = None) -> None:  # fmt: skip
        """``first`` is the report's first page, read at discovery for its columns: the sync
        starts from it instead of asking for it again."""
        self.report_id = str(report["id"])
        self.path = f"/v2/reports/{self.report_id}"
        self.first = first
        columns = (page_body(first).get("_meta") or {}).get("columns") or [] if first else []
        self.columns = [
            (
                slug(str(c.get("name"))),
                *_V2_CELLS.get(str(c.get("type")), (th.StringType, _any_cell)),
            )
            for c in columns
        ]
        properties = [key("row_key", description="SHA-256 of the row's values")]
        for (column, kind, _), meta in zip(self.columns, columns, strict=True):
            label = meta.get("display") or meta.get("name")
            properties.append(prop(column, kind, f"Report column {label!r} ({meta.get('type')})"))
        schema = th.PropertiesList(*properties).to_dict()
        schema["description"] = f"Personio report {self.report_id}: {report.get('name')}"
        super().__init__(tap, name=name, schema=schema)

    def first_page(self) -> requests.Response:
        """The report's first page: its columns, at discovery."""
        return self.page_fetcher(None)(None)

    @override
    def _request(self, prepared_request: requests.PreparedRequest, context: t.Any) -> t.Any:
        first, self.first = self.first, None
        if first is not None and prepared_request.url == first.request.url:
            return first
        return super()._request(prepared_request, context)

    @override
    def parse_page(self, body: t.Any) -> list[dict]:
        rows = body.get("_data") if isinstance(body, dict) else None
        shaped = []
        for row in rows or []:
            values = {
                column: None if cell is None else get(cell)
                for (column, _, get), cell in zip(self.columns, row, strict=False)
            }
            text = json.dumps(values, sort_keys=True, default=str)
            values["row_key"] = hashlib.sha256(text.encode()).hexdigest()
            shaped.append(self.shape(values))
        return shaped


def v2_report_streams(tap: t.Any, taken: t.Collection[str]) -> list[ReportStream]:
    """One stream per v2 report the run reads, its columns from the report's first page."""
    if not wanted(tap, "report_"):
        return []
    try:
        reports = list(ReportsStream(tap).request_records(None))
    except PersonioError:
        return []  # the credential may not read reports: the reports stream says so
    names = stream_names(tap, "report", "Personio report", reports, taken)
    streams = []
    for report in reports:
        name = names[str(report["id"])]
        if not chosen(tap, name):
            continue  # the catalog in use leaves it out: its columns are not needed
        try:
            first = ReportStream(tap, name, report).first_page()
            page_body(first)
        except PersonioError as error:  # grouped and chart reports answer 400
            tap.logger.warning("Report %s (%r) skipped: %s", report["id"], report.get("name"),
                               error)  # fmt: skip
            continue
        streams.append(ReportStream(tap, name, report, first))
    return streams
