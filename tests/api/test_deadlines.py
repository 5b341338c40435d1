"""Deadlines and alerts: isOverdue, the sweeper's once-per-case events, one sweeper at a time,
and holiday schedules added as data."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.clock import Clock
from tests.support.demo import V11, VILLAGE
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.mutations import do
from tests.support.sql import rows
from yidi.database.engine import make_engine, make_session_factory
from yidi.deadlines import sweeper
from yidi.deadlines.calendar_data import current_calendar
from yidi.deadlines.sweeper import sweep_once
from yidi.domain.calendar import CalendarYear
from yidi.domain.enums import OPEN_STATUSES
from yidi.persistence.calendar_store import store_year
from yidi.persistence.models import Case, CaseEvent
from yidi.services.unit_of_work import UnitOfWork


async def _count_events(app: Any, kind: str) -> dict[int, int]:
    async with app.state.yidi.sessions() as session:
        rows = await session.execute(
            select(CaseEvent.case_id, func.count())
            .where(CaseEvent.type == kind)
            .group_by(CaseEvent.case_id)
        )
        return {int(case_id): int(n) for case_id, n in rows}


async def _overdue_ids(app: Any, now: datetime) -> set[int]:
    async with app.state.yidi.sessions() as session:
        rows = await session.scalars(
            select(Case.id).where(
                Case.status.in_([s.value for s in OPEN_STATUSES]), Case.due_at < now
            )
        )
        return set(rows)


async def test_is_overdue_follows_the_clock(api: Api, clock: Clock) -> None:
    query = (
        "{ cases(first: 1, orderBy: {field: DUE_AT, direction: DESC}, "
        "filter: {status: [REGISTERED, DISPATCHED, IN_PROGRESS]}) "
        "{ edges { node { id dueAt isOverdue } } } }"
    )
    data = await api.ok(query, user="county.leader")
    latest = data["cases"]["edges"][0]["node"]
    assert latest["isOverdue"] is False
    clock.current = datetime.fromisoformat(latest["dueAt"]) + timedelta(seconds=1)
    api.tokens.clear()  # the old token has expired by the new clock
    again = await api.ok(
        "query($id: ID!) { case(id: $id) { isOverdue } }",
        {"id": latest["id"]},
        user="county.leader",
    )
    assert again["case"]["isOverdue"] is True


async def test_sweeper_alerts_once_per_case(app: Any, clock: Clock) -> None:
    uow = app.state.yidi.uow
    expected = await _overdue_ids(app, clock.current)
    assert expected, "the demo data has overdue cases"
    first = await sweep_once(uow, clock.current)
    assert first is not None
    assert first.overdue == len(expected)
    second = await sweep_once(uow, clock.current + timedelta(minutes=1))
    assert second is not None
    assert second.overdue == 0
    assert second.due_soon == 0
    counts = await _count_events(app, "OVERDUE")
    assert set(counts) == expected
    assert set(counts.values()) == {1}


async def test_a_sweep_goes_in_batches_each_its_own_transaction(
    app: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many deadlines passing at once are alerted batch after batch, every case once: no
    transaction (so no one statement of the event writer) holds more than a batch."""
    monkeypatch.setattr(sweeper, "BATCH", 3)
    expected = await _overdue_ids(app, clock.current)
    assert len(expected) > 2 * 3, "the demo data has enough overdue cases for three batches"
    result = await sweep_once(app.state.yidi.uow, clock.current)
    assert result is not None
    assert result.overdue == len(expected)
    assert set((await _count_events(app, "OVERDUE")).values()) == {1}
    # Rows one transaction wrote share its id (xmin).
    per_transaction = [
        n
        for (n,) in await rows(
            app, "SELECT count(*) FROM case_events WHERE type = 'OVERDUE' GROUP BY xmin::text"
        )
    ]
    assert max(per_transaction) <= 3
    assert len(per_transaction) >= -(-len(expected) // 3)


async def test_due_soon_is_sent_on_the_last_working_day(api: Api, app: Any, clock: Clock) -> None:
    # Registered Monday 2026-11-23 on the SIMPLE track (3 working days): due Thu 11-26 end.
    clock.current = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    created = await register(
        api,
        V11,
        VILLAGE,
        category="CONSULT",
        selection="id version",
        title="咨询医保",
        description="咨询医保缴费",
        channel="HOTLINE",
        reporter={"name": "李四", "phone": "13700001234"},
    )
    case_id = created["id"]
    await do(api, V11, "ASSESS", {"caseId": case_id, "track": "SIMPLE"}, "dueAt")
    uow = app.state.yidi.uow
    pk = await _pk(app, case_id)
    await sweep_once(uow, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # Wed
    assert pk not in await _count_events(app, "DUE_SOON")
    await sweep_once(uow, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # Thu 09:00
    await sweep_once(uow, datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    assert (await _count_events(app, "DUE_SOON")).get(pk) == 1
    assert pk not in await _count_events(app, "OVERDUE")


async def _pk(app: Any, global_id: str) -> int:
    from yidi.resolvers.ids import parse_global_id

    parsed = parse_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_two_sweepers_never_alert_twice(app: Any, database_url: str, clock: Clock) -> None:
    """Two engines stand for two server processes: the advisory lock lets one sweep."""
    engines = [make_engine(database_url, pool_size=1) for _ in range(2)]
    try:
        calendar, secret = app.state.yidi.uow.calendar, app.state.yidi.uow.secret
        uows = [
            UnitOfWork(make_session_factory(e), clock=clock, calendar=calendar, secret=secret)
            for e in engines
        ]
        results = await asyncio.gather(
            *(sweep_once(uow, clock.current) for uow in uows for _ in range(3))
        )
    finally:
        for engine in engines:
            await engine.dispose()
    expected = await _overdue_ids(app, clock.current)
    assert sum(r.overdue for r in results if r is not None) == len(expected)
    assert set((await _count_events(app, "OVERDUE")).values()) == {1}


async def test_added_year_is_used_for_deadlines(app: Any) -> None:
    year = CalendarYear(
        year=2031,
        holidays={date(2031, 1, 1): "元旦", date(2031, 1, 2): "元旦"},
        workdays={date(2031, 1, 4): "元旦调休"},
        source="test notice",
    )
    async with app.state.yidi.sessions.begin() as session:
        await store_year(session, year)
    async with app.state.yidi.sessions() as session:
        calendar = await current_calendar(session)
    assert 2031 in calendar.years
    assert not calendar.is_working_day(date(2031, 1, 2))  # a Thursday, now a holiday
    assert calendar.is_working_day(date(2031, 1, 4))  # a Saturday, now a working day
    # Registered Tue 2030-12-31 (2030 has no data: Mon-Fri). Working days after it:
    # Jan 3 (Fri), Jan 4 (Sat, 调休), Jan 6 (Mon).
    due = calendar.due_at(datetime(2030, 12, 31, 2, 0, tzinfo=UTC), 3)
    assert due.date() == date(2031, 1, 6)
