"""People: the v1 employee list and the attribute catalogue that types it."""

from __future__ import annotations

import typing as t
from datetime import UTC, timedelta
from functools import cached_property

from singer_sdk import typing as th
from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_personio.attributes import EmployeeFlattener, columns_for
from tap_personio.client import PersonioV1Stream
from tap_personio.errors import PersonioAccessError

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

#: Where the state remembers the columns of the last complete run.
COLUMNS_STATE_KEY = "selected_columns"

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
        try:
            catalogue = list(EmployeeAttributesStream(tap).request_records(None))
        except PersonioAccessError as error:
            if tap.config.get("strict_mode"):
                raise
            # Discovery goes on for the other streams; syncing this one reports the error.
            catalogue, self.unreadable = [{"key": "id", "type": "integer", "label": "ID"}], error
        self.columns = columns_for(catalogue)
        schema = {
            "type": "object",
            "properties": {key: column.schema for key, column in self.columns.items()},
        }
        super().__init__(tap, schema=schema)
        if "last_modified_at" in self.columns:
            self.replication_key = "last_modified_at"
        elif self.unreadable is None:
            self.logger.info(
                "employees: full table, because the credential may not read the attribute "
                "last_modified_at; tick it as readable in Personio to sync incrementally."
            )
        self.attribute_keys = [str(attribute["key"]) for attribute in catalogue]
        self._flatten = EmployeeFlattener(self.columns, self.logger)
        self._filters: dict[str, t.Any] = {}

    @cached_property
    def selected_columns(self) -> list[str]:
        """Columns of the catalog in use that are selected, in catalogue order.

        A column the catalog does not know yet (an attribute added in Personio since the
        catalog was discovered) is not requested until the catalog is refreshed. A salary's
        currency comes with the salary, so it is only read when the salary is selected. The key
        and bookmark columns are always read.
        """
        known = self.effective_schema.get("properties", {})
        required = {"id", self.replication_key}

        def selected(key: str) -> bool:
            return key in required or (key in known and self.mask.get(("properties", key), True))

        return [
            key
            for key, column in self.columns.items()
            if selected(key)
            and (column.personio_type != "currency" or selected(key.removesuffix("_currency")))
        ]

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        self._filters = self._filters_for(context)
        yield from super().get_records(context)
        # The next run compares its columns against these.
        self.stream_state[COLUMNS_STATE_KEY] = self.selected_columns

    def _filters_for(self, context: Context | None) -> dict[str, t.Any]:
        """What every page of this run asks for: the selected attributes only, and only the
        employees changed since the bookmark, unless columns were added since the last run."""
        filters: dict[str, t.Any] = {}
        wanted = [k for k in self.selected_columns if self.columns[k].personio_type != "currency"]
        if set(wanted) != set(self.attribute_keys):
            filters["attributes[]"] = wanted  # what is not selected never leaves Personio
        start = self.get_starting_timestamp(context) if self.replication_key else None
        if start is None:
            return filters
        previous = self.stream_state.get(COLUMNS_STATE_KEY)
        added = sorted(set(self.selected_columns) - set(previous or self.selected_columns))
        if added:
            self.logger.info(
                "employees: reading every employee once, not only the changed ones, so that "
                "the columns added since the last run are filled: %s",
                ", ".join(added),
            )
            return filters
        since = start - timedelta(days=self.config.get("lookback_window_days", 1))
        filters["updated_since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return filters

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        return {**super().get_url_params(context, next_page_token), **self._filters}

    @override
    def parse_page(self, body: t.Any) -> list[dict]:
        keys = self.selected_columns
        return [
            self._flatten(employee["attributes"], keys)
            for employee in super().parse_page(body)
            if isinstance(employee.get("attributes"), dict)
        ]
