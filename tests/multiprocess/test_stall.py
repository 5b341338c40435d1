"""Against a real `yidi serve` process: no request, however large, slow or expensive, stalls
the process for anyone else, and no body is read further than its limit."""

import asyncio
import socket
import statistics
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.api.test_query_budget import THIRTY_HEAVY_ALIASES, fragment_bomb
from tests.support.servers import Server, serving

pytestmark = pytest.mark.slow

MB = 1024 * 1024


def send_until_answered(server: Server, head: bytes, chunk: bytes, limit: int) -> tuple[int, str]:
    """Send `head`, then `chunk` after `chunk` until the server answers or `limit` bytes
    have gone; the bytes sent and the status line the server answered."""
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(head)
        s.setblocking(False)
        answer = b""
        while sent < limit:
            try:
                answer += s.recv(4096)
                if answer:
                    break
            except BlockingIOError:
                pass
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                time.sleep(0.001)  # the server is not reading: let it answer
            except (BrokenPipeError, ConnectionResetError):
                break
        s.setblocking(True)
        while b"\r\n" not in answer:
            part = s.recv(4096)
            if not part:
                break
            answer += part
    return sent, answer.split(b"\r\n", 1)[0].decode()


async def test_a_200_mb_body_is_refused_without_being_read(
    database_url: str, tmp_path: Path
) -> None:
    async with serving(database_url, tmp_path) as server:
        memory_before = psutil.Process(server.process.pid).memory_info().rss
        declared = (
            f"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            f"content-length: {200 * MB}\r\n\r\n"
        ).encode()
        chunk = b" " * (64 * 1024)
        sent, status = await asyncio.to_thread(
            send_until_answered, server, declared, chunk, 200 * MB
        )
        assert status.startswith("HTTP/1.1 413"), status
        assert sent < 20 * MB, f"the server read {sent} bytes before refusing"
        # Without a declared length, reading stops once the limit is passed.
        chunked = (
            b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        sent, status = await asyncio.to_thread(
            send_until_answered, server, chunked, framed, 200 * MB
        )
        assert status.startswith("HTTP/1.1 413"), status
        assert sent < 20 * MB, f"the server read {sent} bytes before refusing"
        grown = psutil.Process(server.process.pid).memory_info().rss - memory_before
        assert grown < 50 * MB, f"the process grew by {grown // MB} MB"


async def test_a_body_sent_too_slowly_is_cut_off(database_url: str, tmp_path: Path) -> None:
    async with serving(database_url, tmp_path, env={"YIDI_BODY_TIMEOUT_SECONDS": "1"}) as server:
        started = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"content-length: 100\r\n\r\n{"
        )
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout=10)
        assert status.startswith(b"HTTP/1.1 408"), status
        assert time.monotonic() - started < 5
        writer.close()


async def probe(client: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    response = await client.get("/healthz")
    assert response.status_code == 200
    return time.perf_counter() - started


async def test_healthz_answers_quickly_while_an_attack_runs(
    database_url: str, tmp_path: Path
) -> None:
    attacks = [fragment_bomb(20), fragment_bomb(24), THIRTY_HEAVY_ALIASES]
    async with (
        serving(database_url, tmp_path) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as attacker,
        httpx.AsyncClient(base_url=server.url, timeout=30) as operator,
    ):
        stop = asyncio.Event()
        answered: list[str] = []

        async def attack(query: str) -> None:
            while not stop.is_set():
                response = await attacker.post("/graphql", json={"query": query})
                answered.append(response.json()["errors"][0]["extensions"]["code"])

        tasks = [asyncio.create_task(attack(q)) for q in attacks for _ in range(2)]
        await asyncio.sleep(0.3)
        times = []
        for _ in range(15):
            times.append(await probe(operator))
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*tasks)
    assert answered
    assert set(answered) == {"QUERY_TOO_COMPLEX"}
    # The median, because the test machine's cores are shared with other work; before the
    # fix one such attack held /healthz for 10 s.
    assert statistics.median(times) < 0.1, times
    assert max(times) < 1.0, times
