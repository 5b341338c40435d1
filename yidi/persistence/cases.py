"""Queries and writes for cases and their events. All case SQL lives here."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.authz.scope import CaseScope
from yidi.domain.enums import OPEN_STATUSES, RISK_RANK
from yidi.persistence.models import Case, CaseEvent, CaseSequence, Category, FollowUp, case_reach
from yidi.persistence.read_rows import CASE_ROW_COLUMNS, CaseRow, EventRow
from yidi.persistence.scope import covers_county, reach_clause, scope_clause


@dataclass(frozen=True)
class CaseQuery:
    """A validated `cases` filter (the resolver has already decoded ids)."""

    statuses: list[str] | None = None
    risk_levels: list[str] | None = None
    channels: list[str] | None = None
    category_id: int | None = None
    unit_id: int | None = None
    overdue: bool | None = None
    registered_from: datetime | None = None
    registered_to: datetime | None = None
    search: str | None = None
    owner_id: int | None = None
    owned: bool | None = None


# Stands in for "no deadline" so undated cases sort last and stay keyset-pageable.
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)

ORDER_KEYS: dict[str, Any] = {
    "REGISTERED_AT": Case.registered_at,
    # Cases without a deadline sort after every dated one.
    "DUE_AT": func.coalesce(Case.due_at, literal(FAR_FUTURE, Case.due_at.type)),
    "RISK_LEVEL": case(
        *((Case.risk_level == level.value, rank) for level, rank in RISK_RANK.items()),
        else_=0,
    ),
}


def overdue_predicate(now: datetime, rows: Any = Case) -> ColumnElement[bool]:
    # `rows`: the Case model or `case_reach.c`, which name these columns alike.
    return and_(rows.status.in_([s.value for s in OPEN_STATUSES]), rows.due_at < now)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _columns_filters(query: CaseQuery, now: datetime, rows: Any) -> list[ColumnElement[bool]]:
    """The filters on a case's own columns, on `cases` or on `case_reach` (which carries
    them under the same names, so a count there says exactly what the list says)."""
    clauses: list[ColumnElement[bool]] = []
    if query.statuses is not None:
        clauses.append(rows.status.in_(query.statuses))
    if query.risk_levels is not None:
        clauses.append(rows.risk_level.in_(query.risk_levels))
    if query.channels is not None:
        clauses.append(rows.channel.in_(query.channels))
    if query.category_id is not None:
        subtree = select(Category.id).where(Category.path.contains([query.category_id]))
        clauses.append(rows.category_id.in_(subtree))
    if query.overdue is not None:
        overdue = overdue_predicate(now, rows)
        clauses.append(overdue if query.overdue else ~overdue)
    if query.registered_from is not None:
        clauses.append(rows.registered_at >= query.registered_from)
    if query.registered_to is not None:
        clauses.append(rows.registered_at < query.registered_to)
    return clauses


def filter_clauses(query: CaseQuery, now: datetime) -> list[ColumnElement[bool]]:
    clauses = _columns_filters(query, now, Case)
    if query.unit_id is not None:
        clauses.append(Case.handling_path.contains([query.unit_id]))
    if query.owner_id is not None:
        clauses.append(Case.owner_id == query.owner_id)
    if query.owned is not None:
        clauses.append(Case.owner_id.is_not(None) if query.owned else Case.owner_id.is_(None))
    if query.search:
        pattern = f"%{_escape_like(query.search)}%"
        clauses.append(
            or_(
                Case.number == query.search,
                Case.title.ilike(pattern, escape="\\"),
                Case.description.ilike(pattern, escape="\\"),
            )
        )
    return clauses


@dataclass(frozen=True)
class CasePage:
    cases: list[CaseRow]
    has_next: bool


# A page's cases are read, never changed: plain rows of the columns readers read, not ORM
# instances (read_rows.py). Built once: coercing its sixty columns was per request.
_CASE_ROWS = select(*(Case.__table__.c[name] for name in CASE_ROW_COLUMNS))


async def page_of_cases(
    session: AsyncSession,
    scope: CaseScope,
    query: CaseQuery,
    *,
    order_field: str,
    descending: bool,
    first: int,
    after: tuple[Any, int] | None,
    now: datetime,
) -> CasePage:
    """One keyset page; `after` is the (sort value, id) of the last row seen, a sort value
    of None standing for "no deadline" under DUE_AT."""
    key = ORDER_KEYS[order_field]
    stmt = _CASE_ROWS.where(scope_clause(scope), *filter_clauses(query, now))
    if after is not None:
        value, last_id = after
        if value is None:
            value = FAR_FUTURE
        position = tuple_(key, Case.id)
        bound = tuple_(literal(value), literal(last_id))
        stmt = stmt.where(position < bound if descending else position > bound)
    ordering = (key.desc(), Case.id.desc()) if descending else (key.asc(), Case.id.asc())
    # On the session's connection, as Core: the ORM's execution would set up a row
    # processor per column of the statement at every execution (docs/BENCHMARKS.md).
    connection = await session.connection()
    rows: list[CaseRow] = list(await connection.execute(stmt.order_by(*ordering).limit(first + 1)))
    has_next = len(rows) > first
    return CasePage(rows[:first], has_next)


def _reach_filters(query: CaseQuery, now: datetime) -> list[ColumnElement[bool]] | None:
    """The filter on `case_reach`, or None when it reads what `case_reach` does not carry
    (a unit, a search, an owner)."""
    if replace(query, unit_id=None, search=None, owner_id=None, owned=None) != query:
        return None
    return _columns_filters(query, now, case_reach.c)


# Built once: a county-wide list counts with it on every page.
_COUNTY_TOTAL = select(func.coalesce(func.sum(CaseSequence.last_value), 0)).where(
    CaseSequence.county_id == bindparam("county_id", type_=BigInteger())
)


async def count_cases(
    session: AsyncSession, scope: CaseScope, query: CaseQuery, now: datetime
) -> int:
    """How many cases the list holds, from the cheapest exact source (docs/BENCHMARKS.md,
    "Counting a scope"): the county's number counters for a whole county, the actor's unit's
    `case_reach` index range for the filters it carries, the cases themselves otherwise."""
    reach = _reach_filters(query, now)
    if query == CaseQuery() and covers_county(scope):
        # One gapless number per case, taken in the case's own transaction: the county's
        # counters are its number of cases.
        return int(await session.scalar(_COUNTY_TOTAL, {"county_id": scope.county_id}) or 0)
    # At the county, statuses alone are cheaper from ix_cases_county_status; for any other
    # filter the county's `case_reach` range (every case once) carries what it reads.
    statuses_only = replace(query, statuses=None) == CaseQuery()
    if reach is not None and not (scope.at_root and statuses_only):
        counted = select(func.count()).select_from(case_reach).where(reach_clause(scope), *reach)
        return int(await session.scalar(counted) or 0)
    stmt = (
        select(func.count())
        .select_from(Case)
        .where(scope_clause(scope), *filter_clauses(query, now))
    )
    return int(await session.scalar(stmt) or 0)


async def cases_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Case]:
    rows = await session.scalars(select(Case).where(Case.id.in_(ids)))
    return {c.id: c for c in rows}


async def case_by_number(session: AsyncSession, number: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.number == number))


# Built once (every lifecycle action runs it): its cache key and compiled form are reused.
_CASE_FOR_UPDATE = select(Case).where(Case.id == bindparam("case_id")).with_for_update()


async def case_for_update(session: AsyncSession, case_id: int) -> Case | None:
    """Lock the row for a transition, so concurrent changes serialise on it."""
    return await session.scalar(_CASE_FOR_UPDATE, {"case_id": case_id})


async def lock_loaded_case(session: AsyncSession, case: Case) -> None:
    """Lock a case already loaded, and read it afresh under the lock."""
    await session.refresh(case, with_for_update=True)


def add_follow_up(session: AsyncSession, follow_up: FollowUp) -> None:
    session.add(follow_up)


async def case_by_tracking_hash(session: AsyncSession, tracking_hash: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.tracking_code_hash == tracking_hash))


async def event_types_of_case(session: AsyncSession, case_id: int) -> list[tuple[str, datetime]]:
    """(type, at) of every event of one case, oldest first."""
    rows = await session.execute(
        select(CaseEvent.type, CaseEvent.at)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.id)
    )
    return [(t, at) for t, at in rows]


async def cases_of_county(session: AsyncSession, county_id: int) -> list[Case]:
    rows = await session.scalars(select(Case).where(Case.county_id == county_id).order_by(Case.id))
    return list(rows)


@dataclass(frozen=True)
class EventSlice:
    events: list[EventRow]
    total: int
    has_next: bool


_EVENTS = CaseEvent.__table__.c
# The event's columns a reader reads (read_rows.EventRow); not its chain hash.
_EVENT_COLUMNS = [c for c in _EVENTS if c.name != "chain_hash"]


def _events_of_cases() -> Select[Any]:
    """The first `rows` events after event `after` of each of the cases `case_ids`, each
    with its case's event count: window functions number each case's events and count them
    all, and only the rows wanted return. Plain rows, not ORM instances: a page of cases
    reads a hundred of them and changes none (read_rows.py)."""
    later = _EVENTS.id > bindparam("after", type_=BigInteger())
    numbered = (
        select(
            *_EVENT_COLUMNS,
            func.count().over(partition_by=_EVENTS.case_id).label("total"),
            func.row_number()
            .over(partition_by=(_EVENTS.case_id, later), order_by=_EVENTS.id)
            .label("rn"),
        )
        .where(_EVENTS.case_id == any_(bindparam("case_ids", type_=ARRAY(BigInteger))))
        .subquery()
    )
    return (
        select(*(numbered.c[c.name] for c in _EVENT_COLUMNS), numbered.c.total)
        .where(
            numbered.c.id > bindparam("after", type_=BigInteger()),
            numbered.c.rn <= bindparam("rows", type_=BigInteger()),
        )
        .order_by(numbered.c.case_id, numbered.c.id)
    )


# Built once: every page of cases runs it, and a statement object keeps its cache key.
_EVENTS_OF_CASES = _events_of_cases()


async def events_of_cases(
    session: AsyncSession, keys: Sequence[tuple[int, int, int]]
) -> dict[tuple[int, int, int], EventSlice]:
    """The first N events after an event id, for many cases, in one statement per (after, N).

    Keys are (case id, after event id or 0, first). A page of cases all asking for
    `events(first: 3)` is one query, which reads one row more than asked for each case to
    see if more follow.
    """
    result: dict[tuple[int, int, int], EventSlice] = {}
    groups: dict[tuple[int, int], list[int]] = {}
    for case_id, after_id, first in keys:
        groups.setdefault((after_id, first), []).append(case_id)
    for (after_id, first), case_ids in groups.items():
        parameters = {"case_ids": case_ids, "after": after_id, "rows": first + 1}
        by_case: dict[int, list[EventRow]] = {cid: [] for cid in case_ids}
        totals: dict[int, int] = {}
        for row in await session.execute(_EVENTS_OF_CASES, parameters):
            by_case[row.case_id].append(row)
            totals[row.case_id] = row.total
        for case_id in case_ids:
            events = by_case[case_id]
            # A case with no event after the cursor still needs its total: fetched lazily
            # below only in that rare case.
            result[(case_id, after_id, first)] = EventSlice(
                events[:first], totals.get(case_id, -1), len(events) > first
            )
    missing = [k for k, v in result.items() if v.total < 0]
    if missing:
        counts = dict(
            (
                await session.execute(
                    select(CaseEvent.case_id, func.count())
                    .where(CaseEvent.case_id.in_({k[0] for k in missing}))
                    .group_by(CaseEvent.case_id)
                )
            ).all()
        )
        for key in missing:
            result[key] = EventSlice([], int(counts.get(key[0], 0)), False)
    return result


async def follow_ups_of_cases(
    session: AsyncSession, case_ids: Sequence[int]
) -> dict[int, list[FollowUp]]:
    rows = await session.scalars(
        select(FollowUp).where(FollowUp.case_id.in_(case_ids)).order_by(FollowUp.at, FollowUp.id)
    )
    result: dict[int, list[FollowUp]] = {cid: [] for cid in case_ids}
    for follow_up in rows:
        result[follow_up.case_id].append(follow_up)
    return result


async def event_by_id(session: AsyncSession, event_id: int) -> CaseEvent | None:
    return await session.get(CaseEvent, event_id)
