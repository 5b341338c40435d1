"""What the benchmarks share: servers on free ports, readiness, GraphQL calls, percentiles.

The benchmark scripts run as `python bench/<name>.py`, so this module is found beside them.
"""

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from yidi.database.embedded import async_url, embedded_server
from yidi.database.embedded_tenancy import stop_postgres
from yidi.database.listener import asyncpg_dsn

# The county `yidi seed --synthetic` builds; its users are "<unit code>.leader|handler".
SYNTHETIC_CODE = "990300"
SYNTHETIC_PASSWORD = "synthetic-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(command: list[str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`command --port P` on a free port, with none of this shell's YIDI_* settings; the
    process and its host:port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIDI_")}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    return process, f"127.0.0.1:{port}"


# `python -P -m yidi.cli`: without -P, `-m` puts the current directory first on the path, so
# a server started from one checkout ran that checkout's code whatever PYTHONPATH named —
# and an A/B run (PYTHONPATH=<other tree>) timed the same code twice. With -P it runs the
# yidi this process imports.
YIDI = [sys.executable, "-P", "-m", "yidi.cli"]


def serve_yidi(data_dir: Path, log: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """`yidi serve --demo` on the data directory's embedded PostgreSQL."""
    command = [*YIDI, "serve", "--demo", "--data-dir", str(data_dir)]
    return start([*command, "--log-level", "warning", *options], log)


async def ready(address: str, path: str = "/readyz") -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(600):
            try:
                if (await client.get(f"http://{address}{path}")).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"server {address} not ready")


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    payload = {"query": query, "variables": variables}
    body = (await client.post("/graphql", json=payload, headers=headers)).json()
    if body.get("errors"):
        raise SystemExit(f"GraphQL error: {body['errors']}")
    data: dict[str, Any] = body["data"]
    return data


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _synthetic_cases(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        found = await connection.fetchval(
            "SELECT count(*) FROM cases c JOIN units u ON u.id = c.county_id WHERE u.code = $1",
            SYNTHETIC_CODE,
        )
        return int(found)
    except asyncpg.UndefinedTableError:
        return 0
    finally:
        await connection.close()


async def synthetic_county(data_dir: Path, cases: int) -> str:
    """The asyncpg DSN of the yidi database in the data directory's embedded PostgreSQL,
    holding a synthetic county of `cases` cases: seeded now, or reused when it already
    holds exactly that many."""
    server = embedded_server(data_dir)
    connection = await asyncpg.connect(asyncpg_dsn(async_url(server.get_uri(), "postgres")))
    exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = 'yidi'")
    await connection.close()
    dsn = asyncpg_dsn(async_url(server.get_uri(), "yidi"))
    have = await _synthetic_cases(dsn) if exists else 0
    if have not in (0, cases):
        raise SystemExit(f"{data_dir} holds a synthetic county of {have} cases, not {cases}")
    if have == 0:
        command = [*YIDI, "seed", "--synthetic", "--cases", str(cases)]
        subprocess.run([*command, "--data-dir", str(data_dir)], check=True)
    return dsn


async def in_data_dir(
    data_dir: str | None, prefix: str, measure: Callable[[Path, Path], Awaitable[None]]
) -> None:
    """`measure(data directory, directory for logs)` on the given data directory (kept, to
    be reused by the next run) or on a temporary one; its PostgreSQL stopped after."""
    if data_dir:
        kept = Path(data_dir)
        try:
            await measure(kept, kept.parent)
        finally:
            stop_postgres(kept)
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            await measure(Path(tmp) / "data", Path(tmp))
        finally:
            stop_postgres(Path(tmp) / "data")
