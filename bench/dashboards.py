"""Benchmark: the county dashboards over a synthetic county, against hand-written SQL.

    python bench/dashboards.py --cases 1000000 [--data-dir D] [--runs 20]

Builds a synthetic county (`yidi seed --synthetic --cases N`, 20 townships × 25 villages over
3 years) in the data directory's embedded PostgreSQL, or reuses it when the directory
already holds one of N cases. Starts `yidi serve --demo` there on a real socket, logs in as
the county's leader and times, p50 of `--runs` runs each after two warm-up runs:

- (a) `unitStats` for the county with `children`, over the last year, through GraphQL
  over HTTP (what a dashboard client waits for);
- (b) the fastest hand-written SQL computing the same figures on the same database: one
  GROUP BY over the county's cases in the window by township (index-only), sent with
  asyncpg over the same kind of socket and fetched in full;
- `caseTrend` (the last year, DAY) and `zeroFilingUnits` (VILLAGE) through GraphQL.

Prints the plan of (b), the p50s, and as its last line `unitStats/raw ratio: X.XX`.
"""

import argparse
import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from harness import (
    SYNTHETIC_CODE,
    SYNTHETIC_PASSWORD,
    graphql,
    in_data_dir,
    percentile,
    ready,
    serve_yidi,
    synthetic_county,
)

CODE = SYNTHETIC_CODE
USER, PASSWORD = f"{CODE}.leader", SYNTHETIC_PASSWORD
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
STATS = """query($u: ID!, $f: DateTime!, $t: DateTime!) { unitStats(unitId: $u, from: $f, to: $t) {
  received resolved closed overdue escalated resolutionRate onTimeRate satisfactionRate
  averageResolutionHours resolvedAtLevel { level count } byRisk { riskLevel count }
  byStatus { status count } byCategory { category { code } count }
  children { unit { code } received resolved closed overdue escalated resolutionRate
    onTimeRate satisfactionRate averageResolutionHours resolvedAtLevel { level count }
    byRisk { riskLevel count } byStatus { status count } byCategory { category { code } count }
  } } }"""
TREND = """query($u: ID!, $f: DateTime!, $t: DateTime!) {
  caseTrend(unitId: $u, from: $f, to: $t, interval: DAY) { start received resolved } }"""
ZERO = """query($u: ID!, $f: DateTime!, $t: DateTime!) {
  zeroFilingUnits(unitId: $u, level: VILLAGE, from: $f, to: $t) { code } }"""
# Every figure of unitStats and of each township, in one GROUP BY: the same counts the
# application folds, read from the county window of `ix_cases_county_stats` alone.
RAW = """
SELECT location_township_id, risk_level, status, category_id, first_resolved_level,
  count(*), count(first_resolved_at),
  count(*) FILTER (WHERE status = 'CLOSED'),
  count(*) FILTER (WHERE status IN ('REGISTERED', 'DISPATCHED', 'IN_PROGRESS') AND due_at < $4),
  count(*) FILTER (WHERE escalation_count > 0),
  count(*) FILTER (WHERE first_resolved_at <= due_at),
  count(latest_satisfaction),
  count(*) FILTER (WHERE latest_satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED')),
  coalesce(sum(extract(epoch FROM first_resolved_at - registered_at)), 0)
FROM cases
WHERE county_id = $1 AND registered_at >= $2 AND registered_at < $3 AND merged_into_id IS NULL
GROUP BY 1, 2, 3, 4, 5
"""


async def timed(runs: int, call: Any) -> list[float]:
    for _ in range(2):
        await call()
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - began)
    return seconds


async def measure(args: argparse.Namespace, data_dir: Path, logs: Path) -> None:
    yidi_dsn = await synthetic_county(data_dir, args.cases)
    server, address = serve_yidi(data_dir, logs / "serve.log")
    try:
        await ready(address)
        async with httpx.AsyncClient(base_url=f"http://{address}", timeout=120) as client:
            login = await graphql(client, LOGIN, {"u": USER, "p": PASSWORD}, None)
            token = login["login"]["token"]
            me = await graphql(client, "{ me { unit { id } } }", {}, token)
            unit = me["me"]["unit"]["id"]
            end = datetime.now(UTC).replace(microsecond=0)
            window = {"u": unit, "f": (end - timedelta(days=365)).isoformat(), "t": end.isoformat()}
            stats = await timed(args.runs, lambda: graphql(client, STATS, window, token))
            trend = await timed(args.runs, lambda: graphql(client, TREND, window, token))
            zero = await timed(args.runs, lambda: graphql(client, ZERO, window, token))
            figures = (await graphql(client, STATS, window, token))["unitStats"]
        raw_connection = await asyncpg.connect(yidi_dsn)
        try:
            county = await raw_connection.fetchval("SELECT id FROM units WHERE code = $1", CODE)
            params = (county, end - timedelta(days=365), end, end)
            raw = await timed(args.runs, lambda: raw_connection.fetch(RAW, *params))
            plan = await raw_connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {RAW}", *params)
            groups = await raw_connection.fetch(RAW, *params)
        finally:
            await raw_connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if sum(g[5] for g in groups) != figures["received"]:
        raise SystemExit("the raw SQL and unitStats disagree on received")
    print("plan of the raw SQL:")
    for line in plan:
        print(f"  {line[0]}")
    print(
        f"{args.cases} cases; county window of one year: {figures['received']} received,"
        f" {len(figures['children'])} townships, {len(groups)} groups"
    )
    print(f"unitStats (GraphQL over HTTP) p50: {percentile(stats, 0.5):8.1f} ms")
    print(f"raw SQL (asyncpg)             p50: {percentile(raw, 0.5):8.1f} ms")
    print(f"caseTrend DAY, 1 year         p50: {percentile(trend, 0.5):8.1f} ms")
    print(f"zeroFilingUnits VILLAGE       p50: {percentile(zero, 0.5):8.1f} ms")
    print(f"unitStats/raw ratio: {percentile(stats, 0.5) / percentile(raw, 0.5):.2f}")


async def main(args: argparse.Namespace) -> None:
    await in_data_dir(
        args.data_dir, "yidi-bench-dashboards-", lambda data, logs: measure(args, data, logs)
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--data-dir", help="keep (and reuse) the synthetic database here instead of a temporary one"
    )
    asyncio.run(main(parser.parse_args()))
