"""Delivering the status callbacks the 12345 hotline platform is owed (docs/HOTLINE.md):
from the database, by every server process in turn, each callback once (its row locked
while its POST runs), a case's in order, retried with exponential back-off, so delivery
survives restarts and an unreachable platform."""

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from yidi.domain import hotline as rules
from yidi.persistence import hotline as store
from yidi.persistence.models import HotlineCallback
from yidi.services.hotline_callbacks import DELIVERED, FAILED
from yidi.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

BATCH = 20
# POST(url, body, headers) → the HTTP status; raises on a transport failure.
Post = Callable[[str, bytes, dict[str, str]], Awaitable[int]]


async def deliver_due(uow: UnitOfWork, post: Post, now: datetime, retry_base: timedelta) -> int:
    """Try each due callback once; the number delivered. Rows stay locked while their POST
    runs, so no two processes send the same one at once."""
    delivered = 0
    async with uow.begin(now=now) as work:
        due = await store.due_callbacks(work.session, now, BATCH)
        bridges = await store.bridges_of(work.session, [c.county_id for c in due])
        for callback in due:
            bridge = bridges.get(callback.county_id)
            if bridge is None or not bridge.enabled or not bridge.callback_url:
                _failed(callback, "the county has no callback URL", now, retry_base)
                continue
            body = json.dumps(callback.payload, ensure_ascii=False).encode()
            timestamp, nonce = str(int(now.timestamp())), secrets.token_urlsafe(24)
            headers = {
                "content-type": "application/json",
                "idempotency-key": f"yidi-callback-{callback.id}",
                "x-hotline-timestamp": timestamp,
                "x-hotline-nonce": nonce,
                "x-hotline-signature": rules.signature(bridge.secret, timestamp, nonce, body),
            }
            try:
                status = await post(bridge.callback_url, body, headers)
            except Exception as exc:  # the platform unreachable, a timeout: try again later
                _failed(callback, type(exc).__name__, now, retry_base)
                continue
            if 200 <= status < 300:
                callback.state, callback.delivered_at = DELIVERED, now
                callback.attempts += 1
                delivered += 1
            else:
                _failed(callback, f"HTTP {status}", now, retry_base)
    return delivered


def _failed(callback: HotlineCallback, error: str, now: datetime, base: timedelta) -> None:
    callback.attempts += 1
    callback.last_error = error[:200]
    if callback.attempts >= rules.MAX_ATTEMPTS:
        callback.state = FAILED
    else:
        callback.next_attempt_at = now + rules.retry_delay(callback.attempts, base)


async def run_callback_delivery(
    uow: UnitOfWork, post: Post, poll_seconds: float, retry_base: timedelta
) -> None:
    """The background loop of each server process; errors are logged and it goes on."""
    while True:
        try:
            while await deliver_due(uow, post, uow.clock(), retry_base):
                pass  # some went out: the next of their cases may be due now
        except Exception:
            log.warning("hotline callback delivery failed", exc_info=True)
        await asyncio.sleep(poll_seconds)
