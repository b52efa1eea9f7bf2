"""People: v1 employees and the attribute catalogue that types them, v2 persons (typed by the same
catalogue) and their employments."""

from __future__ import annotations

import typing as t
from datetime import UTC, timedelta
from functools import cached_property

from singer_sdk import typing as th
from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_personio.attributes import (
    COLUMNS_STATE_KEY,
    Column,
    EmployeeFlattener,
    added_columns,
    columns_for,
)
from tap_personio.children import PersonioChildStream
from tap_personio.client import PersonioV1Stream, PersonioV2Stream, ReadOnce
from tap_personio.errors import PersonioAccessError
from tap_personio.pagination import page_items
from tap_personio.shaping import Converter
from tap_personio.streams.fields import V2_TIMESTAMPS, key, prop, ref

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context


EMPLOYEES_RIGHT = "Employees: read, with the attributes to sync ticked as readable"


class EmployeeAttributesStream(ReadOnce, PersonioV1Stream):
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


def attribute_catalogue(tap: Tap) -> tuple[list[dict[str, t.Any]], PersonioAccessError | None]:
    """The credential's attribute catalogue, read once per run for every stream it types; or
    the access error that kept it unread (raised in strict mode)."""
    try:
        return list(EmployeeAttributesStream(tap).request_records(None)), None
    except PersonioAccessError as error:
        if tap.config.get("strict_mode"):
            raise
        # Discovery goes on for the other streams; syncing this one reports the error.
        return [], error


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
    replication_key = "last_modified_at"  # when the credential may read it
    filter_param = "updated_since"  # set by _filters_for, which leaves it out after new columns
    # The flattener emits JSON-native values for exactly the schema's columns.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Tap) -> None:
        catalogue, self.unreadable = attribute_catalogue(tap)
        if self.unreadable is not None:
            catalogue = [{"key": "id", "type": "integer", "label": "ID"}]
        self.columns = columns_for(catalogue)
        schema = {
            "type": "object",
            "properties": {key: column.schema for key, column in self.columns.items()},
        }
        super().__init__(tap, schema=schema)
        if "last_modified_at" not in self.columns:
            self.replication_key = None  # type: ignore[assignment]
        if "last_modified_at" not in self.columns and self.unreadable is None:
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
        yield from super().get_records(context)
        # The next run compares its columns against these.
        self.stream_state[COLUMNS_STATE_KEY] = self.selected_columns

    @override
    def incremental_since(self, context: Context | None) -> None:
        self._filters = self._filters_for(context)
        return None  # the filters are this stream's own

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
        if added_columns(self, self.selected_columns):
            return filters
        since = start - timedelta(days=self.config.get("lookback_window_days", 1))
        filters["updated_since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return filters

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        return {**super().get_url_params(context, next_page_token), **self._filters}

    @cached_property
    def vanished_columns(self) -> dict[str, None]:
        """Selected columns of the catalog in use that Personio no longer lists (no longer
        readable, or deleted): sent as null, so no target keeps a stale value, with a warning."""
        gone = [k for k in self.selected_schema["properties"] if k not in self.columns]
        if gone:
            self.logger.warning(
                "employees: Personio no longer lists %s for this credential; sent as null. "
                "Tick them as readable in Personio, or refresh the catalog to drop them.",
                ", ".join(gone),
            )
        return dict.fromkeys(gone)

    @override
    def parse_page(self, body: t.Any) -> list[dict]:
        keys, gone = self.selected_columns, self.vanished_columns
        return [{**self._flatten(employee, keys), **gone} for employee in page_items(body)]


class EmployeeIdsStream(PersonioV1Stream):
    """Employee ids only (``attributes[]=id``, 100 a page): the parents of per-employee streams.
    Not a stream of the catalog."""

    name = "employee_ids"
    path = "/v1/company/employees"
    primary_keys = ("id",)
    access_right = EMPLOYEES_RIGHT
    paging = "offset"
    page_size = 100
    rate_buckets = ("v1:employees",)
    params = {"attributes[]": "id"}  # noqa: RUF012
    schema = th.PropertiesList(key("id", th.IntegerType)).to_dict()

    @override
    def preprocess(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        ident = record.get("id")
        return {"id": ident.get("value") if isinstance(ident, dict) else ident}


PERSONS_RIGHT = "personio:persons:read (Persons: read)"
#: Custom attributes of a person that the catalogue did not list when the catalog was discovered.
OTHER_CUSTOM = "other_custom_attributes"


class PersonsStream(PersonioV2Stream):
    """People of the v2 API, with the same typed custom-attribute columns as ``employees``.

    Incremental on ``updated_at`` through ``updated_at.gt``. Personio's own sources disagree on
    whether that filter takes date-times or only dates, so the tap sends the date, which every
    reading accepts: the filter works by day, and each run re-reads the bookmark's day plus
    ``lookback_window_days``. The order is undocumented, so the bookmark advances at the end.
    """

    name = "persons"
    path = "/v2/persons"
    primary_keys = ("id",)
    replication_key = "updated_at"
    filter_param = "updated_at.gt"
    filter_format = "%Y-%m-%d"
    page_size = 50  # Personio's maximum (100 is a 400)
    access_right = PERSONS_RIGHT

    def __init__(self, tap: Tap) -> None:
        catalogue, _ = attribute_catalogue(tap)
        self.columns = {k: c for k, c in columns_for(catalogue).items() if k.startswith("dynamic_")}
        schema = th.PropertiesList(
            key("id", description="Person id: the v1 employee id, as text"),
            prop("email", th.StringType),
            prop("first_name", th.StringType),
            prop("last_name", th.StringType),
            prop("preferred_name", th.StringType),
            prop("gender", th.StringType, "UNSPECIFIED, MALE, FEMALE or DIVERSE"),
            prop("status", th.StringType, "ACTIVE or INACTIVE, from the latest employment"),
            prop("profile_picture", th.ObjectType(th.Property("url", th.StringType))),
            prop("employments", th.ArrayType(th.ObjectType(th.Property("id", th.StringType)))),
            *V2_TIMESTAMPS,
            prop(
                OTHER_CUSTOM,
                th.ObjectType(additional_properties=True),
                "Custom attributes the attribute catalogue did not list when the catalog was "
                "discovered, as Personio sent them, keyed by attribute id; refresh the catalog "
                "to give them typed columns",
            ),
        ).to_dict()
        schema["properties"].update({k: c.schema for k, c in self.columns.items()})
        super().__init__(tap, schema=schema)
        self._untyped_logged: set[str] = set()

    @cached_property
    def typed_columns(self) -> dict[str, Column]:
        """The custom columns of the catalog in use; an attribute added in Personio since it
        was discovered has none until the catalog is refreshed."""
        known = self.effective_schema.get("properties", {})
        return {k: c for k, c in self.columns.items() if k in known}

    @override
    def converters(self) -> dict[str, Converter]:
        return {k: c.convert for k, c in self.typed_columns.items()}

    @override
    def incremental_since(self, context: Context | None) -> t.Any:
        since = super().incremental_since(context)
        return None if since and added_columns(self, self._selected_custom) else since

    @property
    def _selected_custom(self) -> list[str]:
        return [k for k in self.typed_columns if k in self.selected_schema["properties"]]

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        yield from super().get_records(context)
        self.stream_state[COLUMNS_STATE_KEY] = self._selected_custom  # for added_columns

    @override
    def preprocess(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        """``custom_attributes`` (a list of ``{id, type, value}``) become columns; empty
        values (``""``, ``[]`` or the ``null`` some answers carry) become null."""
        other: dict[str, t.Any] = {}
        for attribute in record.pop("custom_attributes", None) or []:
            ident, value = attribute.get("id"), attribute.get("value")
            if value == [] or value == "":
                value = None
            if ident in self.typed_columns:
                record[ident] = value
            elif isinstance(ident, str):
                other[ident] = value
                if ident not in self._untyped_logged:
                    self._untyped_logged.add(ident)
                    self.logger.warning(
                        "persons: custom attribute %s is not in the attribute catalogue this "
                        "catalog was discovered with; kept untyped in %s. Refresh the catalog "
                        "(--discover, or meltano's --refresh-catalog) for a typed column.",
                        ident,
                        OTHER_CUSTOM,
                    )
        record[OTHER_CUSTOM] = other or None
        return record


class EmploymentsStream(PersonioChildStream, PersonioV2Stream):
    """Every person's employments (newest first), one request per person, read in full on every
    run: an employment can change without its person's ``updated_at`` moving."""

    name = "employments"
    path = "/v2/persons/{person_id}/employments"
    primary_keys = ("id",)
    parent = PersonsStream
    parent_key = "person_id"
    selected_by_default = True
    page_size = 50
    access_right = PERSONS_RIGHT
    schema = th.PropertiesList(
        key("id", description="Employment id (UUID)"),
        prop("person_id", th.StringType, "The person this employment belongs to"),
        ref("person"),
        prop("status", th.StringType, "ACTIVE, INACTIVE, ONBOARDING, LEAVE or UNSPECIFIED"),
        prop("type", th.StringType, "INTERNAL, EXTERNAL or UNSPECIFIED"),
        prop("position", th.ObjectType(th.Property("title", th.StringType))),
        prop("weekly_working_hours", th.NumberType),
        prop("full_time_weekly_working_hours", th.NumberType),
        prop("probation_end_date", th.DateType),
        prop("employment_start_date", th.DateType),
        prop("employment_end_date", th.DateType),
        prop("contract_end_date", th.DateType),
        ref("supervisor", "The supervising person"),
        ref("office"),
        ref("legal_entity"),
        ref("job"),
        ref("sub_company", "Deprecated by Personio in favour of legal_entity"),
        prop("org_units", th.ArrayType(th.ObjectType(
            th.Property("type", th.StringType), th.Property("id", th.StringType)))),
        prop("cost_centers", th.ArrayType(th.ObjectType(
            th.Property("id", th.StringType), th.Property("weight", th.NumberType)))),
        prop("termination", th.ObjectType(
            th.Property("termination_date", th.DateType),
            th.Property("last_working_day", th.DateType),
            th.Property("terminated_at", th.DateType),
            th.Property("type", th.StringType),
            th.Property("reason", th.StringType),
        )),
        *V2_TIMESTAMPS,
    ).to_dict()  # fmt: skip
