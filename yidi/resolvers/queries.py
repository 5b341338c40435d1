"""Root query resolvers: authenticate, decode ids, ask the read use cases, return rows."""

from dataclasses import dataclass
from datetime import datetime

from yidi.authz import guard
from yidi.domain.errors import BadInput
from yidi.domain.intake import check_optional_text
from yidi.domain.numbering import parse_case_number
from yidi.persistence import cases as case_store
from yidi.persistence import units as unit_store
from yidi.persistence.models import Case, CaseEvent, Category, Unit, User
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id, parse_global_id, pk_or_none
from yidi.services import reading


async def me(ctx: Context) -> User:
    actor = await ctx.actor()
    user = await ctx.loaders.users.load(actor.user_id)
    assert user is not None
    return user


async def _unit_in_county(ctx: Context, unit: Unit | None) -> Unit | None:
    """Staff see the org tree of their own county only; other counties do not exist for them."""
    actor = await ctx.actor()
    return unit if unit is not None and guard.may_see_org_object(actor, unit.county_id) else None


async def unit(ctx: Context, global_id: str) -> Unit | None:
    pk = pk_or_none(global_id, "Unit")
    return await _unit_in_county(ctx, await ctx.loaders.units.load(pk) if pk else None)


async def unit_by_code(ctx: Context, code: str) -> Unit | None:
    if "\x00" in code or len(code) > 64:
        return None  # no unit has such a code
    return await _unit_in_county(ctx, await unit_store.unit_by_code(await ctx.session(), code))


async def categories(ctx: Context) -> list[Category]:
    actor = await ctx.actor()
    return await unit_store.categories_of_county(await ctx.session(), actor.county_id)


async def case(ctx: Context, global_id: str) -> Case | None:
    pk = pk_or_none(global_id, "Case")
    row = await ctx.loaders.cases.load(pk) if pk else None
    return reading.visible(await ctx.enforcer(), await ctx.actor(), row)


async def case_by_number(ctx: Context, number: str) -> Case | None:
    if parse_case_number(number) is None:
        return None
    row = await case_store.case_by_number(await ctx.session(), number.strip())
    return reading.visible(await ctx.enforcer(), await ctx.actor(), row)


async def node(ctx: Context, global_id: str) -> Unit | User | Category | Case | CaseEvent | None:
    """Any object by id, under the same visibility as its own query field."""
    parsed = parse_global_id(global_id)
    if parsed is None:
        return None
    type_name, pk = parsed
    actor = await ctx.actor()
    if type_name == "Case":
        return await case(ctx, global_id)
    if type_name == "Unit":
        return await unit(ctx, global_id)
    if type_name == "User":
        user = await ctx.loaders.users.load(pk)
        return (
            user if user is not None and guard.may_see_org_object(actor, user.county_id) else None
        )
    if type_name == "Category":
        category = await ctx.loaders.categories.load(pk)
        visible = category is not None and guard.may_see_org_object(actor, category.county_id)
        return category if visible else None
    event = await case_store.event_by_id(await ctx.session(), pk)
    if event is None:
        return None
    parent = await ctx.loaders.cases.load(event.case_id)
    return event if reading.visible(await ctx.enforcer(), actor, parent) is not None else None


SEARCH_MAX = 100


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


def to_query(args: CaseFilterArgs | None) -> case_store.CaseQuery:
    if args is None:
        return case_store.CaseQuery()
    search = check_optional_text("filter.search", args.search, SEARCH_MAX) if args.search else None
    return case_store.CaseQuery(
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
    )


async def cases(
    ctx: Context,
    filter_args: CaseFilterArgs | None,
    order_field: str,
    descending: bool,
    first: int | None,
    after: str | None,
) -> reading.CaseListResult:
    limit = ctx.app.settings.max_page_size
    count = 20 if first is None else first
    if not 0 <= count <= limit:
        raise BadInput("first", f"first must be between 0 and {limit}.")
    query = to_query(filter_args)
    try:
        position = case_store.decode_after(order_field, after) if after is not None else None
    except ValueError as exc:  # not one of our cursors, or one from another ordering
        raise BadInput("after", "after is not a valid cursor for this ordering.") from exc
    result = await reading.list_cases(
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
    ctx.loaders.prime_cases(result.page.cases)
    return result
