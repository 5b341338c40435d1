"""Event positions: each county's events numbered in the order their transactions commit.

A reader that follows a county's events by position never passes one that is not yet
committed: a transaction takes its positions from the county's counter row just before it
commits and holds that row's lock until it does, so position p + 1 cannot become visible
before p, and a rolled-back transaction gives its positions back. Event ids carry no such
promise (an id is taken when a row is inserted, not when it commits).
"""

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.persistence.models import CaseEvent

# Listeners hear "<county id>:<last position>" on this channel when events commit.
CHANNEL = "yidi_case_events"


async def take_positions(session: AsyncSession, county_id: int, count: int) -> int:
    """Reserve `count` positions of the county, locked until the transaction ends; the
    first one reserved."""
    last = await session.scalar(
        text(
            "INSERT INTO event_positions (county_id, last_position) VALUES (:c, :n) "
            "ON CONFLICT (county_id) DO UPDATE "
            "SET last_position = event_positions.last_position + :n RETURNING last_position"
        ),
        {"c": county_id, "n": count},
    )
    assert last is not None
    return int(last) - count + 1


async def store_positioned(session: AsyncSession, events: Sequence[CaseEvent]) -> None:
    """Insert events that already carry their positions, and tell listeners at commit."""
    session.add_all(events)
    await session.flush()
    for county_id in sorted({e.county_id for e in events}):
        last = max(e.position for e in events if e.county_id == county_id)
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"{county_id}:{last}"},
        )


async def events_after(
    session: AsyncSession, county_id: int, position: int, limit: int, until: int | None = None
) -> list[CaseEvent]:
    """The county's committed events after `position` (up to `until`), in commit order."""
    query = select(CaseEvent).where(CaseEvent.county_id == county_id, CaseEvent.position > position)
    if until is not None:
        query = query.where(CaseEvent.position <= until)
    rows = await session.scalars(query.order_by(CaseEvent.position).limit(limit))
    return list(rows)


async def last_position(session: AsyncSession, county_id: int) -> int:
    """The county's last committed position (0 before its first event). The counter row's
    committed value is exactly that: a writer's increment shows only once it commits."""
    found = await session.scalar(
        text("SELECT last_position FROM event_positions WHERE county_id = :c"), {"c": county_id}
    )
    return int(found) if found is not None else 0


async def position_of_event(session: AsyncSession, event_id: int) -> tuple[int, int] | None:
    """(county id, position) of a committed event, None for an unknown id."""
    row = (
        await session.execute(
            select(CaseEvent.county_id, CaseEvent.position).where(CaseEvent.id == event_id)
        )
    ).first()
    return (int(row[0]), int(row[1])) if row is not None else None
