"""The stored truth, read straight from SQL: what a request wrote, or must not have written."""

from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette


async def scalar(app: Starlette, query: str, **params: Any) -> Any:
    """The single value `query` selects, in a session of its own."""
    async with app.state.yidi.sessions() as session:
        return await session.scalar(text(query), params)


async def rows(app: Starlette, query: str, **params: Any) -> list[Any]:
    """Every row `query` selects, in a session of its own."""
    async with app.state.yidi.sessions() as session:
        return list((await session.execute(text(query), params)).all())


async def execute(app: Starlette, statement: str, **params: Any) -> None:
    """Change stored rows behind the application's back, committed: to stage what an older
    version of it wrote."""
    async with app.state.yidi.sessions() as session:
        await session.execute(text(statement), params)
        await session.commit()


async def footprint(app: Starlette) -> dict[str, Any]:
    """Everything a registration or case mutation writes, counted; a refused one must leave
    it exactly as it was (including the year sequences, so it burns no case number)."""
    counts = await rows(
        app,
        "SELECT (SELECT count(*) FROM cases) AS cases, "
        "(SELECT count(*) FROM case_events) AS events, "
        "(SELECT count(*) FROM case_follow_ups) AS follow_ups, "
        "(SELECT count(*) FROM idempotency_keys) AS keys",
    )
    sequences = await rows(
        app, "SELECT county_id, year, last_value FROM case_sequences ORDER BY 1, 2"
    )
    return {**counts[0]._asdict(), "sequences": [tuple(row) for row in sequences]}
