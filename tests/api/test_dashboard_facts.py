"""The dashboard facts on the case row (first resolution time and level, latest
satisfaction) are kept by the event writer through the real use cases, and migration 0008
backfills exactly what the writer keeps."""

import asyncio
from datetime import timedelta

from alembic import command
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import LEADER
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, inputs_for
from tests.support.sql import rows
from yidi.database.migrations import alembic_config, upgrade

FACTS = "SELECT id, first_resolved_at, first_resolved_level, latest_satisfaction FROM cases"
# The same facts recounted from the events, in plain SQL over the trail.
FROM_EVENTS = """
SELECT c.id,
  (SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id AND e.type = 'RESOLVED'),
  (SELECT u.level FROM case_events e JOIN units u ON u.id = e.from_unit_id
    WHERE e.case_id = c.id AND e.type = 'RESOLVED' ORDER BY e.at, e.id LIMIT 1),
  (SELECT e.data->>'satisfaction' FROM case_events e
    WHERE e.case_id = c.id AND e.type = 'EVALUATED' ORDER BY e.at DESC, e.id DESC LIMIT 1)
FROM cases c
"""


async def _resolved_twice(api: Api, app: Starlette, clock: Clock) -> str:
    """A case resolved, judged DISSATISFIED, reopened, resolved by a county department and
    evaluated again: the first resolution and the latest evaluation differ from the last."""
    lc = await Lifecycle.create(api, app)
    case = await lc.register()
    await lc.move_to(case["id"], "RESOLVED")
    clock.current += timedelta(hours=3)
    await lc.do("EVALUATE", case["id"], LEADER, {"satisfaction": "DISSATISFIED"})
    await lc.do("REOPEN", case["id"], LEADER, inputs_for("REOPEN"))
    clock.current += timedelta(hours=3)
    await lc.do("RESOLVE", case["id"], "dept.housing", inputs_for("RESOLVE"))
    await lc.do("EVALUATE", case["id"], LEADER, {"satisfaction": "BASICALLY_SATISFIED"})
    return str(case["number"])


async def test_the_writer_keeps_what_the_events_say(api: Api, app: Starlette, clock: Clock) -> None:
    number = await _resolved_twice(api, app, clock)
    kept = sorted(tuple(r) for r in await rows(app, FACTS))
    # The demo's few hundred cases too: all moved along through the real use cases.
    assert len(kept) > 300
    assert kept == sorted(tuple(r) for r in await rows(app, FROM_EVENTS))
    [case] = await rows(
        app,
        "SELECT first_resolved_at < resolved_at AS earlier, first_resolved_level,"
        " latest_satisfaction FROM cases WHERE number = :n",
        n=number,
    )
    assert case.earlier
    assert case.latest_satisfaction == "BASICALLY_SATISFIED"


async def test_the_migration_backfills_what_the_writer_keeps(
    api: Api, app: Starlette, clock: Clock, database_url: str
) -> None:
    await _resolved_twice(api, app, clock)
    kept = sorted(tuple(r) for r in await rows(app, FACTS))
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0007")
    await asyncio.to_thread(upgrade, database_url)
    assert sorted(tuple(r) for r in await rows(app, FACTS)) == kept
