"""`yidi seed --synthetic` (docs/DASHBOARDS.md, "Synthetic county"): a small county loaded
the way the big one is (several batches, two generating processes), then checked against
what the application itself promises of its data — every case has its trail in lifecycle
order, numbers and positions are gapless, the hash chains verify, every reference
resolves, and the dashboards agree with a plain recount of the rows."""

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.sql import REACH_DRIFT
from yidi.authz.actor import Actor
from yidi.authz.default_policy import DEFAULT_POLICY
from yidi.authz.enforcer import CountyEnforcer
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.domain.enums import CaseEventType
from yidi.domain.lifecycle import EVENT_OF_ACTION, TRANSITIONS
from yidi.services import dashboards
from yidi.services.audit import verify_trails
from yidi.services.unit_of_work import UnitOfWork
from yidi.synthetic.county import AlreadySeeded, Options, seed

OPTIONS = Options(cases=2500, townships=3, villages_per_township=4, years=2, seed=7, batch=600)
ACTION_OF_EVENT = {event.value: action for action, event in EVENT_OF_ACTION.items()}


async def _rows(app: Starlette, sql: str, **params: Any) -> list[Any]:
    async with app.state.yidi.sessions() as session:
        return list((await session.execute(text(sql), params)).all())


@pytest.fixture
async def county(app: Starlette, clock: Clock) -> int:
    uow = UnitOfWork(app.state.yidi.sessions, clock=clock, calendar=bundled_calendar(), secret="")
    loaded = await seed(uow, OPTIONS, clock.current, bundled_calendar())
    return loaded.unit.id


async def test_every_case_has_its_trail_in_lifecycle_order(app: Starlette, county: int) -> None:
    cases = {
        r.id: r
        for r in await _rows(
            app,
            "SELECT id, status, version, merged_into_id FROM cases WHERE county_id = :c",
            c=county,
        )
    }
    assert len(cases) == OPTIONS.cases
    trails: dict[int, list[str]] = {}
    for r in await _rows(
        app,
        "SELECT case_id, type FROM case_events WHERE county_id = :c ORDER BY position",
        c=county,
    ):
        trails.setdefault(r.case_id, []).append(r.type)
    assert set(trails) == set(cases)
    for case_id, trail in trails.items():
        case = cases[case_id]
        assert trail[0] == "REGISTERED"
        assert case.version == len(trail)
        status = "REGISTERED"
        for event in trail[1:]:
            if event == CaseEventType.DUPLICATE_MERGED:
                continue  # the original's side of a merge: its status stays
            status = TRANSITIONS[ACTION_OF_EVENT[event]][status].value
        assert status == case.status, (case_id, trail)
        assert (case.merged_into_id is not None) == (status == "MERGED")
    # The mix a county's dashboards need is there.
    statuses = Counter(c.status for c in cases.values())
    assert {"REGISTERED", "IN_PROGRESS", "RESOLVED", "CLOSED", "MERGED", "REDIRECTED"} <= set(
        statuses
    )
    kinds = Counter(t for trail in trails.values() for t in trail)
    for kind in ("ESCALATED", "DISPATCHED", "EVALUATED", "REOPENED", "FOLLOWED_UP"):
        assert kinds[kind] > 0, kind


async def test_numbers_and_positions_are_gapless_and_counters_agree(
    app: Starlette, county: int
) -> None:
    numbers = await _rows(
        app,
        "SELECT split_part(number, '-', 2)::int AS year,"
        " array_agg(split_part(number, '-', 3)::int ORDER BY registered_at, id) AS seq"
        " FROM cases WHERE county_id = :c GROUP BY 1",
        c=county,
    )
    counters = {
        r.year: r.last_value
        for r in await _rows(
            app, "SELECT year, last_value FROM case_sequences WHERE county_id = :c", c=county
        )
    }
    assert {r.year for r in numbers} == set(counters)
    for r in numbers:
        assert r.seq == list(range(1, len(r.seq) + 1)), r.year  # in registration order
        assert counters[r.year] == len(r.seq)
    [positions] = await _rows(
        app,
        "SELECT min(position) AS lo, max(position) AS hi, count(*) AS n,"
        " (SELECT last_position FROM event_positions WHERE county_id = :c) AS counter"
        " FROM case_events WHERE county_id = :c",
        c=county,
    )
    assert (positions.lo, positions.hi, positions.counter) == (1, positions.n, positions.n)


async def test_hash_chains_verify(app: Starlette, county: int) -> None:
    async with app.state.yidi.sessions() as session:
        report = await verify_trails(session, "990300")
    assert report.broken is None
    assert report.cases == OPTIONS.cases


async def test_the_reach_rows_are_written_for_the_loaded_cases(app: Starlette, county: int) -> None:
    """The load runs with triggers off; `case_reach`, which the counts read, is filled after
    it exactly as the `case_reach_sync` trigger would have written it."""
    (drift,) = await _rows(app, REACH_DRIFT)
    assert drift[0] == 0
    (loaded,) = await _rows(
        app,
        "SELECT count(DISTINCT r.case_id) FROM case_reach r JOIN cases c ON c.id = r.case_id"
        " WHERE c.county_id = :c",
        c=county,
    )
    assert loaded[0] == OPTIONS.cases


async def test_every_reference_resolves(app: Starlette, county: int) -> None:
    """The load skips the foreign-key triggers: check each foreign key of the loaded
    tables by hand."""
    keys = await _rows(
        app,
        "SELECT c.conrelid::regclass::text AS tab, a.attname AS col,"
        " c.confrelid::regclass::text AS ref FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f'"
        " AND c.conrelid::regclass::text IN ('cases', 'case_events', 'case_follow_ups')",
    )
    assert len(keys) >= 15
    for key in keys:
        [dangling] = await _rows(
            app,
            f"SELECT count(*) AS n FROM {key.tab} t WHERE t.{key.col} IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {key.ref} r WHERE r.id = t.{key.col})",
        )
        assert dangling.n == 0, key


async def test_dashboard_facts_are_what_the_events_say(app: Starlette, county: int) -> None:
    """The columns the event writer keeps (first resolution, latest evaluation), loaded
    directly, agree with the loaded events."""
    kept = await _rows(
        app,
        "SELECT id, first_resolved_at, first_resolved_level, latest_satisfaction FROM cases"
        " WHERE county_id = :c ORDER BY id",
        c=county,
    )
    recounted = await _rows(
        app,
        "SELECT c.id,"
        " (SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id AND e.type = 'RESOLVED'),"
        " (SELECT u.level FROM case_events e JOIN units u ON u.id = e.from_unit_id"
        "   WHERE e.case_id = c.id AND e.type = 'RESOLVED' ORDER BY e.at, e.id LIMIT 1),"
        " (SELECT e.data->>'satisfaction' FROM case_events e WHERE e.case_id = c.id"
        "   AND e.type = 'EVALUATED' ORDER BY e.at DESC, e.id DESC LIMIT 1)"
        " FROM cases c WHERE c.county_id = :c ORDER BY c.id",
        c=county,
    )
    assert [tuple(r) for r in kept] == [tuple(r) for r in recounted]
    assert any(r.first_resolved_level == "COUNTY" for r in kept)
    assert any(r.latest_satisfaction == "DISSATISFIED" for r in kept)


async def test_dashboards_agree_with_a_recount(app: Starlette, clock: Clock, county: int) -> None:
    end = clock.current
    start = end - timedelta(days=365)
    cases = await _rows(
        app,
        "SELECT id, location_township_id AS township, status, escalation_count,"
        " merged_into_id FROM cases WHERE county_id = :c AND registered_at >= :s"
        " AND registered_at < :e",
        c=county,
        s=start,
        e=end,
    )
    resolved_ids = {
        r.case_id
        for r in await _rows(
            app,
            "SELECT case_id FROM case_events WHERE county_id = :c AND type = 'RESOLVED'",
            c=county,
        )
    }
    counted = [c for c in cases if c.merged_into_id is None]
    actor = Actor(0, "x", county, county, (county,), "COUNTY", frozenset({"LEADER"}))
    async with app.state.yidi.sessions() as session:
        got = await dashboards.unit_stats(
            session, CountyEnforcer(DEFAULT_POLICY), actor, county, start, end, end
        )
    figures = got.figures
    assert figures.received == len(counted) > 0
    assert figures.resolved == sum(c.id in resolved_ids for c in counted)
    assert figures.closed == sum(c.status == "CLOSED" for c in counted)
    assert figures.escalated == sum(c.escalation_count > 0 for c in counted)
    assert len(got.children) == OPTIONS.townships
    for child in got.children:
        mine = [c for c in counted if c.township == child.unit.id]
        assert child.figures.received == len(mine)
        assert child.figures.resolved == sum(c.id in resolved_ids for c in mine)


async def test_a_county_is_seeded_once(app: Starlette, clock: Clock, county: int) -> None:
    uow = UnitOfWork(app.state.yidi.sessions, clock=clock, calendar=bundled_calendar(), secret="")
    with pytest.raises(AlreadySeeded):
        await seed(uow, OPTIONS, clock.current, bundled_calendar())
