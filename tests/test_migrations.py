"""The migrations build exactly the tables the models describe (Alembic is the only way the
schema changes, so a model change without its migration must fail here, not in production)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from yidi.database.engine import make_engine
from yidi.persistence.models import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(template_url: str) -> None:
    engine = make_engine(template_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []
