"""Apply Alembic migrations, the only way the schema changes."""

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config


def migrations_dir() -> Path:
    """The Alembic scripts: `yidi/_migrations` in an installed wheel (pyproject.toml maps the
    top-level migrations/ there), else the checkout's migrations/ beside an editable yidi.

    The editable case cannot import `yidi._migrations`: setuptools' editable finder does not
    map a namespace package that lives outside its parent's directory (pypa/setuptools#4943).
    """
    package = resources.files("yidi")
    if not isinstance(package, Path):
        raise RuntimeError("Alembic reads migrations from disk: install yidi as plain files")
    for candidate in (package / "_migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError(f"no Alembic migrations in {package / '_migrations'} or beside {package}")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision`; safe to run again (and from several processes)."""
    command.upgrade(alembic_config(database_url), revision)
