"""Absences: v1 time-off types, day-based time-offs and balances; v2 absence types, periods and
their daily breakdowns."""

from __future__ import annotations

import typing as t
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import typing as th
from typing_extensions import override

from tap_personio.children import PersonioChildStream
from tap_personio.client import PersonioV1Stream, PersonioV2Stream
from tap_personio.streams.fields import V2_TIMESTAMPS, key, local_time, prop, ref, v1_ref
from tap_personio.streams.people import EmployeeIdsStream

V1_ABSENCES_RIGHT = "Absences: read"
V2_ABSENCES_RIGHT = "personio:absences:read (Absences: read)"
HALF_DAY = th.Property("type", th.StringType, description="FIRST_HALF or SECOND_HALF")


class TimeOffTypesStream(PersonioV1Stream):
    """Day- and hour-based absence types of v1 (ids are the ``time_off_type`` of time-offs)."""

    name = "time_off_types"
    path = "/v1/company/time-off-types"
    primary_keys = ("id",)
    access_right = V1_ABSENCES_RIGHT
    paging = "offset"
    page_size = 200
    schema = th.PropertiesList(
        key("id", th.IntegerType),
        prop("id_v2", th.StringType, "The same type's id in v2 absence_types"),
        prop("name", th.StringType),
        prop("category", th.StringType, "paid_vacation, sick_leave, ... (nullable)"),
        prop("unit", th.StringType, "day or hour"),
        prop("approval_required", th.BooleanType),
    ).to_dict()


class TimeOffsStream(PersonioV1Stream):
    """Day-based absences of v1.

    Incremental on ``updated_at`` through ``updated_from``, which Personio takes as a date
    only: each run re-reads the whole day of the bookmark, plus ``lookback_window_days``.
    Pages are numbered from 1 (``offset=0`` would repeat page 1); rows come by id, so the
    bookmark advances at the end of the run.
    """

    name = "time_offs"
    path = "/v1/company/time-offs"
    primary_keys = ("id",)
    replication_key = "updated_at"
    filter_param = "updated_from"
    filter_format = "%Y-%m-%d"
    access_right = V1_ABSENCES_RIGHT
    paging = "page"
    page_size = 200
    schema = th.PropertiesList(
        key("id", th.IntegerType),
        prop("id_v2", th.StringType, "The same absence's id in v2 absence_periods"),
        prop("status", th.StringType, "approved, pending, rejected, ..."),
        prop("comment", th.StringType),
        prop("start_date", th.DateType, "First day off"),
        prop("end_date", th.DateType, "Last day off (inclusive)"),
        prop("days_count", th.NumberType),
        prop("half_day_start", th.BooleanType),
        prop("half_day_end", th.BooleanType),
        v1_ref("time_off_type", "name", "category"),
        v1_ref("employee"),
        prop("certificate", th.ObjectType(th.Property("status", th.StringType))),
        prop("created_by", th.StringType, '"API" or the name of the account that entered it'),
        prop("created_at", th.DateTimeType),
        prop("updated_at", th.DateTimeType),
    ).to_dict()


class AbsenceTypesStream(PersonioV2Stream):
    """Absence types of v2 (the ``absence_type`` of absence periods)."""

    name = "absence_types"
    path = "/v2/absence-types"
    primary_keys = ("id",)
    access_right = V2_ABSENCES_RIGHT
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("category", th.StringType),
        prop("unit", th.StringType, "DAY or HOUR"),
    ).to_dict()


class AbsencePeriodsStream(PersonioV2Stream):
    """Day- and hour-based absences of v2.

    Incremental on ``updated_at`` through ``updated_at.gte``, minus ``lookback_window_days``;
    the order is undocumented, so the bookmark advances at the end of the run. Start and end
    are Personio's wall times in the period's ``timezone_id``, emitted with that zone's offset;
    a day-based period ends at the local midnight after its last day.
    """

    name = "absence_periods"
    path = "/v2/absence-periods"
    primary_keys = ("id",)
    replication_key = "updated_at"
    filter_param = "updated_at.gte"
    access_right = V2_ABSENCES_RIGHT
    page_size = 100
    keep_offset = ("starts_from", "ends_at")
    schema = th.PropertiesList(
        key("id"),
        ref("person"),
        ref("absence_type"),
        local_time("starts_from", HALF_DAY),
        local_time("ends_at", HALF_DAY),
        prop("timezone_id", th.StringType),
        prop("comment", th.StringType),
        prop("approval", th.ObjectType(th.Property("status", th.StringType))),
        *V2_TIMESTAMPS,
    ).to_dict()

    @override
    def preprocess(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        try:
            zone = ZoneInfo(str(record.get("timezone_id") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            zone = None  # kept as written, read as UTC
        for name in ("starts_from", "ends_at"):
            boundary = record.get(name)
            if zone is None or not isinstance(boundary, dict):
                continue
            text = boundary.get("date_time")
            if isinstance(text, str):
                try:
                    moment = datetime.fromisoformat(text)
                except ValueError:
                    continue  # the shaper nulls it, with its warning
                if moment.tzinfo is None:
                    boundary["date_time"] = moment.replace(tzinfo=zone).isoformat()
        return record


class AbsencePeriodBreakdownsStream(PersonioChildStream, PersonioV2Stream):
    """The day-by-day duration of absence periods, one request per period (28 days a page).

    Incremental: only periods changed since the stream's bookmark (their ``updated_at``, kept
    as ``absence_period_updated_at``) are read again.
    """

    name = "absence_period_breakdowns"
    path = "/v2/absence-periods/{absence_period_id}/breakdowns"
    primary_keys = ("absence_period_id", "date")
    replication_key = "absence_period_updated_at"
    parent = AbsencePeriodsStream
    parent_key = "absence_period_id"
    parent_fields = {"absence_period_updated_at": "updated_at"}  # noqa: RUF012
    access_right = V2_ABSENCES_RIGHT
    page_size = 28
    schema = th.PropertiesList(
        key("absence_period_id"),
        key("date", th.DateType),
        prop("effective_duration", th.ObjectType(
            th.Property("unit", th.StringType, description="DAY or HOUR"),
            th.Property("value", th.NumberType))),
        prop("absence_period_updated_at", th.DateTimeType, "updated_at of the period"),
    ).to_dict()  # fmt: skip


class EmployeeAbsenceBalancesStream(PersonioChildStream, PersonioV1Stream):
    """Each employee's balance per absence type (v1 only; v2 has none), one request per
    employee, in full on every run."""

    name = "employee_absence_balances"
    path = "/v1/company/employees/{employee_id}/absences/balance"
    primary_keys = ("employee_id", "id")
    parent = EmployeeIdsStream
    parent_key = "employee_id"
    access_right = V1_ABSENCES_RIGHT
    schema = th.PropertiesList(
        key("employee_id", th.IntegerType),
        key("id", th.IntegerType, "The time-off type"),
        prop("name", th.StringType),
        prop("category", th.StringType),
        prop("balance", th.NumberType, "Entitlement left after the days taken to date"),
        prop("available_balance", th.NumberType, "What is left once planned days are deducted"),
    ).to_dict()
