"""The three paging dialects, on answers shaped like Personio's."""

from __future__ import annotations

import json

import pytest
import requests

from tap_personio.errors import PersonioError
from tap_personio.pagination import (
    MAX_REPEATS,
    V1OffsetPaginator,
    V1PagePaginator,
    V2CursorPaginator,
    is_reread,
)
from tap_personio.sandbox import Sandbox
from tap_personio.tap import TapPersonio
from tests.conftest import tap_config

BASE = "http://127.0.0.1:8765"


def page(body: object) -> requests.Response:
    r = requests.Response()
    r.status_code = 200
    r._content = json.dumps(body).encode()
    return r


def v1(rows: int, **metadata: int) -> requests.Response:
    return page({"success": True, "data": [{}] * rows, "metadata": metadata})


def v2(rows: int, next_href: str | None) -> requests.Response:
    links = {"self": {"href": f"{BASE}/v2/persons"}}
    if next_href:
        links["next"] = {"href": next_href}
    return page({"_data": [{}] * rows, "_meta": {"links": links}})


def walk(paginator, responses):
    values = [paginator.current_value]
    for response in responses:
        paginator.advance(response)
        if paginator.finished:
            break
        values.append(paginator.current_value)
    return values


def test_offset_advances_by_rows_returned_when_the_server_clamps_the_page():
    # Asked for 200, served 100: the next offset is 100, so no row is skipped.
    paginator = V1OffsetPaginator()
    values = walk(
        paginator,
        [v1(100, total_elements=250), v1(100, total_elements=250), v1(50, total_elements=250)],
    )
    assert values == [0, 100, 200]
    assert paginator.finished


def test_offset_stops_at_total_without_asking_for_an_empty_page():
    paginator = V1OffsetPaginator()
    walk(paginator, [v1(100, total_elements=200), v1(100, total_elements=200)])
    assert paginator.finished
    assert paginator.count == 2


def test_offset_without_metadata_stops_on_an_empty_page():
    paginator = V1OffsetPaginator()
    assert walk(paginator, [v1(3), v1(3), v1(0)]) == [0, 3, 6]
    assert paginator.finished


def test_page_numbers_start_at_one_and_stop_at_total_pages():
    paginator = V1PagePaginator()
    assert walk(
        paginator, [v1(200, total_pages=3), v1(200, total_pages=3), v1(10, total_pages=3)]
    ) == [1, 2, 3]
    assert paginator.finished


def test_cursor_follows_next_links_and_stops_when_absent():
    paginator = V2CursorPaginator(BASE)
    walk(paginator, [v2(10, f"{BASE}/v2/persons?cursor=a"), v2(10, None)])
    assert paginator.finished
    assert paginator.count == 2


def test_cursor_resolves_relative_links_against_the_api_url():
    paginator = V2CursorPaginator(BASE)
    paginator.advance(v2(10, "/v2/attendance-periods?cursor=b"))
    assert paginator.current_value.geturl() == f"{BASE}/v2/attendance-periods?cursor=b"


def test_cursor_stops_on_an_empty_page_even_with_a_next_link():
    paginator = V2CursorPaginator(BASE)
    paginator.advance(v2(0, f"{BASE}/v2/persons?cursor=c"))
    assert paginator.finished


def test_a_repeated_cursor_is_read_again_marked_as_a_reread():
    paginator = V2CursorPaginator(BASE)
    paginator.advance(v2(10, f"{BASE}/v2/persons?cursor=a"))
    paginator.advance(v2(10, f"{BASE}/v2/persons?cursor=a"))  # Personio repeats the cursor
    again = paginator.current_value.geturl()
    assert again == f"{BASE}/v2/persons?cursor=a#reread1"
    reread = v2(10, f"{BASE}/v2/persons?cursor=b")
    reread.request = requests.Request("GET", again).prepare()
    assert is_reread(reread)
    assert paginator.continue_if_empty(reread)
    paginator.advance(reread)
    assert paginator.current_value.geturl() == f"{BASE}/v2/persons?cursor=b"


def test_a_cursor_that_keeps_coming_back_is_an_error_not_a_loop():
    paginator = V2CursorPaginator(BASE)
    paginator.advance(v2(10, f"{BASE}/v2/persons?cursor=a"))
    for _ in range(MAX_REPEATS):
        paginator.advance(v2(10, f"{BASE}/v2/persons?cursor=a"))
    with pytest.raises(PersonioError, match="repeated a page cursor"):
        paginator.advance(v2(10, f"{BASE}/v2/persons?cursor=a"))


def test_a_next_link_to_another_host_is_refused():
    paginator = V2CursorPaginator(BASE)
    with pytest.raises(PersonioError, match="not at the configured api_url"):
        paginator.advance(v2(10, "https://elsewhere.example/v2/persons?cursor=a"))


class FakePages:
    """A v1 offset endpoint of ``total`` rows that serves the page sizes it is told to."""

    def __init__(self, total: int, sizes: dict[int, int]) -> None:
        self.total, self.sizes, self.asked = total, sizes, []

    def __call__(self, offset: int) -> requests.Response:
        self.asked.append(offset)
        rows = min(self.sizes.get(offset, 100), self.total - offset)
        data = [{"id": i} for i in range(offset, offset + rows)]
        return page({"success": True, "data": data, "metadata": {"total_elements": self.total}})


@pytest.fixture
def offset_stream(monkeypatch):
    with Sandbox(employees=3, seed=1, rate_limits=False) as sb:
        stream = TapPersonio(config=tap_config(sb), validate_config=True).streams["employees"]
    monkeypatch.setattr(stream, "parse_page", lambda body: body["data"])
    return stream


def test_prefetched_pages_keep_every_row_once_in_order_when_a_page_comes_back_short(
    offset_stream, monkeypatch
):
    pages = FakePages(total=450, sizes={100: 60})  # the second page is short
    monkeypatch.setattr(offset_stream, "page_fetcher", lambda context: pages)
    ids = [record["id"] for record in offset_stream.request_records(None)]
    assert ids == list(range(450))
    # 200 was fetched early on the guess that page two was full, and dropped; the walk went on
    # from 160, where the rows really ended.
    assert {0, 100, 160, 200} <= set(pages.asked)


def test_prefetching_never_asks_past_the_total(offset_stream, monkeypatch):
    pages = FakePages(total=1000, sizes={})
    monkeypatch.setattr(offset_stream, "page_fetcher", lambda context: pages)
    assert len(list(offset_stream.request_records(None))) == 1000
    assert sorted(pages.asked) == list(range(0, 1000, 100))
