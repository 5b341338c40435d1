"""Arrays of ids (a case's paths, its summoned units) are read as asyncpg decodes them, a
list of ints, without SQLAlchemy's item-by-item copy of every array of every row."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.applications import Starlette

from yidi.persistence import models


def test_id_arrays_have_no_result_processor_under_asyncpg() -> None:
    dialect = asyncpg.dialect()
    for column in (
        models.Case.__table__.c.handling_path,
        models.Case.__table__.c.summoned_unit_ids,
        models.Unit.__table__.c.path,
    ):
        impl: Any = column.type.dialect_impl(dialect)
        assert impl.result_processor(dialect, None) is None, column


async def test_id_arrays_read_back_as_lists_of_ints(app: Starlette) -> None:
    sessions = async_sessionmaker(app.state.engine)
    async with sessions() as session:
        cases = list(await session.scalars(select(models.Case).limit(20)))
        units = list(await session.scalars(select(models.Unit).limit(20)))
    assert cases
    assert units
    for row in cases:
        for ids in (row.handling_path, row.location_path, row.co_handling_unit_ids):
            assert type(ids) is list
            assert all(type(i) is int for i in ids)
        assert row.handling_path[-1] == row.handling_unit_id
    for unit in units:
        assert type(unit.path) is list
        assert unit.path[-1] == unit.id
