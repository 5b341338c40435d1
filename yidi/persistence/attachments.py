"""Queries and writes for a case's attachments (the rows; the bytes are in `blob_store`)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.persistence.models import Attachment


async def add_attachment(session: AsyncSession, attachment: Attachment) -> None:
    """Store it now: its event names it by id."""
    session.add(attachment)
    await session.flush()


async def attachments_of_cases(
    session: AsyncSession, case_ids: Sequence[int]
) -> dict[int, list[Attachment]]:
    rows = await session.scalars(
        select(Attachment).where(Attachment.case_id.in_(case_ids)).order_by(Attachment.id)
    )
    result: dict[int, list[Attachment]] = {cid: [] for cid in case_ids}
    for row in rows:
        result[row.case_id].append(row)
    return result


async def attachments_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Attachment]:
    rows = await session.scalars(select(Attachment).where(Attachment.id.in_(ids)))
    return {a.id: a for a in rows}
