"""The ASGI application: /graphql (POST, GET for queries), /healthz, /readyz, GraphiQL assets."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from yidi.authz.enforcer import PolicyRegistry
from yidi.calendar_data import bundled_calendar
from yidi.config import Settings
from yidi.domain.calendar import WorkingCalendar
from yidi.http.graphiql import STATIC_PREFIX, graphiql_html, static_app
from yidi.persistence.engine import make_engine, make_session_factory
from yidi.persistence.policies import rule_loader
from yidi.policy_watch import watch_policies
from yidi.resolvers.context import AppState, Context
from yidi.schema.build import build_schema
from yidi.sweeper import run_sweeper

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class YidiGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view with our typed context and an offline GraphiQL."""

    def __init__(self, state: AppState) -> None:
        super().__init__(build_schema(state.settings))
        self.state = state

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            app=self.state,
            request=request,
            response=response if isinstance(response, Response) else None,
            authorization=request.headers.get("authorization"),
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_html())


def create_app(
    settings: Settings, database_url: str, *, clock: Callable[[], datetime] = utc_now
) -> Starlette:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        registry=PolicyRegistry(rule_loader(sessions)),
        calendar=bundled_calendar(),
        clock=clock,
    )
    graphiql_html()  # fail at start-up, not in a browser, if an asset went missing
    graphql = YidiGraphQL(state)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            log.warning("readiness check failed", exc_info=True)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        def set_calendar(calendar: WorkingCalendar) -> None:
            state.calendar = calendar

        tasks = [asyncio.create_task(watch_policies(state.registry, sessions))]
        if settings.run_sweeper:
            tasks.append(
                asyncio.create_task(
                    run_sweeper(sessions, set_calendar, clock, settings.sweep_interval_seconds)
                )
            )
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount(STATIC_PREFIX, app=static_app()),
        ],
        lifespan=lifespan,
    )
    app.state.yidi = state
    return app
