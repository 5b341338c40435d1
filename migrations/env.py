"""Alembic environment: runs migrations on the async engine of the configured database."""

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from yidi.database import locks
from yidi.database.engine import make_engine
from yidi.database.url import resolve_database_url
from yidi.persistence.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        # Several server processes may start at once; one migrates, the others wait.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": locks.MIGRATION})
        context.run_migrations()


async def _main() -> None:
    url = context.config.attributes.get("database_url") or resolve_database_url()
    engine = make_engine(url, pool_size=1)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_main())
