"""The embedded PostgreSQL lives as long as some `yidi serve` of its data directory does:
the last one to leave stops it, and `yidi db stop` stops one left behind by a killed
process."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import (
    postmaster,
    serve_demo,
    stop,
    wait_ready,
)
from yidi.database.embedded import embedded_server
from yidi.database.embedded_tenancy import stop_postgres

pytestmark = pytest.mark.slow


def gone_within(data_dir: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if postmaster(data_dir) is None:
            return True
        time.sleep(0.2)
    return False


async def test_the_last_server_to_leave_stops_the_embedded_postgres(
    data_dir: Path, tmp_path: Path
) -> None:
    first = serve_demo(data_dir, tmp_path / "first.log")
    servers = [first]
    try:
        await wait_ready(first)
        second = serve_demo(data_dir, tmp_path / "second.log")
        servers.append(second)
        await wait_ready(second)
        database = postmaster(data_dir)
        assert database is not None
        stop(first)  # it started the database; the second still uses it
        assert database.is_running()
        async with httpx.AsyncClient(base_url=second.url, timeout=10) as client:
            assert (await client.get("/readyz")).status_code == 200
        stop(second)
        assert gone_within(data_dir, 30), "the embedded PostgreSQL outlived its last server"
        assert list((data_dir / "serving").glob("*.lock")) == []
    finally:
        for server in servers:
            stop(server)


async def test_db_stop_stops_what_a_killed_server_left_running(
    data_dir: Path, tmp_path: Path
) -> None:
    server = serve_demo(data_dir, tmp_path / "serve.log")
    try:
        await wait_ready(server)
        server.process.kill()  # no chance to clean up
        server.process.wait(timeout=10)
    finally:
        stop(server)
    assert postmaster(data_dir) is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIDI_")}
    command = [sys.executable, "-m", "yidi.cli", "db", "stop", "--data-dir", str(data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "stopped the embedded PostgreSQL" in done.stdout
    assert gone_within(data_dir, 5)
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert "no embedded PostgreSQL is running" in again.stdout


async def test_readyz_recovers_when_the_database_comes_back(data_dir: Path, tmp_path: Path) -> None:
    server = serve_demo(data_dir, tmp_path / "serve.log")
    try:
        await wait_ready(server)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            stop_postgres(data_dir)
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200  # the process is fine
            embedded_server(data_dir)  # an operator starts it again
            deadline = time.monotonic() + 15
            while (await client.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "/readyz did not recover"
                await asyncio.sleep(0.2)
            me = await client.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"accept": "application/json"}
            )
            assert me.json() == {"data": {"__typename": "Query"}}
    finally:
        stop(server)
