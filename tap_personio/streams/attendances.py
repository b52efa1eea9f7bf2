"""Working time: v2 attendance periods (v1 attendances were shut down on 2026-08-30)."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_personio.client import PersonioV2Stream
from tap_personio.streams.fields import V2_TIMESTAMPS, key, prop, ref
from tap_personio.windows import PersonioWindowedStream

#: Personio writes attendance times as naive local wall time and names no zone for them.
WALL_TIME = th.ObjectType(
    th.Property(
        "date_time",
        th.StringType,
        description="Local wall time of the company (YYYY-MM-DDTHH:MM:SS); Personio names no zone",
    )
)


class AttendancePeriodsStream(PersonioWindowedStream, PersonioV2Stream):
    """Work and break periods.

    Incremental on ``updated_at`` (``updated_at.gte``/``.lte``, sorted by ``updated_at``), read
    in windows of a week from the bookmark minus ``lookback_window_days``, or from
    ``start_date``; state is saved after every window, so an interrupted backfill resumes at the
    last finished week, and a week Personio cannot serve (502, 504, a timeout) is halved.
    """

    name = "attendance_periods"
    path = "/v2/attendance-periods"
    primary_keys = ("id",)
    replication_key = "updated_at"
    filter_param = "updated_at.gte"
    access_right = "personio:attendances:read (Attendances: read)"
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("type", th.StringType, "WORK or BREAK"),
        ref("person"),
        prop("start", WALL_TIME),
        prop("end", WALL_TIME, "Null while the period is running"),
        prop("attribution_date", th.DateType, "The working day the period counts for"),
        prop("comment", th.StringType),
        ref("project"),
        prop("approval", th.ObjectType(th.Property("status", th.StringType))),
        prop("is_auto_generated", th.BooleanType),
        *V2_TIMESTAMPS,
    ).to_dict()
