"""Root query resolvers: authenticate, decode ids, ask the read use cases, return rows."""

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from yidi.authz import guard
from yidi.domain.intake import check_optional_text
from yidi.domain.numbering import parse_case_number
from yidi.persistence.models import Case, CaseEvent, Category, Unit, User
from yidi.resolvers import case_prefetch, pagination
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id, pk_or_none
from yidi.services import reading


async def me(ctx: Context) -> User:
    actor = await ctx.actor()
    user = await ctx.loaders.users.load(actor.user_id)
    assert user is not None
    return user


OrgRow = TypeVar("OrgRow", Unit, User, Category)


async def _in_own_county(ctx: Context, row: OrgRow | None) -> OrgRow | None:
    """Staff see the org tree of their own county only; other counties do not exist for them."""
    actor = await ctx.actor()
    return row if row is not None and guard.may_see_org_object(actor, row.county_id) else None


async def unit(ctx: Context, global_id: str) -> Unit | None:
    pk = pk_or_none(global_id, "Unit")
    return await _in_own_county(ctx, await ctx.loaders.units.load(pk) if pk else None)


async def unit_by_code(ctx: Context, code: str) -> Unit | None:
    if "\x00" in code or len(code) > 64:
        return None  # no unit has such a code
    return await _in_own_county(ctx, await reading.unit_by_code(await ctx.session(), code))


async def categories(ctx: Context) -> list[Category]:
    actor = await ctx.actor()
    return await reading.categories_of_county(await ctx.session(), actor.county_id)


async def case(ctx: Context, global_id: str) -> reading.CaseRow | None:
    pk = pk_or_none(global_id, "Case")
    row = await ctx.loaders.cases.load(pk) if pk else None
    return reading.visible(await ctx.enforcer(), await ctx.actor(), row)


async def case_by_number(ctx: Context, number: str) -> Case | None:
    if parse_case_number(number) is None:
        return None
    row = await reading.case_by_number(await ctx.session(), number.strip())
    return reading.visible(await ctx.enforcer(), await ctx.actor(), row)


async def user(ctx: Context, global_id: str) -> User | None:
    pk = pk_or_none(global_id, "User")
    return await _in_own_county(ctx, await ctx.loaders.users.load(pk) if pk else None)


async def category(ctx: Context, global_id: str) -> Category | None:
    pk = pk_or_none(global_id, "Category")
    return await _in_own_county(ctx, await ctx.loaders.categories.load(pk) if pk else None)


async def case_event(ctx: Context, global_id: str) -> CaseEvent | None:
    """An event is visible exactly when its case is."""
    actor = await ctx.actor()
    pk = pk_or_none(global_id, "CaseEvent")
    event = await reading.event_by_id(await ctx.session(), pk) if pk else None
    if event is None:
        return None
    parent = await ctx.loaders.cases.load(event.case_id)
    visible = reading.visible(await ctx.enforcer(), actor, parent) is not None
    return event if visible else None


SEARCH_MAX = 100


@dataclass(frozen=True)
class CasePage:
    cases: list[reading.CaseRow]  # plain rows (persistence/read_rows.py)
    page_info: pagination.PageInfo[
        reading.CaseRow
    ]  # with each edge's cursor, encoded when asked for
    total: Callable[[], Awaitable[int]]


@dataclass(frozen=True)
class CaseFilterArgs:
    status: list[str] | None
    risk_level: list[str] | None
    channel: list[str] | None
    category_id: str | None
    unit_id: str | None
    overdue: bool | None
    registered_from: datetime | None
    registered_to: datetime | None
    search: str | None
    owner_id: str | None = None
    owned: bool | None = None


def to_query(args: CaseFilterArgs | None) -> reading.CaseQuery:
    if args is None:
        return reading.CaseQuery()
    search = check_optional_text("filter.search", args.search, SEARCH_MAX) if args.search else None
    return reading.CaseQuery(
        statuses=args.status,
        risk_levels=args.risk_level,
        channels=args.channel,
        category_id=decode_id(args.category_id, "Category", "filter.categoryId")
        if args.category_id is not None
        else None,
        unit_id=decode_id(args.unit_id, "Unit", "filter.unitId")
        if args.unit_id is not None
        else None,
        overdue=args.overdue,
        registered_from=args.registered_from,
        registered_to=args.registered_to,
        search=search or None,
        owner_id=decode_id(args.owner_id, "User", "filter.ownerId")
        if args.owner_id is not None
        else None,
        owned=args.owned,
    )


async def cases(
    ctx: Context,
    filter_args: CaseFilterArgs | None,
    order_field: str,
    descending: bool,
    first: int | None,
    after: str | None,
    selected: Mapping[str, Mapping[str, Any]],
) -> CasePage:
    """A page of the caller's cases, with what `selected` (the fields asked of each case)
    will read of them already loaded."""
    count = pagination.first_within(
        first, pagination.CASES_FIRST_DEFAULT, ctx.app.settings.max_page_size
    )
    query = to_query(filter_args)
    position = pagination.decode_case_cursor(order_field, after) if after is not None else None
    found = await reading.list_cases(
        await ctx.session(),
        await ctx.enforcer(),
        await ctx.actor(),
        query,
        order_field=order_field,
        descending=descending,
        first=count,
        after=position,
        now=ctx.now(),
    )
    ctx.loaders.prime_cases(found.page.cases)
    await case_prefetch.prefetch(ctx, found.page.cases, selected)
    cursor_of = functools.partial(pagination.case_cursor, order_field)
    cases = found.page.cases
    info = pagination.page_info(cases, cursor_of, has_next=found.page.has_next, after=after)
    return CasePage(cases, info, found.total)
