"""Fixtures of the live-update tests: the test's app on a real socket, and the lifecycle
driver."""

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle
from tests.support.live import serving


@pytest.fixture
async def url(app: Starlette) -> AsyncIterator[str]:
    """The ws:// URL of the test's app, served by uvicorn on a free port."""
    async with serving(app) as ws_url:
        yield ws_url


@pytest.fixture
async def life(api: Api, app: Starlette) -> Lifecycle:
    return await Lifecycle.create(api, app)
