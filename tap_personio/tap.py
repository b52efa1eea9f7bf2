"""TapPersonio: its settings and its streams."""

from __future__ import annotations

import io
import typing as t
from functools import cached_property
from urllib.parse import urlparse

import click
import pendulum
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.tap_base import CliTestOptionValue
from typing_extensions import override

from tap_personio import preview
from tap_personio.api import PersonioAPI
from tap_personio.inputs import check_catalog, check_state, config_file
from tap_personio.privacy import pseudonymize_catalog, unknown_fields
from tap_personio.streams import STREAMS
from tap_personio.streams.analytics import v2_report_streams
from tap_personio.streams.reports import report_streams

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream


class TapPersonio(Tap):
    """Singer tap for Personio."""

    name = "tap-personio"
    message_writer_class = MsgSpecWriter
    dynamic_catalog = True  # the employees schema comes from the credential's attributes

    config_jsonschema = th.PropertiesList(
        th.Property(
            "client_id",
            th.StringType,
            required=True,
            secret=True,
            title="Client ID",
            description="Client ID of a Personio API credential (Settings > Integrations > "
            "API credentials).",
        ),
        th.Property(
            "client_secret",
            th.StringType,
            required=True,
            secret=True,
            title="Client Secret",
            description="Client secret of the same credential. Never logged.",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            title="Start Date",
            description="Earliest date for time-based data, and the first bookmark of "
            "incremental streams (ISO 8601, e.g. 2024-01-01). Without it the first run reads "
            "everything.",
        ),
        th.Property(
            "api_url",
            th.StringType,
            default="https://api.personio.de",
            title="API URL",
            description="Base URL of Personio's API. Change it only to point the tap at a "
            "local Personio sandbox or a proxy.",
        ),
        th.Property(
            "app_id",
            th.StringType,
            default="TAP_PERSONIO",
            title="App ID",
            description="Sent as X-Personio-App-ID, as Personio asks integrations to "
            "(UPPER_SNAKE_CASE).",
        ),
        th.Property(
            "partner_id",
            th.StringType,
            title="Partner ID",
            description="Sent as X-Personio-Partner-ID when set (for Personio marketplace "
            "partners).",
        ),
        th.Property(
            "lookback_window_days",
            th.IntegerType,
            default=1,
            title="Lookback Window (days)",
            description="How many days before the bookmark each incremental run re-reads. "
            "Personio's update filters are coarse and their time zone undocumented; the "
            "re-read rows are upserted by primary key, so nothing is duplicated.",
        ),
        th.Property(
            "compensation_lookback_months",
            th.IntegerType,
            default=2,
            title="Compensation Lookback (months)",
            description="Months of compensations re-read on every run. Personio serves "
            "compensations one month at a time and has no update filter, so changes to older "
            "months are only seen by a full refresh.",
        ),
        th.Property(
            "emit_activate_version_messages",
            th.BooleanType,
            default=True,
            title="Emit ACTIVATE_VERSION",
            description="Let the target delete the rows Personio deleted: a stream read in full "
            "sends ACTIVATE_VERSION after its last record, and the target removes (or, with "
            "soft deletes, marks) every row the read did not bring. Targets without support "
            "ignore the message.",
        ),
        th.Property(
            "full_resync_days",
            th.IntegerType,
            default=7,
            title="Full Resync (days)",
            description="Days between full reads of an incremental stream, which remove rows "
            "deleted in Personio from the warehouse (its lists never report deletions). A full "
            "read costs what a first run costs; 0 turns them off.",
        ),
        th.Property(
            "max_requests_per_second",
            th.NumberType,
            title="Max Requests per Second",
            description="Optional cap on the request rate across all streams, below "
            "Personio's published limits, which the tap always respects.",
        ),
        th.Property(
            "request_timeout",
            th.IntegerType,
            default=60,
            title="Request Timeout (seconds)",
            description="Seconds to wait for one Personio response before retrying.",
        ),
        th.Property(
            "max_retries",
            th.IntegerType,
            default=8,
            title="Max Retries",
            description="Retries of a request that failed with 429, 5xx, a timeout or a "
            "dropped connection, with capped exponential backoff (about 4 minutes in all "
            "with the default). Personio's Retry-After and rate-limit headers are honoured.",
        ),
        th.Property(
            "pseudonymize_fields",
            th.ObjectType(additional_properties=th.ArrayType(th.StringType)),
            title="Pseudonymize Fields",
            description="Fields replaced by keyed HMAC-SHA256 digests (lowercase hex) before they "
            'are emitted, per stream, e.g. {"employees": ["email", "last_name"], "*": '
            '["email"]}; "*" names fields of every stream that has them. Digests are stable '
            "across runs and streams, so joins still work, and cannot be reversed without the "
            "key.",
        ),
        th.Property(
            "pseudonymize_key",
            th.StringType,
            secret=True,
            title="Pseudonymize Key",
            description="The secret key of the pseudonym digests. Required with "
            "pseudonymize_fields; never logged. Changing it changes every digest.",
        ),
        th.Property(
            "strict_mode",
            th.BooleanType,
            default=False,
            title="Strict Mode",
            description="Fail the sync when the credential may not read a selected stream. "
            "By default such a stream is skipped with a warning that names the Personio "
            "access right to grant.",
        ),
    ).to_dict()

    @classmethod
    @override
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> t.Any:
        for path in value:
            if path != "ENV":
                config_file(path)  # one line naming the file, not a traceback
        return super().cb_config(ctx, param, value)

    @classmethod
    @override
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        if value == CliTestOptionValue.All.value:
            ctx.meta[preview.FLAG] = True  # previewed by invoke, once --catalog is read
        else:
            super().cb_test(ctx, param, value)  # --test=schema, or no --test

    @classmethod
    @override
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: t.Any = None,
        state: t.IO[str] | None = None,
        catalog: t.IO[str] | None = None,
    ) -> None:
        names = {s.name for s in STREAMS}
        if catalog is not None:
            catalog = io.StringIO(check_catalog(catalog.name, catalog.read(), names))
        if state is not None:
            state = io.StringIO(check_state(state.name, state.read(), names))
        if not about and click.get_current_context().meta.get(preview.FLAG):
            preview.run(cls, config, catalog)  # --test: preview.py
            return
        super().invoke(
            about=about, about_format=about_format, config=config, state=state, catalog=catalog
        )

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        # Runs before discovery, so a bad api_url or start_date fails before any request.
        errors = super()._validate_config(raise_errors=raise_errors)
        problems = config_problems(self.config)
        if problems and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=problems)
        return errors + problems

    @override
    def setup_mapper(self) -> None:
        pseudonymize_catalog(self.input_catalog, self.config)
        super().setup_mapper()

    @cached_property
    def api(self) -> PersonioAPI:
        """The connection, tokens and limits all streams of this run share."""
        return PersonioAPI(self.config, self.logger)

    @override
    def discover_streams(self) -> list[Stream]:
        streams: list[Stream] = [stream_class(self) for stream_class in STREAMS]
        streams += report_streams(self, taken={s.name for s in streams})
        streams += v2_report_streams(self, taken={s.name for s in streams})
        problems = unknown_fields(self.config, {s.name: s.schema for s in streams})
        if problems:
            raise ConfigValidationError("Config validation failed", errors=problems)
        return streams


def config_problems(config: t.Mapping[str, t.Any]) -> list[str]:
    """What the JSON schema cannot say about a config: each problem with its fix."""
    problems = [
        f"{key} is empty: set it to the value from Personio (Settings > Integrations > API "
        "credentials)."
        for key in ("client_id", "client_secret")
        if key in config and not str(config[key]).strip()
    ]
    if config.get("start_date"):
        try:
            pendulum.parse(str(config["start_date"]))
        except (ValueError, pendulum.parsing.exceptions.ParserError):
            problems.append(
                f"start_date {config['start_date']!r} is not a date: use ISO 8601, "
                "e.g. 2024-01-01 or 2024-01-01T00:00:00Z."
            )
    url = urlparse(str(config.get("api_url") or "https://api.personio.de"))
    if url.scheme not in {"http", "https"} or not url.netloc:
        problems.append(
            f"api_url {config.get('api_url')!r} is not a URL: use https://api.personio.de "
            "or your sandbox's http://host:port."
        )
    for key in ("lookback_window_days", "compensation_lookback_months", "request_timeout",
                "max_retries", "full_resync_days"):  # fmt: skip
        if isinstance(config.get(key), int) and config[key] < 0:
            problems.append(f"{key} must not be negative.")
    if config.get("pseudonymize_fields") and not config.get("pseudonymize_key"):
        problems.append(
            "pseudonymize_fields is set but pseudonymize_key is not: set a secret key, or the "
            "fields would be hashed without one."
        )
    if (rate := config.get("max_requests_per_second")) is not None and rate <= 0:
        problems.append("max_requests_per_second must be greater than 0; leave it unset for none.")
    return problems


if __name__ == "__main__":
    TapPersonio.cli()
