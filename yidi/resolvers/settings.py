"""Resolvers for reading and changing a county's settings."""

from yidi.domain.enums import RiskLevel
from yidi.resolvers.context import Context
from yidi.services import settings


async def county_settings(ctx: Context) -> settings.CountySettings:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await settings.read_settings(await ctx.session(), enforcer, actor)


async def update_county_settings(
    ctx: Context, follow_up_before_closure: list[RiskLevel]
) -> settings.CountySettings:
    await ctx.actor()
    async with ctx.work() as work:
        return await settings.update_settings(work, follow_up_before_closure)
