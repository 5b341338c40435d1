"""Fixtures of the multi-process tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from yidi.database.embedded_tenancy import stop_postgres


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data directory of the test's own; its embedded PostgreSQL is stopped afterwards
    if the servers under test have not stopped it already."""
    directory = tmp_path / "data"
    yield directory
    stop_postgres(directory)
