"""One LISTEN connection per process, kept open for as long as the process runs.

PostgreSQL notifications are wake-up calls, not data: one sent while this connection was
down is simply lost. So every (re)connection is reported to `on_connected`, and whoever
follows the notifications catches up by reading what was committed in the meantime.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from yidi.database.engine import normalize_url

log = logging.getLogger(__name__)


def asyncpg_dsn(url: str) -> str:
    """asyncpg takes plain postgresql:// URLs, not SQLAlchemy's dialect form."""
    return normalize_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def listen_forever(
    url: str,
    channel: str,
    on_payload: Callable[[str], None],
    on_connected: Callable[[], None],
    *,
    retry_seconds: float = 1.0,
    check_seconds: float = 5.0,
) -> None:
    """Deliver the channel's payloads until cancelled, reconnecting whenever the connection
    drops (the database restarted, an operator terminated the backend)."""
    dsn = asyncpg_dsn(url)
    while True:
        connection: asyncpg.Connection | None = None
        try:
            connection = await asyncpg.connect(
                dsn, server_settings={"application_name": "yidi-listener"}
            )
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _, lost=lost: lost.set())
            await connection.add_listener(channel, lambda *args: on_payload(args[3]))
            on_connected()
            while not lost.is_set():
                # A dropped TCP connection is not always reported; a cheap query finds out.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), timeout=check_seconds)
                if not lost.is_set():
                    await connection.fetchval("SELECT 1", timeout=check_seconds)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("case event listener lost its connection: %s", type(exc).__name__)
        finally:
            if connection is not None and not connection.is_closed():
                connection.terminate()
        await asyncio.sleep(retry_seconds)
