"""Excel and CSV exports (docs/DASHBOARDS.md, "Export"): a unit's figures with one row per
child unit and native charts, and the case ledger (民声登记簿).

Nothing is decided here: the figures come from the dashboard use cases (VIEW_STATS, the
same window rules), the ledger from the `cases` list use case (the VIEW scope in SQL, the
same filters) a page at a time, and personal data is masked by `reading.reporter_view`,
exactly as the API masks it. Workbooks are written by XlsxWriter; the ledger in its
constant-memory mode (each row flushed to disk as it is written), so memory does not grow
with the number of cases.
"""

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.calendar import SHANGHAI
from yidi.domain.dashboards import Figures
from yidi.domain.enums import Interval
from yidi.persistence import cases as case_store
from yidi.persistence.session import Session
from yidi.persistence.units import categories_by_ids, units_by_ids
from yidi.services import dashboards, reading

PAGE = 1000  # cases read per statement while exporting the ledger
STATS_HEADER = [
    "单位", "代码", "受理", "办结", "结案", "逾期", "上报",
    "办结率", "按时办结率", "满意率", "平均办结时长(小时)",
]  # fmt: skip
TREND_HEADER = ["日期", "受理", "办结"]
LEDGER_HEADER = [
    "编号", "登记时间", "状态", "风险等级", "来源渠道", "类别", "属地", "承办单位",
    "标题", "反映人", "联系电话",
]  # fmt: skip


@dataclass(frozen=True)
class StatsExport:
    unit_stats: dashboards.UnitFigures
    interval: Interval
    trend: list[dashboards.TrendPoint]


def trend_interval(start: datetime, end: datetime) -> Interval:
    """Days for up to a quarter, weeks up to two years, months beyond."""
    span = end - start
    if span <= timedelta(days=92):
        return Interval.DAY
    return Interval.WEEK if span <= timedelta(days=731) else Interval.MONTH


async def unit_stats(
    session: Session,
    enforcer: CountyEnforcer,
    actor: Actor,
    unit_id: int | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> StatsExport:
    """What `unitStats` and `caseTrend` answer for the unit and window."""
    figures = await dashboards.unit_stats(session, enforcer, actor, unit_id, start, end, now)
    interval = trend_interval(start, end)
    trend = await dashboards.case_trend(session, enforcer, actor, unit_id, start, end, interval)
    return StatsExport(figures, interval, trend)


def _rate(value: float | None) -> float | str:
    return "" if value is None else value


def _figure_row(name: str, code: str, f: Figures) -> list[object]:
    hours = f.average_resolution_hours
    return [
        name, code, f.received, f.resolved, f.closed, f.overdue, f.escalated,
        _rate(f.resolution_rate), _rate(f.on_time_rate), _rate(f.satisfaction_rate),
        "" if hours is None else round(hours, 2),
    ]  # fmt: skip


def stats_rows(export: StatsExport) -> list[list[object]]:
    """The unit's row, then one per child unit (every child, as `children` lists them)."""
    top = export.unit_stats
    rows = [_figure_row(top.unit.name, top.unit.code, top.figures)]
    rows += [_figure_row(c.unit.name, c.unit.code, c.figures) for c in top.children]
    return rows


def stats_csv(export: StatsExport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(STATS_HEADER)
    writer.writerows(stats_rows(export))
    writer.writerow([])
    writer.writerow(TREND_HEADER)
    for p in export.trend:
        writer.writerow([p.start.date().isoformat(), p.received, p.resolved])
    return out.getvalue()


def stats_xlsx(export: StatsExport, path: Path) -> None:
    """Sheet 指标: the figures and a column chart of resolution rate by child unit; sheet
    趋势: the trend and a line chart of received and resolved cases."""
    # Imported when a workbook is written, not with the module: importing XlsxWriter at
    # start-up made `yidi serve --workers N`'s spawned workers miss uvicorn's 5 s liveness
    # ping on the loaded test machine (tests/multiprocess/test_workers.py), and be killed.
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as book:
        bold = book.add_format({"bold": True})
        percent = book.add_format({"num_format": "0.0%"})
        sheet = book.add_worksheet("指标")
        sheet.write_row(0, 0, STATS_HEADER, bold)
        rows = stats_rows(export)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
        sheet.set_column(7, 9, 12, percent)
        sheet.set_column(0, 0, 16)
        if len(rows) > 1:  # a chart of the children, when there are any
            chart = book.add_chart({"type": "column"})
            chart.add_series(
                {
                    "name": "办结率",
                    "categories": ["指标", 2, 0, len(rows), 0],
                    "values": ["指标", 2, 7, len(rows), 7],
                }
            )
            chart.set_title({"name": f"{export.unit_stats.unit.name} 各下级单位办结率"})
            chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
            sheet.insert_chart(len(rows) + 2, 0, chart)
        trend = book.add_worksheet("趋势")
        trend.write_row(0, 0, TREND_HEADER, bold)
        for r, p in enumerate(export.trend, start=1):
            trend.write_row(r, 0, [p.start.date().isoformat(), p.received, p.resolved])
        line = book.add_chart({"type": "line"})
        for column, name in ((1, "受理"), (2, "办结")):
            line.add_series(
                {
                    "name": name,
                    "categories": ["趋势", 1, 0, len(export.trend), 0],
                    "values": ["趋势", 1, column, len(export.trend), column],
                }
            )
        line.set_title({"name": f"{export.unit_stats.unit.name} 受理与办结趋势"})
        trend.insert_chart(1, 4, line, {"x_scale": 2, "y_scale": 1.5})


async def ledger(
    session: Session,
    enforcer: CountyEnforcer,
    actor: Actor,
    query: case_store.CaseQuery,
    now: datetime,
) -> AsyncIterator[list[list[object]]]:
    """The cases the actor may view under the filter, oldest first, a page at a time, as
    ledger rows with personal data masked as the API masks it."""
    after: tuple[object, int] | None = None
    while True:
        found = await reading.list_cases(
            session, enforcer, actor, query,
            order_field="REGISTERED_AT", descending=False, first=PAGE, after=after, now=now,
        )  # fmt: skip
        cases = found.page.cases
        if not cases:
            return
        units = await units_by_ids(
            session, list({i for c in cases for i in (c.location_unit_id, c.handling_unit_id)})
        )
        categories = await categories_by_ids(session, list({c.category_id for c in cases}))
        rows: list[list[object]] = []
        for c in cases:
            reporter = reading.reporter_view(enforcer, actor, c)
            rows.append(
                [
                    c.number,
                    c.registered_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                    c.status,
                    c.risk_level,
                    c.channel,
                    categories[c.category_id].name,
                    units[c.location_unit_id].name,
                    units[c.handling_unit_id].name,
                    c.title,
                    reporter.name or "",
                    reporter.phone or "",
                ]
            )
        session.expunge_all()  # constant memory: the page's rows are not kept
        yield rows
        if not found.page.has_next:
            return
        after = (cases[-1].registered_at, cases[-1].id)


def csv_lines(rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


async def ledger_xlsx(pages: AsyncIterator[list[list[object]]], path: Path) -> int:
    """Write the ledger to `path` in constant memory; the number of cases written."""
    import xlsxwriter  # imported late: see stats_xlsx

    count = 0
    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("民声登记簿")
        sheet.write_row(0, 0, LEDGER_HEADER, book.add_format({"bold": True}))
        async for rows in pages:
            for row in rows:
                count += 1
                sheet.write_row(count, 0, row)
    return count
