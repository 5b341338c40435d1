"""Lifecycle mutations: one path for every action."""

from collections.abc import Callable

from yidi.domain.commands import CaseCommand
from yidi.persistence.models import Case
from yidi.resolvers.context import Context
from yidi.services.transitions import transition


async def act(ctx: Context, build: Callable[[], CaseCommand]) -> Case:
    """Authenticate, build the command from the input (decoding its ids), run it in one
    unit of work, and hand back the case as it is now."""
    await ctx.actor()
    command = build()
    async with ctx.work() as work:
        return await transition(work, command)
