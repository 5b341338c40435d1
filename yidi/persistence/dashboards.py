"""The dashboards' SQL (docs/DASHBOARDS.md): one statement per figure set, never one per child.

Which cases count for a unit, as SQL:
- an AREA unit: cases whose location lies in its subtree — `county_id`, the location's
  township or village column by the unit's level, read from the B-tree indexes on them;
- a DEPARTMENT: cases DISPATCHED or REASSIGNED to it (or a unit below it) in the window.
Merged duplicates never count. "First resolution" is a case's earliest RESOLVED event, and
its unit (the event's from-unit, the handling unit then) gives the level it was resolved at;
both, and the latest evaluation, are kept on the case row by the event writer
(`services/events.record`), so no figure joins the events.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text

from yidi.domain.dashboards import Group
from yidi.domain.enums import OPEN_STATUSES, Interval, UnitKind, UnitLevel
from yidi.persistence.models import Case, Unit
from yidi.persistence.session import Session

_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))
_AREA_COLUMN = {
    UnitLevel.COUNTY: "c.county_id",
    UnitLevel.TOWNSHIP: "c.location_township_id",
    UnitLevel.VILLAGE: "c.location_village_id",
}
_HANDED_TO = (
    "SELECT e.case_id, e.at FROM case_events e WHERE e.county_id = :county"
    " AND e.type IN ('DISPATCHED', 'REASSIGNED')"
    " AND e.to_unit_id IN (SELECT id FROM units WHERE path @> ARRAY[CAST(:unit AS bigint)])"
)


_CHILD_COLUMN = {
    UnitLevel.COUNTY: "c.location_township_id",
    UnitLevel.TOWNSHIP: "c.location_village_id",
    UnitLevel.VILLAGE: "CAST(NULL AS bigint)",
}
_FIGURES = (
    "c.status, c.risk_level, c.category_id, c.registered_at, c.due_at, c.escalation_count,"
    " c.first_resolved_at, c.first_resolved_level, c.latest_satisfaction"
)


def _scope(unit: Unit) -> str:
    """The cases that count for `unit` in [:start, :end), as the columns the figures read;
    `child` is the unit right below `unit` on the location's path.

    For an AREA unit every column comes from the ancestor column's covering index
    (`ix_cases_county_stats`, `ix_cases_location_township`): an index-only scan once the
    table is vacuumed. The child is the next ancestor column down, which is the next unit
    on the location's path whenever that unit is an AREA unit (the only children listed)."""
    if unit.kind == UnitKind.DEPARTMENT.value:
        child = "c.location_path[array_position(c.location_path, CAST(:unit AS bigint)) + 1]"
        return (
            f"SELECT {_FIGURES}, {child} AS child FROM cases c"
            " WHERE c.merged_into_id IS NULL AND c.id IN"
            f" (SELECT h.case_id FROM ({_HANDED_TO}) h WHERE h.at >= :start AND h.at < :end)"
        )
    level = UnitLevel(unit.level)
    return (
        f"SELECT {_FIGURES}, {_CHILD_COLUMN[level]} AS child FROM cases c"
        f" WHERE {_AREA_COLUMN[level]} = :unit"
        " AND c.registered_at >= :start AND c.registered_at < :end"
        " AND c.merged_into_id IS NULL"
    )


def _stats_sql(unit: Unit) -> str:
    """One aggregate over the scoped rows; the facts that events used to supply (first
    resolution, latest evaluation) are columns the event writer keeps on the case."""
    return f"""
SELECT s.child, s.risk_level, s.status, s.category_id, s.first_resolved_level AS resolved_level,
  count(*) AS received,
  count(s.first_resolved_at) AS resolved,
  count(*) FILTER (WHERE s.status = 'CLOSED') AS closed,
  count(*) FILTER (WHERE s.status IN ({_OPEN}) AND s.due_at < :now) AS overdue,
  count(*) FILTER (WHERE s.escalation_count > 0) AS escalated,
  count(*) FILTER (WHERE s.first_resolved_at <= s.due_at) AS on_time,
  count(s.latest_satisfaction) AS evaluated,
  count(*) FILTER (WHERE s.latest_satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED'))
    AS satisfied,
  coalesce(sum(extract(epoch FROM s.first_resolved_at - s.registered_at)), 0)
    AS resolution_seconds
FROM ({_scope(unit)}) s
GROUP BY 1, 2, 3, 4, 5
"""


async def stats_groups(
    session: Session, unit: Unit, start: datetime, end: datetime, now: datetime
) -> list[Group]:
    """Every figure of `unit` and of its children, as counts per (child, risk, status,
    category, resolved level): one statement, however many children there are."""
    rows = await session.execute(
        text(_stats_sql(unit)),
        {"unit": unit.id, "county": unit.county_id, "start": start, "end": end, "now": now},
    )
    return [
        Group(
            child=r.child,
            risk=r.risk_level,
            status=r.status,
            category_id=r.category_id,
            resolved_level=r.resolved_level,
            received=r.received,
            resolved=r.resolved,
            closed=r.closed,
            overdue=r.overdue,
            escalated=r.escalated,
            on_time=r.on_time,
            evaluated=r.evaluated,
            satisfied=r.satisfied,
            resolution_seconds=float(r.resolution_seconds),
        )
        for r in rows
    ]


def _trend_sql(unit: Unit) -> str:
    """Received by registration (or hand-over, for a department) time, resolved by first
    resolution time, both as local Shanghai bucket starts."""
    if unit.kind == UnitKind.DEPARTMENT.value:
        received = (
            f"SELECT min(h.at) AS at FROM ({_HANDED_TO}) h JOIN cases c ON c.id = h.case_id"
            " WHERE c.merged_into_id IS NULL AND h.at >= :start AND h.at < :end"
            " GROUP BY h.case_id"
        )
        attributed = f"c.county_id = :county AND c.id IN (SELECT h.case_id FROM ({_HANDED_TO}) h)"
    else:
        column = _AREA_COLUMN[UnitLevel(unit.level)]
        received = (
            f"SELECT c.registered_at AS at FROM cases c WHERE {column} = :unit"
            " AND c.registered_at >= :start AND c.registered_at < :end"
            " AND c.merged_into_id IS NULL"
        )
        attributed = f"{column} = :unit"
    resolved = (
        f"SELECT c.first_resolved_at AS at FROM cases c WHERE {attributed}"
        " AND c.county_id = :county AND c.merged_into_id IS NULL"
        " AND c.first_resolved_at >= :start AND c.first_resolved_at < :end"
    )
    bucket = "date_trunc(:interval, at AT TIME ZONE 'Asia/Shanghai')"
    return (
        f"SELECT 'received' AS kind, {bucket} AS bucket, count(*) AS n FROM ({received}) x"
        f" GROUP BY 2 UNION ALL"
        f" SELECT 'resolved', {bucket}, count(*) FROM ({resolved}) y GROUP BY 2"
    )


async def trend_counts(
    session: Session, unit: Unit, start: datetime, end: datetime, interval: Interval
) -> dict[tuple[str, datetime], int]:
    """(received|resolved, local bucket start without zone) -> count, in one statement."""
    rows = await session.execute(
        text(_trend_sql(unit)),
        {
            "unit": unit.id,
            "county": unit.county_id,
            "start": start,
            "end": end,
            "interval": interval.value.lower(),
        },
    )
    return {(r.kind, r.bucket): r.n for r in rows}


async def zero_filing_units(
    session: Session, unit: Unit, level: UnitLevel, start: datetime, end: datetime
) -> list[Unit]:
    """AREA units of `level` in `unit`'s subtree with no case located in them registered in
    [start, end) (merged duplicates aside), ordered by code: one statement."""
    column = {
        UnitLevel.COUNTY: Case.county_id,
        UnitLevel.TOWNSHIP: Case.location_township_id,
        UnitLevel.VILLAGE: Case.location_village_id,
    }[level]
    filed = (
        select(Case.id)
        .where(
            column == Unit.id,
            Case.registered_at >= start,
            Case.registered_at < end,
            Case.merged_into_id.is_(None),
        )
        .exists()
    )
    rows = await session.scalars(
        select(Unit)
        .where(
            Unit.path.contains([unit.id]),
            Unit.kind == UnitKind.AREA.value,
            Unit.level == level.value,
            ~filed,
        )
        .order_by(Unit.code)
    )
    return list(rows)


async def area_children(session: Session, unit_id: int) -> Sequence[Unit]:
    rows = await session.scalars(
        select(Unit)
        .where(Unit.parent_id == unit_id, Unit.kind == UnitKind.AREA.value)
        .order_by(Unit.code)
    )
    return list(rows)
