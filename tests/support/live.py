"""Live updates as a third-party frontend receives them: the `gql` library's websockets
transport (graphql-transport-ws, the protocol of the graphql-ws client) on a real socket."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportError, TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from tests.support.servers import free_port

EVENT_FIELDS = "cursor type note case { id number status }"
CASE_EVENTS = (
    "subscription($id: ID!, $after: String) { caseEvents(caseId: $id, after: $after) "
    f"{{ {EVENT_FIELDS} }} }}"
)
UNIT_CASE_EVENTS = (
    "subscription($id: ID!, $after: String) { unitCaseEvents(unitId: $id, after: $after) "
    f"{{ {EVENT_FIELDS} }} }}"
)


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """The (already started) app behind uvicorn on a free port: its /graphql ws:// URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


def transport(url: str, token: str | None, **payload: Any) -> WebsocketsTransport:
    init = {"Authorization": f"Bearer {token}"} if token is not None else payload
    return WebsocketsTransport(url=url, init_payload=init, connect_timeout=5, close_timeout=2)


class Completed(Exception):
    """The server completed the subscription (the protocol's `complete` message)."""


class Subscription:
    """One subscription running in the background; what it received, in order."""

    def __init__(self, url: str, token: str, document: str, variables: dict[str, Any]) -> None:
        self.client = Client(transport=transport(url, token))
        self.request = GraphQLRequest(document, variable_values=variables)
        self.received: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "Subscription":
        session = await self.client.connect_async()

        async def pump() -> None:
            try:
                async for result in session.subscribe(self.request):
                    self.received.put_nowait(next(iter(result.values())))
                self.received.put_nowait(Completed())
            except BaseException as exc:  # the test reads it like an event
                self.received.put_nowait(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise

        self._task = asyncio.create_task(pump())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        with contextlib.suppress(Exception):
            await self.client.close_async()

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        item = await asyncio.wait_for(self.received.get(), timeout)
        if isinstance(item, BaseException):
            raise item
        return item

    async def take(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        return [await self.next(timeout) for _ in range(count)]

    async def failure(self, timeout: float = 5.0) -> BaseException:
        """How the subscription ended (a refusal, a closed connection)."""
        item = await asyncio.wait_for(self.received.get(), timeout)
        assert isinstance(item, BaseException), f"expected the subscription to end, got {item}"
        return item

    async def quiet_for(self, seconds: float) -> None:
        """Nothing more arrives within `seconds`."""
        with contextlib.suppress(TimeoutError):
            item = await asyncio.wait_for(self.received.get(), seconds)
            raise AssertionError(f"expected nothing more, got {item}")


async def refusal(url: str, token: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The single GraphQL error a subscription is refused with."""
    request = GraphQLRequest(document, variable_values=variables)
    async with Client(transport=transport(url, token)) as session:
        with pytest.raises(TransportQueryError) as refused:
            await anext(aiter(session.subscribe(request)))
    errors = refused.value.errors
    assert errors is not None
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


def close_code_of(failure: BaseException) -> int | None:
    """The WebSocket close code the server sent, found under gql's own exception."""
    seen: BaseException | None = failure
    while seen is not None:
        if isinstance(seen, ConnectionClosed) and seen.rcvd is not None:
            return seen.rcvd.code
        seen = seen.__cause__ or seen.__context__
    return None


async def close_code(url: str, token: str | None, **payload: Any) -> int | None:
    """The close code of a connection the server refuses at connection_init."""
    try:
        async with Client(transport=transport(url, token, **payload)) as session:
            async for _ in session.subscribe(gql("subscription { __typename }")):
                pass
    except TransportError as exc:
        return close_code_of(exc)
    raise AssertionError("the server accepted the connection")


async def subscribers_reach(app: Starlette, count: int, timeout: float = 5.0) -> None:
    """Wait until the process's live hub has `count` subscribers (they have joined)."""
    deadline = time.monotonic() + timeout
    while app.state.yidi.live.subscriber_count() < count:
        assert time.monotonic() < deadline, "the subscription never joined its feed"
        await asyncio.sleep(0.02)
