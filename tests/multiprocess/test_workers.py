"""`yidi serve --workers N`: several processes share one port, sign and accept the same
tokens, and all go away when the server is stopped."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.driver import Api
from tests.support.servers import Server, free_port, stop, wait_ready

pytestmark = pytest.mark.slow

WORKERS = 2


def worker_processes(server: Server) -> list[psutil.Process]:
    """uvicorn's workers: the children of the server process that run the app."""
    children = psutil.Process(server.process.pid).children()
    return [c for c in children if "spawn_main" in " ".join(c.cmdline())]


async def test_workers_share_the_port_and_the_tokens(database_url: str, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    # The test database is migrated and holds the demo data; --demo finds it loaded.
    env = {**os.environ, "YIDI_DATABASE_URL": database_url}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "yidi.cli",
                "serve",
                "--demo",
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
                "--data-dir",
                str(tmp_path / "data"),
                "--log-level",
                "warning",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    server = Server(process, port, log)
    workers: list[psutil.Process] = []
    try:
        await wait_ready(server)
        workers = worker_processes(server)
        assert len(workers) == WORKERS, server.output()
        async with httpx.AsyncClient(base_url=server.url, timeout=10.0) as client:
            api = Api(client)
            # Many requests over fresh connections land on both workers; every one accepts
            # the token whichever worker signed it.
            for _ in range(20):
                async with httpx.AsyncClient(base_url=server.url, timeout=10.0) as fresh:
                    token = await api.token("county.leader")
                    response = await fresh.post(
                        "/graphql",
                        json={"query": "{ me { username } }"},
                        headers={"authorization": f"Bearer {token}"},
                    )
                    assert response.json() == {"data": {"me": {"username": "county.leader"}}}
        assert all(w.is_running() for w in workers), server.output()
    finally:
        stop(server)
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == [], "a worker outlived the server"
