"""A registration takes its county number last, in one statement with the event positions:
the counter row every registration of the county queues on is held only from there to
commit, and numbering stays gapless."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette

from tests.support.sql import scalar
from yidi.authz.actor import Actor
from yidi.domain.calendar import SHANGHAI
from yidi.domain.enums import Channel
from yidi.services.auth import load_actor
from yidi.services.intake import RegisterCommand, ReporterInput, register_case

INTAKE = "county.intake"
LOCK_COUNTERS = (
    "SELECT 1 FROM case_sequences WHERE county_id = :c FOR UPDATE NOWAIT",
    "SELECT 1 FROM event_positions WHERE county_id = :c FOR UPDATE NOWAIT",
)


async def _actor(app: Starlette, username: str) -> Actor:
    user_id = await scalar(app, "SELECT id FROM users WHERE username = :u", u=username)
    async with app.state.yidi.uow.read() as session:
        return await load_actor(session, user_id)


async def _command(app: Starlette, actor: Actor) -> RegisterCommand:
    category = await scalar(
        app,
        "SELECT id FROM categories WHERE county_id = :c AND code = 'DISPUTE.NEIGHBOR'",
        c=actor.county_id,
    )
    return RegisterCommand(
        title="邻里噪音纠纷",
        description="楼上装修噪音扰民。",
        category_id=category,
        channel=Channel.VISIT,
        location_unit_id=actor.unit_id,
        address=None,
        occurred_at=None,
        parties_count=1,
        reporter=ReporterInput(name="张三", phone="13800001111", id_number=None, anonymous=False),
        risk_level=None,
        idempotency_key=None,
    )


async def _counters_free(app: Starlette, county_id: int) -> bool:
    """Whether another transaction could lock the county's counter rows right now."""
    async with app.state.yidi.sessions() as other:
        try:
            for statement in LOCK_COUNTERS:
                await other.execute(text(statement), {"c": county_id})
        except DBAPIError:
            return False
        finally:
            await other.rollback()
    return True


async def _last_number(app: Starlette, county_id: int) -> int:
    """The county's last number of the service clock's year."""
    year = app.state.yidi.uow.clock().astimezone(SHANGHAI).year
    value = await scalar(
        app,
        "SELECT last_value FROM case_sequences WHERE county_id = :c AND year = :y",
        c=county_id,
        y=year,
    )
    return int(value)


async def test_the_counter_rows_are_free_until_the_registration_commits(app: Starlette) -> None:
    actor = await _actor(app, INTAKE)
    command = await _command(app, actor)
    before = await _last_number(app, actor.county_id)
    async with app.state.yidi.uow.begin(actor) as work:
        registered = await register_case(work, command)
        # The whole use case has run (case row and event recorded): no counter is held yet.
        assert await _counters_free(app, actor.county_id)
        assert registered.case.number.startswith("pending-")
    # Taken as the work committed: the next number, gapless.
    assert registered.case.number.endswith(f"-{before + 1:06d}")
    stored = await scalar(app, "SELECT number FROM cases WHERE id = :i", i=registered.case.id)
    assert stored == registered.case.number
    assert await _counters_free(app, actor.county_id)


async def _register_then_fail(app: Starlette, actor: Actor, command: RegisterCommand) -> None:
    async with app.state.yidi.uow.begin(actor) as work:
        await register_case(work, command)
        raise RuntimeError("failed late")


async def test_a_registration_failing_after_its_use_case_burns_no_number(app: Starlette) -> None:
    actor = await _actor(app, INTAKE)
    command = await _command(app, actor)
    before = await _last_number(app, actor.county_id)
    cases_before = await scalar(app, "SELECT count(*) FROM cases")
    with pytest.raises(RuntimeError, match="failed late"):
        await _register_then_fail(app, actor, command)
    assert await _last_number(app, actor.county_id) == before
    assert await scalar(app, "SELECT count(*) FROM cases") == cases_before
    async with app.state.yidi.uow.begin(actor) as work:
        registered = await register_case(work, command)
    assert registered.case.number.endswith(f"-{before + 1:06d}")
