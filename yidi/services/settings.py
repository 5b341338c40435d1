"""A county's settings, read and changed by its administrators (docs/CASE_FILE.md).

Changing them is the same permission as changing the policy (MANAGE_POLICY): both decide
what the county's staff must do before a case counts as done.
"""

from dataclasses import dataclass

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.closure import DEFAULT_FOLLOW_UP_RISKS
from yidi.domain.enums import RISK_RANK, RiskLevel
from yidi.domain.errors import Forbidden
from yidi.persistence import settings as store
from yidi.persistence.session import Session
from yidi.services.unit_of_work import Work


@dataclass(frozen=True)
class CountySettings:
    county_id: int
    follow_up_before_closure: list[RiskLevel]


async def follow_up_risks(session: Session, county_id: int) -> list[RiskLevel]:
    stored = await store.follow_up_risks(session, county_id)
    if stored is None:
        return list(DEFAULT_FOLLOW_UP_RISKS)
    return [RiskLevel(r) for r in stored]


def _require_admin(enforcer: CountyEnforcer, actor: Actor) -> None:
    if not guard.may_manage_policy(enforcer, actor):
        raise Forbidden("Only the county's administrators change its settings.")


async def read_settings(session: Session, enforcer: CountyEnforcer, actor: Actor) -> CountySettings:
    _require_admin(enforcer, actor)
    return CountySettings(actor.county_id, await follow_up_risks(session, actor.county_id))


async def update_settings(work: Work, follow_up_before_closure: list[RiskLevel]) -> CountySettings:
    actor, enforcer = work.staff()
    _require_admin(enforcer, actor)
    risks = sorted(set(follow_up_before_closure), key=RISK_RANK.__getitem__)
    await store.store_follow_up_risks(
        work.session, actor.county_id, [r.value for r in risks], work.now
    )
    return CountySettings(actor.county_id, risks)
