"""Personio's three paging dialects.

None of them trusts the requested page size: Personio clamps it silently (v1 employees answer at
most 100 rows whatever ``limit`` says), so offsets advance by what actually came back. A position
that does not move is an error rather than an endless loop.
"""

from __future__ import annotations

import typing as t
from urllib.parse import urljoin, urlparse

import msgspec
from singer_sdk.pagination import BaseAPIPaginator, BaseHATEOASPaginator, PageNumberPaginator
from typing_extensions import override

from tap_personio.errors import PersonioError

if t.TYPE_CHECKING:
    import requests


def page_body(response: requests.Response) -> t.Any:
    """The decoded JSON body of a page, decoded once: the paginator and the parser both read it,
    and decoding is a large share of the tap's own time on big pages."""
    cache = response.__dict__
    if "_page_body" not in cache:
        try:
            cache["_page_body"] = msgspec.json.decode(response.content)
        except msgspec.DecodeError as exc:
            raise ValueError(f"the answer is not valid JSON ({exc})") from None
    return cache["_page_body"]


def page_items(body: t.Any) -> list[dict[str, t.Any]]:
    """The items of a decoded page (v2 ``_data``, v1 ``data``), v1's ``{"type", "attributes"}``
    wrapper opened so that an item's fields sit at the top level."""
    data = body.get("_data", body.get("data")) if isinstance(body, dict) else body
    if isinstance(data, dict):  # a single object, or v1's columns list
        data = [data]
    items = []
    for item in data or []:
        if not isinstance(item, dict):
            continue
        inner = item.get("attributes")
        if isinstance(inner, dict):
            item = {**{k: v for k, v in item.items() if k not in ("type", "attributes")}, **inner}
        items.append(item)
    return items


def _v1_page(response: requests.Response) -> tuple[int, dict[str, t.Any]]:
    """Rows on a v1 page and its ``metadata`` block."""
    body = page_body(response)
    data = body.get("data") if isinstance(body, dict) else None
    metadata = body.get("metadata") if isinstance(body, dict) else None
    return len(data or []), metadata if isinstance(metadata, dict) else {}


class V1OffsetPaginator(BaseAPIPaginator[int]):
    """v1 record offset (employees): ``offset`` is the index of the first row, from 0."""

    def __init__(self) -> None:
        super().__init__(0)
        self._rows = 0
        self._total: int | None = None

    @override
    def get_next(self, response: requests.Response) -> int | None:
        self._rows, metadata = _v1_page(response)
        if self._rows == 0:
            return None
        offset = self.current_value + self._rows
        total = metadata.get("total_elements")
        # total_elements saves the request for an empty last page; it may change between pages
        # of an updated_since walk, so the latest figure is the one that counts.
        self._total = total if isinstance(total, int) else None
        if self._total is not None and offset >= self._total:
            return None
        return offset

    def ahead(self, pages: int) -> int | None:
        """The offset ``pages`` pages after the current one, should every page be as full as the
        last; None past the end. A guess to fetch early: the walk itself follows real rows."""
        offset = self.current_value + pages * self._rows
        return None if self._total is not None and offset >= self._total else offset


class V1PagePaginator(PageNumberPaginator):
    """v1 page number from 1 (time-offs, absence periods, custom reports)."""

    def __init__(self) -> None:
        super().__init__(1)
        self._total_pages: int | None = None

    @override
    def has_more(self, response: requests.Response) -> bool:
        rows, metadata = _v1_page(response)
        total_pages = metadata.get("total_pages")
        self._total_pages = total_pages if isinstance(total_pages, int) else None
        if rows == 0:
            return False
        return not (self._total_pages is not None and self.current_value >= self._total_pages)

    def ahead(self, pages: int) -> int | None:
        """The page number ``pages`` after the current one; None past the last page."""
        page = self.current_value + pages
        return None if self._total_pages is not None and page > self._total_pages else page


#: How often one page cursor may come back before the walk is called a loop.
MAX_REPEATS = 3
#: The fragment that marks a page asked for again (never sent: fragments stay on the client).
REREAD = "reread"


def is_reread(response: requests.Response) -> bool:
    """Whether this page was asked for again after its cursor came back: its rows were read."""
    request = response.request
    return request is not None and urlparse(request.url or "").fragment.startswith(REREAD)


class V2CursorPaginator(BaseHATEOASPaginator):
    """v2 cursor: follow ``_meta.links.next.href`` until it is absent.

    Relative links are resolved against the configured base URL; a link to another host is
    refused, so a token is never sent anywhere but the configured API. A link seen before (a
    cursor Personio repeated) is followed again, up to ``MAX_REPEATS`` times, and its rows,
    read already, are dropped (``is_reread``); beyond that the server is looping.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base_url = base_url.rstrip("/") + "/"
        self._origin = urlparse(self._base_url)[:2]
        self._seen: set[str] = set()
        self._repeats = 0

    @override
    def get_next_url(self, response: requests.Response) -> str | None:
        body = page_body(response)
        meta = body.get("_meta") or body.get("meta") or {}
        href = ((meta.get("links") or {}).get("next") or {}).get("href")
        data = body.get("_data", body.get("data"))
        if not href or not (data or is_reread(response)):
            return None
        url = urljoin(self._base_url, href)
        if urlparse(url)[:2] != self._origin:
            raise PersonioError(
                f"Personio's next-page link points at {urlparse(url).netloc}, not at the "
                "configured api_url; refusing to follow it."
            )
        if url not in self._seen:
            self._seen.add(url)
            return url
        self._repeats += 1
        if self._repeats > MAX_REPEATS:
            raise PersonioError(
                f"Personio repeated a page cursor on {urlparse(url).path} {self._repeats} times; "
                "stopping instead of reading the same page forever. Re-run the sync; report it "
                "to Personio if it persists."
            )
        return f"{url}#{REREAD}{self._repeats}"

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        return is_reread(response)
