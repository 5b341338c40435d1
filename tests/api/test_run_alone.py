"""A lifecycle action whose only write is its seal runs without a transaction
(services/unit_of_work.run_alone): its reads in autocommit, its seal committing by itself.
What must hold: no transaction is held while it works, a concurrent writer that moves the
case between its read and its seal costs a rerun and nothing else, and a use case that
would write anything else is run in a transaction instead, losing nothing."""

from typing import Any

from sqlalchemy import func, select
from starlette.applications import Starlette

from tests.api.test_observability import samples
from tests.support.clock import Clock
from tests.support.demo import LEADER
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, global_id, pk_of
from tests.support.sql import rows, scalar
from yidi.authz.actor import Actor
from yidi.domain.commands import Comment
from yidi.persistence.models import Case
from yidi.services.audit import verify_trails
from yidi.services.auth import load_actor
from yidi.services.transitions import transition
from yidi.services.work import Work

COMMENT = """mutation($i: CommentCaseInput!) { commentCase(input: $i) { case { id } } }"""
BACKEND_STATE = "SELECT state FROM pg_stat_activity WHERE pid = :pid"
EVENTS_OF = "SELECT note, position FROM case_events WHERE case_id = :c ORDER BY position"
COUNTY_POSITIONS = """SELECT position FROM case_events
WHERE county_id = (SELECT county_id FROM cases WHERE id = :c) ORDER BY position"""


async def leader(app: Starlette) -> Actor:
    user = await scalar(app, "SELECT id FROM users WHERE username = :u", u=LEADER)
    async with app.state.yidi.sessions() as session:
        return await load_actor(session, user)


async def a_case(api: Api, app: Starlette) -> int:
    lc = await Lifecycle.create(api, app)
    return pk_of(str((await lc.register())["id"]))


async def test_a_comment_holds_no_transaction_while_it_works(
    api: Api, app: Starlette, clock: Clock
) -> None:
    case_id, actor = await a_case(api, app), await leader(app)
    seen: dict[str, Any] = {}

    async def comment(work: Work) -> Case:
        # (Read before the case changes: a read after it would flush the change.)
        pid = await work.session.scalar(select(func.pg_backend_pid()))
        case = await transition(work, Comment(case_id=case_id, note="不占事务"))
        seen["alone"] = work.alone
        seen["state"] = await scalar(app, BACKEND_STATE, pid=pid)
        return case

    uow = app.state.yidi.uow
    await uow.run_alone(actor, comment, now=clock())
    assert seen == {"alone": True, "state": "idle"}
    # The control: the same use case in a transaction leaves its backend in one.
    async with uow.begin(actor, now=clock()) as work:
        await comment(work)
    assert seen == {"alone": False, "state": "idle in transaction"}
    assert [r.note for r in await rows(app, EVENTS_OF, c=case_id)][-2:] == ["不占事务"] * 2


async def test_a_case_moved_before_the_seal_costs_a_rerun_and_nothing_else(
    api: Api, app: Starlette, clock: Clock
) -> None:
    case_id, actor = await a_case(api, app), await leader(app)
    attempts: list[bool] = []

    async def comment_while_another_moves_it(work: Work) -> Case:
        case = await transition(work, Comment(case_id=case_id, note="后到者"))
        if not attempts:  # another writer comments between this one's read and its seal
            async with app.state.yidi.uow.begin(actor, now=clock()) as other:
                await transition(other, Comment(case_id=case_id, note="先到者"))
        attempts.append(work.alone)
        return case

    before = await rows(app, EVENTS_OF, c=case_id)
    case = await app.state.yidi.uow.run_alone(actor, comment_while_another_moves_it, now=clock())
    assert attempts == [True, True]  # refused once, written alone on the rerun
    after = await rows(app, EVENTS_OF, c=case_id)
    assert [r.note for r in after[len(before) :]] == ["先到者", "后到者"]
    # The refused seal took no position: the county's positions go on without a gap.
    positions = [p for (p,) in await rows(app, COUNTY_POSITIONS, c=case_id)]
    assert positions == list(range(1, len(positions) + 1))
    assert case.version == len(after)
    async with app.state.yidi.uow.read() as session:
        assert (await verify_trails(session, None)).broken is None


async def test_a_use_case_that_writes_more_runs_in_a_transaction(
    api: Api, app: Starlette, clock: Clock
) -> None:
    case_id, other_id, actor = await a_case(api, app), await a_case(api, app), await leader(app)
    attempts: list[bool] = []

    async def comment_and_touch_another(work: Work) -> Case:
        attempts.append(work.alone)
        case = await transition(work, Comment(case_id=case_id, note="连带修改"))
        other = await work.session.get(Case, other_id)
        assert other is not None
        other.address = "另一处地址"  # a change the seal does not store
        return case

    await app.state.yidi.uow.run_alone(actor, comment_and_touch_another, now=clock())
    assert attempts == [True, False]  # stopped before its seal, then run in a transaction
    assert [r.note for r in await rows(app, EVENTS_OF, c=case_id)][-1] == "连带修改"
    assert await scalar(app, "SELECT address FROM cases WHERE id = :c", c=other_id) == "另一处地址"


async def test_the_outcomes_are_counted_in_metrics(api: Api, app: Starlette) -> None:
    """An operator sees how often actions seal alone, rerun, or take a transaction."""
    case_id = await a_case(api, app)

    async def counted() -> dict[str, float]:
        found = samples((await api.client.get("/metrics")).text).get("yidi_writes_alone", [])
        return {s.labels["outcome"]: s.value for s in found if s.name.endswith("_total")}

    before = await counted()
    comment = {"i": {"caseId": global_id("Case", case_id), "note": "计数"}}
    await api.ok(COMMENT, comment, user=LEADER)
    after = await counted()
    assert after.get("sealed", 0) == before.get("sealed", 0) + 1
    assert after.get("transaction", 0) == before.get("transaction", 0)
