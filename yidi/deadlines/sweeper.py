"""Deadline alerts: DUE_SOON (less than one working day left) and OVERDUE, once per case;
REPORT_IN_MISSED once per summons whose unit let its report-in deadline pass (吹哨报到).

Every server process runs the loop, but a sweep runs only inside a transaction holding
a PostgreSQL advisory lock, so however many processes there are, one sweeps at a time.
Cases a user is changing right now are skipped (SKIP LOCKED) and caught next round.

A sweep goes in small batches, each its own transaction: the event writer stores a batch's
events and case changes in one statement, built once per shape, and building it for
hundreds of cases took seconds of CPU, during which the process answered no request (after
a restart, or when many deadlines pass at once). Between batches the loop lets requests run.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from yidi.deadlines.calendar_data import current_calendar, warn_missing_years
from yidi.domain.calendar import SHANGHAI, is_due_soon
from yidi.domain.enums import CaseEventType, SummonsState
from yidi.persistence import deadlines
from yidi.persistence import summons as summons_store
from yidi.persistence.models import Case
from yidi.services.events import record
from yidi.services.unit_of_work import UnitOfWork, Work

log = logging.getLogger(__name__)

# Cases per alert kind per batch (docs/LIFECYCLE.md).
BATCH = 25
# Long holidays put "less than one working day left" up to ~10 calendar days ahead.
DUE_SOON_HORIZON = timedelta(days=12)


@dataclass(frozen=True)
class SweepResult:
    due_soon: int
    overdue: int
    missed_report_ins: int = 0

    def __add__(self, other: "SweepResult") -> "SweepResult":
        return SweepResult(
            self.due_soon + other.due_soon,
            self.overdue + other.overdue,
            self.missed_report_ins + other.missed_report_ins,
        )

    def full(self, batch: int) -> bool:
        """Whether a batch may have left cases of some kind for the next one. (Due-soon
        alerts go to the earliest deadlines first, and a later deadline is due soon only
        if every earlier one is: fewer alerts than candidates means none is left.)"""
        return batch in (self.due_soon, self.overdue, self.missed_report_ins)


async def _alert(work: Work, case: Case, kind: CaseEventType) -> None:
    due_at = case.due_at.isoformat() if case.due_at else None
    await record(work, case, kind, to_unit_id=case.handling_unit_id, data={"dueAt": due_at})


async def sweep_once(uow: UnitOfWork, now: datetime) -> SweepResult | None:
    """One sweep at `now`, batch after batch until no alert is due; None when another
    process holds the sweep lock (if it takes the lock between two batches, it goes on
    with the rest)."""
    swept: SweepResult | None = None
    while True:
        batch = await _sweep_batch(uow, now)
        if batch is None:
            return swept
        swept = batch if swept is None else swept + batch
        if not batch.full(BATCH):
            return swept
        await asyncio.sleep(0)  # requests waiting on this event loop go first


async def _sweep_batch(uow: UnitOfWork, now: datetime) -> SweepResult | None:
    """Up to BATCH alerts of each kind, in one transaction holding the sweep lock."""
    async with uow.begin(now=now) as work:
        if not await deadlines.try_sweep_lock(work.session):
            return None
        overdue = await deadlines.newly_overdue(work.session, now, BATCH)
        for case in overdue:
            case.overdue_sent_at = now
            await _alert(work, case, CaseEventType.OVERDUE)
        due_soon = 0
        for case in await deadlines.due_within(work.session, now, DUE_SOON_HORIZON, BATCH):
            if case.due_at is not None and is_due_soon(now, case.due_at, work.calendar):
                case.due_soon_sent_at = now
                await _alert(work, case, CaseEventType.DUE_SOON)
                due_soon += 1
        missed = await _missed_report_ins(work, now)
    return SweepResult(due_soon=due_soon, overdue=len(overdue), missed_report_ins=missed)


async def _missed_report_ins(work: Work, now: datetime) -> int:
    """Each summons past its report-in deadline is marked MISSED and alerted on once; the
    unit may still report in late (docs/CASE_FILE.md, "Summons")."""
    found = await summons_store.newly_missed(work.session, now, BATCH)
    for summons, case in found:
        summons.state = SummonsState.MISSED.value
        summons.missed_at = now
        await record(
            work,
            case,
            CaseEventType.REPORT_IN_MISSED,
            from_unit_id=summons.unit_id,
            to_unit_id=case.handling_unit_id,
            data={
                "summons": [summons.id],
                "unit": summons.unit_id,
                "reportBy": summons.report_by.isoformat(),
            },
        )
    return len(found)


async def refresh_calendar(uow: UnitOfWork) -> None:
    """Pick up years added by `yidi calendar add` (stored in the database)."""
    async with uow.read() as session:
        uow.calendar = await current_calendar(session)
    today = uow.clock().astimezone(SHANGHAI).year
    warn_missing_years(uow.calendar, [today, today + 1])


async def run_sweeper(
    uow: UnitOfWork, interval_seconds: float, on_run: Callable[[str], None] = lambda _: None
) -> None:
    """The background loop: refresh the calendar, then sweep; errors are logged and the
    loop goes on. `on_run` hears how each try went: swept, skipped (another process holds
    the lock) or failed."""
    while True:
        try:
            await refresh_calendar(uow)
            result = await sweep_once(uow, uow.clock())
            if result and (result.due_soon or result.overdue or result.missed_report_ins):
                log.info(
                    "deadline alerts: %s due soon, %s overdue, %s missed report-ins",
                    result.due_soon,
                    result.overdue,
                    result.missed_report_ins,
                )
            on_run("skipped" if result is None else "swept")
        except Exception:
            log.warning("deadline sweep failed", exc_info=True)
            on_run("failed")
        await asyncio.sleep(interval_seconds)
