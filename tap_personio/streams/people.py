"""People: the v1 employee list and the attribute catalogue that types it."""

from __future__ import annotations

import typing as t
from datetime import UTC, timedelta

from singer_sdk import typing as th
from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_personio.attributes import EmployeeFlattener, columns_for
from tap_personio.client import PersonioV1Stream

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

EMPLOYEES_RIGHT = "Employees: read, with the attributes to sync ticked as readable"


class EmployeeAttributesStream(PersonioV1Stream):
    """The catalogue of attributes the credential may read (``options`` since mid-2024)."""

    name = "employee_attributes"
    path = "/v1/company/employees/attributes"
    primary_keys = ("key",)
    access_right = EMPLOYEES_RIGHT
    schema = th.PropertiesList(
        th.Property("key", th.StringType, required=True, description="Stable attribute key"),
        th.Property("label", th.StringType, description="Label shown in Personio (translated)"),
        th.Property("type", th.StringType, description="standard, date, integer, decimal, ..."),
        th.Property("universal_id", th.StringType, description="Well-known id, if mapped"),
        th.Property("options", th.ArrayType(th.StringType), description="list/tags values"),
    ).to_dict()


class EmployeesStream(PersonioV1Stream):
    """Employees with one typed column per readable attribute.

    Incremental on ``last_modified_at`` through ``updated_since`` when that attribute is
    readable; Personio's filter is coarse and its time zone undocumented, so each run re-reads
    ``lookback_window_days`` before the bookmark. Rows come by id, not by change time, so the
    bookmark is only advanced at the end of the run.
    """

    name = "employees"
    path = "/v1/company/employees"
    primary_keys = ("id",)
    access_right = EMPLOYEES_RIGHT
    paging = "offset"
    page_size = 100  # Personio's maximum since 2025-01-31 (default 50)
    rate_buckets = ("v1:employees",)  # 300/min with bursts of 15/s, on top of v1's 2,000/min
    # The flattener emits JSON-native values for exactly the schema's columns.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Tap) -> None:
        catalogue = list(EmployeeAttributesStream(tap).request_records(None))
        self.columns = columns_for(catalogue)
        schema = {
            "type": "object",
            "properties": {key: column.schema for key, column in self.columns.items()},
        }
        super().__init__(tap, schema=schema)
        if "last_modified_at" in self.columns:
            self.replication_key = "last_modified_at"
        else:
            self.logger.info(
                "employees: full table, because the credential may not read the attribute "
                "last_modified_at; tick it as readable in Personio to sync incrementally."
            )
        self._flatten = EmployeeFlattener(self.columns, self.logger)

    @property
    def selected_columns(self) -> list[str]:
        """Columns selected in the catalog; the key and bookmark columns are always read."""
        required = {"id", self.replication_key}
        return [
            key
            for key in self.columns
            if key in required or self.mask.get(("properties", key), True)
        ]

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        wanted = {key.removesuffix("_currency") for key in self.selected_columns}
        if wanted != {key.removesuffix("_currency") for key in self.columns}:
            # What is not selected never leaves Personio.
            params["attributes[]"] = sorted(wanted)
        start = self.get_starting_timestamp(context) if self.replication_key else None
        if start is not None:
            since = start - timedelta(days=self.config.get("lookback_window_days", 1))
            params["updated_since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return params

    @override
    def parse_page(self, body: t.Any) -> list[dict]:
        keys = self.selected_columns
        return [
            self._flatten(employee["attributes"], keys)
            for employee in super().parse_page(body)
            if isinstance(employee.get("attributes"), dict)
        ]
