"""Event positions: each county's events numbered in the order their transactions commit.

A reader that follows a county's events by position never passes one that is not yet
committed: a transaction takes its positions from the county's counter row just before it
commits and holds that row's lock until it does, so position p + 1 cannot become visible
before p, and a rolled-back transaction gives its positions back. Event ids carry no such
promise (an id is taken when a row is inserted, not when it commits).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Executable,
    FromClause,
    Integer,
    LargeBinary,
    SmallInteger,
    Table,
    Text,
    and_,
    bindparam,
    func,
    insert,
    inspect,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeEngine

from yidi.domain.errors import Conflict
from yidi.domain.numbering import SEQUENCE_DIGITS
from yidi.persistence.case_insert import given_and_defaulted, stored, stored_as_inserted
from yidi.persistence.models import Case, CaseEvent, CaseSequence, EventPosition
from yidi.persistence.session import SEAL

# What an event row holds but its id (taken by the insert) and its position and hash
# (taken by the seal).
_EVENT_COLUMNS = (
    "county_id", "case_id", "type", "at", "actor_id", "from_unit_id", "to_unit_id",
    "note", "data",
)  # fmt: skip
_CASES, _EVENTS = cast(Table, Case.__table__), cast(Table, CaseEvent.__table__)
_SEQUENCES, _POSITIONS_TABLE = (
    cast(Table, CaseSequence.__table__),
    cast(Table, EventPosition.__table__),
)
# A case's attribute name -> its column (they may differ); relationships are not columns.
_CASE_COLUMNS = {prop.key: prop.columns[0] for prop in inspect(Case).column_attrs}

# What the seal writes on a case itself (not the work's changes).
_SEAL_WRITES = frozenset({"number", "chain_head"})
# The seal is the one write a work without a transaction may send (persistence/session.py).
_SEALING = {SEAL: True}
# Listeners hear "<county id>:<last position>" on this channel when events commit.
CHANNEL = "yidi_case_events"

# Built once: a statement object keeps its cache key, so its compiled form is found at once.
_TAKE_POSITIONS = text(
    "WITH positions AS (INSERT INTO event_positions (county_id, last_position) "
    "VALUES (:c, :n) ON CONFLICT (county_id) DO UPDATE "
    "SET last_position = event_positions.last_position + :n RETURNING last_position) "
    "SELECT last_position, pg_notify(:channel, :prefix || CAST(last_position AS text)) "
    "FROM positions"
)


async def take_positions(session: AsyncSession, county_id: int, count: int) -> int:
    """Reserve `count` event positions of the county for events written otherwise than by
    `seal` (an import's COPY); the counter row stays locked until the transaction ends.
    Listeners are told at commit. The first position reserved."""
    parameters = {"c": county_id, "n": count, "channel": CHANNEL, "prefix": f"{county_id}:"}
    row = (await session.execute(_TAKE_POSITIONS, parameters)).one()
    return int(row[0]) - count + 1


class SealRefused(Conflict):
    """A case of the seal was not at the version its work read it at: nothing was written."""


@dataclass(frozen=True)
class Unsealed:
    """An event as `seal` takes it: its row but position and hash, its canonical content
    rendered around the position's digits (domain/audit_chain.canonical_around_position),
    and the hash it links to unless that is an earlier event of the same seal."""

    event: CaseEvent
    before: bytes
    after: bytes
    previous: bytes | None  # None: the hash of the previous event of its case in this seal


@dataclass(frozen=True)
class NewNumber:
    """A new case the seal numbers: `prefix` (county code and year) and the digits of the
    county's next number of that year."""

    case: Case
    prefix: str
    year: int


async def seal(
    session: AsyncSession,
    county_id: int,
    events: Sequence[Unsealed],
    cases: Sequence[Case],
    new: Sequence[NewNumber] = (),
) -> None:
    """Position, chain and store one county's events of a work, number its new cases and
    store what changed on the events' cases, in one statement — meant to be the work's
    last before commit.

    The statement locks the cases, takes the county's counter rows (the year's case number
    first, then the event positions; always in that order, so writers never deadlock),
    hashes each event with its position in SQL (sha256 of the previous hash and the
    content's bytes around the position's digits), inserts the events and updates each
    case: its changed columns, its chain head, its number if new. The counter rows
    serialize the county's writers until the work commits, so nothing happens between
    taking them and committing but this statement's own work and the COMMIT (none at all
    in a work without a transaction, where the statement commits itself). Listeners are
    told at commit.

    Nothing is written unless every case is at the version the work read it at (see
    `_counters`): in a transaction that locked its cases that is a bug, not a race; in a
    work without one (services/unit_of_work.run_alone) a concurrent writer came first.
    Either way SealRefused, and the statement wrote nothing. Afterwards the events carry their
    positions and hashes, the cases their chain heads and numbers; the case objects stay
    the caller's: their new values are marked as stored and they leave the session, so the
    commit's flush has nothing of theirs to look at.

    A new case that has no row yet (a work without a transaction: its id taken, nothing
    inserted; persistence/case_insert.stored) is inserted by the statement, numbered and
    chained, rather than updated: written once, with no moment at which it exists unnumbered.
    """
    numbered = {id(n.case): offset for offset, n in enumerate(new)}
    last_event = {u.event.case_id: i for i, u in enumerate(events)}
    inserted = {id(case): given_and_defaulted(case) for case in cases if not stored(case)}
    changes = [(case, _changes_of(case, inserted.get(id(case)))) for case in cases]
    parameters: dict[str, Any] = {
        "county": county_id,
        "count": len(events),
        # Not named as any column: an UPDATE would take a parameter named so as a value.
        "notify_channel": CHANNEL,
        "notify_prefix": f"{county_id}:",
    }
    if new:
        years = {n.year for n in new}
        assert len(years) == 1, "new cases of several years in one seal"
        parameters["year"], parameters["numbers"] = years.pop(), len(new)
    for i, unsealed in enumerate(events):
        for name in _EVENT_COLUMNS:
            parameters[f"e{i}_{name}"] = getattr(unsealed.event, name)
        parameters[f"e{i}_before"], parameters[f"e{i}_after"] = unsealed.before, unsealed.after
        if unsealed.previous is not None:
            parameters[f"e{i}_previous"] = unsealed.previous
    for n, (case, values) in enumerate(changes):
        parameters[f"c{n}_id"] = case.id
        if id(case) not in inserted:
            # The version the stored row has: the one read, unless it was not changed since.
            stored_version = inspect(case).committed_state.get("version", case.version)
            parameters[f"c{n}_stored"] = stored_version
        parameters.update({f"c{n}_{key}": value for key, value in values.items()})
        if id(case) in numbered:
            parameters[f"c{n}_number_prefix"] = new[numbered[id(case)]].prefix
    shape = _SealShape(
        chained=_chained(events),
        cases=tuple(
            _CaseShape(
                tuple(sorted(values)),
                last_event[case.id],
                numbered.get(id(case)),
                inserted[id(case)][1] if id(case) in inserted else None,
            )
            for case, values in changes
        ),
        numbers=len(new),
    )
    with session.no_autoflush:  # the ORM must not send the cases' changes itself
        statement = _seal_statement(shape)
        found = (await session.execute(statement, parameters, execution_options=_SEALING)).first()
    row = _SealRow(found, shape) if found is not None else None
    if row is None or row.matched != len(changes):
        raise SealRefused("The case has changed under this work; try again.")
    for i, unsealed in enumerate(events):
        unsealed.event.position = row.first_position + i
        unsealed.event.chain_hash = row.hashes[i]
    for n, (case, _) in enumerate(changes):
        if id(case) in inserted:
            given = inserted[id(case)][0]
            stored_as_inserted(case, given, row.defaults[n])
            set_committed_value(case, "chain_head", row.hashes[last_event[case.id]])
            if id(case) in numbered:
                set_committed_value(case, "number", row.numbers[numbered[id(case)]])
            continue  # never in the session
        for key in [k for k in inspect(case).committed_state if k in _CASE_COLUMNS]:
            set_committed_value(case, key, getattr(case, key))  # stored (or unchanged)
        set_committed_value(case, "chain_head", row.hashes[last_event[case.id]])
        if id(case) in numbered:
            set_committed_value(case, "number", row.numbers[numbered[id(case)]])
        # Out of the session, which ends with this work: its commit has no case to look
        # through (the object keeps every value it holds, for the payload to answer from).
        session.expunge(case)


def _chained(events: Sequence[Unsealed]) -> tuple[int | None, ...]:
    """For each event, the earlier event of this seal it links to (None: a parameter)."""
    latest: dict[int, int] = {}
    chained: list[int | None] = []
    for i, unsealed in enumerate(events):
        case_id = unsealed.event.case_id
        chained.append(latest[case_id] if unsealed.previous is None else None)
        latest[case_id] = i
    return tuple(chained)


def _changes_of(
    case: Case, inserted: tuple[tuple[str, ...], tuple[str, ...]] | None
) -> dict[str, Any]:
    """The case's column attributes set to a new value since it was last read or written,
    with their values now (from the ORM's own record of what it would flush). A column
    set to the value it had is left out: updating it would still wake the triggers. A new
    case the seal inserts (`inserted`: its given and defaulted columns): every column it
    was given, its id among them, but the number and chain head the seal writes."""
    if inserted is not None:
        return {key: getattr(case, key) for key in inserted[0] if key not in _SEAL_WRITES}
    state = inspect(case)
    return {
        key: value
        for key, before in state.committed_state.items()
        if key in _CASE_COLUMNS and (value := getattr(case, key)) != before
    }


@dataclass(frozen=True)
class _CaseShape:
    """A case as its seal statement depends on it: its changed columns (a new case's
    given ones), its last event, its offset among the new cases numbered (None: not new),
    and, for a case the statement inserts, the columns it was not given and takes the
    server's default of (None: the statement updates it)."""

    keys: tuple[str, ...]
    last_event: int
    offset: int | None
    defaulted: tuple[str, ...] | None


@dataclass(frozen=True)
class _SealShape:
    """What a seal statement depends on besides its values. `chained[i]`: the earlier
    event of this seal event i links to (None: its previous hash is a parameter).
    `numbers`: how many new cases."""

    chained: tuple[int | None, ...]
    cases: tuple[_CaseShape, ...]
    numbers: int


class _SealRow:
    """The seal's one row: the first position, the events' hashes in order, how many case
    rows its UPDATEs and INSERTs wrote, the new cases' numbers in order, then the server
    defaults of each inserted case (by the case's index in the seal)."""

    def __init__(self, row: Sequence[Any], shape: _SealShape) -> None:
        self.first_position = int(row[0])
        self.hashes: list[bytes] = list(row[1])
        self.matched = int(row[2])
        self.numbers: list[str] = list(row[3] or [])
        self.defaults: dict[int, dict[str, Any]] = {}
        rest = iter(row[4:])
        for n, case in enumerate(shape.cases):
            if case.defaulted is not None:
                self.defaults[n] = {key: next(rest) for key in case.defaulted}


@lru_cache(maxsize=512)
def _seal_statement(shape: _SealShape) -> Executable:
    """The seal of one shape; every value a named parameter (see `seal`). Built once per
    shape: the statement object's cache key and compiled form are then reused."""
    events = len(shape.chained)
    updated = tuple(n for n, case in enumerate(shape.cases) if case.defaulted is None)
    last_position, first_number, counters = _counters(updated, shape.numbers > 0)
    # One row: the first position (and number) ...
    seal = (
        select(
            (last_position - bindparam("count", type_=BigInteger()) + _number(1)).label("p0"),
            first_number.label("first_number"),
            func.pg_notify(
                bindparam("notify_channel", type_=Text()),
                bindparam("notify_prefix", type_=Text()) + sql_cast(last_position, Text()),
            ).label("notified"),
        )
        .select_from(counters)
        .cte("seal")
    )
    # ... and the events' hashes, as one array: an event that follows another of its case in
    # this seal hashes over that one's expression (a case's chain within one work is short;
    # a sweep's hundreds of events are each the first of their case).
    hashes: list[ColumnElement[bytes]] = []
    for i, earlier in enumerate(shape.chained):
        previous = _bytes(f"e{i}_previous") if earlier is None else hashes[earlier]
        digits = func.convert_to(sql_cast(seal.c.p0 + _number(i), Text()), literal_column("'UTF8'"))
        linked = _concat(previous, _bytes(f"e{i}_before"), digits, _bytes(f"e{i}_after"))
        hashes.append(func.sha256(linked, type_=LargeBinary()))
    chain = select(seal.c.p0, seal.c.first_number, _array(hashes, LargeBinary()).label("h")).cte(
        "chain"
    )
    updates = [
        _case_update(n, case, chain.c.h[case.last_event + 1], chain.c.first_number)
        if case.defaulted is None
        else _case_insert(n, case, chain)
        for n, case in enumerate(shape.cases)
    ]
    event_columns = [_EVENTS.c[name] for name in _EVENT_COLUMNS]
    rows = [
        select(
            *(_parameter(f"e{i}_{column.key}", column) for column in event_columns),
            chain.c.p0 + _number(i),
            chain.c.h[i + 1],
        )
        for i in range(events)
    ]
    stored = (
        insert(cast(Table, CaseEvent.__table__))  # named so, for tests/test_architecture.py
        .from_select(
            [*event_columns, _EVENTS.c.position, _EVENTS.c.chain_hash],
            rows[0] if events == 1 else union_all(*rows),
        )
        .cte("events")
    )
    # How many case rows the guarded UPDATEs matched, and the new cases' numbers in order.
    matched: FromClause = (
        union_all(*(select(u.c.id) for u in updates)).subquery() if len(updates) > 1 else updates[0]
    )
    new = sorted(
        (
            (case.offset, u)
            for u, case in zip(updates, shape.cases, strict=True)
            if case.offset is not None
        ),
        key=lambda pair: pair[0],
    )
    numbers: ColumnElement[Any] = (
        _array([select(u.c.number).scalar_subquery() for _, u in new], Text()) if new else null()
    )
    defaults = [
        select(u.c[key]).scalar_subquery()
        for u, case in zip(updates, shape.cases, strict=True)
        for key in case.defaulted or ()
    ]
    return select(
        chain.c.p0,
        chain.c.h,
        select(func.count()).select_from(matched).scalar_subquery(),
        numbers,
        *defaults,
    ).add_cte(*updates, stored)


def _counters(
    cases: tuple[int, ...], numbered: bool
) -> tuple[ColumnElement[int], ColumnElement[Any], FromClause]:
    """The county's last event position after this seal's, and the first case number it
    took (NULL when it numbers no case), as columns of the counters' CTEs, and those CTEs
    as one FROM.

    Nothing is taken unless every case is still at the version it was read at: `guard`
    locks the case rows at those versions (FOR UPDATE waits for a concurrent writer and
    then sees its version), and the counters read from it, so a seal whose case moved
    writes nothing at all — which a seal run outside a transaction relies on. Lock order,
    the same for every writer: the cases, then the year's number row, then the positions.
    `cases`: the indexes of the seal's cases that have rows (a case it inserts has none to
    guard; a seal of only such cases takes the counters unguarded)."""
    county = bindparam("county", type_=BigInteger())
    count = bindparam("count", type_=BigInteger())
    unmoved: list[ColumnElement[bool]] = []  # none to guard: the counters are taken as they are
    if cases:
        at_read = or_(
            *(
                and_(
                    _CASES.c.id == bindparam(f"c{n}_id", type_=BigInteger()),
                    _CASES.c.version == bindparam(f"c{n}_stored", type_=Integer()),
                )
                for n in cases
            )
        )
        guard = select(_CASES.c.id).where(at_read).with_for_update().cte("guard")
        counted = select(func.count()).select_from(guard).scalar_subquery()
        unmoved.append(counted == _number(len(cases)))
    first_number: ColumnElement[Any] = null()
    numbers = None
    source = select(county, count).where(*unmoved)
    if numbered:
        taken = bindparam("numbers", type_=Integer())
        year = bindparam("year", type_=SmallInteger())
        numbers = (
            pg_insert(_SEQUENCES)
            .from_select(
                [_SEQUENCES.c.county_id, _SEQUENCES.c.year, _SEQUENCES.c.last_value],
                select(county, year, taken).where(*unmoved),
            )
            .on_conflict_do_update(
                index_elements=[_SEQUENCES.c.county_id, _SEQUENCES.c.year],
                set_={"last_value": _SEQUENCES.c.last_value + taken},
            )
            .returning(_SEQUENCES.c.last_value)
            .cte("numbers")
        )
        first_number = numbers.c.last_value - taken + _number(1)
        source = select(county, count).select_from(numbers)
    positions = (
        pg_insert(_POSITIONS_TABLE)
        .from_select([_POSITIONS_TABLE.c.county_id, _POSITIONS_TABLE.c.last_position], source)
        .on_conflict_do_update(
            index_elements=[_POSITIONS_TABLE.c.county_id],
            set_={"last_position": _POSITIONS_TABLE.c.last_position + count},
        )
        .returning(_POSITIONS_TABLE.c.last_position)
        .cte("positions")
    )
    both = positions if numbers is None else positions.join(numbers, true())  # one row each
    return positions.c.last_position, first_number, both


def _case_update(
    n: int, case: _CaseShape, head: ColumnElement[bytes], first_number: ColumnElement[Any]
) -> Any:
    """Case n's UPDATE, made only when the seal took its counters (its `head` comes from
    the seal's one row, none when the guard found a case moved): its changed columns, its
    chain head and, if new, its number."""
    values: dict[Any, Any] = {
        _CASE_COLUMNS[key]: _parameter(f"c{n}_{key}", _CASE_COLUMNS[key]) for key in case.keys
    }
    values[_CASES.c.chain_head] = select(head).scalar_subquery()
    if case.offset is not None:
        values[_CASES.c.number] = select(
            _case_number(n, first_number, case.offset)
        ).scalar_subquery()
    return (
        update(_CASES)
        .where(
            _CASES.c.id == bindparam(f"c{n}_id", type_=BigInteger()),
            _CASES.c.version == bindparam(f"c{n}_stored", type_=Integer()),
            select(head).exists(),  # the seal's one row
        )
        .values(values)
        .returning(_CASES.c.id, _CASES.c.number)
        .cte(f"case_{n}")
    )


def _case_insert(n: int, case: _CaseShape, chain: FromClause) -> Any:
    """New case n's INSERT, from the seal's one row (none when the guard found another
    case moved): its given columns, its number and its chain head; it returns its id,
    its number and the server's defaults of the columns it was not given."""
    assert case.offset is not None, "a new case is numbered by its seal"
    assert case.defaulted is not None
    columns = [_CASE_COLUMNS[key] for key in case.keys]
    source = select(
        *(_parameter(f"c{n}_{key}", _CASE_COLUMNS[key]) for key in case.keys),
        _case_number(n, chain.c.first_number, case.offset),
        chain.c.h[case.last_event + 1],
    ).select_from(chain)
    return (
        insert(_CASES)
        .from_select([*columns, _CASES.c.number, _CASES.c.chain_head], source)
        .returning(_CASES.c.id, _CASES.c.number, *(_CASE_COLUMNS[key] for key in case.defaulted))
        .cte(f"case_{n}")
    )


def _case_number(n: int, first_number: ColumnElement[Any], offset: int) -> ColumnElement[str]:
    """New case n's number: its prefix (county code and year) and the sequence's digits,
    zero-padded as domain/numbering pads."""
    digits = sql_cast(first_number + _number(offset), Text())
    padding = func.repeat(literal_column("'0'"), _number(SEQUENCE_DIGITS) - func.length(digits))
    return bindparam(f"c{n}_number_prefix", type_=Text()) + padding + digits


def _number(value: int) -> ColumnElement[int]:
    """An integer of the statement's shape, written into its text: a statement built once
    and cached holds no anonymous parameters (SQLAlchemy would have to extract their values
    again on every execution)."""
    return literal_column(str(int(value)), BigInteger())


def _array(items: Sequence[ColumnElement[Any]], of: TypeEngine[Any]) -> ColumnElement[Any]:
    """`ARRAY[...]` of the items (no limit on how many, unlike a select list's columns)."""
    return pg_array(list(items), type_=of)


def _bytes(name: str) -> BindParameter[bytes]:
    return bindparam(name, type_=LargeBinary())


def _concat(*parts: ColumnElement[bytes]) -> ColumnElement[bytes]:
    """`a || b || ...` of bytea values."""
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.op("||", return_type=LargeBinary())(part)
    return joined


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
