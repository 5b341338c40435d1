"""Against real `yidi serve` processes: a burst of wrong logins neither stalls the process
nor gets past the throttle, and the throttle holds across processes on one database."""

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.demo import PASSWORD
from tests.support.servers import serving

pytestmark = pytest.mark.slow

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"


async def login(client: httpx.AsyncClient, username: str, password: str) -> str:
    response = await client.post(
        "/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}}
    )
    body: dict[str, Any] = response.json()
    return "ok" if not body.get("errors") else body["errors"][0]["extensions"]["code"]


async def test_healthz_answers_quickly_during_50_parallel_wrong_logins(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        serving(database_url, tmp_path) as server,
        httpx.AsyncClient(base_url=server.url, timeout=60) as attacker,
        httpx.AsyncClient(base_url=server.url, timeout=60) as operator,
    ):
        # Different users, so the per-username throttle alone would let each through.
        users = [f"user-{i % 10}" for i in range(50)]
        burst = asyncio.gather(*(login(attacker, u, "wrong") for u in users))
        await asyncio.sleep(0.05)
        times = []
        for _ in range(15):
            started = time.perf_counter()
            assert (await operator.get("/healthz")).status_code == 200
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)
        outcomes = await burst
    assert set(outcomes) <= {"UNAUTHENTICATED", "RATE_LIMITED"}
    assert outcomes.count("UNAUTHENTICATED") == 20  # the address's free failures
    # The median, because the test machine's cores are shared; before the fix /healthz took
    # 2.5 s during such a burst.
    assert statistics.median(times) < 0.1, times
    assert max(times) < 1.0, times


async def test_the_throttle_holds_across_processes(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with (
        serving(database_url, tmp_path / "a") as first,
        serving(database_url, tmp_path / "b") as second,
        httpx.AsyncClient(base_url=first.url, timeout=60) as a,
        httpx.AsyncClient(base_url=second.url, timeout=60) as b,
    ):
        for client in [a, b, a, b, a]:
            assert await login(client, "county.leader", "wrong") == "UNAUTHENTICATED"
        assert await login(b, "county.leader", PASSWORD) == "RATE_LIMITED"
        assert await login(a, "county.leader", PASSWORD) == "RATE_LIMITED"
