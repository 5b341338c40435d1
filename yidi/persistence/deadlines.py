"""The deadline sweep's queries: one sweeper at a time, never waiting on a busy case."""

from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.database import locks
from yidi.domain.enums import OPEN_STATUSES
from yidi.persistence.models import Case


async def try_sweep_lock(session: AsyncSession) -> bool:
    """Take the sweep lock for this transaction, or False when another process holds it."""
    return bool(
        await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": locks.DEADLINE_SWEEP}
        )
    )


def _open() -> list[str]:
    return [s.value for s in OPEN_STATUSES]


async def newly_overdue(session: AsyncSession, now: datetime, limit: int) -> list[Case]:
    """Open cases past their deadline that have had no OVERDUE alert, locked; cases a user
    is changing right now are skipped (SKIP LOCKED) and caught next round."""
    rows = await session.scalars(
        select(Case)
        .where(Case.status.in_(_open()), Case.due_at < now, Case.overdue_sent_at.is_(None))
        .order_by(Case.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


async def due_within(
    session: AsyncSession, now: datetime, horizon: timedelta, limit: int
) -> list[Case]:
    """Open cases due in [now, now + horizon) that have had no DUE_SOON alert, locked."""
    rows = await session.scalars(
        select(Case)
        .where(
            Case.status.in_(_open()),
            Case.due_at >= now,
            Case.due_at < now + horizon,
            Case.due_soon_sent_at.is_(None),
        )
        .order_by(Case.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)
