"""graphql-transport-ws on /graphql, with our rules on top of strawberry's handler.

- The bearer token comes in connection_init's payload ({"Authorization": "Bearer …"}, or
  "authorization"). Without a valid one the socket closes with 4401; an accepted
  connection is closed with 4401 when its token expires.
- Each subscription gets a context of its own (same caller, own session and caches):
  strawberry shares one context across a connection's operations.
"""

import asyncio
import contextlib
from contextvars import ContextVar
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from yidi.domain.errors import Unauthenticated
from yidi.resolvers.context import Context

UNAUTHORIZED = 4401

# The context of the subscription whose task is running (each operation has a task).
_operation_context: ContextVar[Context | None] = ContextVar("operation_context", default=None)


class LiveSocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    _connection_context: Context
    _expiry: asyncio.Task[None] | None = None

    @property
    def context(self) -> Context:
        return _operation_context.get() or self._connection_context

    @context.setter
    def context(self, value: Context) -> None:
        self._connection_context = value

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload: Any = message.get("payload", {})
        if self.connection_init_received or not isinstance(payload, dict):
            await super().handle_connection_init(message)  # the protocol's own answers
            return
        context = self._connection_context
        header = payload.get("Authorization", payload.get("authorization"))
        context.authorization = header if isinstance(header, str) else None
        try:
            await context.actor()
        except Unauthenticated:
            if self.connection_init_timeout_task is not None:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=UNAUTHORIZED, reason="Unauthorized")
            return
        self._expiry = asyncio.create_task(self._close_at_expiry(context))
        await super().handle_connection_init(message)

    async def _close_at_expiry(self, context: Context) -> None:
        assert context.token_expires_at is not None
        await asyncio.sleep((context.token_expires_at - context.now()).total_seconds())
        await self.websocket.close(code=UNAUTHORIZED, reason="Token expired")

    async def run_operation(self, operation: Any) -> None:
        own = self._connection_context.for_operation()
        _operation_context.set(own)  # this task's only: each operation runs in its own
        try:
            await super().run_operation(operation)
        finally:
            await own.close()

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()
        await self._connection_context.close()
