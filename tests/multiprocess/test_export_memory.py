"""A 100,000-case ledger export stays in constant memory (docs/DASHBOARDS.md, "Export").

The memory measured is the resident set (RSS, by psutil) of a real `yidi serve` process,
sampled every 50 ms while it answers: that is what an operator sees and what would run a
server out of memory, allocations of C libraries (asyncpg, the zip compressor) included,
which tracemalloc would not see. The bound is the issue's: under 100 MB of growth over the
process's size before the export.
"""

import asyncio
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.servers import serving
from yidi.database.engine import make_engine, make_session_factory
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.services.unit_of_work import UnitOfWork
from yidi.synthetic.county import PASSWORD, Options, seed

pytestmark = pytest.mark.slow

CASES = 100_000
LIMIT_BYTES = 100 * 1024 * 1024
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"


async def _seed(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1)
    try:
        uow = UnitOfWork(
            make_session_factory(engine),
            clock=lambda: datetime.now(UTC),
            calendar=bundled_calendar(),
            secret="",
        )
        options = Options(cases=CASES, townships=4, villages_per_township=5, years=1)
        await seed(uow, options, datetime.now(UTC), bundled_calendar())
    finally:
        await engine.dispose()


async def _peak_growth(process: psutil.Process, request: "asyncio.Task[httpx.Response]") -> int:
    before = process.memory_info().rss
    peak = before
    while not request.done():
        peak = max(peak, process.memory_info().rss)
        await asyncio.sleep(0.05)
    return peak - before


async def test_a_100k_case_export_stays_under_100_mb(database_url: str, tmp_path: Path) -> None:
    await _seed(database_url)
    async with serving(database_url, tmp_path) as server:
        process = psutil.Process(server.process.pid)
        async with httpx.AsyncClient(base_url=server.url, timeout=900) as client:
            answer = await client.post(
                "/graphql",
                json={"query": LOGIN, "variables": {"u": "990300.leader", "p": PASSWORD}},
            )
            headers = {"authorization": f"Bearer {answer.json()['data']['login']['token']}"}
            # Warm up: the export code paths loaded and the pool open before the baseline.
            warm = await client.get("/export/cases.csv?status=REDIRECTED", headers=headers)
            assert warm.status_code == 200

            task = asyncio.create_task(client.get("/export/cases.xlsx", headers=headers))
            xlsx_growth = await _peak_growth(process, task)
            workbook = task.result()
            assert workbook.status_code == 200
            sheet = zipfile.ZipFile(io.BytesIO(workbook.content)).read("xl/worksheets/sheet1.xml")
            # The header, then every case of the synthetic county (its leader sees them all).
            assert len(re.findall(rb"<row ", sheet)) == CASES + 1
            assert xlsx_growth < LIMIT_BYTES, (
                f"xlsx grew the server by {xlsx_growth / 2**20:.0f} MB"
            )

            task = asyncio.create_task(client.get("/export/cases.csv", headers=headers))
            growth = await _peak_growth(process, task)
            listed = task.result()
            assert listed.content.count(b"\n") == CASES + 1
            assert growth < LIMIT_BYTES, f"csv grew the server by {growth / 2**20:.0f} MB"
            print(f"RSS growth: xlsx {xlsx_growth / 2**20:.1f} MB, csv {growth / 2**20:.1f} MB")
