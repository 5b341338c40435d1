"""The county dashboards of the contract: unitStats, zeroFilingUnits, caseTrend.

Definitions (docs/DASHBOARDS.md) are repeated in the field descriptions, so a client sees
exactly what each figure counts.
"""

from datetime import datetime
from typing import Annotated

import strawberry

from yidi.domain import enums as e
from yidi.resolvers import dashboards as resolvers
from yidi.schema.types import Category, Ctx, Unit
from yidi.services.dashboards import UnitFigures

_COUNTED = (
    "Counted cases: for an AREA unit, those whose location unit lies in its subtree and that "
    "were registered in [from, to); for a DEPARTMENT, those DISPATCHED or REASSIGNED to it in "
    "[from, to). Cases merged into another case never count."
)


# `from` is a Python keyword: the argument keeps its contract name under another one.
From = Annotated[datetime, strawberry.argument(name="from")]


@strawberry.type
class RiskCount:
    risk_level: e.RiskLevel
    count: int


@strawberry.type
class StatusCount:
    status: e.CaseStatus
    count: int


@strawberry.type
class CategoryCount:
    category_id: strawberry.Private[int]
    count: int

    @strawberry.field
    async def category(self, info: Ctx) -> Category:
        row = await info.context.loaders.categories.load(self.category_id)
        assert row is not None  # a case's category always exists
        return Category.of(row)


@strawberry.type
class LevelCount:
    level: e.UnitLevel
    count: int


@strawberry.type(
    description="Figures for cases whose location unit lies in `unit`'s subtree and that "
    "were registered in [from, to). Rates are null where their denominator is zero. " + _COUNTED
)
class UnitStats:
    value: strawberry.Private[UnitFigures]

    @strawberry.field
    def unit(self) -> Unit:
        return Unit.of(self.value.unit)

    @strawberry.field(description="The counted cases.")
    def received(self) -> int:
        return self.value.figures.received

    @strawberry.field(description="Counted cases that reached RESOLVED at least once.")
    def resolved(self) -> int:
        return self.value.figures.resolved

    @strawberry.field(description="Counted cases CLOSED now.")
    def closed(self) -> int:
        return self.value.figures.closed

    @strawberry.field(
        description="Open now and past dueAt (REGISTERED, DISPATCHED or IN_PROGRESS)."
    )
    def overdue(self) -> int:
        return self.value.figures.overdue

    @strawberry.field(description="Counted cases escalated at least once.")
    def escalated(self) -> int:
        return self.value.figures.escalated

    @strawberry.field(description="resolved / received.")
    def resolution_rate(self) -> float | None:
        return self.value.figures.resolution_rate

    @strawberry.field(
        description="Resolved with the first resolution no later than dueAt / resolved."
    )
    def on_time_rate(self) -> float | None:
        return self.value.figures.on_time_rate

    @strawberry.field(
        description="(SATISFIED + BASICALLY_SATISFIED) / evaluated, by each case's latest "
        "evaluation."
    )
    def satisfaction_rate(self) -> float | None:
        return self.value.figures.satisfaction_rate

    @strawberry.field(description="Mean hours from registration to first resolution.")
    def average_resolution_hours(self) -> float | None:
        return self.value.figures.average_resolution_hours

    @strawberry.field(
        description="Resolved cases by the level of the unit that first resolved them (a "
        "department counts at the level of the area it belongs to); non-zero, COUNTY first."
    )
    def resolved_at_level(self) -> list[LevelCount]:
        return [LevelCount(level=lv, count=n) for lv, n in self.value.figures.levels()]

    @strawberry.field(description="Counted cases by risk, non-zero, BLUE first.")
    def by_risk(self) -> list[RiskCount]:
        return [RiskCount(risk_level=r, count=n) for r, n in self.value.figures.risks()]

    @strawberry.field(description="Counted cases by status now, non-zero, in lifecycle order.")
    def by_status(self) -> list[StatusCount]:
        return [StatusCount(status=s, count=n) for s, n in self.value.figures.statuses()]

    @strawberry.field(description="Counted cases by their own category, non-zero, by id.")
    def by_category(self) -> list[CategoryCount]:
        return [CategoryCount(category_id=c, count=n) for c, n in self.value.figures.categories()]

    @strawberry.field(
        description="The same figures for each child AREA unit (never departments), every "
        "child listed, by code; computed in the same statement as the unit's."
    )
    def children(self) -> list["UnitStats"]:
        return [UnitStats(value=child) for child in self.value.children]


@strawberry.type
class TrendPoint:
    start: datetime
    received: int
    resolved: int


@strawberry.type
class DashboardQueries:
    @strawberry.field(description=_COUNTED + " Needs VIEW_STATS on the unit.")
    async def unit_stats(
        self,
        info: Ctx,
        unit_id: strawberry.ID,
        from_: From,
        to: datetime,
    ) -> UnitStats:
        return UnitStats(value=await resolvers.unit_stats(info.context, unit_id, from_, to))

    @strawberry.field(
        description="Units of `level` under `unitId` that registered no case in [from, to): "
        "AREA units of that level in the unit's subtree with received = 0, by code."
    )
    async def zero_filing_units(
        self,
        info: Ctx,
        unit_id: strawberry.ID,
        level: e.UnitLevel,
        from_: From,
        to: datetime,
    ) -> list[Unit]:
        rows = await resolvers.zero_filing_units(info.context, unit_id, level, from_, to)
        return [Unit.of(r) for r in rows]

    @strawberry.field(
        description="One point per DAY, WEEK (from Monday) or MONTH bucket in Asia/Shanghai "
        "time meeting [from, to), empty ones included: received by registration time (a "
        "department: first hand-over to it), resolved by first resolution time. At most "
        "2,000 points."
    )
    async def case_trend(
        self,
        info: Ctx,
        unit_id: strawberry.ID,
        from_: From,
        to: datetime,
        interval: e.Interval,
    ) -> list[TrendPoint]:
        points = await resolvers.case_trend(info.context, unit_id, from_, to, interval)
        return [TrendPoint(start=p.start, received=p.received, resolved=p.resolved) for p in points]
