"""`yidi serve --workers N`: several processes share one port, sign and accept the same
tokens, and all go away when the server is stopped."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.driver import Api
from tests.support.servers import Server, free_port, serving, stop, wait_ready

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


CONNECTIONS = 32


def kept_alive(port: int) -> socket.socket:
    """A client connection that has had one request answered, so a worker has accepted it."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: yidi\r\n\r\n")
    assert connection.recv(4096).startswith(b"HTTP/1.1 200"), "no answer on a fresh connection"
    return connection


async def test_keep_alive_connections_spread_over_the_workers(
    database_url: str, tmp_path: Path
) -> None:
    """Connections opened one by one while every worker is idle (a proxy's upstream pool, a
    load generator) are spread over the workers, not all taken by the one that wakes first."""
    async with serving(database_url, tmp_path, "--workers", str(WORKERS)) as server:
        workers = await listening_workers(server)
        connections = [kept_alive(server.port) for _ in range(CONNECTIONS)]
        try:
            ours = {c.getsockname()[1] for c in connections}
            held = [
                {c.raddr.port for c in w.net_connections("tcp") if c.raddr} & ours for w in workers
            ]
        finally:
            for connection in connections:
                connection.close()
    assert sum(len(h) for h in held) == CONNECTIONS, held
    # Spread by the kernel's hash of each connection's addresses: a worker holding more
    # than 26 of 32 happens by chance about once in ten thousand runs.
    assert max(len(h) for h in held) <= 26, [len(h) for h in held]


async def test_a_dead_workers_replacement_takes_its_share(
    database_url: str, tmp_path: Path
) -> None:
    """Each worker listens on a socket of its own: when one dies, the supervisor's
    replacement binds the port again and takes connections; none is left unanswered."""
    async with serving(database_url, tmp_path, "--workers", str(WORKERS)) as server:
        before = await listening_workers(server)
        before[0].kill()
        before[0].wait(timeout=10)
        replaced = next(
            w for w in await listening_workers(server) if w.pid not in {b.pid for b in before}
        )
        connections = [kept_alive(server.port) for _ in range(CONNECTIONS)]
        try:
            ours = {c.getsockname()[1] for c in connections}
            held = {c.raddr.port for c in replaced.net_connections("tcp") if c.raddr} & ours
        finally:
            for connection in connections:
                connection.close()
    assert held, "the replacement worker took none of 32 connections"


async def listening_workers(server: Server) -> list[psutil.Process]:
    """The workers, once each listens on the port with a socket of its own (the server
    answers as soon as one does; a replacement for a dead worker starts on its own time)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = worker_processes(server)
        if len(workers) == WORKERS and all(listens(w, server.port) for w in workers):
            return workers
        await asyncio.sleep(0.2)
    pytest.fail(f"not every worker listening in 60 s:\n{server.output()}")


def listens(worker: psutil.Process, port: int) -> bool:
    try:
        held = worker.net_connections("tcp")
    except psutil.NoSuchProcess:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in held)


@pytest.mark.parametrize("shared", [False, True], ids=["plain", "SO_REUSEPORT"])
async def test_a_port_taken_by_another_program_is_a_clear_error(
    database_url: str, tmp_path: Path, shared: bool
) -> None:
    """Another program on the port, even one whose socket lets others join it as a second
    `yidi serve` on that port would: refused, not shared."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, int(shared))
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port, log = taken.getsockname()[1], tmp_path / "serve.log"
        command = [sys.executable, "-m", "yidi.cli", "serve", "--demo", "--port", str(port)]
        command += ["--workers", str(WORKERS), "--data-dir", str(tmp_path / "data")]
        env = {**os.environ, "YIDI_DATABASE_URL": database_url}
        with log.open("wb") as sink:
            process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
        server = Server(process, port, log)
        try:
            returncode = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"yidi serve shares the port with another program:\n{server.output()}")
        finally:
            stop(server)  # its workers with it, if it did start serving
    assert returncode == 1, server.output()
    assert "Address already in use" in server.output(), server.output()
    assert "Traceback" not in server.output(), server.output()
