"""Fixtures: a real PostgreSQL (embedded unless YIDI_TEST_DATABASE_URL is set), migrated and
loaded with the demo data once into a template database; every test that needs a database
gets its own copy of that template, so tests never see each other.

Only fixtures live here; what they are built from is in `tests/support/`.
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.database import create_template, template_copy, with_database
from tests.support.deployment import demo_settings, running_app
from tests.support.driver import Api, in_process
from yidi.config import Settings
from yidi.database.embedded import async_url, embedded_server


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the maintenance database `postgres` on the test server."""
    external = os.environ.get("YIDI_TEST_DATABASE_URL")
    if external:
        yield with_database(external, "postgres")
        return
    server = embedded_server(Path(tmp_path_factory.mktemp("pg")), stop_at_exit=True)
    # A throw-away cluster need not survive a power cut: skipping fsync makes the
    # per-test database copies and every commit several times faster.
    server.psql(
        "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off; "
        "ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();"
    )
    yield async_url(server.get_uri(), "postgres")
    server.cleanup()


@pytest.fixture(scope="session")
async def template_url(server_url: str) -> str:
    """A database migrated to head with the demo data, copied for each test."""
    return await create_template(server_url)


@pytest.fixture
async def database_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    """A copy of the template of this test's own."""
    async with template_copy(server_url) as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> Settings:
    return demo_settings()


@pytest.fixture
async def app(settings: Settings, database_url: str, clock: Clock) -> AsyncIterator[Starlette]:
    async with running_app(settings, database_url, clock) as application:
        yield application


@pytest.fixture
async def api(app: Starlette, clock: Clock) -> AsyncIterator[Api]:
    async with in_process(app, clock) as client:
        yield client
