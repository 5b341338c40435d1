"""Engine and session factory."""

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def normalize_url(url: str) -> str:
    """Accept plain postgres:// URLs from operators; SQLAlchemy needs the asyncpg dialect."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Up to twice `pool_size` connections, each opened when the load first needs it and
    then kept. (A pool of `pool_size` with as many again of overflow closed each overflow
    connection as it came back: under a load just above the pool, dozens of connections a
    second were opened and closed, each a new PostgreSQL backend and asyncpg's type
    introspection — ~7 ms of PostgreSQL's CPU apiece, half of what a registration cost it:
    docs/BENCHMARKS.md.)

    No ping before each checkout: it was a round trip on every request, for the rare
    connection a database restart has killed. Instead, a statement that fails with a
    disconnect error makes SQLAlchemy invalidate the whole pool, so that request fails
    and the next ones connect afresh (docs/OPERATIONS.md, tests/multiprocess/
    test_database_restart.py)."""
    return create_async_engine(
        normalize_url(url),
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "yidi", "timezone": "UTC"}},
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def connections_in_use(engine: AsyncEngine) -> int:
    """Connections checked out of the engine's pool (for the metrics)."""
    checked_out: int = engine.pool.checkedout()  # type: ignore[attr-defined]
    return checked_out
