"""What the dossier (民事办理书) reads beyond the batch reads the API already has."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.persistence.models import CaseEvent


async def all_events_of_case(session: AsyncSession, case_id: int) -> list[CaseEvent]:
    """The whole timeline, oldest first: a printed file leaves nothing out."""
    rows = await session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    )
    return list(rows)
