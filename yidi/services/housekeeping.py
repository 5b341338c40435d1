"""Housekeeping: rows that only count recent activity are deleted once they no longer count.

Login streaks are kept per username and per client address, and public rate windows per
client address: an attacker trying endless usernames or addresses would otherwise grow
these tables without bound. A streak is forgotten after its quiet while anyway
(domain/backoff.py), and no rate window is longer than 15 minutes. The hotline bridge's
nonces need keeping only while their timestamps are fresh (domain/hotline.py).
"""

import asyncio
import logging
from datetime import datetime, timedelta

from yidi.domain.hotline import CLOCK_SKEW
from yidi.persistence import hotline, login_failures, rate
from yidi.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Longer than every rate window (docs/OPERATIONS.md), so no live count is ever deleted.
RATE_WINDOWS_KEPT = timedelta(hours=1)


async def forget_stale(uow: UnitOfWork, now: datetime, login_forget_after: timedelta) -> int:
    """Delete what no longer counts; the number of rows deleted."""
    async with uow.begin(now=now) as work:
        streaks = await login_failures.forget_quiet_since(work.session, now - login_forget_after)
        windows = await rate.forget_windows_before(work.session, now - RATE_WINDOWS_KEPT)
        nonces = await hotline.forget_nonces_before(work.session, now - 2 * CLOCK_SKEW)
    return streaks + windows + nonces


async def run_housekeeping(
    uow: UnitOfWork, login_forget_after: timedelta, interval_seconds: float
) -> None:
    """The background loop; errors are logged and the loop goes on."""
    while True:
        try:
            await forget_stale(uow, uow.clock(), login_forget_after)
        except Exception:
            log.warning("housekeeping failed", exc_info=True)
        await asyncio.sleep(interval_seconds)
