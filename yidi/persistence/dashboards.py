"""The dashboards' SQL (docs/DASHBOARDS.md): one statement per figure set, never one per child.

Which cases count for a unit, as SQL:
- an AREA unit: cases whose location lies in its subtree — `county_id`, the location's
  township or village column by the unit's level, read from the B-tree indexes on them;
- a DEPARTMENT: cases DISPATCHED or REASSIGNED to it (or a unit below it) in the window.
Merged duplicates never count. "First resolution" is a case's earliest RESOLVED event, and
its unit (the event's from-unit, the handling unit then) gives the level it was resolved at.
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


def _scope(unit: Unit) -> str:
    """The cases that count for `unit` in [:start, :end), as columns the figures read; `child`
    is the unit right below `unit` on the location's path."""
    columns = (
        "c.id, c.status, c.risk_level, c.category_id, c.registered_at, c.due_at,"
        " c.escalation_count,"
        " c.location_path[array_position(c.location_path, CAST(:unit AS bigint)) + 1] AS child"
    )
    if unit.kind == UnitKind.DEPARTMENT.value:
        return (
            f"SELECT {columns} FROM cases c WHERE c.merged_into_id IS NULL AND c.id IN"
            f" (SELECT h.case_id FROM ({_HANDED_TO}) h WHERE h.at >= :start AND h.at < :end)"
        )
    return (
        f"SELECT {columns} FROM cases c WHERE {_AREA_COLUMN[UnitLevel(unit.level)]} = :unit"
        " AND c.registered_at >= :start AND c.registered_at < :end"
        " AND c.merged_into_id IS NULL"
    )


def _stats_sql(unit: Unit) -> str:
    return f"""
WITH scoped AS ({_scope(unit)}),
resolution AS (
  SELECT DISTINCT ON (e.case_id) e.case_id, e.at, u.level
  FROM case_events e LEFT JOIN units u ON u.id = e.from_unit_id
  WHERE e.case_id IN (SELECT id FROM scoped) AND e.type = 'RESOLVED'
  ORDER BY e.case_id, e.at, e.id
),
evaluation AS (
  SELECT DISTINCT ON (e.case_id) e.case_id, e.data->>'satisfaction' AS satisfaction
  FROM case_events e
  WHERE e.case_id IN (SELECT id FROM scoped) AND e.type = 'EVALUATED'
  ORDER BY e.case_id, e.at DESC, e.id DESC
)
SELECT s.child, s.risk_level, s.status, s.category_id, r.level AS resolved_level,
  count(*) AS received,
  count(r.case_id) AS resolved,
  count(*) FILTER (WHERE s.status = 'CLOSED') AS closed,
  count(*) FILTER (WHERE s.status IN ({_OPEN}) AND s.due_at < :now) AS overdue,
  count(*) FILTER (WHERE s.escalation_count > 0) AS escalated,
  count(*) FILTER (WHERE r.at <= s.due_at) AS on_time,
  count(v.case_id) AS evaluated,
  count(*) FILTER (WHERE v.satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED')) AS satisfied,
  coalesce(sum(extract(epoch FROM r.at - s.registered_at)), 0) AS resolution_seconds
FROM scoped s
LEFT JOIN resolution r ON r.case_id = s.id
LEFT JOIN evaluation v ON v.case_id = s.id
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
        "SELECT min(e.at) AS at FROM cases c JOIN case_events e ON e.case_id = c.id"
        f" AND e.type = 'RESOLVED' WHERE {attributed} AND c.merged_into_id IS NULL"
        " GROUP BY c.id HAVING min(e.at) >= :start AND min(e.at) < :end"
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
