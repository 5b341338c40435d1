"""Idempotency keys: a retried registration finds the case its first attempt created."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.database import locks
from yidi.persistence.models import IdempotencyKey


async def claim(session: AsyncSession, scope: str, key: str) -> int | None:
    """The case id stored under (scope, key), or None; holds a transaction lock on the key,
    so concurrent retries of one key queue and the second finds what the first stored."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:k))"),
        {"ns": locks.IDEMPOTENCY_KEYS, "k": f"{scope}/{key}"},
    )
    row = await session.get(IdempotencyKey, (scope, key))
    return row.case_id if row is not None else None


async def remember(
    session: AsyncSession, scope: str, key: str, county_id: int, case_id: int
) -> None:
    session.add(IdempotencyKey(scope=scope, key=key, county_id=county_id, case_id=case_id))
    await session.flush()
