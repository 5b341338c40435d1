"""`/healthz` says whether the process is alive in the sense that matters: its event loop
answers in time. A loop blocked for longer than `max_loop_lag_seconds` fails the check, and
it passes again once the loop runs on time."""

import asyncio
import time

from starlette.applications import Starlette

from tests.support.driver import Api


async def test_healthz_fails_while_the_event_loop_lags_and_recovers(
    api: Api, app: Starlette
) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    limit = app.state.yidi.settings.max_loop_lag_seconds
    time.sleep(limit + 0.5)  # block the loop the app runs on, as a stuck handler would
    stalled = await api.client.get("/healthz")
    assert stalled.status_code == 503
    assert stalled.json()["status"] == "event loop lagging"
    assert stalled.json()["lagSeconds"] > limit
    await asyncio.sleep(0.5)  # the loop runs on time again
    assert (await api.client.get("/healthz")).status_code == 200
