"""v1 pages fetched ahead of the walk, within the rate limiter.

Personio's latency, not its rate limit, bounds a one-page-at-a-time walk. v1 offsets and page
numbers are predictable, so the pages the paginator will most likely ask for next are fetched
early. The walk itself still follows the rows that really came back: a page fetched at a
position the walk does not reach is dropped.
"""

from __future__ import annotations

import typing as t
from concurrent.futures import Future, ThreadPoolExecutor

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    import requests
    from singer_sdk.helpers.types import Context

    from tap_personio.client import PersonioStream
    from tap_personio.pagination import V1OffsetPaginator, V1PagePaginator


def prefetched(
    stream: PersonioStream,
    context: Context | None,
    paginator: V1OffsetPaginator | V1PagePaginator,
    ahead: int,
) -> Iterator[dict]:
    """The stream's records, page after page, with the next ``ahead`` pages on their way."""
    fetch = stream.page_fetcher(context)
    early: dict[int, Future[requests.Response]] = {}
    with (
        stream.get_http_request_counter() as counter,
        ThreadPoolExecutor(ahead, thread_name_prefix=stream.name) as pool,
    ):
        counter.with_context(context)
        try:
            while not paginator.finished:
                token = paginator.current_value
                on_its_way = early.pop(token, None)
                response = on_its_way.result() if on_its_way else fetch(token)
                counter.increment()
                yield from stream.parse_response(response)
                paginator.advance(response)
                if paginator.finished:
                    break
                # The next page is fetched right here; the ones after it, by the pool.
                for pages in range(1, ahead + 1):
                    guess = paginator.ahead(pages)
                    if guess is not None and guess not in early:
                        early[guess] = pool.submit(fetch, guess)
        finally:
            for future in early.values():
                future.cancel()
