"""Lifecycle mutations: one path for every action."""

from collections.abc import Callable

from yidi.domain.commands import CaseCommand
from yidi.persistence.models import Case
from yidi.resolvers.context import Context
from yidi.services.actions import runs_alone
from yidi.services.transitions import transition
from yidi.services.work import Work


async def act(ctx: Context, build: Callable[[], CaseCommand]) -> Case:
    """Authenticate, build the command from the input (decoding its ids), run it in one
    unit of work — without a transaction when its only write is the event writer's seal —
    and hand back the case as it is now."""
    await ctx.actor()
    command = build()

    async def use_case(work: Work) -> Case:
        return await transition(work, command)

    if runs_alone(command):
        return await ctx.run_alone(use_case)
    async with ctx.work() as work:
        return await use_case(work)
