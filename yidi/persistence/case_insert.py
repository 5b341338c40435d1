"""A new case's row, inserted with one Core statement instead of the ORM's flush.

The event writer inserts a new case when its first event is recorded (the event needs the
case's id); the ORM's unit of work spent more Python on that one INSERT than the rest of a
registration's SQL. Afterwards the case object is an ordinary persistent object of the
session, every column loaded: later changes in the same work are stored by the event
writer's last statement (persistence/outbox.store_positioned) like any other case's.
"""

from functools import lru_cache
from typing import cast

from sqlalchemy import Executable, Table, bindparam, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from yidi.persistence.models import Case

_CASES = cast(Table, Case.__table__)
# A case's attribute name -> its column (they may differ), the id left to its sequence.
_COLUMNS = {prop.key: prop.columns[0] for prop in inspect(Case).column_attrs if prop.key != "id"}


async def insert_case(session: AsyncSession, case: Case) -> None:
    """Insert a new (transient) case and make it persistent in the session with its id.

    Every column the object was given is inserted (None as NULL); a column it was not
    given takes its server default, read back by RETURNING — as the ORM would have done.
    """
    given = tuple(key for key in _COLUMNS if key in case.__dict__)
    defaulted = tuple(
        key for key in _COLUMNS if key not in case.__dict__ and _COLUMNS[key].server_default
    )
    parameters = {key: getattr(case, key) for key in given}
    row = (await session.execute(_insert_statement(given, defaulted), parameters)).one()
    case.id = row[0]
    make_transient_to_detached(case)  # what it was given now reads as loaded
    session.add(case)  # persistent as if just read: no SQL, nothing to flush
    # The rest as stored: server defaults as returned, other columns NULL.
    returned = dict(zip(defaulted, row[1:], strict=True))
    for key in _COLUMNS:
        if key not in given:
            set_committed_value(case, key, returned.get(key))


@lru_cache(maxsize=64)
def _insert_statement(given: tuple[str, ...], defaulted: tuple[str, ...]) -> Executable:
    """Built once per set of given columns (one, for `services/intake.create_case`), so its
    cache key and compiled form are reused."""
    values = {_COLUMNS[key]: bindparam(key, type_=_COLUMNS[key].type) for key in given}
    returned = [_CASES.c.id, *(_COLUMNS[key] for key in defaulted)]
    return insert(_CASES).values(values).returning(*returned)
