"""Queries and writes for the records a case file holds beside the case row (mediations)."""

from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.persistence.models import Mediation


async def add_mediation(session: AsyncSession, mediation: Mediation) -> None:
    """Store it now: its event names it by id."""
    session.add(mediation)
    await session.flush()


async def has_mediation_with_outcome(
    session: AsyncSession, case_id: int, outcomes: Sequence[str]
) -> bool:
    stmt = select(
        exists().where(Mediation.case_id == case_id, Mediation.outcome.in_(list(outcomes)))
    )
    return bool(await session.scalar(stmt))


async def mediations_of_cases(
    session: AsyncSession, case_ids: Sequence[int]
) -> dict[int, list[Mediation]]:
    rows = await session.scalars(
        select(Mediation)
        .where(Mediation.case_id.in_(case_ids))
        .order_by(Mediation.held_at, Mediation.id)
    )
    result: dict[int, list[Mediation]] = {cid: [] for cid in case_ids}
    for mediation in rows:
        result[mediation.case_id].append(mediation)
    return result


async def mediations_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Mediation]:
    rows = await session.scalars(select(Mediation).where(Mediation.id.in_(ids)))
    return {m.id: m for m in rows}
