"""The session types the layers above pass around without importing SQLAlchemy themselves."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as SyncSession

Session = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]

_READS_ONLY = "yidi.reads_only"
_SEAL_ONLY = "yidi.seal_only"


async def begin_reading(session: Session) -> None:
    """Check out the session's connection for reads in autocommit: under READ COMMITTED
    each statement sees its own snapshot inside a transaction or not, so the BEGIN and the
    ROLLBACK around a request's reads would be two round trips for nothing. Nothing may be
    written through such a session (each statement would commit on its own): a flush of
    rows through it is refused."""
    await _in_autocommit(session, _READS_ONLY)


# The execution option the event writer's seal runs with (persistence/outbox.seal).
SEAL = "yidi.seal"


class WriteOutsideSeal(Exception):
    """A work run without a transaction tried to write other than by its seal. Raised
    before anything is sent: the work is to be run again in a transaction."""


async def begin_sealing_alone(session: Session) -> None:
    """Check out the session's connection in autocommit for a work whose only write is
    its seal (services/unit_of_work.run_alone): the seal then commits by itself, with no
    round trip between taking the county's counters and the commit. Its reads each see
    their own snapshot, as under READ COMMITTED in a transaction. Any other write — a flush
    of rows, a Core INSERT/UPDATE/DELETE, any textual statement — raises WriteOutsideSeal
    before it is sent, since it would commit on its own."""
    await _in_autocommit(session, _SEAL_ONLY)


async def _in_autocommit(session: Session, mark: str) -> None:
    session.sync_session.info[mark] = True
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@event.listens_for(SyncSession, "before_flush")
def _refuse_flush_in_autocommit(session: SyncSession, *_: Any) -> None:
    """A flush in autocommit would commit its rows on their own."""
    if not (session.new or session.dirty or session.deleted):
        return
    if session.info.get(_READS_ONLY):
        raise RuntimeError("a session that reads in autocommit was asked to write")
    if session.info.get(_SEAL_ONLY):
        raise WriteOutsideSeal("a row would be flushed outside the seal")


@event.listens_for(SyncSession, "do_orm_execute")
def _refuse_statements_outside_seal(state: ORMExecuteState) -> None:
    if not state.session.info.get(_SEAL_ONLY) or state.execution_options.get(SEAL):
        return
    # A textual statement may write (or take a lock meant to last): not worth telling apart.
    if state.is_insert or state.is_update or state.is_delete or not state.is_select:
        raise WriteOutsideSeal("a statement other than a read would run outside the seal")


def refuse_pending_outside_seal(session: Session, cases: Sequence[object]) -> None:
    """Before a work without a transaction seals: rows it added, deleted or changed, other
    than the cases the seal stores, would never be written (nothing commits them)."""
    sync = session.sync_session
    if sync.new or sync.deleted or any(o not in cases for o in sync.dirty):
        raise WriteOutsideSeal("rows besides the sealed cases are pending")
