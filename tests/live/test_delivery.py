"""Subscriptions deliver committed case events, in commit order, exactly once, to whoever
may see the case, and resume from a cursor without a gap or a duplicate."""

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.demo import HOUSING, LABOUR, LEADER, TOWNSHIP, V11
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, inputs_for
from tests.support.live import (
    CASE_EVENTS,
    UNIT_CASE_EVENTS,
    Subscription,
    subscribers_reach,
)
from tests.support.policy import county_policy, replace_county_policy
from yidi.services import reading


async def comment(life: Lifecycle, case_id: str, note: str, user: str = LEADER) -> None:
    await life.do("COMMENT", case_id, user, {"note": note})


async def test_a_case_timeline_arrives_in_commit_order(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    token = await api.token(LEADER)
    async with Subscription(url, token, CASE_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        await comment(life, case_id, "先看看")
        await life.move_to(case_id, "CLOSED")
        events = await live.take(5)
        await live.quiet_for(0.5)
    types = [e["type"] for e in events]
    assert types == ["COMMENTED", "DISPATCHED", "ACCEPTED", "RESOLVED", "CLOSED"]
    assert {e["case"]["id"] for e in events} == {case_id}
    assert events[0]["note"] == "先看看"
    # The cursors are the ones the case's own timeline shows.
    timeline = await api.ok(
        "query($id: ID!) { node(id: $id) { ... on Case { events(first: 50) "
        "{ edges { cursor } } } } }",
        {"id": case_id},
        user=LEADER,
    )
    cursors = [edge["cursor"] for edge in timeline["node"]["events"]["edges"]]
    assert cursors[-5:] == [e["cursor"] for e in events]


async def test_resume_replays_after_the_cursor_then_continues_live(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    for n in range(1, 4):
        await comment(life, case_id, f"第{n}次")
    token = await api.token(LEADER)
    async with Subscription(url, token, CASE_EVENTS, {"id": case_id}) as first:
        await subscribers_reach(app, 1)
        await comment(life, case_id, "第4次")
        fourth = await first.next()
    assert fourth["note"] == "第4次"
    async with Subscription(url, token, CASE_EVENTS, {"id": case_id}) as probe:
        await subscribers_reach(app, 1)
        await comment(life, case_id, "第5次")
        fifth = await probe.next()
    # Resume from the 4th: the 5th (committed while away) is replayed, then a live 6th,
    # each exactly once.
    async with Subscription(
        url, token, CASE_EVENTS, {"id": case_id, "after": fourth["cursor"]}
    ) as resumed:
        assert (await resumed.next())["cursor"] == fifth["cursor"]
        await subscribers_reach(app, 1)
        await comment(life, case_id, "第6次")
        assert (await resumed.next())["note"] == "第6次"
        await resumed.quiet_for(0.5)


async def test_a_unit_follows_cases_that_move_into_and_out_of_its_subtree(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    await comment(life, case_id, "还在村里")
    token = await api.token("dept.housing")
    async with Subscription(url, token, UNIT_CASE_EVENTS, {"id": life.unit(HOUSING)}) as housing:
        await subscribers_reach(app, 1)
        # Dispatched to 县住建局: it moves into the department's subtree.
        dispatch = inputs_for("DISPATCH", target=life.unit(HOUSING))
        await life.do("DISPATCH", case_id, LEADER, dispatch)
        assert (await housing.next())["type"] == "DISPATCHED"
        await comment(life, case_id, "住建局在办")
        assert (await housing.next())["note"] == "住建局在办"
        # Reassigned to 县人社局: the department no longer sees the case, nor its later events.
        await life.do("REASSIGN", case_id, LEADER, inputs_for("REASSIGN", target=life.unit(LABOUR)))
        await comment(life, case_id, "人社局在办")
        await housing.quiet_for(1.0)


async def test_unit_subscribers_get_only_what_their_policy_lets_them_see(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    mine = str((await life.register(V11))["id"])
    token = await api.token("t1.leader")
    async with Subscription(url, token, UNIT_CASE_EVENTS, {"id": life.unit(TOWNSHIP)}) as town:
        await subscribers_reach(app, 1)
        elsewhere = str((await life.register("v21.handler", "990100002001"))["id"])
        await comment(life, elsewhere, "西岭的事")
        await comment(life, mine, "东湖的事")
        event = await town.next()
        assert (event["case"]["id"], event["note"]) == (mine, "东湖的事")
        await town.quiet_for(0.5)


async def test_events_stop_when_the_county_admin_takes_the_view_away(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    async with (
        Subscription(url, await api.token("county.viewer"), CASE_EVENTS, {"id": case_id}) as viewer,
        Subscription(url, await api.token(LEADER), CASE_EVENTS, {"id": case_id}) as leader,
    ):
        await subscribers_reach(app, 2)
        await comment(life, case_id, "大家都能看到")
        assert (await viewer.next())["note"] == "大家都能看到"
        assert (await leader.next())["note"] == "大家都能看到"
        revision, rules = await county_policy(api)
        kept = [r for r in rules if not (r["role"] == "VIEWER" and r["action"] == "VIEW")]
        assert len(kept) < len(rules)
        await replace_county_policy(api, kept, revision)
        await asyncio.sleep(1.0)  # every process's watcher reloads within half a second
        await comment(life, case_id, "只有领导能看到")
        assert (await leader.next())["note"] == "只有领导能看到"
        await viewer.quiet_for(0.5)


async def test_identical_subscriptions_share_one_execution_per_event(
    api: Api, app: Starlette, url: str, life: Lifecycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    executions: list[int] = []
    original = reading.event_note

    async def counted(*args: Any) -> str | None:
        executions.append(1)
        return await original(*args)

    monkeypatch.setattr(reading, "event_note", counted)
    case_id = str((await life.register())["id"])
    leader, viewer = await api.token(LEADER), await api.token("county.viewer")
    other_document = CASE_EVENTS.replace("cursor type", "cursor at type")
    variables = {"id": case_id}
    async with (
        Subscription(url, leader, CASE_EVENTS, variables) as first,
        Subscription(url, leader, CASE_EVENTS, variables) as same,  # another tab
        Subscription(url, leader, other_document, variables) as other,
        Subscription(url, viewer, CASE_EVENTS, variables) as someone_else,
    ):
        await subscribers_reach(app, 4)
        await comment(life, case_id, "同一份结果")
        results = [await s.next() for s in (first, same, other, someone_else)]
    assert {r["note"] for r in results} == {"同一份结果"}
    assert results[0] == results[1]
    # The two identical ones executed once; a different document or caller executes apart.
    assert len(executions) == 3
