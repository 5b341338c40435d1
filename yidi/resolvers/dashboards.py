"""Dashboard resolvers: authenticate, decode the unit id, run the read use case."""

from datetime import datetime

from yidi.domain.enums import Interval, UnitLevel
from yidi.persistence.models import Unit
from yidi.resolvers.context import Context
from yidi.resolvers.ids import pk_or_none
from yidi.services import dashboards
from yidi.services.dashboards import TrendPoint, UnitFigures


async def unit_stats(ctx: Context, unit_id: str, start: datetime, end: datetime) -> UnitFigures:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await dashboards.unit_stats(
        await ctx.session(), enforcer, actor, pk_or_none(unit_id, "Unit"), start, end, ctx.now()
    )


async def zero_filing_units(
    ctx: Context, unit_id: str, level: UnitLevel, start: datetime, end: datetime
) -> list[Unit]:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await dashboards.zero_filing_units(
        await ctx.session(), enforcer, actor, pk_or_none(unit_id, "Unit"), level, start, end
    )


async def case_trend(
    ctx: Context, unit_id: str, start: datetime, end: datetime, interval: Interval
) -> list[TrendPoint]:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await dashboards.case_trend(
        await ctx.session(), enforcer, actor, pk_or_none(unit_id, "Unit"), start, end, interval
    )
