"""A new case's row, inserted with one Core statement instead of the ORM's flush.

In a transaction, the event writer inserts a new case when its first event is recorded
(the event and rows the work writes later refer to it); the ORM's unit of work spent more
Python on that one INSERT than the rest of a registration's SQL. Afterwards the case object
is an ordinary persistent object of the session, every column loaded: later changes in the
same work are stored by the event writer's seal (persistence/outbox.seal) like any other
case's. A work without a transaction leaves a new case, its id already taken, for the seal
to insert (`stored` tells the two apart).
"""

from functools import lru_cache
from typing import cast

from sqlalchemy import Executable, Table, bindparam, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from yidi.persistence.models import Case

_CASES = cast(Table, Case.__table__)
# A case's attribute name -> its column (they may differ).
_COLUMNS = {prop.key: prop.columns[0] for prop in inspect(Case).column_attrs}


def stored(case: Case) -> bool:
    """Whether the case has a row (read, or inserted by this work), or is new."""
    return not inspect(case).transient


def given_and_defaulted(case: Case) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A new case's columns it was given values for (None counts; the id only when taken
    already), and those it was not given that have a server default."""
    given = tuple(
        key for key in _COLUMNS if key in case.__dict__ and (key != "id" or case.id is not None)
    )
    defaulted = tuple(
        key for key in _COLUMNS if key not in given and _COLUMNS[key].server_default is not None
    )
    return given, defaulted


def stored_as_inserted(case: Case, given: tuple[str, ...], returned: dict[str, object]) -> None:
    """Make a just-inserted case read as loaded: what it was given as stored, the server
    defaults as returned, other columns NULL — as the ORM would have left it."""
    make_transient_to_detached(case)
    for key in _COLUMNS:
        if key not in given:
            set_committed_value(case, key, returned.get(key))


async def insert_case(session: AsyncSession, case: Case) -> None:
    """Insert a new (transient) case and make it persistent in the session with its id.

    Every column the object was given is inserted (None as NULL); a column it was not
    given takes its server default (the id its sequence's next), read back by RETURNING —
    as the ORM would have done.
    """
    given, defaulted = given_and_defaulted(case)
    parameters = {key: getattr(case, key) for key in given}
    row = (await session.execute(_insert_statement(given, defaulted), parameters)).one()
    case.id = row[0]
    stored_as_inserted(case, given, dict(zip(("id", *defaulted), row, strict=True)))
    session.add(case)  # persistent as if just read: no SQL, nothing to flush


@lru_cache(maxsize=64)
def _insert_statement(given: tuple[str, ...], defaulted: tuple[str, ...]) -> Executable:
    """Built once per set of given columns (one, for `services/intake.create_case`), so its
    cache key and compiled form are reused."""
    values = {_COLUMNS[key]: bindparam(key, type_=_COLUMNS[key].type) for key in given}
    returned = [_CASES.c.id, *(_COLUMNS[key] for key in defaulted)]
    return insert(_CASES).values(values).returning(*returned)
