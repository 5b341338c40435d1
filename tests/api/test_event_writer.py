"""Every change to a case is an event on that case, and moves its version by one.

The two places where this was not so before the one event writer: a merge changed the
original without a trace, and deadline alerts wrote events without a new version.
"""

from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import LEADER
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle
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
    # The original's reporter follows progress, not the housekeeping of duplicates.
    tracked = await api.ok(TRACK, {"code": original["trackingCode"], "phone": "4321"})
    milestones = [m["type"] for m in tracked["trackCase"]["milestones"]]
    assert milestones == ["REGISTERED"]


async def test_a_deadline_alert_moves_the_version(api: Api, app: Starlette, clock: Clock) -> None:
    lc = await Lifecycle.create(api, app)
    case = await lc.register()
    # Registered now with a category limit of working days: overdue a year on.
    later = clock.current.replace(year=clock.current.year + 1)
    result = await sweep_once(app.state.yidi.uow, later)
    assert result is not None
    assert result.overdue > 0
    stored = await lc.stored(str(case["id"]))
    assert stored.last_event == "OVERDUE"
    assert stored.last_actor is None
    assert stored.version == stored.events == 2
