"""The demo template database, and the copies of it that tests run on.

The template is migrated and loaded with the demo data once per run; copying it is a file
copy inside PostgreSQL, so every test (or module) can have a database of its own.
"""

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine.url import make_url

from tests.support.clock import DEMO_NOW
from tests.support.secret import SECRET
from yidi.database.engine import make_engine, make_session_factory, normalize_url
from yidi.database.migrations import upgrade
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.demo import load_demo
from yidi.services.unit_of_work import UnitOfWork

TEMPLATE = "yidi_test_template"
_copies = itertools.count()


def with_database(url: str, database: str) -> str:
    """The same server's URL, naming another database."""
    return make_url(normalize_url(url)).set(database=database).render_as_string(hide_password=False)


def libpq(url: str) -> str:
    """asyncpg.connect wants a libpq-style URL, without the SQLAlchemy dialect."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def admin(server_url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE and DROP DATABASE need that)."""
    connection = await asyncpg.connect(libpq(server_url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def create_template(server_url: str) -> str:
    """A database migrated to head with the demo data (as of DEMO_NOW); its URL."""
    await admin(server_url, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    await admin(server_url, f"CREATE DATABASE {TEMPLATE}")
    url = with_database(server_url, TEMPLATE)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=2)
    uow = UnitOfWork(
        make_session_factory(engine),
        clock=lambda: DEMO_NOW,
        calendar=bundled_calendar(),
        secret=SECRET,
    )
    await load_demo(uow, DEMO_NOW)
    await engine.dispose()
    return url


@asynccontextmanager
async def template_copy(server_url: str, prefix: str = "yidi_test") -> AsyncIterator[str]:
    """A fresh copy of the template for the block; dropped afterwards, whatever happened."""
    name = f"{prefix}_{os.getpid()}_{next(_copies)}"
    await admin(server_url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    try:
        yield with_database(server_url, name)
    finally:
        await admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
