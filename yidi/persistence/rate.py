"""Fixed-window counters in PostgreSQL, so every server process shares one limit."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.persistence.models import RateCounter


def window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


async def hit(session: AsyncSession, bucket: str, seconds: int, now: datetime) -> int:
    """Count one more event in the bucket's current window; returns the new count."""
    start = window_start(now, seconds)
    value = await session.scalar(
        text(
            "INSERT INTO rate_counters (bucket, window_start, count) VALUES (:b, :w, 1) "
            "ON CONFLICT (bucket) DO UPDATE SET "
            "count = CASE WHEN rate_counters.window_start = :w "
            "THEN rate_counters.count + 1 ELSE 1 END, window_start = :w "
            "RETURNING count"
        ),
        {"b": bucket, "w": start},
    )
    return int(value or 0)


async def current(session: AsyncSession, bucket: str, seconds: int, now: datetime) -> int:
    row = await session.scalar(select(RateCounter).where(RateCounter.bucket == bucket))
    if row is None or row.window_start != window_start(now, seconds):
        return 0
    return row.count


def retry_after(now: datetime, seconds: int) -> int:
    end = window_start(now, seconds) + timedelta(seconds=seconds)
    return max(1, int((end - now).total_seconds() + 0.999))


async def release(session: AsyncSession, bucket: str, seconds: int, now: datetime) -> None:
    """Give back one event counted by `hit` in the same window (a reservation not used)."""
    await session.execute(
        text(
            "UPDATE rate_counters SET count = count - 1 "
            "WHERE bucket = :b AND window_start = :w AND count > 0"
        ),
        {"b": bucket, "w": window_start(now, seconds)},
    )


async def forget_windows_before(session: AsyncSession, before: datetime) -> int:
    """Delete counters whose window started before `before` (no window is that long)."""
    result = await session.execute(delete(RateCounter).where(RateCounter.window_start < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
