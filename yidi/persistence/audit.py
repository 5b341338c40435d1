"""Reading case trails back for `yidi audit verify`: cases in id order, a batch at a time,
each with its events in position order."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.persistence.models import Case, CaseEvent


@dataclass(frozen=True)
class StoredTrail:
    case_id: int
    number: str
    head: bytes | None
    events: list[CaseEvent]


async def trails(
    session: AsyncSession, county_id: int | None, batch: int = 500
) -> AsyncIterator[StoredTrail]:
    after = 0
    while True:
        query = select(Case.id, Case.number, Case.chain_head).where(Case.id > after)
        if county_id is not None:
            query = query.where(Case.county_id == county_id)
        cases = (await session.execute(query.order_by(Case.id).limit(batch))).all()
        if not cases:
            return
        events = await session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id.in_([c.id for c in cases]))
            .order_by(CaseEvent.case_id, CaseEvent.position)
        )
        by_case: dict[int, list[CaseEvent]] = {c.id: [] for c in cases}
        for event in events:
            by_case[event.case_id].append(event)
        for case in cases:
            yield StoredTrail(case.id, case.number, case.chain_head, by_case[case.id])
        session.expunge_all()  # constant memory over millions of events
        after = cases[-1].id
