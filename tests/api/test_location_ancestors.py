"""Each case carries its location's township and village (the dashboards read them): set at
registration, and backfilled by migration 0007 to exactly what registration writes."""

import asyncio

from alembic import command
from starlette.applications import Starlette

from tests.support.demo import COUNTY, HOUSING, TOWNSHIP, TOWNSHIP_OFFICE, VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle
from tests.support.sql import rows
from tests.support.tree import load_tree
from yidi.database.migrations import alembic_config, upgrade

ANCESTORS = "SELECT id, location_unit_id, location_township_id, location_village_id FROM cases"


async def test_registration_sets_the_ancestors_of_every_kind_of_location(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    for location in (VILLAGE, TOWNSHIP, TOWNSHIP_OFFICE, COUNTY, HOUSING):
        await lc.register("county.intake", location)
    tree = await load_tree(app)
    level = dict(await rows(app, "SELECT id, level || '/' || kind FROM units"))
    found = await rows(app, ANCESTORS)
    assert len(found) > 300  # the demo's cases and the five above
    for case in found:
        # Walk parent ids, not the path column the application derived them from.
        above = tree.lineage(case.location_unit_id)
        township = [u for u in above if level[u] == "TOWNSHIP/AREA"]
        village = [u for u in above if level[u] == "VILLAGE/AREA"]
        assert case.location_township_id == (township[0] if township else None), case
        assert case.location_village_id == (village[0] if village else None), case


async def test_the_migration_backfills_what_registration_writes(
    api: Api, app: Starlette, database_url: str
) -> None:
    lc = await Lifecycle.create(api, app)
    await lc.register("county.intake", TOWNSHIP_OFFICE)
    written = sorted(await rows(app, ANCESTORS))
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0006")
    await asyncio.to_thread(upgrade, database_url)
    assert sorted(await rows(app, ANCESTORS)) == written
    assert any(r.location_village_id is None and r.location_township_id for r in written)
