"""Sandbox figures: memory of a 2,000-employee company with one year of history, and the time
to answer a 100-employee v1 page. Run on purpose with `make bench`.
"""

from __future__ import annotations

import resource
import statistics
import time

import requests

from tap_personio.sandbox import Sandbox


def main() -> None:
    started = time.perf_counter()
    with Sandbox(employees=2000, years=1, rate_limits=False) as sb:
        company = sb.company
        sizes = {
            "attendances": len(company.attendances),
            "time_offs": len(company.time_offs),
            "hourly_absences": len(company.hourly_absences),
            "compensations": len(company.compensations),
        }
        built = time.perf_counter() - started
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        session = requests.Session()
        body = {"client_id": sb.client_id, "client_secret": sb.client_secret}
        token = session.post(f"{sb.url}/v1/auth", json=body).json()["data"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        timings = []
        for offset in range(0, 2000, 100):
            t0 = time.perf_counter()
            response = session.get(
                f"{sb.url}/v1/company/employees",
                params={"limit": 100, "offset": offset},
                headers=headers,
            )
            timings.append((time.perf_counter() - t0) * 1000)
            assert len(response.json()["data"]) == 100
    print(f"company + history built in {built:.1f} s: {sizes}")
    print(f"peak RSS {rss_mib:.0f} MiB")
    print(
        f"100-employee page: median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms over {len(timings)} pages"
    )


if __name__ == "__main__":
    main()
