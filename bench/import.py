"""Benchmark: importing a 民声登记簿 of N rows (docs/IMPORT.md, "Figures").

    python bench/import.py --rows 100000 [--data-dir D] [--reader calamine|openpyxl]

Generates a register in the default layout with XlsxWriter (rows spread over the demo
county's townships and villages and four categories; a quarter open, a quarter in progress,
a quarter resolved, a quarter closed; registered over 2023-2025), on a fresh embedded
database (a temporary data directory unless --data-dir) migrated and loaded with the demo
data. Then times, in one process, what `yidi import ledger` does: read the workbook, check
every row, write the cases (one transaction, committed), and the total; prints rows/s of
each. With `--reader openpyxl` it also times reading the same file with openpyxl (the
alternative reader), for the README's choice. Ends by checking that `audit verify` holds.
"""

import argparse
import asyncio
import io
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

from yidi.config import Settings
from yidi.database.embedded_tenancy import stop_postgres
from yidi.database.engine import make_engine, make_session_factory
from yidi.database.migrations import upgrade
from yidi.database.url import resolve_database_url
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.demo import load_demo
from yidi.domain.ledger_layout import DEFAULT_COLUMNS, Layout
from yidi.http.app import utc_now
from yidi.services.audit import verify_trails
from yidi.services.ledger_files import read_sheet
from yidi.services.ledger_import import check, write
from yidi.services.unit_of_work import UnitOfWork

COUNTY = "990100"
PLACES = [("东湖镇", v) for v in ("东湖村", "柳林村", "湖滨社区")] + [
    ("西岭镇", v) for v in ("西岭村", "石桥村", "岭南村")
]
CATEGORIES = [
    ("邻里纠纷", "邻居加盖房屋遮挡采光"),
    ("劳资纠纷", "工地拖欠农民工工资"),
    ("道路设施", "村道路面塌陷需修复"),
    ("政策咨询", "咨询医保缴费政策"),
]
STATES = ["待办", "办理中", "已办结", "已结案"]
SECRET = "bench-import-secret-" + "x" * 20


def ledger(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    headers = list(DEFAULT_COLUMNS)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("民声登记簿")
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, headers)
    start = datetime(2023, 1, 1, 8)
    for r in range(1, rows + 1):
        township, village = rng.choice(PLACES)
        category, title = rng.choice(CATEGORIES)
        state = STATES[r % 4]
        registered = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        done = state in ("已办结", "已结案")
        cells = {
            "登记编号": f"QS-{r:07d}",
            "反映人": "王某某",
            "联系电话": f"139{rng.randrange(10**8):08d}",
            "所属镇(街道)": township,
            "所属村(社区)": village,
            "事项类别": category,
            "标题": title,
            "诉求内容": f"{title}，请求协调解决。",
            "办理状态": state,
            "办理结果": "经协调已处理完毕。" if done else "",
        }
        for c, header in enumerate(headers):
            if header == "登记时间":
                sheet.write_datetime(r, c, registered, when)
            elif header == "办结时间" and done:
                sheet.write_datetime(r, c, registered + timedelta(days=5), when)
            else:
                sheet.write(r, c, cells.get(header, ""))
    book.close()
    return out.getvalue()


def openpyxl_seconds(data: bytes) -> float:
    import openpyxl

    began = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for _ in book.worksheets[0].iter_rows(values_only=True):
        pass
    return time.perf_counter() - began


def prepare(data_dir: Path) -> str:
    """The data directory's database, started and migrated (outside any event loop)."""
    url = resolve_database_url(Settings(data_dir=data_dir, secret_key=SECRET))  # type: ignore[call-arg]
    upgrade(url)
    return url


async def run(args: argparse.Namespace, url: str) -> None:
    engine = make_engine(url, pool_size=2)
    try:
        uow = UnitOfWork(
            make_session_factory(engine), clock=utc_now, calendar=bundled_calendar(), secret=SECRET
        )
        await load_demo(uow, utc_now())
        began = time.perf_counter()
        data = ledger(args.rows)
        print(f"generated {args.rows} rows ({len(data) / 1e6:.1f} MB) in "
              f"{time.perf_counter() - began:.1f} s")  # fmt: skip
        layout = Layout()
        t0 = time.perf_counter()
        sheet = read_sheet(data, layout)
        t1 = time.perf_counter()
        async with uow.begin() as work:
            plan = await check(work, COUNTY, sheet, layout)
            assert plan.report.ok, plan.report.errors[:5]
            t2 = time.perf_counter()
            await write(work, plan)
        t3 = time.perf_counter()
        n = args.rows
        for stage, seconds in (("read", t1 - t0), ("check", t2 - t1), ("write", t3 - t2),
                               ("total", t3 - t0)):  # fmt: skip
            print(f"{stage:>6}: {seconds:6.2f} s  {n / seconds:10,.0f} rows/s")
        if args.reader == "openpyxl":
            seconds = openpyxl_seconds(data)
            print(f"openpyxl read: {seconds:6.2f} s  {n / seconds:10,.0f} rows/s")
        async with uow.read() as session:
            audit = await verify_trails(session, COUNTY)
        print(f"audit verify: {'intact' if audit.broken is None else 'BROKEN'}, "
              f"{audit.cases} cases, {audit.events} events")  # fmt: skip
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, help="a fresh one is made and removed otherwise")
    parser.add_argument("--reader", choices=("calamine", "openpyxl"), default="calamine")
    args = parser.parse_args()
    if args.data_dir is not None:
        asyncio.run(run(args, prepare(args.data_dir)))
        return
    with tempfile.TemporaryDirectory(prefix="yidi-bench-import-") as directory:
        try:
            asyncio.run(run(args, prepare(Path(directory))))
        finally:
            stop_postgres(Path(directory))


if __name__ == "__main__":
    main()
