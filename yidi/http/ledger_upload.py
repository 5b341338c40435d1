"""POST /import/ledger (docs/IMPORT.md): a county ADMIN uploads a 民声登记簿; the same check
and the same use case as `yidi import ledger`, answered as JSON.

Multipart fields: `file` (the register), `county` (its code: the caller's own county),
optional `mapping` (a TOML mapping, as a file or text) and `dryRun` (`true`). A register
with row errors is 422 with the errors beside the contract error; a request that cannot
be read (no file, a bad mapping, no spreadsheet) is 400; the body's size is bounded by the
upload limits of `http/body_limits.py`, the file by `max_upload_bytes`.
"""

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yidi.domain.errors import BadInput, DomainError
from yidi.domain.ledger_layout import Layout, MappingError, parse_mapping
from yidi.http.refusals import refusal
from yidi.resolvers.context import AppState, Context
from yidi.services.ledger_files import import_file
from yidi.services.ledger_import import Report

LEDGER_PATH = "/import/ledger"
# Row errors answered at most; the count says how many there were.
ERRORS_SHOWN = 200


def ledger_routes(state: AppState) -> list[Route]:
    async def upload(request: Request) -> JSONResponse:
        ctx = Context(
            app=state,
            request=request,
            response=None,
            authorization=request.headers.get("authorization"),
        )
        try:
            actor = await ctx.actor()
        except DomainError as error:
            return refusal(error)
        finally:
            await ctx.close()
        try:
            async with request.form(max_files=2, max_fields=4) as form:
                data, county, layout, dry_run = await _read(form, state.settings.max_upload_bytes)
            report = await import_file(
                state.uow, data, county, layout, actor=actor, dry_run=dry_run
            )
        except DomainError as error:
            return refusal(error)
        if not report.ok:
            rows = len({e.row for e in report.errors})
            rejected = BadInput(
                "file", f"{len(report.errors)} errors in {rows} rows; nothing was written."
            )
            return refusal(rejected, status=422, details=_row_errors(report))
        return JSONResponse(_summary(report))

    return [Route(LEDGER_PATH, upload, methods=["POST"])]


async def _read(form: Any, limit: int) -> tuple[bytes, str, Layout, bool]:
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise BadInput("file", "Send the register as the multipart field `file`.")
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise BadInput("file", f"The file is larger than {limit} bytes; import it with the CLI.")
    county = form.get("county")
    if not isinstance(county, str) or not county.strip():
        raise BadInput("county", "county (the county's code) is required.")
    mapping = form.get("mapping")
    if isinstance(mapping, UploadFile):
        mapping = (await mapping.read(limit)).decode("utf-8", errors="replace")
    try:
        layout = parse_mapping(mapping) if mapping else Layout()
    except MappingError as exc:
        raise BadInput("mapping", str(exc)) from None
    dry_run = form.get("dryRun")
    if dry_run not in (None, "true", "false"):
        raise BadInput("dryRun", "dryRun is true or false.")
    return data, county.strip(), layout, dry_run == "true"


def _row_errors(report: Report) -> dict[str, Any]:
    shown = report.errors[:ERRORS_SHOWN]
    return {
        "rowErrors": [{"row": e.row, "column": e.column, "why": e.why} for e in shown],
        "rowErrorCount": len(report.errors),
    }


def _summary(report: Report) -> dict[str, Any]:
    return {
        "county": report.county,
        "dryRun": report.dry_run,
        "rows": report.rows,
        "imported": report.imported,
        "unchanged": report.unchanged,
        "changed": [
            {"row": c.row, "externalNumber": c.external_number, "caseNumber": c.case_number}
            for c in report.changed
        ],
    }
