"""Event positions: each county's events numbered in the order their transactions commit.

A reader that follows a county's events by position never passes one that is not yet
committed: a transaction takes its positions from the county's counter row just before it
commits and holds that row's lock until it does, so position p + 1 cannot become visible
before p, and a rolled-back transaction gives its positions back. Event ids carry no such
promise (an id is taken when a row is inserted, not when it commits).
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Executable,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    inspect,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from yidi.domain.errors import Conflict
from yidi.persistence.models import Case, CaseEvent

# What an event row holds besides its id (taken by the insert).
_EVENT_COLUMNS = (
    "county_id", "case_id", "type", "at", "actor_id", "from_unit_id", "to_unit_id",
    "note", "data", "position", "chain_hash",
)  # fmt: skip
_CASES, _EVENTS = cast(Table, Case.__table__), cast(Table, CaseEvent.__table__)
# A case's attribute name -> its column (they may differ); relationships are not columns.
_CASE_COLUMNS = {prop.key: prop.columns[0] for prop in inspect(Case).column_attrs}

# Listeners hear "<county id>:<last position>" on this channel when events commit.
CHANNEL = "yidi_case_events"


_POSITIONS = (
    "INSERT INTO event_positions (county_id, last_position) "
    "SELECT CAST(:c AS bigint), CAST(:n AS bigint){source} "
    "ON CONFLICT (county_id) DO UPDATE "
    "SET last_position = event_positions.last_position + :n RETURNING last_position"
)
_NUMBERS = (
    "INSERT INTO case_sequences (county_id, year, last_value) VALUES (:c, :y, :k) "
    "ON CONFLICT (county_id, year) DO UPDATE "
    "SET last_value = case_sequences.last_value + :k RETURNING last_value"
)
# Positions only (a lifecycle action), and numbers then positions (a registration); each
# tells listeners at commit. Positions read from `numbers`, so every writer locks the
# county's two counter rows in the same order: number first.
_SEAL = (
    f"WITH positions AS ({_POSITIONS.format(source='')}) "
    "SELECT last_position, NULL, pg_notify(:channel, :prefix || CAST(last_position AS text)) "
    "FROM positions"
)
_SEAL_NUMBERED = (
    f"WITH numbers AS ({_NUMBERS}), positions AS ({_POSITIONS.format(source=' FROM numbers')}) "
    "SELECT last_position, last_value, "
    "pg_notify(:channel, :prefix || CAST(last_position AS text)) FROM positions, numbers"
)

# Built once: a statement object keeps its cache key, so its compiled form is found at once.
_SEALS = {False: text(_SEAL), True: text(_SEAL_NUMBERED)}


async def take_positions(
    session: AsyncSession, county_id: int, count: int, numbers: tuple[int, int] | None = None
) -> tuple[int, int | None]:
    """Reserve `count` event positions of the county and, with `numbers` = (year, how many),
    that many case numbers of the county's year; both counter rows stay locked until the
    transaction ends, so this is meant to be the last statement but storing the events.
    Listeners are told at commit. The first position and the first number reserved.

    One statement: the counter rows serialize a county's writers, so every round trip
    made while holding them is paid by each writer queued behind.
    """
    parameters: dict[str, object] = {
        "c": county_id,
        "n": count,
        "channel": CHANNEL,
        "prefix": f"{county_id}:",
    }
    if numbers is not None:
        parameters["y"], parameters["k"] = numbers
    # The changed cases are not flushed here: `store_positioned` writes them.
    with session.no_autoflush:
        row = (await session.execute(_SEALS[numbers is not None], parameters)).one()
    first_number = None if numbers is None else int(row[1]) - numbers[1] + 1
    return int(row[0]) - count + 1, first_number


async def store_positioned(
    session: AsyncSession, events: Sequence[CaseEvent], cases: Sequence[Case]
) -> None:
    """Store events that already carry their positions, and what changed on their cases
    since they were read (or inserted), in one statement: a Core INSERT of the events whose
    WITH clause updates each case's changed columns — not the ORM's unit of work, whose
    flush built this as two or three statements and spent more Python on it than on the
    rest of a lifecycle action's SQL. The statement is built once per shape (how many
    events, which columns of which case changed) and its compiled form reused.

    Each case's UPDATE is guarded by the version the row had when read: the row is locked
    by this transaction (a lifecycle action reads it FOR UPDATE, a registration inserted
    it), so a mismatch means a bug, not a race — and it fails the work (Conflict) rather
    than store an event over a row it did not expect. The case objects stay the caller's:
    their new values are marked as stored and they leave the session, so the commit's
    flush has nothing of theirs to look at.
    """
    changes = [(case, _changes_of(case)) for case in cases]
    changes = [(case, values) for case, values in changes if values]
    parameters: dict[str, Any] = {
        f"e{i}_{name}": getattr(event, name)
        for i, event in enumerate(events)
        for name in _EVENT_COLUMNS
    }
    for n, (case, values) in enumerate(changes):
        # The version the stored row has: the one read, unless it was not changed since.
        parameters[f"c{n}_id"] = case.id
        parameters[f"c{n}_stored"] = inspect(case).committed_state.get("version", case.version)
        parameters.update({f"c{n}_{key}": value for key, value in values.items()})
    shape = tuple(tuple(sorted(values)) for _, values in changes)
    statement = _store_statement(len(events), shape)
    with session.no_autoflush:  # the ORM must not send the cases' changes itself
        result = await session.execute(statement, parameters)
        # How many rows each case's UPDATE matched (on each inserted event's row).
        matched = result.first() if shape else ()
    if matched is None or any(count != 1 for count in matched):
        raise Conflict("The case has changed under this work; try again.")
    for case in cases:
        for key in [k for k in inspect(case).committed_state if k in _CASE_COLUMNS]:
            set_committed_value(case, key, getattr(case, key))  # stored (or unchanged)
        # Out of the session, which ends with this work: its commit has no case to look
        # through (the object keeps every value it holds, for the payload to answer from).
        session.expunge(case)


def _changes_of(case: Case) -> dict[str, Any]:
    """The case's column attributes set to a new value since it was last read or written,
    with their values now (from the ORM's own record of what it would flush). A column
    set to the value it had is left out: updating it would still wake the triggers."""
    state = inspect(case)
    return {
        key: value
        for key, before in state.committed_state.items()
        if key in _CASE_COLUMNS and (value := getattr(case, key)) != before
    }


@lru_cache(maxsize=512)
def _store_statement(events: int, changed: tuple[tuple[str, ...], ...]) -> Executable:
    """The statement storing `events` events and updating, for the n-th changed case, the
    columns `changed[n]`; every value a named parameter (e<i>_<column>, c<n>_<column>,
    c<n>_id and c<n>_stored, the version the row must have). Built once per shape: the
    statement object's cache key and compiled form are then reused on every execution."""
    updates = [
        update(_CASES)
        .where(
            _CASES.c.id == bindparam(f"c{n}_id", type_=BigInteger()),
            _CASES.c.version == bindparam(f"c{n}_stored", type_=Integer()),
        )
        .values({_CASE_COLUMNS[key]: _parameter(f"c{n}_{key}", _CASE_COLUMNS[key]) for key in keys})
        .returning(_CASES.c.id)
        .cte(f"case_{n}")
        for n, keys in enumerate(changed)
    ]
    event_columns = [_EVENTS.c[name] for name in _EVENT_COLUMNS]
    rows = [
        select(*(_parameter(f"e{i}_{column.key}", column) for column in event_columns))
        for i in range(events)
    ]
    # The table, not the mapped class: the ORM's bulk-insert layer has nothing to add here.
    statement = insert(cast(Table, CaseEvent.__table__)).from_select(
        event_columns, rows[0] if events == 1 else union_all(*rows)
    )
    if not updates:
        return statement
    counts = [select(func.count()).select_from(cte).scalar_subquery() for cte in updates]
    return statement.add_cte(*updates).returning(*counts)


def _parameter(name: str, column: ColumnElement[Any]) -> BindParameter[Any]:
    return bindparam(name, type_=column.type)


async def events_after(
    session: AsyncSession, county_id: int, position: int, limit: int, until: int | None = None
) -> list[CaseEvent]:
    """The county's committed events after `position` (up to `until`), in commit order."""
    query = select(CaseEvent).where(CaseEvent.county_id == county_id, CaseEvent.position > position)
    if until is not None:
        query = query.where(CaseEvent.position <= until)
    rows = await session.scalars(query.order_by(CaseEvent.position).limit(limit))
    return list(rows)


async def last_position(session: AsyncSession, county_id: int) -> int:
    """The county's last committed position (0 before its first event). The counter row's
    committed value is exactly that: a writer's increment shows only once it commits."""
    found = await session.scalar(
        text("SELECT last_position FROM event_positions WHERE county_id = :c"), {"c": county_id}
    )
    return int(found) if found is not None else 0


async def position_of_event(session: AsyncSession, event_id: int) -> tuple[int, int] | None:
    """(county id, position) of a committed event, None for an unknown id."""
    row = (
        await session.execute(
            select(CaseEvent.county_id, CaseEvent.position).where(CaseEvent.id == event_id)
        )
    ).first()
    return (int(row[0]), int(row[1])) if row is not None else None
