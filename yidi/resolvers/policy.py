"""Resolvers for reading and replacing a county's policy."""

from yidi.authz.default_policy import DEFAULT_POLICY
from yidi.authz.rules import Rule
from yidi.resolvers.context import Context
from yidi.services import policy_admin


async def county_policy(ctx: Context) -> policy_admin.CountyPolicy:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    async with ctx.app.sessions() as session:
        return await policy_admin.read_policy(session, enforcer, actor)


async def replace_county_policy(
    ctx: Context, rules: list[Rule], expected_revision: int | None
) -> policy_admin.CountyPolicy:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    async with ctx.app.sessions.begin() as session:
        result = await policy_admin.replace_policy(
            session, enforcer, actor, rules, expected_revision
        )
    # This process applies the change at once; the others within a poll interval.
    ctx.app.registry.invalidate(actor.county_id)
    return result


def default_policy() -> list[Rule]:
    return list(DEFAULT_POLICY)
