"""Queries and writes for the records a case file holds beside the case row: mediations,
extension requests, pauses."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.domain.enums import ExtensionStatus
from yidi.persistence.models import Case, Extension, Mediation, Pause


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


async def add_record(session: AsyncSession, record: Extension | Pause) -> None:
    """Store it now: its event names it by id."""
    session.add(record)
    await session.flush()


async def pending_extension(session: AsyncSession, case_id: int) -> Extension | None:
    return await session.scalar(
        select(Extension).where(
            Extension.case_id == case_id, Extension.status == ExtensionStatus.PENDING.value
        )
    )


async def open_pause(session: AsyncSession, case_id: int) -> Pause | None:
    return await session.scalar(
        select(Pause).where(Pause.case_id == case_id, Pause.resumed_at.is_(None))
    )


async def extensions_of_cases(
    session: AsyncSession, case_ids: Sequence[int]
) -> dict[int, list[Extension]]:
    rows = await session.scalars(
        select(Extension).where(Extension.case_id.in_(case_ids)).order_by(Extension.id)
    )
    result: dict[int, list[Extension]] = {cid: [] for cid in case_ids}
    for row in rows:
        result[row.case_id].append(row)
    return result


async def pauses_of_cases(session: AsyncSession, case_ids: Sequence[int]) -> dict[int, list[Pause]]:
    rows = await session.scalars(
        select(Pause).where(Pause.case_id.in_(case_ids)).order_by(Pause.id)
    )
    result: dict[int, list[Pause]] = {cid: [] for cid in case_ids}
    for row in rows:
        result[row.case_id].append(row)
    return result


async def extensions_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Extension]:
    rows = await session.scalars(select(Extension).where(Extension.id.in_(ids)))
    return {r.id: r for r in rows}


async def pauses_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Pause]:
    rows = await session.scalars(select(Pause).where(Pause.id.in_(ids)))
    return {r.id: r for r in rows}


async def lapse_pending_extension(session: AsyncSession, case: Case, now: datetime) -> None:
    """A result ends the wait for more time: a request still pending lapses, undecided."""
    if case.extension_requested_by_id is None:
        return
    request = await pending_extension(session, case.id)
    if request is not None:
        request.status = ExtensionStatus.LAPSED.value
        request.decided_at = now
    case.extension_requested_by_id = None
