"""A county's intake settings (docs/INTAKE.md), read and changed by whoever manages its
responsibility list (MANAGE_RESPONSIBILITIES)."""

from dataclasses import dataclass, replace

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain import intake_settings as rules
from yidi.domain.errors import Forbidden
from yidi.domain.intake_settings import IntakeSettings
from yidi.persistence import responsibility as store
from yidi.persistence.session import Session
from yidi.services.unit_of_work import Work


@dataclass(frozen=True)
class CountyIntakeSettings:
    county_id: int
    settings: IntakeSettings


def require_manager(enforcer: CountyEnforcer, actor: Actor) -> None:
    if not guard.may_manage_responsibilities(enforcer, actor):
        raise Forbidden("Only the county's administrators manage its intake and routing.")


async def settings_of(session: Session, county_id: int) -> IntakeSettings:
    stored = await store.intake_settings(session, county_id)
    if stored is None:
        return IntakeSettings()
    return IntakeSettings(stored.auto_route, stored.repeat_window_days, stored.repeat_similarity)


async def read_settings(
    session: Session, enforcer: CountyEnforcer, actor: Actor
) -> CountyIntakeSettings:
    require_manager(enforcer, actor)
    return CountyIntakeSettings(actor.county_id, await settings_of(session, actor.county_id))


async def update_settings(
    work: Work,
    auto_route: bool | None,
    repeat_window_days: int | None,
    repeat_similarity: float | None,
) -> CountyIntakeSettings:
    """Change the settings given; those left out keep their value."""
    actor, enforcer = work.staff()
    require_manager(enforcer, actor)
    current = await settings_of(work.session, actor.county_id)
    changed = rules.check(
        replace(
            current,
            auto_route=current.auto_route if auto_route is None else auto_route,
            repeat_window_days=current.repeat_window_days
            if repeat_window_days is None
            else repeat_window_days,
            repeat_similarity=current.repeat_similarity
            if repeat_similarity is None
            else repeat_similarity,
        )
    )
    await store.store_intake_settings(
        work.session,
        actor.county_id,
        store.StoredSettings(
            changed.auto_route, changed.repeat_window_days, changed.repeat_similarity
        ),
        work.now,
    )
    return CountyIntakeSettings(actor.county_id, changed)
