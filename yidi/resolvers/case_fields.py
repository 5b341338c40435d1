"""Case fields whose answer depends on the caller: permissions, personal data, timeline."""

from dataclasses import dataclass

from yidi.domain.enums import CaseAction
from yidi.domain.errors import BadInput
from yidi.persistence.cases import is_row_id
from yidi.persistence.cursors import decode_cursor, encode_cursor
from yidi.persistence.models import Case, CaseEvent
from yidi.resolvers.context import Context
from yidi.services import reading

MAX_EVENTS_PAGE = 200


def event_cursor(event_id: int) -> str:
    return encode_cursor("e", event_id)


def parse_event_cursor(cursor: str) -> int:
    try:
        parts = decode_cursor(cursor)
    except ValueError:
        parts = []
    if len(parts) != 2 or parts[0] != "e" or not is_row_id(parts[1]):
        raise BadInput("after", "after is not a valid event cursor.")
    return int(parts[1])


@dataclass(frozen=True)
class EventPage:
    items: list[tuple[CaseEvent, str]]
    total: int
    has_next: bool


async def events(ctx: Context, case: Case, first: int | None, after: str | None) -> EventPage:
    count = 50 if first is None else first
    if not 0 <= count <= MAX_EVENTS_PAGE:
        raise BadInput("first", f"first must be between 0 and {MAX_EVENTS_PAGE}.")
    after_id = parse_event_cursor(after) if after is not None else 0
    found = await ctx.loaders.events.load((case.id, after_id, count))
    return EventPage([(e, event_cursor(e.id)) for e in found.events], found.total, found.has_next)


async def allowed_actions(ctx: Context, case: Case) -> list[CaseAction]:
    return reading.allowed_actions(await ctx.enforcer(), await ctx.actor(), case)


async def reporter(ctx: Context, case: Case) -> reading.ReporterView:
    return reading.reporter_view(await ctx.enforcer(), await ctx.actor(), case)


async def merged_into(ctx: Context, case: Case) -> Case | None:
    if case.merged_into_id is None:
        return None
    target = await ctx.loaders.cases.load(case.merged_into_id)
    return reading.visible(await ctx.enforcer(), await ctx.actor(), target)
