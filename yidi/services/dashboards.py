"""Dashboard use cases (docs/DASHBOARDS.md): authorize VIEW_STATS on the unit, check the
window, then ask persistence for the figures in one statement each."""

from dataclasses import dataclass
from datetime import datetime

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain import dashboards as rules
from yidi.domain.enums import Interval, UnitLevel
from yidi.persistence import dashboards as store
from yidi.persistence.models import Unit
from yidi.persistence.session import Session
from yidi.persistence.units import units_by_ids


@dataclass(frozen=True)
class UnitFigures:
    unit: Unit
    figures: rules.Figures
    children: list["UnitFigures"]


@dataclass(frozen=True)
class TrendPoint:
    start: datetime
    received: int
    resolved: int


async def _permitted_unit(
    session: Session, enforcer: CountyEnforcer, actor: Actor, unit_id: int | None
) -> Unit:
    unit = (await units_by_ids(session, [unit_id])).get(unit_id) if unit_id else None
    guard.require_stats(
        enforcer,
        actor,
        unit.county_id if unit is not None else None,
        list(unit.path) if unit is not None else None,
    )
    assert unit is not None
    return unit


async def unit_stats(
    session: Session,
    enforcer: CountyEnforcer,
    actor: Actor,
    unit_id: int | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> UnitFigures:
    """The unit's figures and each child AREA unit's, every child listed."""
    unit = await _permitted_unit(session, enforcer, actor, unit_id)
    rules.check_window(start, end)
    children = await store.area_children(session, unit.id)
    groups = await store.stats_groups(session, unit, start, end, now)
    total, per_child = rules.fold(groups, [c.id for c in children])
    return UnitFigures(
        unit, total, [UnitFigures(child, per_child[child.id], []) for child in children]
    )


async def zero_filing_units(
    session: Session,
    enforcer: CountyEnforcer,
    actor: Actor,
    unit_id: int | None,
    level: UnitLevel,
    start: datetime,
    end: datetime,
) -> list[Unit]:
    unit = await _permitted_unit(session, enforcer, actor, unit_id)
    rules.check_window(start, end)
    return await store.zero_filing_units(session, unit, level, start, end)


async def case_trend(
    session: Session,
    enforcer: CountyEnforcer,
    actor: Actor,
    unit_id: int | None,
    start: datetime,
    end: datetime,
    interval: Interval,
) -> list[TrendPoint]:
    """One point per bucket meeting [start, end), empty buckets included."""
    unit = await _permitted_unit(session, enforcer, actor, unit_id)
    starts = rules.buckets(start, end, interval)
    counts = await store.trend_counts(session, unit, start, end, interval)
    # The statement answers local bucket starts without a zone; the points carry Shanghai's.
    return [
        TrendPoint(
            b,
            counts.get(("received", b.replace(tzinfo=None)), 0),
            counts.get(("resolved", b.replace(tzinfo=None)), 0),
        )
        for b in starts
    ]
