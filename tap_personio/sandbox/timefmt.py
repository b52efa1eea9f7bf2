"""Time zone and timestamp formats of the sandbox company.

The company sits in Europe/Berlin. The EU daylight-saving rule is computed here instead of
through `zoneinfo`, so the sandbox does not depend on the host having tz data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

#: The sandbox's fixed "now": every generated timestamp lies before it.
SANDBOX_NOW = datetime(2026, 11, 26, 8, 0, 0, tzinfo=UTC)


def _last_sunday(year: int, month: int) -> date:
    """Last Sunday of a month (EU DST switches on those days at 01:00 UTC)."""
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def berlin_offset(moment: datetime) -> timedelta:
    """UTC offset of Europe/Berlin at an aware instant (+1 h in winter, +2 h in summer)."""
    utc = moment.astimezone(UTC)
    start = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time(), UTC)
    end = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time(), UTC)
    summer = start + timedelta(hours=1) <= utc < end + timedelta(hours=1)
    return timedelta(hours=2 if summer else 1)


def _offset_text(offset: timedelta, colon: bool) -> str:
    hours = int(offset.total_seconds()) // 3600
    return f"+{hours:02d}:00" if colon else f"+{hours:02d}00"


def berlin_timestamp(moment: datetime, colon: bool = True) -> str:
    """Personio v1 style: local Berlin time with offset, `+01:00` or (colon=False) `+0100`."""
    offset = berlin_offset(moment)
    local = (moment.astimezone(UTC) + offset).replace(tzinfo=None)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + _offset_text(offset, colon)


def berlin_midnight(day: date, colon: bool = True) -> str:
    """A calendar date as Personio v1 sends it: local midnight with offset."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return day.isoformat() + "T00:00:00" + _offset_text(berlin_offset(noon), colon)


def utc_timestamp(moment: datetime) -> str:
    """Personio v2 style: UTC with a `Z` suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def berlin_local(naive: datetime) -> datetime:
    """Interpret a naive local Berlin time as an aware instant."""
    guess = naive.replace(tzinfo=UTC) - timedelta(hours=1)
    return naive.replace(tzinfo=UTC) - berlin_offset(guess)
