"""Real server processes for multi-process tests: started with subprocess on free ports,
waited for until ready, and always stopped."""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

START_TIMEOUT_SECONDS = 60.0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop(server: Server) -> None:
    """Terminate the process we started (by its own handle), killing it if it hangs."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


async def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    async with httpx.AsyncClient(base_url=server.url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(f"server on {server.port} exited:\n{server.output()}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            await asyncio.sleep(0.1)
    pytest.fail(
        f"server on {server.port} not ready in {START_TIMEOUT_SECONDS} s:\n{server.output()}"
    )


@contextlib.asynccontextmanager
async def serving(
    database_url: str, tmp_path: Path, *extra: str, env: dict[str, str] | None = None
) -> AsyncIterator[Server]:
    """`yidi serve --demo` on `database_url` (migrated, demo loaded), ready, then stopped."""
    port, log = free_port(), tmp_path / "serve.log"
    environment = {**os.environ, "YIDI_DATABASE_URL": database_url, **(env or {})}
    command = [sys.executable, "-m", "yidi.cli", "serve", "--demo", "--port", str(port)]
    command += ["--data-dir", str(tmp_path / "data"), "--log-level", "warning", *extra]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    server = Server(process, port, log)
    try:
        await wait_ready(server)
        yield server
    finally:
        stop(server)


def serve_demo(data_dir: Path, log: Path) -> Server:
    """`yidi serve --demo` on its own data directory (its embedded PostgreSQL), started with
    nothing from the test run's own YIDI_* configuration."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIDI_")}
    command = [sys.executable, "-m", "yidi.cli", "serve", "--demo", "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--data-dir", str(data_dir), "--log-level", "warning"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    return Server(process, port, log)


def postmaster(data_dir: Path) -> psutil.Process | None:
    """The running embedded PostgreSQL of a data directory, if any."""
    pidfile = data_dir / "pgdata" / "postmaster.pid"
    try:
        return psutil.Process(int(pidfile.read_text().split()[0]))
    except (OSError, ValueError, psutil.NoSuchProcess):
        return None
