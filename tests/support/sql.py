"""The stored truth, read straight from SQL: what a request wrote, or must not have written."""

from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette

# What the `case_reach_sync` trigger must have written (migration 0016), recomputed from the
# cases; REACH_DRIFT counts the rows by which `case_reach` differs from it (0 when exact).
EXPECTED_REACH = """
SELECT u, c.id, c.status, c.risk_level, c.channel, c.category_id, c.registered_at, c.due_at,
  u = c.handling_unit_id,
  u = ANY(c.handling_path) AND u <> c.handling_unit_id, u = ANY(c.involved_path),
  u = c.intake_unit_id
FROM cases c
CROSS JOIN LATERAL (
  SELECT DISTINCT unnest(c.handling_path || c.involved_path || c.intake_unit_id)
) AS t(u)
"""
STORED_REACH = """SELECT unit_id, case_id, status, risk_level, channel, category_id,
  registered_at, due_at, handles, above, involved, intake
FROM case_reach"""
REACH_DRIFT = f"""SELECT count(*) FROM (
  ({EXPECTED_REACH} EXCEPT ALL {STORED_REACH})
  UNION ALL ({STORED_REACH} EXCEPT ALL {EXPECTED_REACH})
) AS drift"""


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
