"""Every change to a case is an event on that case, and moves its version by one.

The two places where this was not so before the one event writer: a merge changed the
original without a trace, and deadline alerts wrote events without a new version.
"""

from datetime import timedelta

from starlette.applications import Starlette

from tests.support.demo import LEADER
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, pk_of
from tests.support.sql import rows, scalar
from yidi.deadlines.sweeper import sweep_once

TRACK = """query($code: String!, $phone: String!) {
  trackCase(trackingCode: $code, phoneLast4: $phone) { milestones { type } } }"""


async def test_a_merge_leaves_an_event_on_both_cases(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    original = await lc.register(phone="13800004321")
    duplicate = await lc.register()
    before = await lc.stored(str(original["id"]))
    await lc.do("MERGE", str(duplicate["id"]), LEADER, {"intoCaseId": original["id"]})

    merged, kept = await lc.stored(str(duplicate["id"])), await lc.stored(str(original["id"]))
    assert (merged.status, merged.last_event) == ("MERGED", "MERGED")
    assert (kept.status, kept.last_event, kept.last_actor) == (
        "REGISTERED",
        "DUPLICATE_MERGED",
        LEADER,
    )
    assert kept.version == before.version + 1
    assert kept.events == before.events + 1
    for stored in (merged, kept):
        assert stored.version == stored.events
    # The cause comes first in the timeline: the duplicate's MERGED, then the original's event.
    order = await rows(
        app,
        "SELECT type FROM case_events WHERE case_id IN (:a, :b) AND type LIKE '%MERGED' "
        "ORDER BY id",
        a=pk_of(str(duplicate["id"])),
        b=pk_of(str(original["id"])),
    )
    assert [row.type for row in order] == ["MERGED", "DUPLICATE_MERGED"]
    # Whoever still holds the original's old version must reload before acting on it.
    assess = await lc.attempt(
        "ASSESS", str(original["id"]), LEADER, {}, expected_version=before.version
    )
    assert assess.code == "CONFLICT"
    # The original's reporter follows progress, not the housekeeping of duplicates.
    tracked = await api.ok(TRACK, {"code": original["trackingCode"], "phone": "4321"})
    milestones = [m["type"] for m in tracked["trackCase"]["milestones"]]
    assert milestones == ["REGISTERED"]


async def test_a_deadline_alert_moves_the_version(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case = await lc.register()
    # A minute past the new case's deadline: it is among the cases the sweep alerts.
    due_at = await scalar(app, "SELECT due_at FROM cases WHERE id = :id", id=pk_of(str(case["id"])))
    result = await sweep_once(app.state.yidi.uow, due_at + timedelta(minutes=1))
    assert result is not None
    assert result.overdue > 0
    stored = await lc.stored(str(case["id"]))
    assert stored.last_event == "OVERDUE"
    assert stored.last_actor is None
    assert stored.version == stored.events == 2
    # An event without data stores SQL NULL, not a JSON null.
    nulls = await scalar(app, "SELECT count(*) FROM case_events WHERE data = 'null'::jsonb")
    assert nulls == 0
