"""Event positions follow commit order, county by county, so a reader that follows them never
passes an event whose transaction has not committed yet (the live-update outbox)."""

import asyncio

import asyncpg
import pytest
from starlette.applications import Starlette

from tests.support.database import libpq
from tests.support.demo import LEADER
from tests.support.sql import rows, scalar
from yidi.authz.actor import Actor
from yidi.domain.commands import Comment
from yidi.persistence.outbox import CHANNEL
from yidi.services.auth import load_actor
from yidi.services.transitions import transition
from yidi.services.unit_of_work import UnitOfWork

COUNTY_CASES = (
    "SELECT c.id FROM cases c JOIN units u ON u.id = c.county_id "
    "WHERE u.code = '990100' AND c.status = 'REGISTERED' ORDER BY c.id LIMIT 2"
)


async def _leader(app: Starlette) -> Actor:
    user_id = await scalar(app, "SELECT id FROM users WHERE username = :u", u=LEADER)
    async with app.state.yidi.uow.read() as session:
        return await load_actor(session, user_id)


async def _comment_then_fail(uow: UnitOfWork, actor: Actor, case_id: int, note: str) -> None:
    """A use case that records its event, then fails before it commits."""
    async with uow.begin(actor) as work:
        await transition(work, Comment(case_id=case_id, note=note))
        raise RuntimeError("failed late")


async def _positions_after(app: Starlette, county_id: int, position: int) -> list[tuple[int, str]]:
    """What a reader following the county's positions sees now."""
    found = await rows(
        app,
        "SELECT position, note FROM case_events WHERE county_id = :c AND position > :p "
        "ORDER BY position",
        c=county_id,
        p=position,
    )
    return [(row.position, row.note) for row in found]


async def test_positions_follow_commit_order_and_readers_skip_nothing(app: Starlette) -> None:
    uow: UnitOfWork = app.state.yidi.uow
    leader = await _leader(app)
    first_case, second_case = [row.id for row in await rows(app, COUNTY_CASES)]
    start = int(
        await scalar(
            app, "SELECT max(position) FROM case_events WHERE county_id = :c", c=leader.county_id
        )
    )
    first_recorded, second_committed = asyncio.Event(), asyncio.Event()
    seen_between: list[tuple[int, str]] = []

    async def started_first_committed_last() -> None:
        async with uow.begin(leader) as work:
            await transition(work, Comment(case_id=first_case, note="先开始，后提交"))
            first_recorded.set()
            await second_committed.wait()
            # The other transaction has committed; this one has not yet.
            seen_between.extend(await _positions_after(app, leader.county_id, start))

    async def started_last_committed_first() -> None:
        await first_recorded.wait()
        async with uow.begin(leader) as work:
            await transition(work, Comment(case_id=second_case, note="后开始，先提交"))
        second_committed.set()

    await asyncio.gather(started_first_committed_last(), started_last_committed_first())
    assert seen_between == [(start + 1, "后开始，先提交")]
    assert await _positions_after(app, leader.county_id, start) == [
        (start + 1, "后开始，先提交"),
        (start + 2, "先开始，后提交"),
    ]


async def test_a_failed_unit_of_work_gives_its_positions_back(app: Starlette) -> None:
    uow: UnitOfWork = app.state.yidi.uow
    leader = await _leader(app)
    case_id = (await rows(app, COUNTY_CASES))[0].id
    with pytest.raises(RuntimeError, match="failed late"):
        await _comment_then_fail(uow, leader, case_id, "不会留下")
    async with uow.begin(leader) as work:
        await transition(work, Comment(case_id=case_id, note="留下"))
    # Every county's positions run 1..n without a gap or a repeat, old events included.
    counties = await rows(
        app,
        "SELECT county_id, count(*) AS n, count(DISTINCT position) AS d, min(position) AS lo, "
        "max(position) AS hi FROM case_events GROUP BY county_id",
    )
    assert counties
    for county in counties:
        assert (county.lo, county.hi, county.d) == (1, county.n, county.n), county
    assert await scalar(app, "SELECT count(*) FROM case_events WHERE note = '不会留下'") == 0


async def test_listeners_hear_of_committed_events_only(app: Starlette, database_url: str) -> None:
    uow: UnitOfWork = app.state.yidi.uow
    leader = await _leader(app)
    case_id = (await rows(app, COUNTY_CASES))[0].id
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(libpq(database_url))
    try:
        await listener.add_listener(CHANNEL, lambda *args: heard.put_nowait(args[3]))
        with pytest.raises(RuntimeError, match="failed late"):
            await _comment_then_fail(uow, leader, case_id, "回滚")
        async with uow.begin(leader) as work:
            await transition(work, Comment(case_id=case_id, note="提交"))
        payload = await asyncio.wait_for(heard.get(), timeout=5)
        last = await scalar(
            app, "SELECT max(position) FROM case_events WHERE county_id = :c", c=leader.county_id
        )
        assert payload == f"{leader.county_id}:{last}"
        assert heard.empty(), "the rolled-back transaction notified nobody"
    finally:
        await listener.close()
