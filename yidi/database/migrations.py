"""Apply Alembic migrations, the only way the schema changes."""

from pathlib import Path

from alembic import command
from alembic.config import Config

# migrations/ sits beside the package (an editable install, as the README sets up).
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision`; safe to run again (and from several processes)."""
    command.upgrade(alembic_config(database_url), revision)
