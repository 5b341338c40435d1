"""Benchmark: live updates to many subscribers, with the writes made by another process.

Starts two `yidi serve --demo` processes on one throw-away data directory (one embedded
PostgreSQL): N subscribers open graphql-transport-ws connections to the first and follow
`unitCaseEvents` of the county as its leader; comments are posted through the second at a
steady rate. Every delivery is timed from the moment its mutation was sent.

    python bench/subscriptions.py --subscribers 2000 --rate 2 --seconds 30

Prints the mutation latency, mutation-sent → delivered p50/p99 over all deliveries, the
deliveries missing (must be 0), and the subscriber process's memory per subscriber.
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import websockets

DEMO_PASSWORD = "demo-password"
LEADER = "county.leader"
SUBSCRIBE = (
    "subscription($id: ID!) { unitCaseEvents(unitId: $id) { cursor type note case { id } } }"
)
COMMENT = "mutation($i: CommentCaseInput!) { commentCase(input: $i) { case { id } } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIDI_")}
    command = [sys.executable, "-m", "yidi.cli", "serve", "--demo", "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--log-level", "warning"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    return process, f"127.0.0.1:{port}"


async def ready(address: str) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(600):
            try:
                if (await client.get(f"http://{address}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"server {address} not ready")


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict, token: str | None
) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = (
        await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    ).json()
    if body.get("errors"):
        raise SystemExit(f"GraphQL error: {body['errors']}")
    return body["data"]


class Subscriber:
    def __init__(self, address: str, token: str, county_id: str) -> None:
        self.address, self.token, self.county_id = address, token, county_id
        self.received: dict[str, float] = {}  # note -> time received
        self.ready = asyncio.Event()

    async def run(self) -> None:
        async with websockets.connect(
            f"ws://{self.address}/graphql",
            subprotocols=["graphql-transport-ws"],
            max_queue=None,
            ping_interval=None,
        ) as ws:
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"Authorization": f"Bearer {self.token}"},
                    }
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": SUBSCRIBE, "variables": {"id": self.county_id}},
                    }
                )
            )
            self.ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "next":
                    note = message["payload"]["data"]["unitCaseEvents"]["note"]
                    self.received[note] = time.monotonic()
                elif message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))


def profile(pid: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """py-spy on the subscribers' server for the whole mutation phase (collapsed stacks)."""
    command = ["py-spy", "record", "--pid", str(pid), "--duration", str(int(args.seconds) + 5)]
    command += ["--format", "raw", "--output", args.profile, "--rate", "250"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def main(args: argparse.Namespace) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.subscribers + 256)), hard)
    )
    with tempfile.TemporaryDirectory(prefix="yidi-bench-live-") as tmp:
        data_dir = Path(tmp) / "data"
        subscribed_to, _ = first = serve(data_dir, Path(tmp) / "subscribers.log")
        processes = [first[0]]
        try:
            await ready(first[1])
            second = serve(data_dir, Path(tmp) / "writer.log")
            processes.append(second[0])
            await ready(second[1])
            await run_bench(args, first[1], second[1], psutil.Process(subscribed_to.pid))
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=30)
            pidfile = data_dir / "pgdata" / "postmaster.pid"
            if pidfile.exists():
                postmaster = psutil.Process(int(pidfile.read_text().split()[0]))
                postmaster.send_signal(signal.SIGINT)
                postmaster.wait(timeout=30)


async def run_bench(
    args: argparse.Namespace, subscriber_address: str, writer_address: str, server: psutil.Process
) -> None:
    async with httpx.AsyncClient(base_url=f"http://{writer_address}", timeout=30) as writer:
        login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
        token = (await graphql(writer, login, {"u": LEADER, "p": DEMO_PASSWORD}, None))["login"][
            "token"
        ]
        me = await graphql(writer, "{ me { unit { id } } }", {}, token)
        county_id = me["me"]["unit"]["id"]
        cases = await graphql(
            writer,
            "{ cases(first: 20, filter: { status: [REGISTERED, DISPATCHED, IN_PROGRESS] }) "
            "{ edges { node { id } } } }",
            {},
            token,
        )
        case_ids = [edge["node"]["id"] for edge in cases["cases"]["edges"]]

        rss_before = server.memory_info().rss
        subscribers = [
            Subscriber(subscriber_address, token, county_id) for _ in range(args.subscribers)
        ]
        tasks = []
        for start in range(0, len(subscribers), 100):  # connect in waves
            batch = subscribers[start : start + 100]
            tasks += [asyncio.create_task(s.run()) for s in batch]
            await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in batch)), 60)
        await asyncio.sleep(2)  # every subscription has joined its feed
        rss_after = server.memory_info().rss

        sent: dict[str, float] = {}
        latencies_mutation: list[float] = []
        total = int(args.rate * args.seconds)
        profiler = profile(server.pid, args) if args.profile else None
        began = time.monotonic()
        for n in range(total):
            await asyncio.sleep(max(0.0, began + n / args.rate - time.monotonic()))
            note = f"bench-{n}"
            sent[note] = time.monotonic()
            await graphql(
                writer, COMMENT, {"i": {"caseId": case_ids[n % len(case_ids)], "note": note}}, token
            )
            latencies_mutation.append(time.monotonic() - sent[note])
        await asyncio.sleep(5)  # the last deliveries
        if profiler is not None:
            profiler.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    delays = [
        s.received[note] - at
        for s in subscribers
        for note, at in sent.items()
        if note in s.received
    ]
    missing = total * len(subscribers) - len(delays)
    delays.sort()

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    print(
        f"subscribers: {args.subscribers}; {total} mutations at {args.rate}/s via another process"
    )
    print(f"mutation latency p50 {pct(sorted(latencies_mutation), 0.5):.1f} ms")
    print(
        f"sent→delivered p50 {pct(delays, 0.5):.1f} ms, p99 {pct(delays, 0.99):.1f} ms, "
        f"max {delays[-1] * 1000:.1f} ms over {len(delays)} deliveries; missing {missing}"
    )
    per_subscriber = (rss_after - rss_before) / args.subscribers / 1024
    print(f"server memory per subscriber: {per_subscriber:.1f} KiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=2.0, help="mutations per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--profile", help="write py-spy's collapsed stacks of the server here")
    asyncio.run(main(parser.parse_args()))
