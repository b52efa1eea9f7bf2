"""How fast the tap moves employees, and what its speed choices buy.

Run with ``make bench``. It syncs a sandbox company in-process, writing Singer messages to
/dev/null. The sandbox serves from its own threads, so the CPU time of the syncing thread is the
tap's own cost per record. It is printed for the tap as shipped and for the SDK's defaults (JSON
writer, recursive type conformance), each the median of three runs in this one process, with
the tap's proactive limiter lifted so that only work is measured; compare the ratio, not the
absolute figures, across machines. A run as users run it, limiter on and the sandbox enforcing
Personio's limits, shows the throughput against Personio's published ceiling. A last pair of
runs adds Personio-like latency and compares one page at a time with fetching pages ahead.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections.abc import Iterator

from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.io_base import SingerWriter

from tap_personio.sandbox import Sandbox
from tap_personio.streams.people import EmployeesStream
from tap_personio.tap import TapPersonio


@contextlib.contextmanager
def discard_stdout() -> Iterator[None]:
    with open("/dev/null", "wb") as sink:
        wrapper = io.TextIOWrapper(sink)
        with contextlib.redirect_stdout(wrapper):
            yield
        wrapper.detach()


def sync(config: dict, *, limiter: bool) -> tuple[float, float]:
    """Wall seconds and the syncing thread's CPU seconds for one employees sync."""
    tap = TapPersonio(config=config, validate_config=True)
    if not limiter:
        for bucket in ("v1", "v1:employees"):
            tap.api.limiter.configure(bucket, rate=1e9, capacity=1e9)
    stream = tap.streams["employees"]
    wall, cpu = time.perf_counter(), time.thread_time()
    with discard_stdout():
        stream.sync()
    return time.perf_counter() - wall, time.thread_time() - cpu


def cpu_per_record(config: dict, employees: int, runs: int = 3) -> float:
    """Median CPU microseconds per record of the syncing thread."""
    return statistics.median(sync(config, limiter=False)[1] for _ in range(runs)) / employees * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--custom-attributes", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per response")
    args = parser.parse_args()

    with Sandbox(
        employees=args.employees,
        seed=1,
        custom_attributes=args.custom_attributes,
        rate_limits=False,
    ) as sandbox:
        config = {
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
            "api_url": sandbox.url,
        }
        shipped = cpu_per_record(config, args.employees)

        writer, level = TapPersonio.message_writer_class, EmployeesStream.TYPE_CONFORMANCE_LEVEL
        TapPersonio.message_writer_class = SingerWriter  # type: ignore[assignment]
        EmployeesStream.TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.RECURSIVE
        try:
            defaults = cpu_per_record(config, args.employees)
        finally:
            TapPersonio.message_writer_class = writer
            EmployeesStream.TYPE_CONFORMANCE_LEVEL = level

        sandbox.set_rate_limits(True)
        sandbox.clear_requests()
        limited, _ = sync(config, limiter=True)
        pages = sandbox.count(path="/v1/company/employees")
        throttled = sandbox.count(status=429)

        # Personio answers a page of employees in a few hundred milliseconds, not in the
        # sandbox's few; with that latency, fetching pages ahead is what the wall clock sees.
        sandbox.inject("latency", seconds=args.latency)
        sandbox.set_rate_limits(False)
        shipped_ahead = EmployeesStream.prefetch_pages
        try:
            EmployeesStream.prefetch_pages = 0
            sequential, _ = sync(config, limiter=True)
        finally:
            EmployeesStream.prefetch_pages = shipped_ahead
        ahead, _ = sync(config, limiter=True)
        sandbox.clear_faults()

    ceiling = 300 * 100 / 60  # Personio: 300 employee pages a minute of at most 100 rows
    print(f"employees: {args.employees:,}, custom attributes: {args.custom_attributes}")
    print(f"tap CPU per record, as shipped (msgspec writer, no re-conformance): {shipped:,.0f} us")
    print(
        f"tap CPU per record, SDK defaults (JSON writer, recursive conform.):  {defaults:,.0f} us"
    )
    print(f"speed-up of the shipped choices: {defaults / shipped:.2f}x")
    print(
        f"with Personio's rate limits: {args.employees / limited:,.0f} records/s over {pages} "
        f"pages, {throttled} answered 429; published ceiling {ceiling:,.0f} records/s"
    )
    print(
        f"with {args.latency * 1000:.0f} ms per response: one page at a time {sequential:.1f} s, "
        f"{shipped_ahead} pages ahead {ahead:.1f} s, speed-up {sequential / ahead:.2f}x"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
