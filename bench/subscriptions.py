"""Benchmark: live updates to many subscribers, with the writes made by another process,
against a hand-written baseline in the same run.

Starts two `yidi serve --demo` processes on one throw-away data directory (one embedded
PostgreSQL) and bench/raw_live_server.py on the same database. N subscribers open
graphql-transport-ws connections to the first yidi process and follow `unitCaseEvents` of
the county as its leader; comments are posted through the second at a steady rate, and
every delivery is timed from the moment its mutation was sent. Then the same N subscribers
and the same stream of comments against the raw server.

    python bench/subscriptions.py --subscribers 2000 --rate 1 --seconds 20

Prints, for yidi and the baseline: mutation latency, sent → delivered p50/p99 over all
deliveries, deliveries missing (must be 0), the serving process's memory per subscriber;
the last line is `subscriptions/raw p99 ratio: X.XX`. `--profile FILE` writes py-spy's
collapsed stacks of the yidi process during its run.
"""

import argparse
import asyncio
import json
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import websockets
from harness import graphql, percentile, ready, serve_yidi, start

from yidi.database.embedded import async_url, embedded_server
from yidi.database.embedded_tenancy import stop_postgres
from yidi.database.listener import asyncpg_dsn

DEMO_PASSWORD = "demo-password"
LEADER = "county.leader"
SUBSCRIBE = (
    "subscription($id: ID!) { unitCaseEvents(unitId: $id) { cursor type note case { id } } }"
)
COMMENT = "mutation($i: CommentCaseInput!) { commentCase(input: $i) { case { id } } }"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
BENCH = Path(__file__).parent


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
            compression=None,
        ) as ws:
            init = {"Authorization": f"Bearer {self.token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            query = {"query": SUBSCRIBE, "variables": {"id": self.county_id}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
            self.ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "next":
                    note = message["payload"]["data"]["unitCaseEvents"]["note"]
                    self.received[note] = time.monotonic()
                elif message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))


@dataclass
class Figures:
    mutation_p50: float
    p50: float
    p99: float
    worst: float
    deliveries: int
    missing: int
    memory_per_subscriber_kib: float

    def report(self, name: str) -> None:
        print(
            f"{name:>6}: sent→delivered p50 {self.p50:7.1f} ms  p99 {self.p99:7.1f} ms  "
            f"max {self.worst:7.1f} ms  over {self.deliveries} deliveries, missing "
            f"{self.missing}; mutation p50 {self.mutation_p50:.1f} ms; "
            f"{self.memory_per_subscriber_kib:.1f} KiB per subscriber"
        )


async def measure(
    args: argparse.Namespace,
    address: str,
    server: psutil.Process,
    writer: httpx.AsyncClient,
    token: str,
    county_id: str,
    case_ids: list[str],
    label: str,
    profile_to: str | None = None,
) -> Figures:
    rss_before = server.memory_info().rss
    subscribers = [Subscriber(address, token, county_id) for _ in range(args.subscribers)]
    tasks: list[asyncio.Task[None]] = []
    for first in range(0, len(subscribers), 100):  # connect in waves
        wave = subscribers[first : first + 100]
        tasks += [asyncio.create_task(s.run()) for s in wave]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in wave)), 60)
    await asyncio.sleep(2)  # every subscription has joined its feed
    rss_after = server.memory_info().rss

    profiler = None
    if profile_to:
        command = ["py-spy", "record", "--pid", str(server.pid), "--rate", "250"]
        command += ["--duration", str(int(args.seconds) + 5), "--format", "raw"]
        profiler = subprocess.Popen([*command, "--output", profile_to], stdout=subprocess.DEVNULL)
    sent: dict[str, float] = {}
    mutation_latencies: list[float] = []
    total = int(args.rate * args.seconds)
    began = time.monotonic()
    for n in range(total):
        await asyncio.sleep(max(0.0, began + n / args.rate - time.monotonic()))
        note = f"{label}-{n}"
        sent[note] = time.monotonic()
        comment = {"i": {"caseId": case_ids[n % len(case_ids)], "note": note}}
        await graphql(writer, COMMENT, comment, token)
        mutation_latencies.append(time.monotonic() - sent[note])
    await asyncio.sleep(5)  # the last deliveries
    if profiler is not None:
        profiler.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    delays = sorted(
        s.received[note] - at
        for s in subscribers
        for note, at in sent.items()
        if note in s.received
    )
    return Figures(
        mutation_p50=percentile(sorted(mutation_latencies), 0.5),
        p50=percentile(delays, 0.5),
        p99=percentile(delays, 0.99),
        worst=delays[-1] * 1000,
        deliveries=len(delays),
        missing=total * len(subscribers) - len(delays),
        memory_per_subscriber_kib=(rss_after - rss_before) / args.subscribers / 1024,
    )


async def main(args: argparse.Namespace) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(soft, min(hard, 4 * args.subscribers + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    with tempfile.TemporaryDirectory(prefix="yidi-bench-live-") as tmp:
        data_dir = Path(tmp) / "data"
        processes: list[subprocess.Popen[bytes]] = []
        try:
            live, live_address = serve_yidi(data_dir, Path(tmp) / "subscribers.log")
            processes.append(live)
            await ready(live_address)
            writer, writer_address = serve_yidi(data_dir, Path(tmp) / "writer.log")
            processes.append(writer)
            await ready(writer_address)
            dsn = asyncpg_dsn(async_url(embedded_server(data_dir).get_uri(), "yidi"))
            raw_command = [sys.executable, str(BENCH / "raw_live_server.py"), "--database-url", dsn]
            raw, raw_address = start(raw_command, Path(tmp) / "raw.log")
            processes.append(raw)
            await ready(raw_address, "/")
            await run(args, live_address, writer_address, raw_address, live, raw)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=30)
            stop_postgres(data_dir)  # if the servers have not already


async def run(
    args: argparse.Namespace,
    live_address: str,
    writer_address: str,
    raw_address: str,
    live: subprocess.Popen[bytes],
    raw: subprocess.Popen[bytes],
) -> None:
    async with httpx.AsyncClient(base_url=f"http://{writer_address}", timeout=30) as writer:
        login = await graphql(writer, LOGIN, {"u": LEADER, "p": DEMO_PASSWORD}, None)
        token = login["login"]["token"]
        county_id = (await graphql(writer, "{ me { unit { id } } }", {}, token))["me"]["unit"]["id"]
        open_cases = await graphql(
            writer,
            "{ cases(first: 20, filter: { status: [REGISTERED, DISPATCHED, IN_PROGRESS] }) "
            "{ edges { node { id } } } }",
            {},
            token,
        )
        case_ids = [edge["node"]["id"] for edge in open_cases["cases"]["edges"]]
        common = (writer, token, county_id, case_ids)
        yidi = await measure(
            args, live_address, psutil.Process(live.pid), *common, "yidi", args.profile
        )
        baseline = await measure(args, raw_address, psutil.Process(raw.pid), *common, "raw")
    total = int(args.rate * args.seconds)
    print(
        f"{args.subscribers} subscribers on unitCaseEvents (one process), "
        f"{total} mutations at {args.rate}/s through another process"
    )
    yidi.report("yidi")
    baseline.report("raw")
    print(f"subscriptions/raw p99 ratio: {yidi.p99 / baseline.p99:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=1.0, help="mutations per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--profile", help="write py-spy's collapsed stacks of yidi here")
    asyncio.run(main(parser.parse_args()))
