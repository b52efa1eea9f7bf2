"""`Company.mutate(recruiting=n)`: applications move a stage on; they, their candidates and
their jobs become the newest recruiting records, and earlier stage transitions stay put."""

from __future__ import annotations

from typing import Any

from tap_personio.sandbox import Sandbox
from tap_personio.sandbox.timefmt import utc_timestamp
from tests.sandbox.v2_helpers import data, every_page

RECRUITING = "/v2/recruiting"
_NEXT = {"Unassigned": "Screening", "Screening": "Interview", "Interview": "Offer",
         "Offer": "Hired"}  # fmt: skip


def _transitions(sb: Sandbox, application_id: str) -> list[dict[str, Any]]:
    return every_page(sb, f"{RECRUITING}/applications/{application_id}/stage-transitions")


def test_changed_applications_move_one_stage_on_and_lead_every_list(sb: Sandbox) -> None:
    before = {a["id"]: a for a in every_page(sb, f"{RECRUITING}/applications")}
    history = {i: _transitions(sb, i) for i in before}
    changed = sb.company.mutate(recruiting=4)
    now = utc_timestamp(sb.company.now)
    ids = changed["recruiting_applications"]
    assert len(ids) == len(set(ids)) == 4
    assert ids == sorted(ids)
    after = every_page(sb, f"{RECRUITING}/applications")
    assert sorted(a["id"] for a in after[:4]) == ids  # newest updated first
    for application in after:
        old = before[application["id"]]
        transitions = _transitions(sb, application["id"])
        if application["id"] not in ids:
            assert application == old
            assert transitions == history[application["id"]]
            continue
        stage = application["current_stage"]
        assert stage["name"] == _NEXT[old["current_stage"]["name"]]
        assert application["updated_at"]["date-time"] == now
        assert transitions[0] == {"entered_at": {"date-time": now, "timezone": "Europe/Berlin"},
                                  "stage": stage}  # fmt: skip
        assert transitions[1:] == history[application["id"]]  # earlier ones keep their keys
    for stream, path in (("recruiting_candidates", "candidates"), ("recruiting_jobs", "jobs")):
        wanted = changed[stream]  # type: ignore[literal-required]
        assert wanted == sorted(set(wanted))
        listed = every_page(sb, f"{RECRUITING}/{path}")
        newest = {i["id"] for i in listed if i["updated_at"]["date-time"] == now}
        assert newest == set(wanted)
        assert {i["id"] for i in listed[: len(wanted)]} == newest


def test_changed_records_are_found_by_updated_at_gt(sb: Sandbox) -> None:
    every_page(sb, f"{RECRUITING}/candidates")  # built before the change
    before = utc_timestamp(sb.company.now)
    changed = sb.company.mutate(recruiting=3)
    streams = (("recruiting_applications", "applications"),
               ("recruiting_candidates", "candidates"), ("recruiting_jobs", "jobs"))  # fmt: skip
    for stream, path in streams:
        found = data(sb, f"{RECRUITING}/{path}", **{"updated_at.gt": before})
        assert sorted(i["id"] for i in found) == changed[stream]  # type: ignore[literal-required]


def test_only_open_applications_move_and_never_past_hired(sb: Sandbox) -> None:
    for _ in range(12):
        sb.company.mutate(recruiting=50)
    for application in every_page(sb, f"{RECRUITING}/applications"):
        names = [t["stage"]["name"] for t in _transitions(sb, application["id"])]
        assert names[-1] == "Unassigned"
        assert names.count("Hired") <= 1
        assert names[0] == application["current_stage"]["name"]
