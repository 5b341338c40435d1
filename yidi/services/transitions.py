"""Use cases that move a case through its lifecycle (DESIGN.md, "Case lifecycle").

Every action follows one path: lock the case row, check visibility and policy (authz),
check the expected version, ask the transition table for the next status (domain),
apply the action's own changes, append exactly one event and bump the version — all
in the caller's transaction, so a failure anywhere leaves nothing behind.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.calendar import WorkingCalendar
from yidi.domain.enums import CaseAction
from yidi.domain.errors import Conflict, NotFound
from yidi.domain.lifecycle import EVENT_OF_ACTION, next_status
from yidi.persistence import cases as case_store
from yidi.persistence.models import Case, CaseEvent
from yidi.services.case_facts import authz_facts, lifecycle_facts


@dataclass
class Step:
    """What an action's handler fills in for the event it appends."""

    case: Case
    actor: Actor
    enforcer: CountyEnforcer
    session: AsyncSession
    now: datetime
    calendar: WorkingCalendar
    from_unit_id: int | None = None
    to_unit_id: int | None = None
    note: str | None = None
    data: dict[str, object] | None = None


Handler = Callable[[Step], Awaitable[None]]


async def transition(
    session: AsyncSession,
    enforcer: CountyEnforcer,
    actor: Actor,
    case_id: int,
    action: CaseAction,
    expected_version: int | None,
    handler: Handler,
    *,
    now: datetime,
    calendar: WorkingCalendar,
    also_lock: int | None = None,
) -> Case:
    """Run one lifecycle action on a case. Errors come in this order: NOT_FOUND (not
    visible), CONFLICT (the caller's version is stale: reload before anything else),
    FORBIDDEN (policy), INVALID_TRANSITION (status).

    `also_lock` names a second case the action reads (MERGE's target); both rows are
    locked in id order, so two opposite merges queue instead of deadlocking.
    """
    locked: dict[int, Case | None] = {}
    for pk in sorted({case_id} | ({also_lock} if also_lock is not None else set())):
        locked[pk] = await case_store.case_for_update(session, pk)
    case = locked[case_id]
    if case is None or not guard.can_view(enforcer, actor, authz_facts(case)):
        raise NotFound("No such case.")  # never reveal that an invisible case exists
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            f"The case has changed (version {case.version}, expected {expected_version}); "
            "reload it and try again."
        )
    guard.require(enforcer, actor, action, authz_facts(case))
    status = next_status(lifecycle_facts(case), action)
    step = Step(case, actor, enforcer, session, now, calendar)
    await handler(step)
    case.status = status.value
    case.version += 1
    session.add(
        CaseEvent(
            county_id=case.county_id,
            case_id=case.id,
            type=EVENT_OF_ACTION[action].value,
            at=now,
            actor_id=actor.user_id,
            from_unit_id=step.from_unit_id,
            to_unit_id=step.to_unit_id,
            note=step.note,
            data=step.data,
        )
    )
    await session.flush()
    return case
