"""Event positions: each county's events numbered in the order their transactions commit.

A reader that follows a county's events by position never passes one that is not yet
committed: a transaction takes its positions from the county's counter row just before it
commits and holds that row's lock until it does, so position p + 1 cannot become visible
before p, and a rolled-back transaction gives its positions back. Event ids carry no such
promise (an id is taken when a row is inserted, not when it commits).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CTE, ScalarSelect, func, insert, inspect, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from yidi.domain.errors import Conflict
from yidi.persistence.models import Case, CaseEvent

# What an event row holds besides its id (taken by the insert).
_EVENT_COLUMNS = (
    "county_id", "case_id", "type", "at", "actor_id", "from_unit_id", "to_unit_id",
    "note", "data", "position", "chain_hash",
)  # fmt: skip
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
        row = (
            await session.execute(text(_SEAL if numbers is None else _SEAL_NUMBERED), parameters)
        ).one()
    first_number = None if numbers is None else int(row[1]) - numbers[1] + 1
    return int(row[0]) - count + 1, first_number


async def store_positioned(
    session: AsyncSession, events: Sequence[CaseEvent], cases: Sequence[Case]
) -> None:
    """Store events that already carry their positions, and what changed on their cases
    since they were read (or inserted), in one statement: a Core INSERT of the events whose
    WITH clause updates each case's changed columns — not the ORM's unit of work, whose
    flush built this as two or three statements and spent more Python on it than on the
    rest of a lifecycle action's SQL.

    Each case's UPDATE is guarded by the version the row had when read: the row is locked
    by this transaction (a lifecycle action reads it FOR UPDATE, a registration inserted
    it), so a mismatch means a bug, not a race — and it fails the work (Conflict) rather
    than store an event over a row it did not expect. The case objects stay the caller's:
    their new values are marked as stored, so the commit's flush sends nothing more.
    """
    changes = [(case, _changes_of(case)) for case in cases]
    updates = [_update_of(case, values, n) for n, (case, values) in enumerate(changes) if values]
    rows = [{name: getattr(event, name) for name in _EVENT_COLUMNS} for event in events]
    statement = insert(CaseEvent).values(rows)
    with session.no_autoflush:  # the ORM must not send the cases' changes itself
        if updates:
            counts: list[ScalarSelect[Any]] = [
                select(func.count()).select_from(cte).scalar_subquery() for cte in updates
            ]
            statement = statement.add_cte(*updates).returning(*counts)
            # One row per event, each with how many rows every case's UPDATE matched.
            matched = (await session.execute(statement)).first()
            if matched is None or any(count != 1 for count in matched):
                raise Conflict("The case has changed under this work; try again.")
        else:
            await session.execute(statement)
    for case in cases:  # stored (or unchanged): nothing left for the ORM to flush
        for key in [k for k in inspect(case).committed_state if k in _CASE_COLUMNS]:
            set_committed_value(case, key, getattr(case, key))


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


def _update_of(case: Case, values: dict[str, Any], n: int) -> CTE:
    state = inspect(case)
    # The version the stored row has: the one read, unless it was not changed since.
    stored = state.committed_state.get("version", case.version)
    return (
        update(Case)
        .where(Case.id == case.id, Case.version == stored)
        .values({_CASE_COLUMNS[key]: value for key, value in values.items()})
        .returning(Case.id)
        .cte(f"case_{n}")
    )


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
