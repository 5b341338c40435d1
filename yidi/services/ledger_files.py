"""Reading a register's file into a `Sheet`: .xlsx (or .xls, .ods) with python-calamine,
or CSV (UTF-8, with or without its byte-order mark, or GB18030 as Chinese Excel saves it).

The first sheet of a workbook is read; the header row is the mapping's, or found among
the first rows (`domain/ledger.find_header_row`). Row numbers are the spreadsheet's own,
as a clerk sees them.
"""

import asyncio
import csv
import io
from collections.abc import Sequence

from python_calamine import CalamineError, CalamineWorkbook

from yidi.authz.actor import Actor
from yidi.domain.errors import BadInput
from yidi.domain.ledger_layout import Cell, Layout, find_header_row
from yidi.services.ledger_import import Progress, Report, Sheet, import_ledger
from yidi.services.unit_of_work import UnitOfWork

_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


def read_sheet(data: bytes, layout: Layout) -> Sheet:
    """The register in `data`; BadInput on `file` when it is no spreadsheet."""
    if not data:
        raise BadInput("file", "The file is empty.")
    cells = _workbook_rows(data) if data[:4] in (_ZIP, _OLE) else _csv_rows(data)
    header_row = find_header_row(layout, cells)
    if header_row > len(cells):
        raise BadInput("file", f"The file has no row {header_row} to read headers from.")
    rows = [(n, row) for n, row in enumerate(cells[header_row:], start=header_row + 1)]
    return Sheet(cells[header_row - 1], header_row, rows)


def _workbook_rows(data: bytes) -> list[Sequence[Cell]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        # From A1 whatever the first filled cell, so row numbers are the spreadsheet's.
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise BadInput("file", f"The workbook cannot be read: {type(exc).__name__}.") from None
    return list(rows)


def _csv_rows(data: bytes) -> list[Sequence[Cell]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadInput("file", "The file is neither a workbook nor CSV text.")
    if "\x00" in text:
        raise BadInput("file", "The file is neither a workbook nor CSV text.")
    return list(csv.reader(io.StringIO(text, newline="")))


async def import_file(
    uow: UnitOfWork,
    data: bytes,
    county_code: str,
    layout: Layout,
    *,
    actor: Actor | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Read the file (outside any transaction), then check and write it in one unit of work:
    the one path of the CLI and the upload endpoint."""
    sheet = await asyncio.to_thread(read_sheet, data, layout)  # off the event loop
    if progress is not None:
        progress("read", len(sheet.rows))
    async with uow.begin(actor) as work:
        return await import_ledger(
            work, county_code, sheet, layout, dry_run=dry_run, progress=progress
        )


def report_lines(report: Report, *, limit: int) -> list[str]:
    """The report as lines of text (the CLI's output): at most `limit` errors, and the count."""
    if not report.ok:
        lines = [f"row {e.row}, {e.column}: {e.why}" for e in report.errors[:limit]]
        if len(report.errors) > limit:
            lines.append(f"... and {len(report.errors) - limit} more")
        rows = len({e.row for e in report.errors})
        lines.append(f"{len(report.errors)} errors in {rows} rows; nothing was written")
        return lines
    lines = [
        f"row {c.row}, {c.external_number}: changed since it was imported as case "
        f"{c.case_number}; not overwritten"
        for c in report.changed
    ]
    verb = "would import" if report.dry_run else "imported"
    lines.append(
        f"{verb} {report.imported} cases into county {report.county} "
        f"({report.unchanged} already imported, {len(report.changed)} changed since)"
        + ("; dry run, nothing was written" if report.dry_run else "")
    )
    return lines
