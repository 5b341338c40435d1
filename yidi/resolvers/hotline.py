"""Resolvers of the 12345 hotline bridge's admin view."""

from yidi.persistence.models import HotlineCallback
from yidi.resolvers.context import Context
from yidi.resolvers.pagination import first_within
from yidi.services import hotline, reading

CALLBACKS_FIRST_DEFAULT = 50


async def hotline_callbacks(
    ctx: Context, state: str | None, first: int | None
) -> list[HotlineCallback]:
    count = first_within(first, CALLBACKS_FIRST_DEFAULT, ctx.app.settings.max_page_size)
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await hotline.callbacks(await ctx.session(), enforcer, actor, state, count)


async def callback_case(ctx: Context, case_id: int) -> reading.CaseRow | None:
    """The callback's case, as `case` would answer it for the caller."""
    row = await ctx.loaders.cases.load(case_id)
    return reading.visible(await ctx.enforcer(), await ctx.actor(), row)
