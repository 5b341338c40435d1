"""The demo data loads all or nothing: an interrupted first `serve --demo` leaves no half
demo behind that a restart would take for a loaded one."""

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.support.clock import DEMO_NOW
from tests.support.database import admin, with_database
from tests.support.secret import SECRET
from yidi import demo
from yidi.database.engine import make_engine, make_session_factory
from yidi.database.migrations import upgrade
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.services.unit_of_work import UnitOfWork


@pytest.fixture
async def empty_uow(server_url: str) -> AsyncIterator[UnitOfWork]:
    """A unit of work on a freshly migrated database with nothing in it."""
    name = f"yidi_demo_load_{os.getpid()}"
    await admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin(server_url, f"CREATE DATABASE {name}")
    url = with_database(server_url, name)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=2)
    try:
        yield UnitOfWork(
            make_session_factory(engine),
            clock=lambda: DEMO_NOW,
            calendar=bundled_calendar(),
            secret=SECRET,
        )
    finally:
        await engine.dispose()
        await admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _counts(uow: UnitOfWork) -> tuple[int, ...]:
    async with uow.read() as session:
        row = (
            await session.execute(
                text(
                    "SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM users), "
                    "(SELECT count(*) FROM cases), (SELECT count(*) FROM case_events)"
                )
            )
        ).one()
    return tuple(int(n) for n in row)


async def test_an_interrupted_demo_load_leaves_nothing(
    empty_uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_transition = demo.transition
    calls = 0

    async def failing_transition(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > 100:
            raise RuntimeError("the process died here")
        return await real_transition(*args)

    monkeypatch.setattr(demo, "transition", failing_transition)
    with pytest.raises(RuntimeError, match="died"):
        await demo.load_demo(empty_uow, DEMO_NOW)
    assert calls > 100, "the failure came after many cases had been written"
    assert await _counts(empty_uow) == (0, 0, 0, 0)

    monkeypatch.setattr(demo, "transition", real_transition)
    assert await demo.load_demo(empty_uow, DEMO_NOW) is True
    units, users, cases, events = await _counts(empty_uow)
    assert (len(demo.USERS), demo.PAST_CASES) == (users, cases)
    assert units > 0
    assert events > cases
    assert await demo.load_demo(empty_uow, DEMO_NOW) is False, "loaded once only"
