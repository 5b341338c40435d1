"""Resolver of visit report sheets (docs/INTAKE.md)."""

from dataclasses import dataclass
from datetime import datetime

from yidi.domain.enums import Channel, Outcome, RiskLevel
from yidi.domain.visits import VisitItem, VisitItemKind, VisitReporter, VisitSheet
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id, decode_optional_id
from yidi.services import visits


@dataclass(frozen=True)
class ItemArgs:
    """A VisitItemInput as the schema received it (ids still global)."""

    kind: VisitItemKind
    title: str
    description: str
    category_id: str | None
    location_unit_id: str | None
    reporter: VisitReporter | None
    risk_level: RiskLevel | None
    answer: str | None
    outcome: Outcome | None


@dataclass(frozen=True)
class SheetArgs:
    client_key: str
    location_unit_id: str
    place: str | None
    visited_at: datetime
    households: int
    channel: Channel
    items: list[ItemArgs]


def _item(i: int, a: ItemArgs) -> VisitItem:
    return VisitItem(
        kind=a.kind,
        title=a.title,
        description=a.description,
        category_id=decode_optional_id(a.category_id, "Category", f"items.{i}.categoryId"),
        location_unit_id=decode_optional_id(
            a.location_unit_id, "Unit", f"items.{i}.locationUnitId"
        ),
        reporter=a.reporter,
        risk_level=a.risk_level,
        answer=a.answer,
        outcome=a.outcome,
    )


async def submit_visit_report(ctx: Context, args: SheetArgs) -> visits.SubmittedSheet:
    await ctx.actor()
    sheet = VisitSheet(
        client_key=args.client_key,
        location_unit_id=decode_id(args.location_unit_id, "Unit", "locationUnitId"),
        place=args.place,
        visited_at=args.visited_at,
        households=args.households,
        channel=args.channel,
        items=tuple(_item(i, a) for i, a in enumerate(args.items)),
    )
    async with ctx.work() as work:
        return await visits.submit_visit_report(work, sheet)
