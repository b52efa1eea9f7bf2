"""Compensation: what people are paid, by month, with its types and the salary bands."""

from __future__ import annotations

import typing as t
from datetime import UTC, date, datetime, timedelta

from singer_sdk import typing as th
from typing_extensions import override

from tap_personio.client import PersonioV2Stream
from tap_personio.streams.fields import V2_TIMESTAMPS, key, prop, ref

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context

#: Where the state keeps the month the next run reads from (before its look-back).
MONTHS_STATE_KEY = "months_read_until"
#: How far back a first run reads without start_date.
DEFAULT_HISTORY_MONTHS = 24

COMPENSATIONS_RIGHT = "personio:compensations:read (Compensations: read)"
AMOUNT = th.ObjectType(th.Property("value", th.NumberType), th.Property("currency", th.StringType))


class CompensationTypesStream(PersonioV2Stream):
    """Base salary, hourly, bonus and the company's own compensation types."""

    name = "compensation_types"
    path = "/v2/compensations/types"
    primary_keys = ("id",)
    access_right = COMPENSATIONS_RIGHT
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("category", th.StringType),
        prop("frequency", th.StringType),
        prop("recurring", th.BooleanType),
    ).to_dict()


class SalaryBandsStream(PersonioV2Stream):
    """Pay ranges per job (and legal entity). Personio documents the endpoint, its paging and
    scope, but no item schema has been published: the columns follow the sandbox's reading."""

    name = "salary_bands"
    path = "/v2/salary-bands"
    primary_keys = ("id",)
    access_right = "personio:salary-bands:read (Salary bands: read)"
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        ref("job"),
        ref("legal_entity"),
        prop("interval", th.StringType),
        prop("minimum", AMOUNT),
        prop("midpoint", AMOUNT),
        prop("maximum", AMOUNT),
        *V2_TIMESTAMPS,
    ).to_dict()


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (before, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


class CompensationsStream(PersonioV2Stream):
    """Base salaries, hourly rates, bonuses and other pay valid in each month.

    Personio serves compensations one month at a time (``start_date``/``end_date``, at most a
    month) and has no update filter, so the first run reads month by month from ``start_date``
    (without one: the last 24 months) to this month, and every later run re-reads the last
    ``compensation_lookback_months`` months (and any months since the last complete run). A
    compensation valid in several months is emitted once per run.
    """

    name = "compensations"
    path = "/v2/compensations"
    primary_keys = ("id",)
    replication_key = "effective_from"  # incremental, so targets keep the months not re-read
    bookmark_keys = ("replication_key_value", MONTHS_STATE_KEY)
    replication_note = (
        "by month (`start_date`, `end_date`); the last `compensation_lookback_months` re-read"
    )
    access_right = COMPENSATIONS_RIGHT
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        ref("person"),
        ref("legal_entity"),
        prop("type", th.ObjectType(
            th.Property("id", th.StringType), th.Property("name", th.StringType),
            th.Property("category", th.StringType))),
        prop("amount", AMOUNT),
        prop("interval", th.StringType, "MONTHLY, YEARLY, HOURLY, ONE_TIME, ..."),
        prop("effective_from", th.DateType),
        prop("weekly_working_hours", th.NumberType),
        prop("full_time_weekly_working_hours", th.NumberType),
    ).to_dict()  # fmt: skip

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._month: date | None = None

    @override
    def incremental_since(self, context: Context | None) -> None:
        return None  # months, not a filter: see months()

    def months(self, today: date) -> list[date]:
        """The months this run reads, oldest first."""
        this_month = today.replace(day=1)
        read_until = self.stream_state.get(MONTHS_STATE_KEY)
        if read_until:
            first = min(date.fromisoformat(read_until), this_month)
            first = add_months(first, -int(self.config.get("compensation_lookback_months", 2)))
        elif self.config.get("start_date"):
            first = datetime.fromisoformat(str(self.config["start_date"])).date().replace(day=1)
        else:
            first = add_months(this_month, -DEFAULT_HISTORY_MONTHS)
            self.logger.info(
                "compensations: no start_date, so the first run reads the last %d months",
                DEFAULT_HISTORY_MONTHS,
            )
        months = [first]
        while months[-1] < this_month:
            months.append(add_months(months[-1], 1))
        return months

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        if self._month is not None and next_page_token is None:
            last_day = add_months(self._month, 1) - timedelta(days=1)
            params.update(start_date=self._month.isoformat(), end_date=last_day.isoformat())
        return params

    @override
    def request_records(self, context: Context | None) -> Iterable[dict]:
        this_month = datetime.now(UTC).date().replace(day=1)
        seen: set[str] = set()
        for month in self.months(this_month):
            self._month = month
            try:
                for record in super().request_records(context):
                    if record["id"] not in seen:
                        seen.add(record["id"])
                        yield record
            finally:
                self._month = None
        self.stream_state[MONTHS_STATE_KEY] = this_month.isoformat()
