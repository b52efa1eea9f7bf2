"""The organisation: legal entities, departments and teams, cost centers, workplaces, the job
catalogue, projects and their members, and document categories and documents."""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th
from typing_extensions import override

from tap_personio.children import PersonioChildStream
from tap_personio.client import PersonioV1Stream, PersonioV2Stream
from tap_personio.streams.fields import V2_TIMESTAMPS, key, prop, ref
from tap_personio.streams.people import PERSONS_RIGHT, PersonsStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

NAMED = th.PropertiesList(key("id"), prop("name", th.StringType)).to_dict()


class LegalEntitiesStream(PersonioV2Stream):
    """Legal entities (newest first); a company without the feature answers 412."""

    name = "legal_entities"
    path = "/v2/legal-entities"
    primary_keys = ("id",)
    access_right = "personio:legal-entities:read (Legal entities: read)"
    feature = "legal entities"
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("country", th.StringType, "ISO 3166-1 alpha-2"),
        *V2_TIMESTAMPS,
    ).to_dict()


class OrgUnitsStream(PersonioV2Stream):
    """Departments and teams (beta list), one pass per ``type``; ``parent_id`` links a unit to
    its parent department."""

    name = "org_units"
    path = "/v2/org-units"
    primary_keys = ("type", "id")
    access_right = "personio:org-units:read (Org units: read)"
    beta = True
    feature = "org units (beta)"
    page_size = 100
    partitions = [{"type": "department"}, {"type": "team"}]  # noqa: RUF012
    state_partitioning_keys = ()
    schema = th.PropertiesList(
        key("type", description="department or team"),
        key("id"),
        prop("name", th.StringType),
        prop("abbreviation", th.StringType),
        prop("description", th.StringType),
        prop("parent_id", th.StringType, "The parent department"),
        prop("resource_uri", th.StringType),
        prop("create_time", th.DateTimeType),
    ).to_dict()

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        return {**super().get_url_params(context, next_page_token), "type": (context or {})["type"]}


class CostCentersStream(PersonioV2Stream):
    """Cost centers (beta; 404 without ``Beta: true``)."""

    name = "cost_centers"
    path = "/v2/cost-centers"
    primary_keys = ("id",)
    access_right = "personio:cost-centers:read (Cost centers: read)"
    beta = True
    feature = "cost centers (beta)"
    page_size = 100  # the maximum is undocumented; 100 is every v2 list's default
    schema = NAMED


class WorkplacesStream(PersonioV2Stream):
    """Workplaces, formerly offices (beta)."""

    name = "workplaces"
    path = "/v2/workplaces"
    primary_keys = ("id",)
    access_right = "personio:workplaces:read (Workplaces: read)"
    beta = True
    feature = "workplaces (beta)"
    page_size = 100  # the maximum is undocumented; 100 is every v2 list's default
    schema = NAMED


class JobsStream(PersonioV2Stream):
    """The job catalogue (the ``job`` of employments)."""

    name = "jobs"
    path = "/v2/jobs"
    primary_keys = ("id",)
    access_right = "personio:jobs:read (Jobs: read)"
    page_size = 100
    schema = th.PropertiesList(key("id"), prop("name", th.StringType), *V2_TIMESTAMPS).to_dict()


class ProjectsStream(PersonioV2Stream):
    """Projects that attendance periods are tracked on (successor of v1 projects)."""

    name = "projects"
    path = "/v2/projects"
    primary_keys = ("id",)
    access_right = "personio:projects:read (Projects: read)"
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("name", th.StringType),
        prop("status", th.StringType, "ACTIVE or INACTIVE"),
        prop("project_code", th.StringType),
        prop("description", th.StringType),
        ref("cost_center"),
        prop("assigned_to_all", th.BooleanType),
        ref("parent_project"),
        prop("start", th.ObjectType(th.Property("date", th.DateType))),
        prop("end", th.ObjectType(th.Property("date", th.DateType)), "Exclusive"),
        prop("billable", th.BooleanType),
        prop("client_name", th.StringType),
        *V2_TIMESTAMPS,
    ).to_dict()


class ProjectMembersStream(PersonioChildStream, PersonioV2Stream):
    """Who may track time on each project, one request per project."""

    name = "project_members"
    path = "/v2/projects/{project_id}/members"
    primary_keys = ("project_id", "person_id")
    parent = ProjectsStream
    parent_key = "project_id"
    selected_by_default = True  # one request per project: projects are few
    access_right = ProjectsStream.access_right
    page_size = 100
    schema = th.PropertiesList(key("project_id"), key("person_id")).to_dict()

    @override
    def preprocess(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        return {"person_id": record.get("id")}


class DocumentCategoriesStream(PersonioV1Stream):
    """Categories of employee documents."""

    name = "document_categories"
    path = "/v1/company/document-categories"
    primary_keys = ("id",)
    access_right = "Documents: read"
    schema = th.PropertiesList(key("id", th.IntegerType), prop("name", th.StringType)).to_dict()


class DocumentsStream(PersonioChildStream, PersonioV2Stream):
    """Document metadata (never the file), one request per person, as Personio lists documents
    per owner only.

    Incremental on ``created_at`` through ``created_at.gte``, which takes a date: each run
    re-reads the bookmark's day, plus ``lookback_window_days``.
    """

    name = "documents"
    path = "/v2/document-management/documents"
    primary_keys = ("id",)
    replication_key = "created_at"
    filter_param = "created_at.gte"
    filter_format = "%Y-%m-%d"
    parent = PersonsStream
    parent_key = "person_id"
    parent_param = "owner_id"
    access_right = f"personio:documents:read (Documents: read), and {PERSONS_RIGHT}"
    page_size = 100
    schema = th.PropertiesList(
        key("id"),
        prop("person_id", th.StringType, "The owner"),
        prop("name", th.StringType),
        prop("date", th.DateType),
        prop("comment", th.StringType),
        ref("category", "A document category (document_categories.id)"),
        ref("owner"),
        prop("document_type", th.StringType),
        prop("size", th.IntegerType, "Bytes"),
        prop("created_at", th.DateTimeType),
        prop("virus_scan", th.ObjectType(th.Property("status", th.StringType))),
        prop("esignature", th.ObjectType(th.Property("status", th.StringType))),
    ).to_dict()
