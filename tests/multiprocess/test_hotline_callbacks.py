"""Hotline callbacks are delivered from the database by real server processes: a platform
that fails twice, with `yidi serve` restarted in between, gets the callback exactly once."""

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.demo import V11
from tests.support.driver import Api
from tests.support.servers import free_port, serving
from yidi.domain.hotline import signature

pytestmark = pytest.mark.slow

# Retries wait 2 s, then 4 s: room for a restart between the first attempt and the second.
ENV = {"YIDI_HOTLINE_POLL_SECONDS": "0.2", "YIDI_HOTLINE_RETRY_BASE_SECONDS": "2"}
ACCEPT = "mutation($i: AcceptCaseInput!) { acceptCase(input: $i) { case { status } } }"


class Platform:
    """The hotline platform's callback endpoint: fails as scripted, records what came."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[int, dict[str, object], str]] = []

    async def callback(self, request: Request) -> Response:
        status = self.statuses.pop(0) if self.statuses else 200
        key = request.headers["idempotency-key"]
        self.received.append((status, json.loads(await request.body()), key))
        return Response(status_code=status)

    def accepted(self) -> list[dict[str, object]]:
        return [body for status, body, _ in self.received if status == 200]


@asynccontextmanager
async def listening(platform: Platform) -> AsyncIterator[str]:
    port = free_port()
    app = Starlette(routes=[Route("/callbacks", platform.callback, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/callbacks"
    finally:
        server.should_exit = True
        await task


def link_county(database_url: str, callback_url: str) -> str:
    """`yidi hotline configure`, as an operator runs it; the secret it prints."""
    command = ["hotline", "configure", "--county", "990100", "--callback-url", callback_url]
    done = subprocess.run(
        [sys.executable, "-m", "yidi.cli", *command],
        env={**os.environ, "YIDI_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.rsplit(": ", 1)[1].strip()


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_callback_survives_two_failures_and_a_restart_and_arrives_once(
    database_url: str, tmp_path: Path
) -> None:
    platform = Platform(500, 502)
    async with listening(platform) as callback_url:
        secret = link_county(database_url, callback_url)
        body = json.dumps(
            {
                "orderId": "12345-restart",
                "title": "路面塌陷",
                "content": "村口道路塌陷，车辆无法通行。",
                "locationCode": "990100001001",
                "caller": {"name": "李先生", "phone": "13700001111"},
            },
            ensure_ascii=False,
        ).encode()
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
        headers = {
            "x-hotline-county": "990100",
            "x-hotline-timestamp": timestamp,
            "x-hotline-nonce": nonce,
            "x-hotline-signature": signature(secret, timestamp, nonce, body),
        }
        async with (
            serving(database_url, tmp_path, env=ENV) as server,
            httpx.AsyncClient(base_url=server.url, timeout=30) as client,
        ):
            pushed = await client.post("/hotline/12345/orders", content=body, headers=headers)
            assert pushed.status_code == 201, pushed.text
            number = pushed.json()["caseNumber"]
            api = Api(client)
            found = await api.ok(
                "query($n: String!) { caseByNumber(number: $n) { id } }", {"n": number}, user=V11
            )
            await api.ok(ACCEPT, {"i": {"caseId": found["caseByNumber"]["id"]}}, user=V11)
            await until(lambda: len(platform.received) >= 1)
        # Stopped after the first failure; the callback waits in the database.
        assert [status for status, _, _ in platform.received] == [500]

        async with (
            serving(database_url, tmp_path, env=ENV) as server,
            httpx.AsyncClient(base_url=server.url, timeout=30) as client,
        ):
            await until(lambda: len(platform.accepted()) == 1)
            await asyncio.sleep(1.0)  # nothing more comes
            admin = await Api(client).ok(
                "{ hotlineCallbacks { kind state attempts lastError } }", user="county.admin"
            )
    assert [status for status, _, _ in platform.received] == [500, 502, 200]
    (accepted,) = platform.accepted()
    assert accepted["event"] == "ACCEPTED"
    assert accepted["caseNumber"] == number
    # Every attempt carried the same idempotency key: a platform can drop a duplicate.
    assert len({key for _, _, key in platform.received}) == 1
    assert admin["hotlineCallbacks"] == [
        {"kind": "ACCEPTED", "state": "DELIVERED", "attempts": 3, "lastError": "HTTP 502"}
    ]
