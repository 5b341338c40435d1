"""Identical subscriptions on several sockets share one stream (yidi/live/sharing.py): each
still receives exactly what a subscription of its own would — its refusals, its replay,
its close code, its completion — and a member leaving does not stop the others."""

import asyncio

from starlette.applications import Starlette

from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, pk_of
from tests.support.live import (
    CASE_EVENTS,
    UNIT_CASE_EVENTS,
    Completed,
    Subscription,
    close_code_of,
    subscribers_reach,
)
from tests.support.sql import scalar
from yidi.domain.commands import Comment
from yidi.http.live_socket import _resume_variables
from yidi.live.hub import LiveEvents
from yidi.services.auth import load_actor
from yidi.services.transitions import transition


def streams(app: Starlette) -> int:
    """Shared streams running in the app's process."""
    live: LiveEvents = app.state.yidi.live
    return len(live.sharing._streams)


async def comment(life: Lifecycle, case_id: str, note: str) -> None:
    await life.do("COMMENT", case_id, LEADER, {"note": note})


async def test_identical_subscriptions_on_three_sockets_share_one_stream(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    token = await api.token(LEADER)
    variables = {"id": life.unit("990100")}
    async with (
        Subscription(url, token, UNIT_CASE_EVENTS, variables) as first,
        Subscription(url, token, UNIT_CASE_EVENTS, variables) as second,
        Subscription(url, token, UNIT_CASE_EVENTS, variables) as third,
    ):
        await subscribers_reach(app, 3)
        assert streams(app) == 1
        await comment(life, case_id, "三个屏幕")
        received = [await s.next() for s in (first, second, third)]
        assert [r["note"] for r in received] == ["三个屏幕"] * 3
        assert received[0] == received[1] == received[2]

        # The one that started the stream leaves; the others go on with it.
        await first.__aexit__()
        await comment(life, case_id, "第一个走了")
        assert (await second.next())["note"] == "第一个走了"
        assert (await third.next())["note"] == "第一个走了"
    # The last member gone, the stream stops and leaves its feed.
    for _ in range(100):
        if streams(app) == 0 and app.state.yidi.live.subscriber_count() == 0:
            break
        await asyncio.sleep(0.02)
    assert streams(app) == 0
    assert app.state.yidi.live.subscriber_count() == 0


async def test_a_resuming_subscription_replays_on_its_own_beside_a_shared_one(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    token = await api.token(LEADER)
    async with Subscription(url, token, CASE_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        await comment(life, case_id, "第一条")
        first = await live.next()
        await comment(life, case_id, "第二条")
        assert (await live.next())["note"] == "第二条"
        # Same document and caller, but `after` set: it replays what the shared one passed.
        async with Subscription(
            url, token, CASE_EVENTS, {"id": case_id, "after": first["cursor"]}
        ) as resumed:
            assert (await resumed.next())["note"] == "第二条"
            await subscribers_reach(app, 2)
            assert streams(app) == 1
            await comment(life, case_id, "第三条")
            assert (await resumed.next())["note"] == "第三条"
            assert (await live.next())["note"] == "第三条"


async def test_members_refused_before_following_each_get_their_own_refusal(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register(V11))["id"])
    token = await api.token("v21.handler")  # another village: may not see the case
    async with (
        Subscription(url, token, CASE_EVENTS, {"id": case_id}) as one,
        Subscription(url, token, CASE_EVENTS, {"id": case_id}) as other,
    ):
        for member in (one, other):
            failure = await member.failure()
            errors = getattr(failure, "errors", None)
            assert errors is not None, failure
            assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    assert streams(app) == 0


async def test_every_member_of_a_stream_that_falls_behind_is_closed_with_4008(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    app.state.yidi.live.buffer_size = 3
    case_id = str((await life.register())["id"])
    token = await api.token(LEADER)
    async with (
        Subscription(url, token, CASE_EVENTS, {"id": case_id}) as one,
        Subscription(url, token, CASE_EVENTS, {"id": case_id}) as other,
    ):
        await subscribers_reach(app, 2)
        # Many events in one transaction: more than the stream's buffer takes at once.
        user_id = await scalar(app, "SELECT id FROM users WHERE username = :u", u=LEADER)
        async with app.state.yidi.uow.read() as session:
            actor = await load_actor(session, user_id)
        async with app.state.yidi.uow.begin(actor) as work:
            for n in range(6):
                await transition(work, Comment(case_id=pk_of(case_id), note=f"批量{n}"))
        for member in (one, other):
            assert close_code_of(await member.failure()) == 4008


async def test_shutdown_completes_every_member(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    token = await api.token(LEADER)
    async with (
        Subscription(url, token, CASE_EVENTS, {"id": case_id}) as one,
        Subscription(url, token, CASE_EVENTS, {"id": case_id}) as other,
    ):
        await subscribers_reach(app, 2)
        await app.state.yidi.live.drain(timeout=2)
        for member in (one, other):
            assert isinstance(await member.failure(), Completed)


def test_only_subscriptions_from_now_on_may_share() -> None:
    plain = "subscription($id: ID!) { caseEvents(caseId: $id) { cursor } }"
    assert _resume_variables(plain, None, 1000) == ()
    assert _resume_variables(CASE_EVENTS, None, 1000) == ("after",)
    literal = 'subscription { caseEvents(caseId: "Case:1", after: "x") { cursor } }'
    assert _resume_variables(literal, None, 1000) is None
    null = 'subscription { caseEvents(caseId: "Case:1", after: null) { cursor } }'
    assert _resume_variables(null, None, 1000) == ()
    assert _resume_variables("query { me { id } }", None, 1000) is None
    assert _resume_variables("subscription {", None, 1000) is None
    two = f"{plain.replace('subscription', 'subscription A')} subscription B {{ __typename }}"
    assert _resume_variables(two, None, 1000) is None
    assert _resume_variables(two, "B", 1000) == ()
