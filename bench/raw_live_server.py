"""The hand-written baseline for bench/subscriptions.py: the least a live-update server
must do, with nothing of yidi's.

A Starlette WebSocket endpoint speaking just enough graphql-transport-ws (ack, one
subscription, `next` messages), one asyncpg LISTEN connection, and on each notification
one statement reading the county's events after the last position, sent as the same JSON
yidi sends for `unitCaseEvents { cursor type note case { id } }` to every connection. No
authorization, no GraphQL execution, no per-subscriber buffer.

    python bench/raw_live_server.py --port 8100 --database-url postgresql://…
"""

import argparse
import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

READ = """
SELECT e.id, e.type, e.note, e.case_id, e.position FROM case_events e
WHERE e.county_id = $1 AND e.position > $2 ORDER BY e.position
"""


def global_id(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode().rstrip("=")


def cursor(event_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(["e", event_id]).encode()).decode().rstrip("=")


def build(database_url: str) -> Starlette:
    sockets: set[WebSocket] = set()
    state: dict[int, int] = {}  # county -> last position sent
    wake = asyncio.Event()

    async def reader(pool: asyncpg.Pool) -> None:
        while True:
            await wake.wait()
            wake.clear()
            for county, last in list(state.items()):
                rows = await pool.fetch(READ, county, last)
                for row in rows:
                    message = json.dumps(
                        {
                            "id": "1",
                            "type": "next",
                            "payload": {
                                "data": {
                                    "unitCaseEvents": {
                                        "cursor": cursor(row["id"]),
                                        "type": row["type"],
                                        "note": row["note"],
                                        "case": {"id": global_id("Case", row["case_id"])},
                                    }
                                }
                            },
                        },
                        ensure_ascii=False,
                    )
                    for socket in list(sockets):
                        with contextlib.suppress(Exception):
                            await socket.send_text(message)
                    state[county] = row["position"]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
        listener = await asyncpg.connect(database_url)
        for county, last in await pool.fetch(
            "SELECT county_id, last_position FROM event_positions"
        ):
            state[county] = last
        await listener.add_listener("yidi_case_events", lambda *_: wake.set())
        task = asyncio.create_task(reader(pool))
        try:
            yield
        finally:
            task.cancel()
            await listener.close()
            await pool.close()

    async def endpoint(socket: WebSocket) -> None:
        await socket.accept(subprotocol="graphql-transport-ws")
        await socket.receive_text()  # connection_init
        await socket.send_text(json.dumps({"type": "connection_ack"}))
        await socket.receive_text()  # subscribe
        sockets.add(socket)
        try:
            while True:
                await socket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            sockets.discard(socket)

    return Starlette(routes=[WebSocketRoute("/graphql", endpoint)], lifespan=lifespan)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    uvicorn.run(
        build(args.database_url),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        ws_per_message_deflate=False,
    )
