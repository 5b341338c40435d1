"""Subscriptions: check what may be followed, then hand out each delivered event with the
request caches renewed (fields resolve as queries would, masking included)."""

from collections.abc import AsyncIterator

from yidi.live.subscriber import FellBehind, Follows
from yidi.persistence.models import Case, CaseEvent
from yidi.persistence.session import Session
from yidi.resolvers import pagination
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id
from yidi.services import following
from yidi.services.following import Delivery

# A subscriber that let its buffer fill is disconnected with this code; it reconnects and
# resumes with the cursor of the last event it received (docs/SUBSCRIPTIONS.md).
FELL_BEHIND_CLOSE_CODE = 4008


async def case_events(ctx: Context, case_id: str, after: str | None) -> AsyncIterator[Delivery]:
    actor = await ctx.actor()
    pk = decode_id(case_id, "Case", "caseId")
    enforcer = await ctx.enforcer()
    async with ctx.app.uow.read() as session:
        case = await following.case_to_follow(session, enforcer, actor, pk)
        start = await _resume_point(session, after, case.county_id)

    def follows(event: CaseEvent, _: Case) -> bool:
        return event.case_id == pk

    async for delivery in _deliver(ctx, case.county_id, follows, start):
        yield delivery


async def unit_case_events(
    ctx: Context, unit_id: str, after: str | None
) -> AsyncIterator[Delivery]:
    actor = await ctx.actor()
    pk = decode_id(unit_id, "Unit", "unitId")
    async with ctx.app.uow.read() as session:
        unit = await following.unit_to_follow(session, actor, pk)
        start = await _resume_point(session, after, unit.county_id)

    def follows(_: CaseEvent, case: Case) -> bool:
        return pk in case.handling_path or pk in case.location_path

    async for delivery in _deliver(ctx, unit.county_id, follows, start):
        yield delivery


async def _resume_point(session: Session, after: str | None, county_id: int) -> int | None:
    if after is None:
        return None
    event_id = pagination.decode_event_cursor(after)
    return await following.resume_position(session, event_id, county_id)


async def _deliver(
    ctx: Context, county_id: int, follows: Follows, start: int | None
) -> AsyncIterator[Delivery]:
    subscriber = ctx.app.live.subscriber(await ctx.actor(), follows)
    try:
        async for delivery in ctx.app.live.follow(county_id, subscriber, start, ctx.following):
            await ctx.next_delivery(delivery.case)
            yield delivery
    except FellBehind:
        await ctx.close_connection(
            FELL_BEHIND_CLOSE_CODE, "Too far behind: resume with the last cursor."
        )
    finally:
        await ctx.close()
