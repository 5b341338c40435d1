"""A page of cases loads what the query selects of its cases before their fields resolve.

The loads are the DataLoader batches the fields would have made (one statement per kind),
started together and kept in the loaders' caches (`eager.fill`); the fields then find
their rows already loaded and answer at once (`eager.now_or_later`) instead of each
awaiting its own future. On a page of 50 nested cases that spares graphql-core several
hundred coroutines and tasks (docs/BENCHMARKS.md).
"""

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from yidi.resolvers import pagination
from yidi.resolvers.context import Context
from yidi.resolvers.eager import fill
from yidi.services.reading import CaseRow

UNIT_COLUMNS = {
    "handlingUnit": "handling_unit_id",
    "locationUnit": "location_unit_id",
    "intakeUnit": "intake_unit_id",
}


def _events_first(arguments: Mapping[str, Any]) -> int | None:
    """The page size `events` will ask for, when it reads from the start and is valid
    (an invalid one is refused by the field itself)."""
    if arguments.get("after") is not None:
        return None
    first = arguments.get("first", pagination.EVENTS_FIRST_DEFAULT)
    first = pagination.EVENTS_FIRST_DEFAULT if first is None else first
    if isinstance(first, str) and first.isdigit():
        first = int(first)  # a literal in the document arrives as its text
    if not isinstance(first, int) or not 0 <= first <= pagination.EVENTS_FIRST_MAX:
        return None
    return first


async def prefetch(
    ctx: Context, cases: Sequence[CaseRow], selected: Mapping[str, Mapping[str, Any]]
) -> None:
    """Load, in one round, the rows the selected fields of `cases` will read."""
    if not cases:
        return
    loads: list[Awaitable[Any]] = []
    columns = [column for name, column in UNIT_COLUMNS.items() if name in selected]
    units = {getattr(c, column) for column in columns for c in cases}
    if units:
        loads.append(fill(ctx.loaders.units, sorted(units)))
    if "category" in selected:
        categories = {c.category_id for c in cases if c.category_id is not None}
        loads.append(fill(ctx.loaders.categories, sorted(categories)))
    if "assignee" in selected:
        users = {c.assignee_id for c in cases if c.assignee_id is not None}
        loads.append(fill(ctx.loaders.users, sorted(users)))
    if "events" in selected and (first := _events_first(selected["events"])) is not None:
        loads.append(fill(ctx.loaders.events, [(c.id, 0, first) for c in cases]))
    if loads:
        await asyncio.gather(*loads)
