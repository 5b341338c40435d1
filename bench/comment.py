"""Benchmark: a lifecycle mutation (`commentCase`) per second through `yidi serve --workers
N`, against a hand-written baseline in the same run.

    python bench/comment.py --workers 2 --clients 32 --seconds 20

Starts `yidi serve --demo --workers N` on a throw-away data directory (embedded PostgreSQL,
durable commits). C clients comment, as `county.leader`, on the county's first 20 open
cases in turn, as fast as they are answered, for S seconds. Then the baseline: the same C
clients doing by hand with asyncpg, in one transaction each, what a comment must do at
least — lock the case row and bump its version, take the county's next event position,
insert the COMMENTED event, commit. Prints comments/s and latency p50/p99 of both sides, and
ends with `comment/raw ratio: X.XX` (raw ÷ yidi).
"""

import argparse
import asyncio
import signal
import tempfile
from pathlib import Path

import asyncpg
import httpx
from harness import graphql, ready, serve_yidi
from register import light_clients, measured_drive, print_rates, throughput_parser

from yidi.database.embedded import async_url, embedded_server
from yidi.database.embedded_tenancy import stop_postgres
from yidi.database.listener import asyncpg_dsn

USER = "county.leader"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
COMMENT = "mutation($i: CommentCaseInput!) { commentCase(input: $i) { case { id version } } }"
OPEN_CASES = """{ cases(first: 20, filter: { status: [REGISTERED, DISPATCHED, IN_PROGRESS] })
  { edges { node { id } } } }"""
RAW_CASES = """
SELECT c.id, c.county_id FROM cases c JOIN units u ON u.id = c.county_id
WHERE u.code = '990100' AND c.status IN ('REGISTERED', 'DISPATCHED', 'IN_PROGRESS')
ORDER BY c.id LIMIT 20
"""


async def yidi_side(
    args: argparse.Namespace, base: str, server_pid: int
) -> tuple[int, list[float]]:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        login = await graphql(client, LOGIN, {"u": USER, "p": "demo-password"}, None)
        token = login["login"]["token"]
        found = await graphql(client, OPEN_CASES, {}, token)
        case_ids = [edge["node"]["id"] for edge in found["cases"]["edges"]]
        serial = iter(range(10**9))

    connections = await light_clients(args.clients, base)

    async def comment(index: int) -> None:
        n = next(serial)
        note = {"i": {"caseId": case_ids[n % len(case_ids)], "note": f"压测留言{n}"}}
        await connections[index].graphql(COMMENT, note, token)

    try:
        await comment(0)  # the document and the caller are known to the server
        return await measured_drive(args, server_pid, comment)
    finally:
        await asyncio.gather(*(c.close() for c in connections))


async def raw_side(args: argparse.Namespace, dsn: str) -> tuple[int, list[float]]:
    pool = await asyncpg.create_pool(dsn, min_size=args.clients, max_size=args.clients)
    try:
        cases = await pool.fetch(RAW_CASES)
        serial = iter(range(10**9))

        async def comment(_: int) -> None:
            n = next(serial)
            case = cases[n % len(cases)]
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "UPDATE cases SET version = version + 1 WHERE id = $1", case["id"]
                )
                position = await conn.fetchval(
                    "UPDATE event_positions SET last_position = last_position + 1"
                    " WHERE county_id = $1 RETURNING last_position",
                    case["county_id"],
                )
                await conn.execute(
                    "INSERT INTO case_events (county_id, case_id, type, at, note, position,"
                    " chain_hash) VALUES ($1, $2, 'COMMENTED', now(), $3, $4, $5)",
                    case["county_id"],
                    case["id"],
                    f"raw-{n}",
                    position,
                    bytes(32),
                )

        return await measured_drive(args, None, comment)
    finally:
        await pool.close()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="yidi-bench-comment-") as tmp:
        data_dir = args.data_dir = Path(tmp) / "data"
        server, address = serve_yidi(
            data_dir, Path(tmp) / "serve.log", "--workers", str(args.workers)
        )
        try:
            await ready(address)
            dsn = asyncpg_dsn(async_url(embedded_server(data_dir).get_uri(), "yidi"))
            count, latencies = await yidi_side(args, f"http://{address}", server.pid)
            raw_count, raw_latencies = await raw_side(args, dsn)
            print_rates(args, "comments", (count, latencies), (raw_count, raw_latencies))
            print(f"comment/raw ratio: {raw_count / max(count, 1):.2f}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            stop_postgres(data_dir)  # if the server has not already


if __name__ == "__main__":
    asyncio.run(main(throughput_parser(__doc__).parse_args()))
