"""GET /export/unit-stats.{xlsx,csv} and /export/cases.{xlsx,csv} (docs/DASHBOARDS.md,
"Export"): the bearer token and the use cases of the GraphQL queries, answered as files.

Errors carry the contract's codes in a GraphQL-shaped JSON body (`errors[0].extensions`),
with the HTTP status a plain client expects: 400, 401, 403, 404.
"""

import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from yidi.domain.enums import CaseStatus, Channel, RiskLevel
from yidi.domain.errors import BadInput, DomainError
from yidi.http.refusals import refusal
from yidi.resolvers.context import AppState, Context
from yidi.resolvers.ids import pk_or_none
from yidi.resolvers.queries import CaseFilterArgs, to_query
from yidi.services import exports

log = logging.getLogger("yidi.exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# Excel opens a UTF-8 CSV as UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"


def _instant(request: Request, name: str, required: bool) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        if required:
            raise BadInput(name, f"{name} is required.")
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadInput(name, f"{name} is not a date-time.") from None
    if value.tzinfo is None:
        raise BadInput(name, f"{name} needs an offset (e.g. +08:00).")
    return value


def _values(request: Request, name: str, allowed: type[StrEnum]) -> list[str] | None:
    """A repeatable enum parameter (`status=CLOSED&status=RESOLVED`), checked as GraphQL
    checks its enums."""
    values = request.query_params.getlist(name)
    for value in values:
        if value not in allowed.__members__:
            raise BadInput(name, f"{value!r} is not a {name}.")
    return values or None


def _case_filter(request: Request) -> CaseFilterArgs:
    """The `cases` query's filter, from query parameters of the same names."""
    q = request.query_params
    overdue = q.get("overdue")
    if overdue not in (None, "true", "false"):
        raise BadInput("overdue", "overdue is true or false.")
    return CaseFilterArgs(
        status=_values(request, "status", CaseStatus),
        risk_level=_values(request, "riskLevel", RiskLevel),
        channel=_values(request, "channel", Channel),
        category_id=q.get("categoryId"),
        unit_id=q.get("unitId"),
        overdue=None if overdue is None else overdue == "true",
        registered_from=_instant(request, "registeredFrom", required=False),
        registered_to=_instant(request, "registeredTo", required=False),
        search=q.get("search"),
    )


def _file(path: Path, media_type: str, name: str) -> Response:
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


def export_routes(state: AppState) -> list[Route]:
    def context(request: Request) -> Context:
        authorization = request.headers.get("authorization")
        return Context(app=state, request=request, response=None, authorization=authorization)

    def endpoint(
        handler: Callable[[Context, Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def respond(request: Request) -> Response:
            ctx = context(request)
            try:
                return await handler(ctx, request)
            except DomainError as error:
                await ctx.close()
                return refusal(error)
            except BaseException:
                await ctx.close()
                raise

        return respond

    async def unit_stats(ctx: Context, request: Request, kind: str) -> Response:
        try:
            actor, enforcer = await ctx.actor(), await ctx.enforcer()
            unit_id = pk_or_none(request.query_params.get("unitId", ""), "Unit")
            start = _instant(request, "from", required=True)
            end = _instant(request, "to", required=True)
            assert start is not None
            assert end is not None
            found = await exports.unit_stats(
                await ctx.session(), enforcer, actor, unit_id, start, end, ctx.now()
            )
        finally:
            await ctx.close()
        name = f"unit-stats-{found.unit_stats.unit.code}"
        if kind == "csv":
            return Response(
                BOM + exports.stats_csv(found),
                media_type=CSV,
                headers={"content-disposition": f'attachment; filename="{name}.csv"'},
            )
        path = _temporary(".xlsx")
        exports.stats_xlsx(found, path)
        return _file(path, XLSX, f"{name}.xlsx")

    async def cases_xlsx(ctx: Context, request: Request) -> Response:
        path = _temporary(".xlsx")
        try:
            actor, enforcer = await ctx.actor(), await ctx.enforcer()
            query = to_query(_case_filter(request))
            pages = exports.ledger(await ctx.session(), enforcer, actor, query, ctx.now())
            await exports.ledger_xlsx(pages, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        finally:
            await ctx.close()
        return _file(path, XLSX, "cases.xlsx")

    async def cases_csv(ctx: Context, request: Request) -> Response:
        # Authorization and filters are checked before the first byte is sent.
        actor, enforcer = await ctx.actor(), await ctx.enforcer()
        query = to_query(_case_filter(request))

        async def body() -> AsyncIterator[str]:
            try:
                yield BOM + exports.csv_lines([exports.LEDGER_HEADER])
                pages = exports.ledger(await ctx.session(), enforcer, actor, query, ctx.now())
                async for rows in pages:
                    yield exports.csv_lines(rows)
            finally:
                await ctx.close()

        return StreamingResponse(
            body(),
            media_type=CSV,
            headers={"content-disposition": 'attachment; filename="cases.csv"'},
        )

    return [
        Route("/export/unit-stats.xlsx", endpoint(lambda c, r: unit_stats(c, r, "xlsx"))),
        Route("/export/unit-stats.csv", endpoint(lambda c, r: unit_stats(c, r, "csv"))),
        Route("/export/cases.xlsx", endpoint(cases_xlsx)),
        Route("/export/cases.csv", endpoint(cases_csv)),
    ]


def _temporary(suffix: str) -> Path:
    """A file of our own to write a workbook into; removed once it has been sent."""
    descriptor, name = tempfile.mkstemp(prefix="yidi-export-", suffix=suffix)
    os.close(descriptor)
    return Path(name)
