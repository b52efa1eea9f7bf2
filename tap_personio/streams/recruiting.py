"""Recruiting (v2, beta): candidates, applications and their stage transitions, jobs and
categories. Candidates and applications are applicants' personal data: not selected by default."""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th
from typing_extensions import override

from tap_personio.children import PersonioChildStream
from tap_personio.client import PersonioV2Stream
from tap_personio.streams.fields import key, prop, ref

RECRUITING_RIGHT = "personio:recruiting:read (Recruiting: read)"
NAMED = th.ObjectType(th.Property("id", th.StringType), th.Property("name", th.StringType))
STAGE = th.ObjectType(
    th.Property("id", th.StringType),
    th.Property("name", th.StringType),
    th.Property("type", th.StringType),
    th.Property("kind", th.StringType),
)
TEAM = th.ArrayType(
    th.ObjectType(
        th.Property("person", th.ObjectType(th.Property("id", th.StringType))),
        th.Property("role", th.ObjectType(th.Property("name", th.StringType))),
    )
)
TIMESTAMPS = (
    prop("created_at", th.DateTimeType, "UTC"),
    prop("updated_at", th.DateTimeType, "UTC"),
)


class RecruitingStream(PersonioV2Stream):
    """A recruiting endpoint: beta, a feature of its own, newest updated first, and instants
    written as ``{"date-time": ..., "timezone": ...}`` objects, emitted as ISO 8601 instants."""

    beta = True
    feature = "recruiting (beta)"
    access_right = RECRUITING_RIGHT
    page_size = 200
    selected_by_default = False

    @override
    def preprocess(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        for name, value in record.items():
            if isinstance(value, dict) and "date-time" in value:
                record[name] = value["date-time"]
        return record


class RecruitingCandidatesStream(RecruitingStream):
    """Candidates (applicants' personal data).

    Incremental on ``updated_at`` through ``updated_at.gt``; the list is newest first, so the
    bookmark advances only at the end of a run.
    """

    name = "recruiting_candidates"
    path = "/v2/recruiting/candidates"
    primary_keys = ("id",)
    replication_key = "updated_at"
    filter_param = "updated_at.gt"
    schema = th.PropertiesList(
        key("id"),
        prop("first_name", th.StringType),
        prop("last_name", th.StringType),
        prop("email", th.StringType),
        prop("gender", th.StringType),
        prop("phone", th.StringType),
        prop("location", th.StringType),
        prop("birthday", th.DateType),
        prop("linkedin_profile", th.StringType),
        prop("available_from", th.DateType),
        prop("applications", th.ArrayType(th.ObjectType(
            th.Property("id", th.StringType), th.Property("application_date", th.DateType)))),
        *TIMESTAMPS,
    ).to_dict()  # fmt: skip


class RecruitingApplicationsStream(RecruitingStream):
    """Applications, with the candidate, the job and the current stage.

    Incremental on ``updated_at`` through ``updated_at.gt``; newest first, so the bookmark
    advances only at the end of a run.
    """

    name = "recruiting_applications"
    path = "/v2/recruiting/applications"
    primary_keys = ("id",)
    replication_key = "updated_at"
    filter_param = "updated_at.gt"
    schema = th.PropertiesList(
        key("id"),
        prop("application_date", th.DateType),
        prop("candidate", th.ObjectType(
            th.Property("id", th.StringType), th.Property("email", th.StringType),
            th.Property("first_name", th.StringType), th.Property("last_name", th.StringType),
            th.Property("gender", th.StringType))),
        prop("job", th.ObjectType(
            th.Property("id", th.StringType), th.Property("name", th.StringType),
            th.Property("department", NAMED), th.Property("category", NAMED))),
        prop("current_stage", STAGE),
        prop("channel", NAMED),
        prop("hiring_team", TEAM),
        prop("is_anonymized", th.BooleanType),
        *TIMESTAMPS,
    ).to_dict()  # fmt: skip


class RecruitingStageTransitionsStream(PersonioChildStream, RecruitingStream):
    """When each application entered each stage, one request per application changed since the
    stream's bookmark."""

    name = "recruiting_application_stage_transitions"
    path = "/v2/recruiting/applications/{application_id}/stage-transitions"
    primary_keys = ("application_id", "entered_at", "stage_id")
    replication_key = "application_updated_at"
    parent = RecruitingApplicationsStream
    parent_key = "application_id"
    parent_fields = {"application_updated_at": "updated_at"}  # noqa: RUF012
    feature = ""  # a 404 here means the application is gone, not the feature
    schema = th.PropertiesList(
        key("application_id"),
        key("entered_at", th.DateTimeType),
        key("stage_id"),
        prop("stage", STAGE),
        prop("application_updated_at", th.DateTimeType, "updated_at of the application"),
    ).to_dict()

    @override
    def preprocess(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        record = super().preprocess(record)
        stage = record.get("stage")
        record["stage_id"] = stage.get("id") if isinstance(stage, dict) else None
        return record


class RecruitingJobsStream(RecruitingStream):
    """Open and past job postings of recruiting (not the job catalogue of ``jobs``).

    Incremental on ``updated_at`` through ``updated_at.gt``, newest first.
    """

    name = "recruiting_jobs"
    path = "/v2/recruiting/jobs"
    primary_keys = ("id",)
    selected_by_default = True
    replication_key = "updated_at"
    filter_param = "updated_at.gt"
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("department", NAMED),
        prop("category", NAMED),
        prop("hiring_team", TEAM),
        ref("company"),
        *TIMESTAMPS,
    ).to_dict()


class RecruitingCategoriesStream(RecruitingStream):
    """Recruiting categories and their stages."""

    name = "recruiting_categories"
    path = "/v2/recruiting/categories"
    primary_keys = ("id",)
    selected_by_default = True
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("stages", th.ArrayType(STAGE)),
        ref("company"),
    ).to_dict()
