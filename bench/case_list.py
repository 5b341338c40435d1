"""Benchmark: a nested page of 50 cases for three callers, yidi against a hand-written endpoint.

    python bench/case_list.py --cases 1000000 [--data-dir D] [--runs 30] [--no-total]
        [--postgraphile]

Builds a synthetic county (`yidi seed --synthetic --cases N`) in the data directory's
embedded PostgreSQL, or reuses it when it already holds one of N cases. On that database,
in one run, it starts

- (a) `yidi serve --demo` (uvicorn, a real socket) and asks it the bench query below
  through GraphQL over HTTP, and
- (b) bench/raw_case_list.py (Starlette, asyncpg, one hand-written statement) answering
  the same JSON for the same caller and scope,

checks that both answer the same page (numbers, names, masked phones, allowedActions,
events, totalCount), then times `--runs` requests of each, after three warm-up requests,
for the county's leader, a township's leader and a village's handler. Prints p50 and p99
per caller and side, each server process's CPU per request (robust to a busy machine),
the ratio of p50s, and as its last line `cases/raw ratio: X.XX` (the
worst caller's ratio). `--no-total` drops `totalCount` from both sides' question;
`--profile FILE` writes py-spy's collapsed stacks of the yidi server over the whole run
(idle time is not sampled, so the raw side's turns leave no trace; py-spy on PATH).
`--postgraphile` also times PostGraphile (v4, installed from npm on first use) on the
county leader's page, printed beside the raw figure before the last line
(bench/postgraphile_peer.py says what it does and does not answer).
"""

import argparse
import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import postgraphile_peer
import psutil
from harness import (
    SYNTHETIC_CODE,
    SYNTHETIC_PASSWORD,
    graphql,
    in_data_dir,
    percentile,
    ready,
    serve_yidi,
    start,
    synthetic_county,
)

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
QUERY = """query($after: String) { cases(first: 50, after: $after) { TOTAL
  pageInfo { endCursor } edges { node { number title status handlingUnit { name }
  locationUnit { name } category { name } assignee { username } reporter { phone }
  allowedActions events(first: 3) { totalCount edges { node { type } } } } } } }"""
# A township with villages and one of its villages: the first of each by code.
PLACES = """
SELECT t.code, v.code FROM units t JOIN units v ON v.parent_id = t.id
WHERE t.county_id = (SELECT id FROM units WHERE code = $1) AND t.level = 'TOWNSHIP'
  AND v.level = 'VILLAGE'
ORDER BY t.code, v.code LIMIT 1
"""


async def timed(runs: int, call: Any, pid: int) -> tuple[list[float], float]:
    """Seconds of each of `runs` calls after three warm-ups, and the CPU seconds per call
    the server process `pid` spent on them (what its own code costs, whatever else the
    machine is doing)."""
    for _ in range(3):
        await call()
    seconds = []
    cpu = cpu_seconds(pid)
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - began)
    return seconds, (cpu_seconds(pid) - cpu) / runs


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def comparable(page: dict[str, Any]) -> dict[str, Any]:
    """The page without its cursor, which each side encodes its own way."""
    return {k: v for k, v in page["cases"].items() if k != "pageInfo"}


async def measure(args: argparse.Namespace, data_dir: Path, logs: Path) -> None:
    dsn = await synthetic_county(data_dir, args.cases)
    connection = await asyncpg.connect(dsn)
    township, village = await connection.fetchrow(PLACES, SYNTHETIC_CODE)
    # Reruns log the same users in from the same address: start each run unthrottled.
    await connection.execute("DELETE FROM login_failures")
    county = await connection.fetchval("SELECT id FROM units WHERE code = $1", SYNTHETIC_CODE)
    await connection.close()
    callers = (f"{SYNTHETIC_CODE}.leader", f"{township}.leader", f"{village}.handler")
    query = QUERY.replace("TOTAL", "" if args.no_total else "totalCount")
    yidi, yidi_address = serve_yidi(data_dir, logs / "serve.log")
    raw, raw_address = start(
        [sys.executable, str(Path(__file__).with_name("raw_case_list.py")), "--database-url", dsn],
        logs / "raw.log",
    )
    peer = None
    if args.postgraphile:
        peer = postgraphile_peer.start_postgraphile(dsn, logs / "postgraphile.log")
    spy = None
    if args.profile:
        command = ["py-spy", "record", "--pid", str(yidi.pid), "--rate", "500"]
        spy = subprocess.Popen([*command, "--format", "raw", "--output", args.profile])
    rows = []
    compared = None
    try:
        await ready(yidi_address)
        await ready(raw_address, "/cases")
        if peer is not None:
            await ready(peer[1], "/graphql")
        async with (
            httpx.AsyncClient(base_url=f"http://{yidi_address}", timeout=120) as ours,
            httpx.AsyncClient(base_url=f"http://{raw_address}", timeout=120) as theirs,
        ):
            for user in callers:
                login = await graphql(ours, LOGIN, {"u": user, "p": SYNTHETIC_PASSWORD}, None)
                token = login["login"]["token"]
                question = {"user": user, "after": None, "totalCount": not args.no_total}

                async def via_yidi(token: str = token) -> dict[str, Any]:
                    return await graphql(ours, query, {"after": None}, token)

                async def via_raw(question: dict[str, Any] = question) -> dict[str, Any]:
                    body: dict[str, Any] = (await theirs.post("/cases", json=question)).json()
                    return body["data"]

                answer, baseline = await via_yidi(), await via_raw()
                if comparable(answer) != comparable(baseline):
                    raise SystemExit(f"yidi and the raw endpoint disagree for {user}")
                visible = answer["cases"].get("totalCount", "-")
                ours_s, ours_cpu = await timed(args.runs, via_yidi, yidi.pid)
                raw_s, raw_cpu = await timed(args.runs, via_raw, raw.pid)
                rows.append((user, visible, ours_s, raw_s, ours_cpu, raw_cpu))
                if peer is not None and user == callers[0]:
                    compared = await timed_peer(args, peer, county, baseline)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        for process in (yidi, raw, *([peer[0]] if peer else [])):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    print(f"{args.cases} cases; page of 50 with totalCount={'no' if args.no_total else 'yes'}")
    worst = 0.0
    for user, visible, ours_s, raw_s, ours_cpu, raw_cpu in rows:
        ratio = percentile(ours_s, 0.5) / percentile(raw_s, 0.5)
        worst = max(worst, ratio)
        print(
            f"{user:22} visible={visible!s:>8}  yidi p50 {percentile(ours_s, 0.5):6.1f} ms"
            f" p99 {percentile(ours_s, 0.99):6.1f} ms cpu {ours_cpu * 1000:5.1f} ms"
            f" | raw p50 {percentile(raw_s, 0.5):6.1f} ms p99 {percentile(raw_s, 0.99):6.1f} ms"
            f" cpu {raw_cpu * 1000:5.1f} ms | ratio {ratio:5.2f}"
        )
    if compared is not None:
        peer_s, peer_cpu = compared
        raw_s = rows[0][3]
        print(
            f"{'postgraphile':22} county leader's page, no authorization: p50"
            f" {percentile(peer_s, 0.5):6.1f} ms p99 {percentile(peer_s, 0.99):6.1f} ms"
            f" cpu {peer_cpu * 1000:5.1f} ms | peer/raw ratio"
            f" {percentile(peer_s, 0.5) / percentile(raw_s, 0.5):5.2f}"
        )
    print(f"cases/raw ratio: {worst:.2f}")


async def timed_peer(
    args: argparse.Namespace,
    peer: tuple[subprocess.Popen[bytes], str],
    county: int,
    baseline: dict[str, Any],
) -> tuple[list[float], float]:
    """PostGraphile's answer to the county leader's page (bench/postgraphile_peer.py),
    checked to be the raw endpoint's page of cases, timed as the others are."""
    process, address = peer
    question = postgraphile_peer.query(total=not args.no_total)
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=120) as client:

        async def via_peer() -> dict[str, Any]:
            return await graphql(client, question, {"county": str(county)}, None)

        if postgraphile_peer.numbers(await via_peer()) != postgraphile_peer.numbers(baseline):
            raise SystemExit("PostGraphile and the raw endpoint disagree on the county's page")
        return await timed(args.runs, via_peer, process.pid)


async def main(args: argparse.Namespace) -> None:
    await in_data_dir(
        args.data_dir, "yidi-bench-cases-", lambda data, logs: measure(args, data, logs)
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", help="write py-spy's collapsed stacks of yidi here")
    parser.add_argument("--no-total", action="store_true", help="leave totalCount out")
    parser.add_argument(
        "--postgraphile", action="store_true", help="time PostGraphile on the county's page too"
    )
    parser.add_argument(
        "--data-dir", help="keep (and reuse) the synthetic database here instead of a temporary one"
    )
    asyncio.run(main(parser.parse_args()))
