"""延期 and 中止 through GraphQL (docs/CASE_FILE.md, "Extensions and pauses"): the deadline
moves by exactly the working days approved or paused, and while paused no deadline runs —
no alert, not overdue, not in the overdue list. Every refusal changes nothing.

Late November 2026 has no official holiday, so working days here are Monday to Friday
(the holiday and 调休 arithmetic is tests/domain/test_deadline_changes.py's).
"""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock, end_of_day, instant
from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, inputs_for, pk_of, unchanged
from tests.support.sql import scalar
from yidi.deadlines.sweeper import sweep_once

DEADLINE = """
query($id: ID!) { case(id: $id) {
  dueAt isOverdue pausedSince allowedActions
  extensions { days reason status dueAtBefore dueAtAfter requestedBy { username }
    decidedBy { username } decisionNote }
  pauses { reason note workingDays dueAtBefore dueAtAfter pausedBy { username }
    resumedBy { username } resumedAt }
  events(first: 50) { edges { node { type actor { username } note
    extension { days status } pause { reason workingDays } } } }
} }
"""
OVERDUE_LIST = "{ cases(first: 100, filter: {overdue: true}) { edges { node { id } } } }"


def at(day: int, hour: int = 10) -> datetime:
    """An Asia/Shanghai hour of a day of November or December 2026, in UTC."""
    month, d = (11, day) if day <= 30 else (12, day - 30)
    return datetime(2026, month, d, hour - 8, tzinfo=UTC)


def due(month: int, day: int) -> datetime:
    return end_of_day(date(2026, month, day))


async def deadline(api: Api, case_id: str, user: str = LEADER) -> dict[str, Any]:
    case: dict[str, Any] = (await api.ok(DEADLINE, {"id": case_id}, user=user))["case"]
    return case


def move(api: Api, clock: Clock, when: datetime) -> None:
    clock.current = when
    api.tokens.clear()  # tokens expire by the new clock


async def simple_case(api: Api, app: Starlette, clock: Clock) -> tuple[Lifecycle, str]:
    """Registered by 东湖村 on Monday 23 November, SIMPLE track: due Thursday 26 November."""
    move(api, clock, at(23))
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await lc.do("ASSESS", case_id, V11, {"track": "SIMPLE"})
    assert instant((await deadline(api, case_id))["dueAt"]) == due(11, 26)
    return lc, case_id


async def alerts(app: Starlette, case_id: str, kind: str) -> int:
    return int(
        await scalar(
            app,
            "SELECT count(*) FROM case_events WHERE case_id = :id AND type = :kind",
            id=pk_of(case_id),
            kind=kind,
        )
    )


async def test_an_approved_extension_moves_the_deadline_by_its_working_days(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc, case_id = await simple_case(api, app, clock)
    await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 5, "reason": "需等待确权材料"})
    case = await deadline(api, case_id, "t1.leader")
    assert "DECIDE_EXTENSION" in case["allowedActions"]
    assert "REQUEST_EXTENSION" not in case["allowedActions"]
    assert instant(case["dueAt"]) == due(11, 26)  # nothing moves before the decision

    await lc.do("DECIDE_EXTENSION", case_id, "t1.leader", {"approved": True, "note": "同意"})
    case = await deadline(api, case_id)
    # Fri 27, Mon 30, Tue 1, Wed 2, Thu 3.
    assert instant(case["dueAt"]) == due(12, 3)
    (extension,) = case["extensions"]
    assert extension == {
        "days": 5,
        "reason": "需等待确权材料",
        "status": "APPROVED",
        "dueAtBefore": extension["dueAtBefore"],
        "dueAtAfter": extension["dueAtAfter"],
        "requestedBy": {"username": V11},
        "decidedBy": {"username": "t1.leader"},
        "decisionNote": "同意",
    }
    assert instant(extension["dueAtBefore"]) == due(11, 26)
    assert instant(extension["dueAtAfter"]) == due(12, 3)
    events = [e["node"] for e in case["events"]["edges"]][-2:]
    assert [(e["type"], e["actor"]["username"], e["note"]) for e in events] == [
        ("EXTENSION_REQUESTED", V11, "需等待确权材料"),
        ("EXTENSION_DECIDED", "t1.leader", "同意"),
    ]
    # Each event leads a timeline (and a subscriber) to the request it is about.
    assert [e["extension"] for e in events] == [{"days": 5, "status": "APPROVED"}] * 2
    assert [e["pause"] for e in events] == [None, None]
    # A new deadline, its own alerts: past the old one nothing is overdue.
    move(api, clock, at(27))
    await sweep_once(app.state.yidi.uow, clock.current)
    assert await alerts(app, case_id, "OVERDUE") == 0
    assert (await deadline(api, case_id))["isOverdue"] is False


async def test_a_rejected_extension_leaves_the_deadline(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc, case_id = await simple_case(api, app, clock)
    await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 3, "reason": "人手不足"})
    await lc.do("DECIDE_EXTENSION", case_id, LEADER, {"approved": False, "note": "理由不充分"})
    case = await deadline(api, case_id)
    assert instant(case["dueAt"]) == due(11, 26)
    (extension,) = case["extensions"]
    assert (extension["status"], extension["dueAtAfter"]) == ("REJECTED", None)
    # Decided, a new request may follow.
    await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 1, "reason": "再次申请"})


async def test_a_pause_stops_the_clock_and_resuming_moves_the_deadline_exactly(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc, case_id = await simple_case(api, app, clock)
    move(api, clock, at(24))
    await lc.do("PAUSE", case_id, LEADER, {"reason": "APPRAISAL", "note": "等待房屋安全鉴定"})
    case = await deadline(api, case_id)
    assert (case["dueAt"], case["isOverdue"]) == (None, False)
    assert instant(case["pausedSince"]) == at(24)
    assert "RESOLVE" not in await lc.allowed(case_id, V11)

    # Past the old deadline: no alert, not overdue, not in the overdue list.
    move(api, clock, at(30))
    await sweep_once(app.state.yidi.uow, clock.current)
    assert await alerts(app, case_id, "OVERDUE") == 0
    assert await alerts(app, case_id, "DUE_SOON") == 0
    assert (await deadline(api, case_id))["isOverdue"] is False
    overdue = await api.ok(OVERDUE_LIST, user="t1.leader")
    assert case_id not in {e["node"]["id"] for e in overdue["cases"]["edges"]}

    # Resumed on Monday 30: Wed 25, Thu 26, Fri 27 and Mon 30 were taken off the clock.
    await lc.do("RESUME", case_id, LEADER, {"note": "鉴定报告已出"})
    case = await deadline(api, case_id)
    assert instant(case["dueAt"]) == due(12, 2)  # Thu 26 + 4 working days
    assert case["pausedSince"] is None
    (pause,) = case["pauses"]
    assert (pause["reason"], pause["note"], pause["workingDays"]) == (
        "APPRAISAL",
        "等待房屋安全鉴定",
        4,
    )
    assert instant(pause["dueAtBefore"]) == due(11, 26)
    assert instant(pause["dueAtAfter"]) == due(12, 2)
    assert (pause["pausedBy"], pause["resumedBy"]) == ({"username": LEADER},) * 2
    events = [e["node"] for e in case["events"]["edges"]][-2:]
    assert [e["type"] for e in events] == ["PAUSED", "RESUMED"]
    assert [e["pause"] for e in events] == [{"reason": "APPRAISAL", "workingDays": 4}] * 2
    assert [e["extension"] for e in events] == [None, None]

    # The moved deadline runs again: overdue, alerted once, after it.
    move(api, clock, at(33))
    await sweep_once(app.state.yidi.uow, clock.current)
    assert await alerts(app, case_id, "OVERDUE") == 1
    assert (await deadline(api, case_id))["isOverdue"] is True


async def test_an_extension_approved_while_paused_waits_for_the_resume(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc, case_id = await simple_case(api, app, clock)
    await lc.do("PAUSE", case_id, LEADER, {"reason": "COURT", "note": "等待法院裁判"})
    await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 2, "reason": "判决后需执行"})
    await lc.do("DECIDE_EXTENSION", case_id, LEADER, {"approved": True})
    assert (await deadline(api, case_id))["dueAt"] is None
    move(api, clock, at(25))
    await lc.do("RESUME", case_id, LEADER, {})
    # Thu 26, + 2 approved (Fri 27, Mon 30), + 2 paused from Mon 23 to Wed 25 (Tue 24,
    # Wed 25 given back): Tue 1, Wed 2.
    assert instant((await deadline(api, case_id))["dueAt"]) == due(12, 2)


async def test_nobody_decides_their_own_request(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    # Registered by the county centre: the county handles it, so a county leader both may
    # ask (the handling unit) and decide (the county itself) — but not their own request.
    case_id = str((await lc.register(user="county.intake"))["id"])
    await lc.do("REQUEST_EXTENSION", case_id, LEADER, {"days": 2, "reason": "协调中"})
    assert "DECIDE_EXTENSION" not in await lc.allowed(case_id, LEADER)
    before = await lc.stored(case_id)
    refused = await lc.attempt("DECIDE_EXTENSION", case_id, LEADER, {"approved": True})
    assert refused.code == "FORBIDDEN", refused
    assert unchanged(before, await lc.stored(case_id)) == []


@pytest.mark.parametrize(
    ("action", "user", "code"),
    [
        ("REQUEST_EXTENSION", "t1.leader", "FORBIDDEN"),  # not the handling unit
        ("REQUEST_EXTENSION", "county.viewer", "FORBIDDEN"),
        ("REQUEST_EXTENSION", "t2.leader", "NOT_FOUND"),
        ("REQUEST_EXTENSION", "other.leader", "NOT_FOUND"),
        ("PAUSE", V11, "FORBIDDEN"),  # the handling unit does not stop its own clock
        ("PAUSE", "county.viewer", "FORBIDDEN"),
        ("PAUSE", "dept.housing", "NOT_FOUND"),
        ("PAUSE", "other.leader", "NOT_FOUND"),
        ("RESUME", "t2.leader", "NOT_FOUND"),
        ("DECIDE_EXTENSION", "t2.leader", "NOT_FOUND"),
    ],
)
async def test_who_may_not(api: Api, app: Starlette, action: str, user: str, code: str) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    before = await lc.stored(case_id)
    refused = await lc.attempt(action, case_id, user, inputs_for(action))
    assert refused.code == code, refused
    assert unchanged(before, await lc.stored(case_id)) == []


async def test_status_refusals(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    for action in ("DECIDE_EXTENSION", "RESUME"):  # nothing pending, nothing paused
        refused = await lc.attempt(action, case_id, LEADER, inputs_for(action))
        assert refused.code == "INVALID_TRANSITION", (action, refused)
    await lc.do("REQUEST_EXTENSION", case_id, V11, inputs_for("REQUEST_EXTENSION"))
    await lc.do("PAUSE", case_id, LEADER, inputs_for("PAUSE"))
    await lc.do("ACCEPT", case_id, V11, inputs_for("ACCEPT"))
    before = await lc.stored(case_id)
    for action, user in (("REQUEST_EXTENSION", V11), ("PAUSE", LEADER), ("RESOLVE", V11)):
        refused = await lc.attempt(action, case_id, user, inputs_for(action))
        assert refused.code == "INVALID_TRANSITION", (action, refused)
    assert unchanged(before, await lc.stored(case_id)) == []
    # A resolved case has no running deadline to change.
    done = await lc.bring_to("RESOLVED", case_id)
    for action, user in (("REQUEST_EXTENSION", "dept.housing"), ("PAUSE", LEADER)):
        refused = await lc.attempt(action, done, user, inputs_for(action))
        assert refused.code == "INVALID_TRANSITION", (action, refused)


@pytest.mark.parametrize(
    ("action", "user", "inputs", "field"),
    [
        ("REQUEST_EXTENSION", V11, {"days": 0, "reason": "x"}, "days"),
        ("REQUEST_EXTENSION", V11, {"days": 61, "reason": "x"}, "days"),
        ("REQUEST_EXTENSION", V11, {"days": 3, "reason": " "}, "reason"),
        ("PAUSE", LEADER, {"reason": "COURT", "note": ""}, "note"),
        ("PAUSE", LEADER, {"reason": "COURT", "note": "长" * 2001}, "note"),
    ],
)
async def test_bad_input_names_the_field(
    api: Api, app: Starlette, action: str, user: str, inputs: dict[str, Any], field: str
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    before = await lc.stored(case_id)
    refused = await lc.attempt(action, case_id, user, inputs)
    assert (refused.code, refused.field) == ("BAD_USER_INPUT", field), refused
    assert unchanged(before, await lc.stored(case_id)) == []


async def test_a_pending_request_lapses_when_the_case_is_resolved(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc, case_id = await simple_case(api, app, clock)
    await lc.do("ACCEPT", case_id, V11, inputs_for("ACCEPT"))
    await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 3, "reason": "待补材料"})
    await lc.do("RESOLVE", case_id, V11, inputs_for("RESOLVE"))
    case = await deadline(api, case_id)
    (extension,) = case["extensions"]
    assert (extension["status"], extension["dueAtAfter"]) == ("LAPSED", None)
    assert instant(case["dueAt"]) == due(11, 26)
    # Reopened, the case may ask again: nothing is pending any more.
    await lc.do("REOPEN", case_id, LEADER, {"reason": "复查"})
    await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 1, "reason": "再次申请"})
    statuses = [e["status"] for e in (await deadline(api, case_id))["extensions"]]
    assert statuses == ["LAPSED", "PENDING"]
