"""The ASGI application: /graphql (POST, GET for queries), /healthz, /readyz, GraphiQL assets."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from yidi.config import Settings
from yidi.database.engine import connections_in_use, make_engine, make_session_factory
from yidi.deadlines.calendar_data import bundled_calendar
from yidi.deadlines.sweeper import run_sweeper
from yidi.http.body_limits import BodyLimits
from yidi.http.case_files import case_file_routes
from yidi.http.exports import export_routes
from yidi.http.graphiql import STATIC_PREFIX, graphiql_html, static_app
from yidi.http.hotline import callback_client, callback_poster, hotline_routes
from yidi.http.ledger_upload import ledger_routes
from yidi.http.live_socket import LiveSocketHandler
from yidi.http.loop_watch import LoopWatch
from yidi.http.observability import Metrics, Observe
from yidi.http.open311 import open311_routes
from yidi.http.security_headers import html_response
from yidi.http.server import tune_garbage_collector
from yidi.http.strict_view import StrictHTTP
from yidi.live.hub import LiveEvents
from yidi.persistence.health import database_answers
from yidi.policies.watcher import watch_policies
from yidi.resolvers.context import AppState, Context
from yidi.schema.build import build_schema
from yidi.services.hotline_delivery import run_callback_delivery
from yidi.services.housekeeping import run_housekeeping
from yidi.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class YidiGraphQL(StrictHTTP, GraphQL[Context, None]):
    """strawberry's ASGI view with our typed context, an offline GraphiQL, the
    GraphQL-over-HTTP rules and limits of StrictHTTP, and live updates over
    graphql-transport-ws only (the legacy graphql-ws protocol is refused)."""

    graphql_transport_ws_handler_class = LiveSocketHandler

    def __init__(self, state: AppState) -> None:
        super().__init__(
            build_schema(state.settings),
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Evidence uploads (the GraphQL multipart request spec); StrictHTTP admits a
            # multipart request only with a bearer token.
            multipart_uploads_enabled=True,
        )
        self.state = state
        self.settings = state.settings

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
        return html_response(graphiql_html())


def app_from_environment() -> Starlette:
    """The app of one worker of `yidi serve --workers N`: all settings from YIDI_*, the
    database already resolved and migrated by the parent process."""
    settings = Settings()
    if not settings.database_url:
        raise RuntimeError("YIDI_DATABASE_URL must name the database")
    app = create_app(settings, settings.database_url)
    tune_garbage_collector()
    return app


def create_app(
    settings: Settings, database_url: str, *, clock: Callable[[], datetime] = utc_now
) -> Starlette:
    engine = make_engine(database_url, pool_size=settings.database_pool_size)
    uow = UnitOfWork(
        make_session_factory(engine),
        clock=clock,
        calendar=bundled_calendar(),
        secret=settings.signing_key(),
    )
    live = LiveEvents(
        uow,
        buffer_size=settings.subscription_buffer,
        poll_seconds=settings.subscription_poll_seconds,
    )
    state = AppState(settings=settings, uow=uow, live=live)
    graphiql_html()  # fail at start-up, not in a browser, if an asset went missing
    graphql = YidiGraphQL(state)

    metrics = Metrics(
        pool_in_use=lambda: connections_in_use(engine), subscriptions=live.subscriber_count
    )
    uow.alone_outcome = metrics.wrote_alone

    loop_watch = LoopWatch()

    async def healthz(_: Request) -> Response:
        """Alive: the process answers, and its event loop is not stalled."""
        lag = loop_watch.lag()
        if lag > settings.max_loop_lag_seconds:
            body = {"status": "event loop lagging", "lagSeconds": round(lag, 3)}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            await database_answers(uow.sessions)
        except Exception:
            log.warning("readiness check failed", exc_info=True)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    client = callback_client()

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(loop_watch.run()),
            asyncio.create_task(watch_policies(uow)),
            asyncio.create_task(live.listen(database_url)),
        ]
        if settings.run_sweeper:
            sweeper = run_sweeper(uow, settings.sweep_interval_seconds, metrics.sweeper_ran)
            forget_after = timedelta(seconds=settings.login_forget_after_seconds)
            housekeeping = run_housekeeping(uow, forget_after, settings.sweep_interval_seconds)
            tasks += [asyncio.create_task(sweeper), asyncio.create_task(housekeeping)]
            callbacks = run_callback_delivery(
                uow,
                callback_poster(client),
                settings.hotline_poll_seconds,
                timedelta(seconds=settings.hotline_retry_base_seconds),
            )
            tasks.append(asyncio.create_task(callbacks))
        try:
            yield
        finally:
            await live.close()  # subscriptions complete before the tasks they need stop
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await client.aclose()
            await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *case_file_routes(state),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint),
            *hotline_routes(state),
            *open311_routes(state),
            *export_routes(state),
            *ledger_routes(state),
            Mount(STATIC_PREFIX, app=static_app()),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(Observe, metrics=metrics),
            Middleware(
                BodyLimits,
                max_bytes=settings.max_body_bytes,
                timeout_seconds=settings.body_timeout_seconds,
                upload_max_bytes=settings.max_upload_bytes,
                upload_timeout_seconds=settings.upload_timeout_seconds,
            ),
        ],
    )
    app.state.yidi = state
    app.state.engine = engine  # tests count the statements it runs
    return app
