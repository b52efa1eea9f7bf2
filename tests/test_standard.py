"""The SDK's standard tap tests against the sandbox, plus a primary-key test that sees duplicates.

The SDK's own primary-key test compares generator objects, so it never finds a duplicate key;
``StrictPrimaryKeysTest`` compares the key values themselves.
"""

from __future__ import annotations

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.templates import StreamTestTemplate

from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import select, tap_config


def assert_unique_primary_keys(records: list[dict], primary_keys: tuple[str, ...]) -> None:
    keys = [tuple(record.get(k) for k in primary_keys) for record in records]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates, f"duplicate primary keys: {sorted(duplicates)[:5]}"
    assert all(None not in key for key in keys), "a primary key value is null"


class StrictPrimaryKeysTest(StreamTestTemplate):
    """Every record's primary key is present, non-null and unique within the sync."""

    name = "strict_primary_keys"

    def test(self) -> None:
        assert self.stream.primary_keys, f"{self.stream.name} declares no primary key"
        assert_unique_primary_keys(self.stream_records, tuple(self.stream.primary_keys))


# Discovery runs when the test class is built, so the sandbox has to be up at import time.
SANDBOX = Sandbox(employees=120, seed=2, custom_attributes=16, rate_limits=False).start()

CONFIG = tap_config(SANDBOX, start_date="2015-01-01T00:00:00Z")
# Every stream selected, those not selected by default too, so that every stream is tested
# (the declared ones and one per custom report).
DISCOVERED = TapPersonio(config=CONFIG).catalog_dict
CATALOG = select(DISCOVERED, tuple(entry["tap_stream_id"] for entry in DISCOVERED["streams"]))

TestTapPersonio = get_tap_test_class(
    TapPersonio,
    config=CONFIG,
    catalog=CATALOG,
    custom_suites=[SingerTestSuite(kind="tap_stream", tests=[StrictPrimaryKeysTest])],
    suite_config=SuiteConfig(max_records_limit=500),
)


@pytest.fixture(scope="module", autouse=True)
def _stop_sandbox():
    yield
    SANDBOX.stop()


def test_the_strict_primary_key_check_fails_on_a_duplicate():
    with pytest.raises(AssertionError, match="duplicate primary keys"):
        assert_unique_primary_keys([{"id": 1}, {"id": 2}, {"id": 1}], ("id",))


def test_the_strict_primary_key_check_fails_on_a_null_key():
    with pytest.raises(AssertionError, match="null"):
        assert_unique_primary_keys([{"id": 1}, {"id": None}], ("id",))
