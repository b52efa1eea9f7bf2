"""`personio-sandbox`: run the local Personio API until Ctrl-C."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence

from tap_personio.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from tap_personio.sandbox.faults import FAULT_STATUSES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="personio-sandbox",
        description="A local Personio API (v1 and v2) serving a synthetic company on 127.0.0.1.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    company = parser.add_argument_group("company")
    company.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    company.add_argument("--host", default="127.0.0.1", help="address to bind")
    company.add_argument("--employees", type=int, default=200, help="number of employees")
    company.add_argument("--seed", type=int, default=1, help="seed of the synthetic company")
    company.add_argument("--years", type=int, default=1, help="years of absence/attendance history")
    company.add_argument("--custom-attributes", type=int, default=12,
                         help="number of custom (dynamic_NNN) attributes")  # fmt: skip
    cred = parser.add_argument_group("credential")
    cred.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="API client id")
    cred.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET, help="API client secret")
    cred.add_argument("--token-lifetime", type=float, default=86400, help="token lifetime, seconds")
    cred.add_argument(
        "--readable-attributes",
        default=None,
        help="comma-separated whitelist of employee attribute keys (default: all)",
    )
    cred.add_argument(
        "--access-rights",
        default=None,
        help="comma-separated access rights, e.g. employees,absences (default: all)",
    )
    cred.add_argument("--no-rate-limits", action="store_true",
                      help="switch Personio's rate limits off")  # fmt: skip
    company.add_argument(
        "--retired-status",
        type=_retired_status,
        default=404,
        metavar="STATUS|served",
        help="HTTP status of v1 attendances and projects (shut down 2026-08-30; the real "
        "answer is undocumented), or 'served' to serve them as before the shutdown",
    )
    company.add_argument(
        "--disable-features",
        default=None,
        help="comma-separated company features to switch off: legal_entities (then 412), "
        "recruiting (then 404)",
    )
    faults = parser.add_argument_group("faults (each applies to the first N matching requests)")
    faults.add_argument(
        "--latency", type=float, default=None, help="seconds added to every response"
    )
    faults.add_argument(
        "--latency-max",
        type=float,
        default=None,
        help="with --latency: a random delay between --latency and this",
    )
    faults.add_argument(
        "--fault-path",
        default=None,
        help="limit the fault flags below to paths starting with this prefix",
    )
    faults.add_argument(
        "--fail-status",
        type=int,
        choices=FAULT_STATUSES,
        default=None,
        help="answer --fail-count requests with this status",
    )
    faults.add_argument("--fail-count", type=int, default=1, help="how many for --fail-status")
    faults.add_argument(
        "--drop",
        type=int,
        default=0,
        metavar="N",
        help="close the connection without an answer, N times",
    )
    faults.add_argument(
        "--truncate",
        type=int,
        default=0,
        metavar="N",
        help="send N bodies shorter than their Content-Length",
    )
    faults.add_argument("--slow", type=int, default=0, metavar="N", help="delay N responses")
    faults.add_argument("--slow-seconds", type=float, default=30.0, help="delay for --slow")
    faults.add_argument(
        "--revoke-after",
        type=int,
        default=None,
        metavar="N",
        help="revoke every token after N authenticated requests",
    )
    faults.add_argument(
        "--malformed",
        type=int,
        default=0,
        metavar="N",
        help="serve N employee responses with a malformed value",
    )
    faults.add_argument(
        "--malformed-attribute", default="hire_date", help="attribute to corrupt for --malformed"
    )
    faults.add_argument(
        "--malformed-value", default="0000-00-00", help="value to serve for --malformed"
    )
    faults.add_argument(
        "--new-attribute-after",
        type=int,
        default=None,
        metavar="N",
        help="add a custom attribute after N authenticated requests",
    )
    faults.add_argument(
        "--repeat-cursor",
        type=int,
        default=0,
        metavar="N",
        help="N v2 pages whose next link repeats the current cursor",
    )
    return parser  # fmt: skip


def _retired_status(value: str) -> int | None:
    """An HTTP error status, or `served` (None) for the pre-shutdown behaviour."""
    if value == "served":
        return None
    if not value.isdigit() or not 400 <= int(value) <= 599:
        raise argparse.ArgumentTypeError("expected an HTTP status 400-599 or 'served'")
    return int(value)


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def configure(args: argparse.Namespace) -> Sandbox:
    """Build the sandbox the arguments describe (not started)."""
    sandbox = Sandbox(
        employees=args.employees,
        seed=args.seed,
        years=args.years,
        custom_attributes=args.custom_attributes,
        rate_limits=not args.no_rate_limits,
        token_lifetime=args.token_lifetime,
        readable_attributes=_split(args.readable_attributes),
        access_rights=_split(args.access_rights),
        client_id=args.client_id,
        client_secret=args.client_secret,
        host=args.host,
        port=args.port,
        retired_status=args.retired_status,
    )
    for feature in _split(args.disable_features) or []:
        sandbox.set_feature(feature, False)
    path = args.fault_path
    if args.latency is not None:
        if args.latency_max is None:
            sandbox.inject("latency", path=path, seconds=args.latency)
        else:
            sandbox.inject("latency", path=path, min_seconds=args.latency,
                           max_seconds=args.latency_max)  # fmt: skip
    if args.fail_status is not None:
        sandbox.inject("status", count=args.fail_count, path=path, status=args.fail_status)
    for kind, count in (("drop", args.drop), ("truncate", args.truncate),
                        ("repeat_cursor", args.repeat_cursor)):  # fmt: skip
        if count:
            sandbox.inject(kind, count=count, path=path)
    if args.slow:
        sandbox.inject("slow", count=args.slow, path=path, seconds=args.slow_seconds)
    if args.malformed:
        sandbox.inject("malformed", count=args.malformed, path=path,
                       attribute=args.malformed_attribute, value=args.malformed_value)  # fmt: skip
    if args.revoke_after is not None:
        sandbox.inject("revoke_after", count=args.revoke_after, path=path)
    if args.new_attribute_after is not None:
        sandbox.inject("new_attribute", count=args.new_attribute_after, path=path)
    return sandbox


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sandbox = configure(args).start()
    print(f"Personio sandbox listening on {sandbox.url}", flush=True)
    print(f"  v1: {sandbox.url}/v1/...   v2: {sandbox.url}/v2/...")
    print(f"  client_id:     {sandbox.client_id}")
    print(f"  client_secret: {sandbox.client_secret}")
    print(f"  company: {len(sandbox.v1_employee_ids())} employees, seed {args.seed}")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
