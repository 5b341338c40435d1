"""CaseRow fields whose answer depends on the caller: permissions, personal data, timeline
(and the notes in it)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from yidi.authz.actor import Actor, CaseFacts
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.enums import CaseAction, CaseEventType
from yidi.persistence.models import Case, Extension, Mediation, Pause, Summons
from yidi.resolvers import pagination
from yidi.resolvers.context import Context
from yidi.resolvers.eager import now_or_later
from yidi.services import reading
from yidi.services.reading import CaseRow, EventRow

T = TypeVar("T")


@dataclass(frozen=True)
class EventPage:
    events: list[EventRow]
    page_info: pagination.PageInfo[EventRow]
    total: int


def _event_cursor(event: EventRow) -> str:
    return pagination.event_cursor(event.id)


def events(
    ctx: Context, case: CaseRow, first: int | None, after: str | None
) -> EventPage | Awaitable[EventPage]:
    count = pagination.first_within(
        first, pagination.EVENTS_FIRST_DEFAULT, pagination.EVENTS_FIRST_MAX
    )
    after_id = pagination.decode_event_cursor(after) if after is not None else 0

    def page(found: reading.EventSlice) -> EventPage:
        info = pagination.page_info(
            found.events, _event_cursor, has_next=found.has_next, after=after
        )
        return EventPage(found.events, info, found.total)

    return now_or_later(ctx.loaders.events, (case.id, after_id, count), page)


async def event_note(ctx: Context, event: EventRow) -> str | None:
    return await reading.event_note(
        await ctx.enforcer(), await ctx.actor(), event, ctx.loaders.cases.load
    )


def allowed_actions(ctx: Context, case: CaseRow) -> list[CaseAction] | Awaitable[list[CaseAction]]:
    return _as_reader(ctx, case, reading.allowed_actions)


def reporter(ctx: Context, case: CaseRow) -> reading.ReporterView | Awaitable[reading.ReporterView]:
    return _as_reader(ctx, case, reading.reporter_view)


ReaderView = Callable[[CountyEnforcer, Actor, CaseRow, CaseFacts], T]


def _as_reader(ctx: Context, case: CaseRow, view: ReaderView[T]) -> T | Awaitable[T]:
    """`view` of the case for the caller: at once when the request already holds the caller
    and the policy (every root field that hands out cases has loaded them)."""
    known = ctx.known_reader
    if known is not None:
        return view(*known, case, _facts(ctx, case))
    return _as_reader_later(ctx, case, view)


async def _as_reader_later(ctx: Context, case: CaseRow, view: ReaderView[T]) -> T:
    return view(await ctx.enforcer(), await ctx.actor(), case, _facts(ctx, case))


def _facts(ctx: Context, case: CaseRow) -> CaseFacts:
    """The case's authorization facts, built once per request for a page's plain row, which
    both allowedActions and the reporter read; for an ORM case, which a mutation of the
    same request may change, each time they are asked for."""
    if isinstance(case, Case):
        return reading.authz_facts(case)
    memo = ctx.loaders.case_facts
    known = memo.get(id(case))
    if known is None or known[0] is not case:
        known = memo[id(case)] = (case, reading.authz_facts(case))
    return known[1]


async def merged_into(ctx: Context, case: CaseRow) -> CaseRow | None:
    if case.merged_into_id is None:
        return None
    target = await ctx.loaders.cases.load(case.merged_into_id)
    return reading.visible(await ctx.enforcer(), await ctx.actor(), target)


OWNERSHIP_EVENTS = frozenset({CaseEventType.OWNERSHIP_TAKEN, CaseEventType.OWNERSHIP_RELEASED})


def event_owner_id(event: EventRow) -> int | None:
    """The leader an ownership event is about (a superior may end someone else's)."""
    if CaseEventType(event.type) not in OWNERSHIP_EVENTS or not event.data:
        return None
    owner = event.data.get("owner")
    return owner if isinstance(owner, int) else None


async def mediation_view(
    ctx: Context, case: CaseRow, mediation: Mediation
) -> reading.MediationView:
    return reading.mediation_view(await ctx.enforcer(), await ctx.actor(), case, mediation)


async def event_mediation(ctx: Context, event: EventRow) -> tuple[CaseRow, Mediation] | None:
    """The mediation a MEDIATION_RECORDED event records, with its case."""
    if event.type != CaseEventType.MEDIATION_RECORDED.value or not event.data:
        return None
    mediation_id = event.data.get("mediation")
    if not isinstance(mediation_id, int):
        return None
    mediation = await ctx.loaders.mediation.load(mediation_id)
    case = await ctx.loaders.cases.load(event.case_id)
    return None if mediation is None or case is None else (case, mediation)


def _record_id(event: EventRow, types: frozenset[CaseEventType], key: str) -> int | None:
    """The id of the case-file record an event of `types` names in its data under `key`."""
    if CaseEventType(event.type) not in types or not event.data:
        return None
    value = event.data.get(key)
    return value if isinstance(value, int) else None


EXTENSION_EVENTS = frozenset({CaseEventType.EXTENSION_REQUESTED, CaseEventType.EXTENSION_DECIDED})
PAUSE_EVENTS = frozenset({CaseEventType.PAUSED, CaseEventType.RESUMED})


async def event_extension(ctx: Context, event: EventRow) -> Extension | None:
    """The extension request an EXTENSION_REQUESTED or EXTENSION_DECIDED event is about."""
    record_id = _record_id(event, EXTENSION_EVENTS, "extension")
    return None if record_id is None else await ctx.loaders.extension.load(record_id)


async def event_pause(ctx: Context, event: EventRow) -> Pause | None:
    """The pause a PAUSED or RESUMED event is about."""
    record_id = _record_id(event, PAUSE_EVENTS, "pause")
    return None if record_id is None else await ctx.loaders.pause.load(record_id)


SUMMONS_EVENTS = frozenset(
    {
        CaseEventType.SUMMONED,
        CaseEventType.REPORTED_IN,
        CaseEventType.CONTRIBUTED,
        CaseEventType.REPORT_IN_MISSED,
    }
)


async def event_summonses(ctx: Context, event: EventRow) -> list[Summons] | None:
    """The summonses a summons event is about: every unit a SUMMONED event called, the one
    unit that answered or missed its deadline; None on other events."""
    if CaseEventType(event.type) not in SUMMONS_EVENTS or not event.data:
        return None
    ids = event.data.get("summons")
    if not isinstance(ids, list):
        return None
    rows = await ctx.loaders.summons.load_many([i for i in ids if isinstance(i, int)])
    return [r for r in rows if r is not None]
