"""Benchmark: registrations per second through `yidi serve --workers N`, against a
hand-written baseline in the same run, with the numbering checked gapless afterwards.

    python bench/register.py --workers 2 --clients 32 --seconds 20

Starts `yidi serve --demo --workers N` on a throw-away data directory (embedded PostgreSQL,
durable commits). C clients, each on its own keep-alive connection (bench/light_http.py),
register cases through GraphQL as fast as they are answered, for S seconds. Then the
baseline: the same C clients doing by hand, with asyncpg on the same database, what a
registration must do at least — in one transaction take the county's next number from the
same counter row, insert the case row and its REGISTERED event, commit. Prints cases/s and
latency p50/p99 of both, the CPU per request of the serving processes and of this one,
checks that each side's numbers are gapless, and ends with `register/raw ratio: X.XX` (raw
cases/s ÷ yidi cases/s: how many times slower yidi is). The CPU per request is given for
the serving processes, PostgreSQL and the load generator apiece: on a machine whose cores
they share, their sum is what a request costs. `--profile FILE` writes py-spy's collapsed
stacks of the serving processes (workers included) during the yidi side (py-spy on PATH).
"""

import argparse
import asyncio
import contextlib
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import psutil
from harness import graphql, percentile, ready, serve_yidi
from light_http import LightClient

from yidi.database.embedded import async_url, embedded_server
from yidi.database.embedded_tenancy import stop_postgres
from yidi.database.listener import asyncpg_dsn

USER = "county.intake"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
REGISTER = """mutation($input: RegisterCaseInput!) {
  registerCase(input: $input) { trackingCode case { id number } } }"""
SETUP = """{ me { unit { id } } categories { id code } }"""
RAW_YEAR = 2099  # the baseline numbers its cases in a year of its own


async def drive(clients: int, seconds: float, one: "callable") -> tuple[int, list[float]]:
    """`clients` loops calling `one(client_index)` until the time is up."""
    latencies: list[float] = []
    stop_at = time.monotonic() + seconds

    async def loop(index: int) -> None:
        while time.monotonic() < stop_at:
            began = time.monotonic()
            await one(index)
            latencies.append(time.monotonic() - began)

    await asyncio.gather(*(loop(i) for i in range(clients)))
    return len(latencies), latencies


def server_cpu(pid: int) -> float:
    """User and system CPU seconds the server and its workers have used so far: per request,
    a figure other load on the machine disturbs far less than requests per second."""
    server = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [server, *server.children(recursive=True)])


async def light_clients(count: int, base: str) -> list[LightClient]:
    """One keep-alive connection per simulated client (bench/light_http.py: httpx's own
    CPU per request made the benchmark's process the bottleneck), opened one by one as
    clients arrive. (Which worker takes each is the kernel's choice: yidi/http/server.py.)"""
    connections = []
    for _ in range(count):
        connections.append(await LightClient.connect(base))
        await asyncio.sleep(0.01)
    return connections


def postgres_cpu(data_dir: Path) -> float:
    """User and system CPU seconds the data directory's PostgreSQL has used so far: the
    postmaster, its live backends and those that have exited. With the serving processes'
    CPU it is the whole cost of a request on a machine whose cores they share."""
    pidfile = data_dir / "pgdata" / "postmaster.pid"
    postmaster = psutil.Process(int(pidfile.read_text().split()[0]))
    times = postmaster.cpu_times()
    used = times.user + times.system + times.children_user + times.children_system
    for backend in postmaster.children():
        with contextlib.suppress(psutil.NoSuchProcess):
            used += sum(backend.cpu_times()[:2])
    return used


async def measured_drive(
    args: argparse.Namespace, server_pid: int | None, one: "callable"
) -> tuple[int, list[float]]:
    """`drive` with the CPU it cost noted in `args.cpu[side]` for `print_rates`: the serving
    processes' (yidi's side, with py-spy if asked for), PostgreSQL's and this process's."""
    spy = profiler(args, server_pid) if server_pid else None
    cpu = server_cpu(server_pid) if server_pid else 0.0
    database, own = postgres_cpu(args.data_dir), time.process_time()
    measured = await drive(args.clients, args.seconds, one)
    args.cpu["yidi" if server_pid else "raw"] = {
        "serving processes": server_cpu(server_pid) - cpu if server_pid else 0.0,
        "PostgreSQL": postgres_cpu(args.data_dir) - database,
        "load generator": time.process_time() - own,
    }
    if spy is not None:
        spy.wait()
    return measured


def profiler(args: argparse.Namespace, pid: int) -> subprocess.Popen[bytes] | None:
    """py-spy on the server and its workers for the yidi side's run, if asked for."""
    if not args.profile:
        return None
    command = ["py-spy", "record", "--pid", str(pid), "--subprocesses", "--rate", "200"]
    command += ["--duration", str(int(args.seconds)), "--format", "raw", "--output", args.profile]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)


async def yidi_side(
    args: argparse.Namespace, base: str, server_pid: int
) -> tuple[int, list[float]]:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        token = (await graphql(client, LOGIN, {"u": USER, "p": "demo-password"}, None))["login"][
            "token"
        ]
        setup = await graphql(client, SETUP, {}, token)
        county = setup["me"]["unit"]["id"]
        category = next(c["id"] for c in setup["categories"] if c["code"] == "DISPUTE.NEIGHBOR")
        serial = iter(range(10**9))

    connections = await light_clients(args.clients, base)

    async def register(index: int) -> None:
        fields = {
            "title": f"压测登记{next(serial)}",
            "description": "邻里纠纷。",
            "categoryId": category,
            "channel": "VISIT",
            "locationUnitId": county,
            "reporter": {"name": "张三", "phone": "13800001111"},
        }
        await connections[index].graphql(REGISTER, {"input": fields}, token)

    try:
        await register(0)  # the document and the caller are known to the server
        return await measured_drive(args, server_pid, register)
    finally:
        await asyncio.gather(*(c.close() for c in connections))


async def raw_side(args: argparse.Namespace, dsn: str) -> tuple[int, list[float]]:
    pool = await asyncpg.create_pool(dsn, min_size=args.clients, max_size=args.clients)
    try:
        template = await pool.fetchrow(
            "SELECT * FROM cases c JOIN units u ON u.id = c.county_id WHERE u.code = '990100'"
            " ORDER BY c.id LIMIT 1"
        )
        serial = iter(range(10**9))

        async def register(_: int) -> None:
            n = next(serial)
            async with pool.acquire() as conn, conn.transaction():
                case_id = await conn.fetchval(
                    "INSERT INTO cases (county_id, number, tracking_code_hash, title, description,"
                    " category_id, channel, status, risk_level, track, parties_count,"
                    " reporter_name, reporter_phone, reporter_anonymous, location_unit_id,"
                    " intake_unit_id, handling_unit_id, co_handling_unit_ids, handling_path,"
                    " location_path, involved_path, registered_at, due_at, supervision_count,"
                    " escalation_count, duplicates_count, version)"
                    " VALUES ($1, $2, $3, $4, '邻里纠纷。', $5, 'VISIT', 'REGISTERED', 'BLUE',"
                    " 'NORMAL', 1, '张三', '13800001111', false, $6, $6, $6, '{}', $7, $7, $7,"
                    " now(), now() + interval '15 days', 0, 0, 0, 1) RETURNING id",
                    template["county_id"],
                    f"raw-{n}",
                    f"raw-{n}",
                    f"压测登记{n}",
                    template["category_id"],
                    template["location_unit_id"],
                    template["location_path"],
                )
                sequence = await conn.fetchval(
                    "INSERT INTO case_sequences (county_id, year, last_value) VALUES ($1, $2, 1)"
                    " ON CONFLICT (county_id, year) DO UPDATE"
                    " SET last_value = case_sequences.last_value + 1 RETURNING last_value",
                    template["county_id"],
                    RAW_YEAR,
                )
                position = await conn.fetchval(
                    "UPDATE event_positions SET last_position = last_position + 1"
                    " WHERE county_id = $1 RETURNING last_position",
                    template["county_id"],
                )
                await conn.execute(
                    "UPDATE cases SET number = $2 WHERE id = $1",
                    case_id,
                    f"990100-{RAW_YEAR}-{sequence:06d}",
                )
                await conn.execute(
                    "INSERT INTO case_events (county_id, case_id, type, at, position, chain_hash)"
                    " VALUES ($1, $2, 'REGISTERED', now(), $3, $4)",
                    template["county_id"],
                    case_id,
                    position,
                    bytes(32),
                )

        return await measured_drive(args, None, register)
    finally:
        await pool.close()


def print_rates(
    args: argparse.Namespace,
    unit: str,
    yidi: tuple[int, list[float]],
    raw: tuple[int, list[float]],
) -> None:
    """Both sides' throughput and latency, as every write benchmark prints them."""
    print(
        f"{args.clients} clients, {args.seconds:.0f} s each side, "
        f"yidi serve --workers {args.workers}, durable commits"
    )
    for name, (n, lat) in (("yidi", yidi), ("raw", raw)):
        print(
            f"{name:>5}: {n / args.seconds:7.1f} {unit}/s  p50 {percentile(lat, 0.5):6.1f}"
            f" ms  p99 {percentile(lat, 0.99):6.1f} ms"
        )
    for name, (n, _) in (("yidi", yidi), ("raw", raw)):
        spent = {part: seconds for part, seconds in args.cpu[name].items() if seconds}
        per = ", ".join(f"{part} {s / max(n, 1) * 1000:.2f}" for part, s in spent.items())
        print(f"{name:>5}: CPU ms (user + sys) per request: {per}")


def throughput_parser(doc: str | None) -> argparse.ArgumentParser:
    """The options every write benchmark takes."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--profile", help="write py-spy's collapsed stacks of yidi here")
    parser.set_defaults(cpu={})
    return parser


async def gapless(dsn: str, year: int) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        numbers = await connection.fetch(
            "SELECT split_part(number, '-', 3)::int AS n FROM cases"
            " WHERE number LIKE $1 ORDER BY n",
            f"990100-{year}-%",
        )
    finally:
        await connection.close()
    values = [r["n"] for r in numbers]
    intact = values == list(range(1, len(values) + 1))
    return f"{len(values)} numbers of {year}, {'gapless' if intact else 'WITH GAPS'}"


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="yidi-bench-register-") as tmp:
        data_dir = args.data_dir = Path(tmp) / "data"
        server, address = serve_yidi(
            data_dir, Path(tmp) / "serve.log", "--workers", str(args.workers)
        )
        try:
            base = f"http://{address}"
            await ready(address)
            dsn = asyncpg_dsn(async_url(embedded_server(data_dir).get_uri(), "yidi"))
            this_year = time.gmtime().tm_year
            count, latencies = await yidi_side(args, base, server.pid)
            raw_count, raw_latencies = await raw_side(args, dsn)
            print_rates(args, "cases", (count, latencies), (raw_count, raw_latencies))
            print(f" yidi: {await gapless(dsn, this_year)}")
            print(f"  raw: {await gapless(dsn, RAW_YEAR)}")
            print(f"register/raw ratio: {raw_count / max(count, 1):.2f}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            stop_postgres(data_dir)  # if the server has not already


if __name__ == "__main__":
    asyncio.run(main(throughput_parser(__doc__).parse_args()))
