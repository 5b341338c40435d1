"""The session types the layers above pass around without importing SQLAlchemy themselves."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session as SyncSession

Session = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]

_READS_ONLY = "yidi.reads_only"


async def begin_reading(session: Session) -> None:
    """Check out the session's connection for reads in autocommit: under READ COMMITTED
    each statement sees its own snapshot inside a transaction or not, so the BEGIN and the
    ROLLBACK around a request's reads would be two round trips for nothing. Nothing may be
    written through such a session (each statement would commit on its own): a flush of
    rows through it is refused."""
    session.sync_session.info[_READS_ONLY] = True
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@event.listens_for(SyncSession, "before_flush")
def _refuse_writes_when_reading(session: SyncSession, *_: Any) -> None:
    if session.info.get(_READS_ONLY) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a session that reads in autocommit was asked to write")
