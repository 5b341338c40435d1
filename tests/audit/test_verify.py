"""`yidi audit verify` over a real database: the trails the application writes verify, and
an edit, a removal or a re-linked migration made behind its back is found."""

import asyncio
import os
import subprocess
import sys

from alembic import command
from alembic.script import ScriptDirectory
from starlette.applications import Starlette

from tests.support.demo import LEADER, OTHER_VILLAGE
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.lifecycle import Lifecycle, global_id, pk_of
from tests.support.sql import execute, rows, scalar
from yidi.database.migrations import alembic_config, upgrade
from yidi.services.audit import AuditReport, verify_trails

CHAIN_MIGRATION = "0006"  # migrations/versions/0006_event_chain.py


async def verify(app: Starlette, county: str | None = None) -> AuditReport:
    async with app.state.yidi.uow.read() as session:
        return await verify_trails(session, county)


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YIDI_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "yidi.cli", "audit", "verify", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


async def test_the_trails_the_application_writes_verify(api: Api, app: Starlette) -> None:
    life = await Lifecycle.create(api, app)
    case_id = str((await life.register())["id"])
    await life.move_to(case_id, "CLOSED")
    await register(api, "other.leader", OTHER_VILLAGE)
    report = await verify(app)
    assert report.broken is None
    assert report.events == await scalar(app, "SELECT count(*) FROM case_events")
    assert report.cases == await scalar(app, "SELECT count(*) FROM cases")
    county = await verify(app, "990100")
    assert county.broken is None
    assert county.cases == report.cases - 1  # all but the other county's one case


async def test_an_edited_event_is_reported_at_its_place(
    api: Api, app: Starlette, database_url: str
) -> None:
    life = await Lifecycle.create(api, app)
    case_id = pk_of(str((await life.register())["id"]))
    await life.do("COMMENT", global_id("Case", case_id), LEADER, {"note": "原话"})
    await life.do("COMMENT", global_id("Case", case_id), LEADER, {"note": "后话"})
    edited = (
        await rows(
            app,
            "SELECT id, position FROM case_events WHERE case_id = :c AND note = '原话'",
            c=case_id,
        )
    )[0]
    await execute(app, "UPDATE case_events SET note = '改过的话' WHERE id = :i", i=edited.id)
    report = await verify(app)
    assert report.broken is not None
    assert (report.broken.case_id, report.broken.position) == (case_id, edited.position)
    number = await scalar(app, "SELECT number FROM cases WHERE id = :c", c=case_id)
    assert report.broken_case_number == number
    outcome = cli(database_url)
    assert outcome.returncode == 1, outcome.stderr
    assert f"BROKEN: case {number}" in outcome.stdout
    assert f"position {edited.position}" in outcome.stdout


async def test_a_removed_last_event_is_reported(api: Api, app: Starlette) -> None:
    life = await Lifecycle.create(api, app)
    case_id = pk_of(str((await life.register())["id"]))
    await life.do("COMMENT", global_id("Case", case_id), LEADER, {"note": "将被删除"})
    await execute(app, "DELETE FROM case_events WHERE note = '将被删除'")
    report = await verify(app)
    assert report.broken is not None
    assert (report.broken.case_id, report.broken.position) == (case_id, None)


async def test_the_migration_links_existing_events_as_the_writer_does(
    app: Starlette, database_url: str
) -> None:
    written = dict(await rows(app, "SELECT id, chain_hash FROM case_events"))
    heads = dict(await rows(app, "SELECT id, chain_head FROM cases"))
    config = alembic_config(database_url)
    before_chain = ScriptDirectory.from_config(config).get_revision(CHAIN_MIGRATION).down_revision
    assert isinstance(before_chain, str)
    await asyncio.to_thread(command.downgrade, config, before_chain)
    assert await scalar(app, "SELECT count(*) FROM case_events") == len(written)
    await asyncio.to_thread(upgrade, database_url)
    assert dict(await rows(app, "SELECT id, chain_hash FROM case_events")) == written
    assert dict(await rows(app, "SELECT id, chain_head FROM cases")) == heads
    assert cli(database_url).returncode == 0


def test_an_unknown_county_is_a_clear_error(database_url: str) -> None:
    outcome = cli(database_url, "--county", "000000")
    assert outcome.returncode == 2
    assert "No county with code 000000" in outcome.stderr
