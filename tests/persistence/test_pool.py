"""A process keeps the connections a burst made it open: a load just above the pool's
first size must not open and close a PostgreSQL backend per request (each one a fork,
an authentication and asyncpg's type introspection)."""

import asyncio

from sqlalchemy import text

from yidi.database.engine import make_engine

POOL_SIZE = 2
# This test's database is its own: every connection to it is the engine's.
CONNECTIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"


async def test_a_burst_keeps_its_connections_up_to_twice_the_pool_size(
    database_url: str,
) -> None:
    engine = make_engine(database_url, pool_size=POOL_SIZE)
    burst = 2 * POOL_SIZE
    all_in = asyncio.Event()
    checked_out: list[int] = []

    async def hold() -> int:
        async with engine.connect() as connection:
            checked_out.append(1)
            if len(checked_out) == burst:
                all_in.set()
            await all_in.wait()  # every connection of the burst is out at once
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            return int(pid)

    try:
        first = await asyncio.gather(*(hold() for _ in range(burst)))
        assert len(set(first)) == burst
        async with engine.connect() as connection:
            kept = await connection.scalar(text(CONNECTIONS))
        assert kept == burst, "the burst's connections were closed as they came back"
        # A second burst runs on the same backends: nothing opened anew.
        checked_out.clear()
        all_in.clear()
        again = await asyncio.gather(*(hold() for _ in range(burst)))
        assert set(again) == set(first)
        # And no more than that: one more waits for a connection instead of opening one.
        assert engine.pool.size() == burst  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
