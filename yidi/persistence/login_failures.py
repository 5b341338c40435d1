"""Streaks of failed logins, locked row by row so parallel attempts are counted in turn."""

from datetime import datetime

from sqlalchemy import delete, select, text

from yidi.domain.backoff import Streak
from yidi.persistence.models import LoginFailure
from yidi.persistence.session import Session


async def lock_streaks(session: Session, keys: list[str]) -> dict[str, Streak | None]:
    """Each key's streak, its row locked until the transaction ends (created if missing, so
    even a first attempt waits for a parallel one)."""
    for key in sorted(keys):  # one order everywhere: no deadlock between two attempts
        await session.execute(
            text(
                "INSERT INTO login_failures (key, failures, last_failure_at) "
                "VALUES (:k, 0, now()) ON CONFLICT (key) DO NOTHING"
            ),
            {"k": key},
        )
    rows = await session.scalars(
        select(LoginFailure)
        .where(LoginFailure.key.in_(keys))
        .order_by(LoginFailure.key)
        .with_for_update()
    )
    found = {row.key: Streak(row.failures, row.last_failure_at) for row in rows}
    return {key: found.get(key) for key in keys}


async def save_streak(session: Session, key: str, streak: Streak) -> None:
    row = await session.get(LoginFailure, key)
    assert row is not None, "lock_streaks creates the row first"
    row.failures, row.last_failure_at = streak.failures, streak.last_failure_at


async def forget(session: Session, key: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.key == key))


async def forget_quiet_since(session: Session, before: datetime) -> int:
    """Delete streaks whose last failure is older than `before` (forgotten anyway)."""
    result = await session.execute(
        delete(LoginFailure).where(LoginFailure.last_failure_at < before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
