"""A registration's first read (units, category, routing) is planned once per connection,
not anew for every registration: PostgreSQL keeps a generic plan for it."""

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.applications import Starlette

from yidi.persistence import models
from yidi.persistence.units import units_with_ancestors_and_category

# PostgreSQL plans a prepared statement's first five executions for their values and then
# settles on a generic plan, unless that plan looks costlier than the custom ones.
EXECUTIONS = 12


async def test_the_registration_read_is_planned_once(app: Starlette) -> None:
    sessions = async_sessionmaker(app.state.engine)
    async with sessions() as session:
        villages = await session.scalars(
            select(models.Unit).where(models.Unit.level == "VILLAGE").limit(2)
        )
        village, other = list(villages)
        category = await session.scalar(select(models.Category.id).limit(1))
        for i in range(EXECUTIONS):
            location = village if i % 2 else other
            reads = await units_with_ancestors_and_category(
                session, location.id, village.id, category
            )
            assert set(location.path) | set(village.path) == set(reads.units)
            assert reads.category is not None
        plans = (
            await session.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%FROM units LEFT OUTER JOIN categories%'"
                    " AND statement NOT LIKE '%pg_prepared_statements%'"
                )
            )
        ).one()
    assert plans.generic_plans >= EXECUTIONS - 5, plans
    assert plans.custom_plans <= 5, plans
