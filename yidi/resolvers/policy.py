"""Resolvers for reading and replacing a county's policy."""

from yidi.authz.rules import Rule
from yidi.policies import admin as policy_admin
from yidi.resolvers.context import Context


async def county_policy(ctx: Context) -> policy_admin.CountyPolicy:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await policy_admin.read_policy(await ctx.session(), enforcer, actor)


async def replace_county_policy(
    ctx: Context, rules: list[Rule], expected_revision: int | None
) -> policy_admin.CountyPolicy:
    async with ctx.work() as work:
        result = await policy_admin.replace_policy(work, rules, expected_revision)
    # This process applies the change at once; the others within a poll interval.
    ctx.app.uow.registry.invalidate(result.county_id)
    return result


async def default_policy(ctx: Context) -> list[Rule]:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return policy_admin.read_default_policy(enforcer, actor)
