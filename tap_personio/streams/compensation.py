"""Compensation: the types of pay Personio records (compensations themselves come by month)."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_personio.client import PersonioV2Stream
from tap_personio.streams.fields import V2_TIMESTAMPS, key, prop, ref

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
