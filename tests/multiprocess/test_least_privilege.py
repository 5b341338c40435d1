"""A deployment with least privilege (docs/DEPLOYMENT.md): an owner role migrates, `yidi db
grant` gives the service's role what it needs, and `yidi serve --demo` runs on that role alone
while it cannot rewrite the case trail, move the schema's version or change the schema."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine.url import make_url

from tests.support.database import admin, libpq, with_database
from tests.support.demo import V11
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.servers import serving

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Roles:
    owner: str
    service: str
    reader: str

    def url(self, server_url: str, database: str, role: str) -> str:
        url = make_url(with_database(server_url, database)).set(username=role, password=None)
        return url.render_as_string(hide_password=False)


@pytest.fixture
async def deployment(server_url: str) -> AsyncIterator[tuple[Roles, str]]:
    """A database owned by an owner role, and the roles; all dropped afterwards."""
    suffix = os.getpid()
    roles = Roles(f"yidi_owner_{suffix}", f"yidi_service_{suffix}", f"yidi_reader_{suffix}")
    database = f"yidi_deploy_{suffix}"
    for role in (roles.owner, roles.service, roles.reader):
        await admin(server_url, f"CREATE ROLE {role} LOGIN")
    await admin(server_url, f"CREATE DATABASE {database} OWNER {roles.owner}")
    try:
        yield roles, database
    finally:
        await admin(server_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in (roles.service, roles.reader, roles.owner):
            await admin(server_url, f"DROP ROLE IF EXISTS {role}")


def yidi(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "YIDI_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "yidi.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def refused(url: str, statement: str) -> bool:
    """Whether PostgreSQL refuses `statement` to the URL's role for want of privilege."""
    connection = await asyncpg.connect(libpq(url))
    try:
        await connection.execute(statement)
    except asyncpg.InsufficientPrivilegeError:
        return True
    finally:
        await connection.close()
    return False


async def test_the_service_runs_on_its_role_and_cannot_rewrite_the_trail(
    server_url: str, deployment: tuple[Roles, str], tmp_path: Path
) -> None:
    roles, database = deployment
    owner_url = roles.url(server_url, database, roles.owner)
    service_url = roles.url(server_url, database, roles.service)
    reader_url = roles.url(server_url, database, roles.reader)

    migrated = yidi("migrate", database_url=owner_url)
    assert migrated.returncode == 0, migrated.stderr
    granted = yidi(
        "db", "grant", "--service-role", roles.service, "--reader-role", roles.reader,
        database_url=owner_url,
    )  # fmt: skip
    assert granted.returncode == 0, granted.stderr

    # Everything the service does, on its own role: start (the schema is current, so nothing
    # to migrate), load the demo, log in, register a case and write its event.
    async with (
        serving(service_url, tmp_path) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as client,
    ):
        case = await register(Api(client), V11, "990100001001", selection="id number")
    assert case["number"]

    for statement in (
        "UPDATE case_events SET note = 'rewritten'",
        "DELETE FROM case_events",
        "DELETE FROM case_attachments",
        "UPDATE ledger_rows SET content_hash = 'rewritten'",
        "TRUNCATE case_events CASCADE",
        "UPDATE alembic_version SET version_num = 'x'",
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE cases ADD COLUMN intruder int",
    ):
        assert await refused(service_url, statement), statement
    for statement in ("INSERT INTO users (id) VALUES (-1)", "DELETE FROM cases"):
        assert await refused(reader_url, statement), statement

    # The trail is intact and readable by the read-only role (what backups connect as).
    reader = await asyncpg.connect(libpq(reader_url))
    try:
        events = await reader.fetchval(
            "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id "
            "WHERE c.number = $1",
            case["number"],
        )
    finally:
        await reader.close()
    assert events >= 1
    verified = yidi("audit", "verify", database_url=reader_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_role_name_that_is_not_plain_is_refused_before_any_sql(tmp_path: Path) -> None:
    done = yidi(
        "db", "grant", "--service-role", "app; DROP TABLE cases",
        database_url="postgresql://nobody@127.0.0.1:1/none",
    )  # fmt: skip
    assert done.returncode == 2
    assert "not a plain PostgreSQL role name" in done.stderr
