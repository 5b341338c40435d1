"""Test fixtures: a real PostgreSQL (embedded unless YIDI_TEST_DATABASE_URL is set),
migrated and loaded with the demo data once into a template database; every test that
needs a database gets its own copy of that template, so tests never see each other."""

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine.url import make_url

from yidi.config import DEMO_SECRET, Settings
from yidi.database.embedded import async_url, embedded_server
from yidi.database.engine import make_engine, make_session_factory, normalize_url
from yidi.database.migrations import upgrade
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.demo import DEMO_PASSWORD, load_demo
from yidi.demo import USERS as DEMO_USERS
from yidi.http.app import create_app
from yidi.services.unit_of_work import UnitOfWork

TEMPLATE = "yidi_test_template"
# The demo data is generated relative to this instant, so every run sees the same cases.
DEMO_NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
_counter = itertools.count()


@dataclass
class Clock:
    """The application's notion of now; tests move it to exercise deadlines."""

    current: datetime = DEMO_NOW

    def __call__(self) -> datetime:
        return self.current


def _with_database(url: str, database: str) -> str:
    return make_url(normalize_url(url)).set(database=database).render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    """asyncpg.connect wants a libpq-style URL, without the SQLAlchemy dialect."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the maintenance database `postgres` on the test server."""
    external = os.environ.get("YIDI_TEST_DATABASE_URL")
    if external:
        yield _with_database(external, "postgres")
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


async def _admin(server_url: str, sql: str) -> None:
    connection = await asyncpg.connect(_libpq(server_url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def template_url(server_url: str) -> str:
    """A database migrated to head with the demo data, copied for each test."""
    await _admin(server_url, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    await _admin(server_url, f"CREATE DATABASE {TEMPLATE}")
    url = _with_database(server_url, TEMPLATE)
    import asyncio

    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=2)
    uow = UnitOfWork(
        make_session_factory(engine),
        clock=lambda: DEMO_NOW,
        calendar=bundled_calendar(),
        secret=DEMO_SECRET,
    )
    await load_demo(uow, DEMO_NOW)
    await engine.dispose()
    return url


@pytest.fixture
async def database_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    name = f"yidi_test_{os.getpid()}_{next(_counter)}"
    await _admin(server_url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    yield _with_database(server_url, name)
    await _admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> Settings:
    # Tests run deadline sweeps themselves, at the instants they choose.
    return Settings(demo=True, database_url=None, run_sweeper=False)


class GraphQLError(AssertionError):
    pass


# Demo users have the same ids in every copy of the template, so a token issued at a given
# instant serves every test whose clock reads that instant: argon2 runs once per user.
_DEMO_USERNAMES = frozenset(name for name, *_ in DEMO_USERS)
_shared_tokens: dict[tuple[str, datetime], str] = {}


@dataclass
class Api:
    """A GraphQL client bound to the app in-process, logging in demo users on demand."""

    client: httpx.AsyncClient
    clock: Clock | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, username: str) -> str:
        shared_key = (username, self.clock.current) if self.clock else None
        if username not in self.tokens and shared_key in _shared_tokens:
            self.tokens[username] = _shared_tokens[shared_key]  # type: ignore[index]
        if username not in self.tokens:
            data = await self.ok(
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
                "{ token } }",
                {"u": username, "p": DEMO_PASSWORD},
            )
            self.tokens[username] = data["login"]["token"]
            if shared_key is not None and username in _DEMO_USERNAMES:
                _shared_tokens[shared_key] = self.tokens[username]
        return self.tokens[username]

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {await self.token(user)}"} if user else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        body = await self.raw(query, variables, user=user)
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        """The single error the operation must fail with."""
        body = await self.raw(query, variables, user=user)
        assert body.get("errors"), f"expected an error, got {body}"
        assert len(body["errors"]) == 1, body["errors"]
        error: dict[str, Any] = body["errors"][0]
        return error


@pytest.fixture
async def app(settings: Settings, database_url: str, clock: Clock) -> AsyncIterator[Any]:
    application = create_app(settings, database_url, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def api(app: Any, clock: Clock) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client, clock)
