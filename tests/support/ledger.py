"""民声登记簿 files for the ledger import's tests (docs/IMPORT.md), written with XlsxWriter as a
clerk's Excel would save them."""

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import xlsxwriter

# The default layout's headers, in a clerk's order (full-width brackets, as typed).
HEADER = [
    "登记编号",
    "登记时间",
    "反映人",
    "联系电话",
    "所属镇（街道）",
    "所属村（社区）",
    "单位编码",
    "事项类别",
    "标题",
    "诉求内容",
    "办理状态",
    "办理结果",
    "办结时间",
]


def row(number: str, **cells: Any) -> list[Any]:
    """A row of the default layout: a 东湖村 matter registered on 2025-03-08, still open,
    with `cells` (by header) replacing the defaults."""
    base: dict[str, Any] = {
        "登记编号": number,
        "登记时间": datetime(2025, 3, 8, 9, 30),
        "反映人": "王某某",
        "联系电话": "13900001234",
        "所属镇（街道）": "东湖镇",
        "所属村（社区）": "东湖村",
        "单位编码": "",
        "事项类别": "邻里纠纷",
        "标题": "邻居加盖房屋遮挡采光",
        "诉求内容": "反映邻居加盖二层，遮挡自家采光。",
        "办理状态": "待办",
        "办理结果": "",
        "办结时间": "",
    }
    base.update(cells)
    return [base[h] for h in HEADER]


def workbook(
    rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, *, title: str | None = None
) -> bytes:
    """An .xlsx: an optional merged title row, the header, the rows (dates as Excel dates)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("民声登记簿")
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    first = 0
    if title is not None:
        sheet.merge_range(0, 0, 0, len(header) - 1, title)
        first = 1
    sheet.write_row(first, 0, list(header))
    for r, cells in enumerate(rows, start=first + 1):
        for c, value in enumerate(cells):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, when)
            else:
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()
