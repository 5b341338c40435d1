"""Queries and writes for summonses (吹哨报到): the units called to a case and their answers."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.domain.enums import OPEN_STATUSES, SummonsState
from yidi.domain.summons import PENDING
from yidi.persistence.models import Case, Summons


async def add_summonses(session: AsyncSession, rows: Sequence[Summons]) -> None:
    """Store them now: their event names them by id."""
    session.add_all(rows)
    await session.flush()


async def pending_of_unit(session: AsyncSession, case_id: int, unit_id: int) -> Summons | None:
    """The unit's summons on the case that still awaits its report-in or contribution."""
    return await session.scalar(
        select(Summons).where(
            Summons.case_id == case_id,
            Summons.unit_id == unit_id,
            Summons.state.in_([s.value for s in PENDING]),
        )
    )


async def summonses_of_cases(
    session: AsyncSession, case_ids: Sequence[int]
) -> dict[int, list[Summons]]:
    rows = await session.scalars(
        select(Summons).where(Summons.case_id.in_(case_ids)).order_by(Summons.id)
    )
    result: dict[int, list[Summons]] = {cid: [] for cid in case_ids}
    for row in rows:
        result[row.case_id].append(row)
    return result


async def summonses_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Summons]:
    rows = await session.scalars(select(Summons).where(Summons.id.in_(ids)))
    return {r.id: r for r in rows}


async def newly_missed(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[Summons, Case]]:
    """Summonses of open cases past their report-in deadline without a report-in and not
    yet alerted on, with their cases, locked; a case a user is changing right now is
    skipped (SKIP LOCKED) and caught next round."""
    result = await session.execute(
        select(Summons, Case)
        .join(Case, Case.id == Summons.case_id)
        .where(
            Summons.state == SummonsState.SUMMONED.value,
            Summons.report_by < now,
            Case.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(Summons.report_by, Summons.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [(summons, case) for summons, case in result.all()]
