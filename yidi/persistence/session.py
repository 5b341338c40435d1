"""The session types the layers above pass around without importing SQLAlchemy themselves."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Session = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]


async def begin_reading(session: Session) -> None:
    """Check out the session's connection for reads in autocommit: under READ COMMITTED
    each statement sees its own snapshot inside a transaction or not, so the BEGIN and the
    ROLLBACK around a request's reads would be two round trips for nothing. Nothing may be
    written through such a session (each statement would commit on its own)."""
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
