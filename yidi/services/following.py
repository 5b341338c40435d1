"""Use cases behind live updates: what a subscriber may follow, where a resume starts, and
which committed events (with their cases as they are now) come next."""

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.errors import BadInput, Forbidden, NotFound
from yidi.persistence import outbox
from yidi.persistence.cases import cases_by_ids
from yidi.persistence.models import Case, CaseEvent, Unit
from yidi.persistence.session import Session
from yidi.persistence.units import units_by_ids
from yidi.services.case_facts import authz_facts


@dataclass(frozen=True)
class Delivery:
    """A committed event and its case as it is when the event is delivered."""

    event: CaseEvent
    case: Case
    # Scratch space shared by every subscriber of this process that receives the event
    # (one GraphQL execution for identical subscriptions).
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False)

    @property
    def position(self) -> int:
        return self.event.position


async def case_to_follow(
    session: Session, enforcer: CountyEnforcer, actor: Actor, case_id: int
) -> Case:
    """The case, if the actor may view it now; NOT_FOUND otherwise, as `case` would say."""
    case = (await cases_by_ids(session, [case_id])).get(case_id)
    if case is None or not guard.can_view(enforcer, actor, authz_facts(case)):
        raise NotFound("No such case.")
    return case


async def unit_to_follow(session: Session, actor: Actor, unit_id: int) -> Unit:
    """A unit of the actor's own subtree. Another county's unit does not exist for the
    actor (NOT_FOUND); one of its own county outside its subtree is FORBIDDEN."""
    unit = (await units_by_ids(session, [unit_id])).get(unit_id)
    if unit is None or not guard.may_see_org_object(actor, unit.county_id):
        raise NotFound("No such unit.")
    if not guard.may_follow_unit(actor, unit.path):
        raise Forbidden("Only units in your own subtree can be followed.")
    return unit


async def resume_position(session: Session, event_id: int, county_id: int) -> int:
    """The county position a resume cursor stands for; BAD_USER_INPUT on `after` when the
    event is unknown or belongs to another county."""
    found = await outbox.position_of_event(session, event_id)
    if found is None or found[0] != county_id:
        raise BadInput("after", "after is not a cursor of this subscription's events.")
    return found[1]


async def last_position(session: Session, county_id: int) -> int:
    return await outbox.last_position(session, county_id)


async def deliveries_after(
    session: Session, county_id: int, position: int, limit: int, *, until: int | None = None
) -> list[Delivery]:
    """The county's next committed events after `position` (up to `until`), in commit
    order, each with its case read in the same snapshot."""
    events = await outbox.events_after(session, county_id, position, limit, until)
    cases = await cases_by_ids(session, sorted({e.case_id for e in events}))
    return [Delivery(e, cases[e.case_id]) for e in events]


def may_receive(enforcer: CountyEnforcer, actor: Actor, case: Case) -> bool:
    """Each event is judged as it is delivered, by the rule that judges `case`."""
    return guard.can_view(enforcer, actor, authz_facts(case))
