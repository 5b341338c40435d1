"""Two real server processes on one database: a policy change made through one is enforced by
the other within a second (DESIGN.md, Authorization; yidi/policy_watch.py polls every 0.5 s).

The processes are plain uvicorn servers started with subprocess on free ports, so nothing is
shared between them but PostgreSQL, exactly as behind a load balancer.
"""

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.driver import Api
from tests.support.lifecycle import resolved_in_place
from tests.support.mutations import act
from tests.support.policy import county_policy, replace_county_policy
from tests.support.secret import SECRET
from tests.support.servers import Server, free_port, stop, wait_ready

pytestmark = pytest.mark.slow

# The design's bound: every process picks up a change within a second.
MAX_DELAY_SECONDS = 1.0
# How long to keep watching past the bound, so a failure reports the real delay (or none).
GIVE_UP_SECONDS = 5.0

SERVER = """
import sys

import uvicorn

from yidi.config import Settings
from yidi.http.app import create_app

database_url, port, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3]
app = create_app(Settings(demo=True, database_url=None, secret_key=secret), database_url)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""

ALLOWED = "query($id: ID!) { case(id: $id) { status allowedActions } }"


@contextmanager
def started_servers(database_url: str, logs: Path, count: int) -> Iterator[list[Server]]:
    """Start `count` servers; all of them are stopped on exit, whatever happened."""
    servers: list[Server] = []
    try:
        for i in range(count):
            port = free_port()
            log = logs / f"server-{i}.log"
            with log.open("wb") as sink:
                process = subprocess.Popen(
                    [sys.executable, "-c", SERVER, database_url, str(port), SECRET],
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            servers.append(Server(process, port, log))
        yield servers
    finally:
        for server in servers:
            stop(server)


@pytest.fixture
async def two_servers(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Api, Api]]:
    """Clients of process A and process B, sharing the test's database (migrated, demo data)."""
    with started_servers(database_url, tmp_path, 2) as servers:
        await asyncio.gather(*(wait_ready(s) for s in servers))
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(base_url=s.url, timeout=10.0))
                for s in servers
            ]
            yield Api(clients[0]), Api(clients[1])
        for server in servers:
            assert server.process.poll() is None, f"server died:\n{server.output()}"


async def county_leader_may_close(api: Api, case_id: str) -> bool:
    data = await api.ok(ALLOWED, {"id": case_id}, user="county.leader")
    assert data["case"]["status"] == "RESOLVED"
    return "CLOSE" in data["case"]["allowedActions"]


async def change_and_time(
    a: Api, b: Api, case_id: str, rules: list[dict[str, Any]], revision: int, expect: bool
) -> float:
    """Replace the policy through A; seconds from A's answer until B first answers `expect`."""
    await replace_county_policy(a, rules, revision)
    changed_at = time.perf_counter()
    while (delay := time.perf_counter() - changed_at) < GIVE_UP_SECONDS:
        if await county_leader_may_close(b, case_id) is expect:
            return time.perf_counter() - changed_at
        await asyncio.sleep(0.01)
    pytest.fail(f"process B still enforces the old policy {delay:.2f} s after the change")


async def test_policy_change_reaches_other_process_within_a_second(
    two_servers: tuple[Api, Api],
) -> None:
    a, b = two_servers
    # Tokens are signed with the deployment's key, so a login on A is good on B too.
    for user in ("county.admin", "county.leader", "v11.handler"):
        b.tokens[user] = await a.token(user)
    # A case of 东湖村, resolved there: a county leader may close it.
    case_id = (await resolved_in_place(a))["id"]
    # B answers from a warm enforcer, so the test proves invalidation, not a cold load.
    assert await county_leader_may_close(b, case_id) is True

    revision, default = await county_policy(a)
    # Only township leaders close: the county leader loses CLOSE on this case.
    tightened = [r for r in default if r["action"] != "CLOSE"] + [
        {
            "role": "LEADER",
            "level": "TOWNSHIP",
            "relation": "SAME|ANCESTOR",
            "action": "CLOSE",
            "risk": "*",
        }
    ]

    removed = await change_and_time(a, b, case_id, tightened, revision, expect=False)
    print(f"process B dropped CLOSE {removed * 1000:.0f} ms after process A's answer")
    # B enforces it, not only draws it: closing through B is refused.
    refused = await act(b, "county.leader", "CLOSE", {"caseId": case_id})
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]

    restored = await change_and_time(a, b, case_id, default, revision + 1, expect=True)
    print(f"process B restored CLOSE {restored * 1000:.0f} ms after process A's answer")

    assert removed < MAX_DELAY_SECONDS, removed
    assert restored < MAX_DELAY_SECONDS, restored
