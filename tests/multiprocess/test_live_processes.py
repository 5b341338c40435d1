"""Several `yidi serve` processes on one data directory: they share its embedded
PostgreSQL and its demo secret, deliver each other's events live, and a shutdown
completes open subscriptions."""

import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.support.demo import LEADER
from tests.support.driver import Api
from tests.support.live import CASE_EVENTS, Completed, Subscription
from tests.support.servers import serve_demo, stop, wait_ready

pytestmark = pytest.mark.slow


async def test_a_change_through_one_process_reaches_a_subscriber_of_another(
    data_dir: Path, tmp_path: Path
) -> None:
    first = serve_demo(data_dir, tmp_path / "first.log")
    servers = [first]
    try:
        await wait_ready(first)
        second = serve_demo(data_dir, tmp_path / "second.log")
        servers.append(second)
        await wait_ready(second)
        async with (
            httpx.AsyncClient(base_url=first.url, timeout=10) as to_first,
            httpx.AsyncClient(base_url=second.url, timeout=10) as to_second,
        ):
            via_first, via_second = Api(to_first), Api(to_second)
            # A token signed by the first process is good on the second (one demo secret).
            token = await via_first.token(LEADER)
            assert (await via_second.ok("{ me { username } }", user=LEADER)) == {
                "me": {"username": LEADER}
            }
            via_second.tokens[LEADER] = token
            case = (
                await via_first.ok(
                    "{ cases(first: 1, filter: { status: [REGISTERED] }) "
                    "{ edges { node { id events(first: 50) { edges { cursor } } } } } }",
                    user=LEADER,
                )
            )["cases"]["edges"][0]["node"]
            after = case["events"]["edges"][-1]["cursor"]
            ws_url = second.url.replace("http://", "ws://") + "/graphql"
            async with Subscription(
                ws_url, token, CASE_EVENTS, {"id": case["id"], "after": after}
            ) as live:
                comment = (
                    "mutation($input: CommentCaseInput!) { commentCase(input: $input) "
                    "{ case { id } } }"
                )
                sent = time.monotonic()
                await via_first.ok(
                    comment, {"input": {"caseId": case["id"], "note": "跨进程"}}, user=LEADER
                )
                event = await live.next(timeout=5)
                delay = time.monotonic() - sent
                assert event["note"] == "跨进程"
                assert delay < 1.0, f"delivered after {delay:.2f} s"
                # The process that started the database goes away; the other keeps serving.
                stop(first)
                assert (await to_second.get("/readyz")).status_code == 200
                await via_second.ok(
                    comment, {"input": {"caseId": case["id"], "note": "另一进程"}}, user=LEADER
                )
                assert (await live.next())["note"] == "另一进程"
                # Stopping the subscriber's process completes its subscription.
                second.process.send_signal(signal.SIGTERM)
                assert isinstance(await live.failure(timeout=10), Completed)
    finally:
        for server in servers:
            stop(server)
