"""Deadline alerts: DUE_SOON (less than one working day left) and OVERDUE, once per case.

Every server process runs the loop, but a sweep runs only inside a transaction holding
a PostgreSQL advisory lock, so however many processes there are, one sweeps at a time.
Cases a user is changing right now are skipped (SKIP LOCKED) and caught next round.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yidi.calendar_data import current_calendar, warn_missing_years
from yidi.domain.calendar import SHANGHAI, WorkingCalendar, is_due_soon
from yidi.domain.enums import OPEN_STATUSES, CaseEventType
from yidi.persistence.models import Case, CaseEvent

log = logging.getLogger(__name__)

SWEEP_LOCK = 7_321_002
BATCH = 500
# Long holidays put "less than one working day left" up to ~10 calendar days ahead.
DUE_SOON_HORIZON = timedelta(days=12)


@dataclass(frozen=True)
class SweepResult:
    due_soon: int
    overdue: int


def _open() -> list[str]:
    return [s.value for s in OPEN_STATUSES]


def _alert(case: Case, kind: CaseEventType, now: datetime) -> CaseEvent:
    return CaseEvent(
        county_id=case.county_id,
        case_id=case.id,
        type=kind.value,
        at=now,
        to_unit_id=case.handling_unit_id,
        data={"dueAt": case.due_at.isoformat() if case.due_at else None},
    )


async def sweep_once(
    sessions: async_sessionmaker[AsyncSession], calendar: WorkingCalendar, now: datetime
) -> SweepResult | None:
    """One sweep; None when another process holds the sweep lock."""
    async with sessions.begin() as session:
        locked = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK}
        )
        if not locked:
            return None
        overdue = list(
            await session.scalars(
                select(Case)
                .where(Case.status.in_(_open()), Case.due_at < now, Case.overdue_sent_at.is_(None))
                .order_by(Case.due_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        for case in overdue:
            session.add(_alert(case, CaseEventType.OVERDUE, now))
            case.overdue_sent_at = now
        candidates = await session.scalars(
            select(Case)
            .where(
                Case.status.in_(_open()),
                Case.due_at >= now,
                Case.due_at < now + DUE_SOON_HORIZON,
                Case.due_soon_sent_at.is_(None),
            )
            .order_by(Case.due_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        due_soon = 0
        for case in candidates:
            if case.due_at is not None and is_due_soon(now, case.due_at, calendar):
                session.add(_alert(case, CaseEventType.DUE_SOON, now))
                case.due_soon_sent_at = now
                due_soon += 1
    return SweepResult(due_soon=due_soon, overdue=len(overdue))


async def run_sweeper(
    sessions: async_sessionmaker[AsyncSession],
    set_calendar: Callable[[WorkingCalendar], None],
    clock: Callable[[], datetime],
    interval_seconds: float,
) -> None:
    """The background loop: refresh the calendar (years added by `yidi calendar add`),
    then sweep; errors are logged and the loop goes on."""
    while True:
        try:
            async with sessions() as session:
                calendar = await current_calendar(session)
            set_calendar(calendar)
            today = clock().astimezone(SHANGHAI).year
            warn_missing_years(calendar, [today, today + 1])
            result = await sweep_once(sessions, calendar, clock())
            if result and (result.due_soon or result.overdue):
                log.info(
                    "deadline alerts: %s due soon, %s overdue", result.due_soon, result.overdue
                )
        except Exception:
            log.warning("deadline sweep failed", exc_info=True)
        await asyncio.sleep(interval_seconds)
