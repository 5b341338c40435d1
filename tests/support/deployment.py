"""The application as tests run it: demo settings, started in-process on a database."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.database import template_copy
from tests.support.driver import Api, in_process
from tests.support.secret import SECRET
from yidi.config import Settings
from yidi.http.app import create_app


def demo_settings(**overrides: Any) -> Settings:
    """Demo mode without the background sweeper: tests run deadline sweeps themselves, at the
    instants they choose, and nothing writes events under a test that counts them."""
    # Callers are remembered for a minute, not the default second: statement counts must not
    # depend on how fast a shared test machine runs (tests/api/test_actor_cache.py sets its own).
    overrides = {"actor_cache_seconds": 60.0, **overrides}
    return Settings(demo=True, database_url=None, run_sweeper=False, secret_key=SECRET, **overrides)


@asynccontextmanager
async def running_app(
    settings: Settings, database_url: str, clock: Clock
) -> AsyncIterator[Starlette]:
    """The app on `database_url`, through its startup and shutdown."""
    application = create_app(settings, database_url, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@asynccontextmanager
async def deployment(
    server_url: str, prefix: str, clock: Clock
) -> AsyncIterator[tuple[Api, Starlette]]:
    """A copy of the demo template and an app on it, like the `api` fixture but for a whole
    module: read-only tests share it instead of copying the database and logging the same
    users in once each."""
    async with (
        template_copy(server_url, prefix) as url,
        running_app(demo_settings(), url, clock) as app,
        in_process(app) as api,
    ):
        yield api, app
