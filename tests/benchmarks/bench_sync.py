"""A full sync of every stream (per-parent and report streams too) against the sandbox, with
Personio's rate limits on and latency per request, and how close it comes to the limits' floor.

Run with ``make bench`` (or ``python -m tests.benchmarks.bench_sync --help``). The tap runs as its
command line, its output counted and discarded; the table gives per stream the records, the
requests it made (the SDK's request counter; a per-parent stream's parent listing counts under
the parent), the fewest requests Personio's page maxima allow (tests/streams/personio_data.py)
and its wall seconds. The last line is::

    BENCH wall_s=... floor_s=... floor_ratio=... requests=... min_requests=... records=...
    records_per_cpu_s=... peak_rss_mb=...

``floor_s`` is the least time the sandbox's limits allow for ``min_requests``: per limit of each
stream's endpoint, limits in parallel, the v1 limit shared by every v1 endpoint. Token requests
and discovery (the attribute catalogue, the report lists) are counted apart. CPU seconds and peak
memory are the tap process's own (``wait4``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from tap_personio.sandbox import ROUTES, Sandbox
from tap_personio.sandbox.ratelimit import TokenBucket, WindowLimit
from tap_personio.sandbox.server import Router
from tap_personio.streams import STREAMS
from tests.streams.personio_data import EXPECTATIONS, Reader

TAP = [sys.executable, "-m", "tap_personio.tap"]
RECORD = re.compile(rb'^\{"type":"RECORD","stream":"([^"]+)"')
METRIC = re.compile(r"METRIC: (\{.*\})")
DISCOVERY = ("/v1/company/employees/attributes", "/v1/company/custom-reports/reports",
             "/v1/company/custom-reports/columns", "/v2/reports")  # fmt: skip
TOKENS = ("/v1/auth", "/v2/auth/token")


def metrics(stderr: str) -> tuple[Counter[str], dict[str, float]]:
    """Requests and sync seconds per stream, from the SDK's METRIC lines."""
    requests: Counter[str] = Counter()
    seconds: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        found = METRIC.search(line)
        if not found:
            continue
        metric = json.loads(found.group(1))
        stream = metric.get("tags", {}).get("stream", "?")
        if metric.get("metric") == "http_request_count":
            requests[stream] += int(metric["value"])
        elif metric.get("metric") == "sync_duration":
            seconds[stream] += float(metric["value"])
    return requests, seconds


def floor_seconds(min_requests: dict[str, int]) -> float:
    """The least time the sandbox's limits allow for these requests per stream."""
    router = Router(ROUTES)
    paths = {s.name: s.path for s in STREAMS}
    per_limit: Counter[WindowLimit | TokenBucket] = Counter()
    for name, count in min_requests.items():
        report = "/v1/company/custom-reports/reports/1" if name.startswith("custom_") else ""
        path = paths.get(name) or report or "/v2/reports/1"
        found = router.match("GET", re.sub(r"\{[^}]+\}", "1", path))
        for limit in found[0].limits if found else ():
            per_limit[limit] += count
    floors = [0.0]
    for limit, count in per_limit.items():
        if isinstance(limit, TokenBucket):
            floors.append(max(0.0, (count - limit.burst) / limit.rate))
        else:
            floors.append((math.ceil(count / limit.limit) - 1) * limit.window)
    return max(floors)


def minimum(sandbox: Sandbox, names: list[str], records: Counter[str]) -> dict[str, int]:
    """Per stream, the fewest requests its page maxima allow."""
    with Reader(sandbox) as read:
        wanted = {n: EXPECTATIONS[n](read).min_requests for n in names if n in EXPECTATIONS}
    for name in names:  # one table per report: its rows, 100 a page
        wanted.setdefault(name, max(1, math.ceil(records[name] / 100)))
    return wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--custom-attributes", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--cpu-bound", action="store_true", help="limits and latency off")
    options = parser.parse_args()
    limits = not options.cpu_bound
    with Sandbox(employees=options.employees, seed=1, years=1, rate_limits=limits,
                 custom_attributes=options.custom_attributes) as sb, \
            tempfile.TemporaryDirectory() as tmp:  # fmt: skip
        # No start_date: it would also be the first bookmark of employees. The sandbox's
        # shortest history is a year.
        config = {"client_id": sb.client_id, "client_secret": sb.client_secret, "api_url": sb.url}
        paths = {name: Path(tmp, f"{name}.json") for name in ("config", "catalog")}
        paths["config"].write_text(json.dumps(config))
        found = subprocess.run([*TAP, "--config", str(paths["config"]), "--discover"],
                               capture_output=True, check=True, text=True).stdout  # fmt: skip
        catalog = json.loads(found)
        for entry in catalog["streams"]:  # every stream, every column
            for meta in entry["metadata"]:
                meta["metadata"]["selected"] = True
        paths["catalog"].write_text(json.dumps(catalog))
        names = [e["tap_stream_id"] for e in catalog["streams"]]
        if limits and options.latency:
            sb.inject("latency", seconds=options.latency)
        sb.clear_requests()
        records: Counter[str] = Counter()
        argv = [*TAP, "--config", str(paths["config"]), "--catalog", str(paths["catalog"])]
        with Path(tmp, "stderr").open("w+") as log:
            began = time.perf_counter()
            tap = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log)
            assert tap.stdout is not None
            for line in tap.stdout:
                if match := RECORD.match(line):
                    records[match.group(1).decode()] += 1
            _, status, usage = os.wait4(tap.pid, 0)
            wall = time.perf_counter() - began
            tap.returncode = os.waitstatus_to_exitcode(status)
            log.seek(0)
            stderr = log.read()
        if tap.returncode != 0:
            sys.exit(f"the sync failed:\n{stderr[-3000:]}")
        sb.clear_faults()
        logged = sb.requests
        requests, seconds = metrics(stderr)
        wanted = minimum(sb, names, records)
    discovery = sum(1 for r in logged if r.path in DISCOVERY)
    data_requests = sum(1 for r in logged if r.path not in (*TOKENS, *DISCOVERY))
    print(f"{'stream':<40} {'records':>9} {'requests':>9} {'min':>7} {'wall_s':>8}")
    for name in sorted(names):
        print(f"{name:<40} {records[name]:>9,} {requests[name]:>9,} {wanted.get(name, 0):>7,} "
              f"{seconds.get(name, 0.0):>8.1f}")  # fmt: skip
    print(f"token requests {sum(1 for r in logged if r.path in TOKENS)}, discovery {discovery}")
    floor = floor_seconds(wanted)
    cpu = usage.ru_utime + usage.ru_stime
    total = sum(records.values())
    print(
        f"BENCH wall_s={wall:.1f} floor_s={floor:.1f} "
        f"floor_ratio={wall / floor if floor else float('inf'):.2f} requests={data_requests} "
        f"min_requests={sum(wanted.values())} records={total} "
        f"records_per_cpu_s={total / cpu:.0f} peak_rss_mb={usage.ru_maxrss / 1024:.1f}"
    )


if __name__ == "__main__":
    main()
