"""Delivery rests on what is committed, not on notifications: reverse commit order, a lost
listener connection, an overflowing subscriber and a shutdown lose nothing silently."""

import asyncio

import pytest
from starlette.applications import Starlette

from tests.support.demo import COUNTY, LEADER, V11
from tests.support.deployment import demo_settings
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
from yidi.authz.actor import Actor
from yidi.config import Settings
from yidi.domain.commands import Comment
from yidi.services.auth import load_actor
from yidi.services.transitions import transition
from yidi.services.unit_of_work import UnitOfWork

BUFFER = 3


@pytest.fixture
def settings() -> Settings:
    # Feeds look on their own only once a minute: what arrives sooner came by notification
    # or by the catch-up after the listener reconnected.
    return demo_settings(subscription_buffer=BUFFER, subscription_poll_seconds=60.0)


async def leader(app: Starlette) -> Actor:
    user_id = await scalar(app, "SELECT id FROM users WHERE username = :u", u=LEADER)
    async with app.state.yidi.uow.read() as session:
        return await load_actor(session, user_id)


async def test_transactions_committing_in_reverse_order_of_their_ids_are_both_delivered(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    uow: UnitOfWork = app.state.yidi.uow
    actor = await leader(app)
    first, second = [pk_of(str((await life.register())["id"])) for _ in range(2)]
    first_recorded, second_committed = asyncio.Event(), asyncio.Event()

    async def started_first_committed_last() -> None:
        async with uow.begin(actor) as work:
            await transition(work, Comment(case_id=first, note="先开始，后提交"))
            first_recorded.set()
            await second_committed.wait()

    async def started_last_committed_first() -> None:
        await first_recorded.wait()
        async with uow.begin(actor) as work:
            await transition(work, Comment(case_id=second, note="后开始，先提交"))
        second_committed.set()

    async with Subscription(
        url, await api.token(LEADER), UNIT_CASE_EVENTS, {"id": life.unit(COUNTY)}
    ) as county:
        await subscribers_reach(app, 1)
        await asyncio.gather(started_first_committed_last(), started_last_committed_first())
        notes = [(await county.next())["note"] for _ in range(2)]
        await county.quiet_for(0.5)
    assert notes == ["后开始，先提交", "先开始，后提交"]


async def test_events_committed_while_the_listener_is_down_still_arrive(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register())["id"])
    async with Subscription(url, await api.token(LEADER), CASE_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        terminated = await scalar(
            app,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'yidi-listener' AND datname = current_database()",
        )
        assert terminated == 1
        # Its notification goes nowhere: no one is listening until the listener reconnects.
        await life.do("COMMENT", case_id, LEADER, {"note": "监听断开时提交"})
        assert (await live.next(timeout=10))["note"] == "监听断开时提交"
        await life.do("COMMENT", case_id, LEADER, {"note": "重连之后"})
        assert (await live.next())["note"] == "重连之后"


async def test_a_subscriber_that_falls_behind_is_disconnected_and_resumes(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    uow: UnitOfWork = app.state.yidi.uow
    actor = await leader(app)
    case_id = str((await life.register())["id"])
    token = await api.token(LEADER)
    async with Subscription(url, token, CASE_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        await life.do("COMMENT", case_id, LEADER, {"note": "最后收到的"})
        last_seen = await live.next()
        # More events at once than the subscriber's buffer holds.
        async with uow.begin(actor) as work:
            for n in range(BUFFER + 2):
                await transition(work, Comment(case_id=pk_of(case_id), note=f"批量{n}"))
        assert close_code_of(await live.failure()) == 4008
    async with Subscription(
        url, token, CASE_EVENTS, {"id": case_id, "after": last_seen["cursor"]}
    ) as resumed:
        notes = [(await resumed.next())["note"] for _ in range(BUFFER + 2)]
    assert notes == [f"批量{n}" for n in range(BUFFER + 2)]


async def test_shutdown_completes_subscriptions(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register(V11))["id"])
    async with Subscription(url, await api.token(V11), CASE_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        await app.state.yidi.live.drain(timeout=2)
        assert isinstance(await live.failure(), Completed)
