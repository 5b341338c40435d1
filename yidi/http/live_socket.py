"""graphql-transport-ws on /graphql, with our rules on top of strawberry's handler.

- The bearer token comes in connection_init's payload ({"Authorization": "Bearer …"}, or
  "authorization"). Without a valid one the socket closes with 4401; an accepted
  connection is closed with 4401 when its token expires.
- Each subscription gets a context of its own (same caller, own session and caches):
  strawberry shares one context across a connection's operations.
- Identical subscriptions of the process share one stream (live/sharing.py): it runs once,
  and each member socket gets the same encoded payload under its own operation id.
"""

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import Hashable
from contextlib import aclosing
from contextvars import ContextVar
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
)
from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
)
from strawberry.types import ExecutionResult

from yidi.domain.errors import Unauthenticated
from yidi.live.sharing import Member, Outcome, SharedStream
from yidi.resolvers.context import Context

log = logging.getLogger(__name__)

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
        key = self._share_key(operation)
        if key is None or not isinstance(self._connection_context.request, WebSocket):
            await self._run_alone(operation)
            return
        socket = self._connection_context.request
        prefix = f'{{"id":{json.dumps(operation.id)},"type":"next","payload":'

        async def send(payload: str) -> None:
            await socket.send_text(f"{prefix}{payload}}}")

        member = Member(send=send, close=self.websocket.close)
        stream, created = self._connection_context.app.live.sharing.join(key, member)
        if created:
            stream.task = asyncio.create_task(self._run_shared(stream, operation))
        try:
            outcome = await member.outcome
        finally:
            stream.leave(member)
        if outcome is Outcome.ON_ITS_OWN:
            await self._run_alone(operation)
        else:
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )

    async def _run_alone(self, operation: Any) -> None:
        own = self._connection_context.for_operation()
        _operation_context.set(own)  # this task's only: each operation runs in its own
        try:
            await super().run_operation(operation)
        finally:
            await own.close()

    async def _run_shared(self, stream: SharedStream, operation: Operation[Context, None]) -> None:
        """The shared stream's one subscription: each result encoded once, sent to all."""
        context = self._connection_context.for_operation()
        context.on_following = stream.joined
        context.connection_closer = stream.close_all
        outcome = Outcome.COMPLETED
        try:
            source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                async for result in source:
                    if not stream.following or not isinstance(result, ExecutionResult):
                        # Refused before it followed anything (bad document, no access):
                        # each member asks on its own and gets its own answer.
                        outcome = Outcome.ON_ITS_OWN
                        return
                    await stream.broadcast(self._encode(result))
        except Exception:
            log.exception("a shared subscription failed")
            if not stream.following:
                outcome = Outcome.ON_ITS_OWN
        finally:
            await context.close()
            stream.end(outcome)

    def _encode(self, result: ExecutionResult) -> str:
        """A `next` message's payload, as strawberry's Operation.send_next builds it."""
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        encoded = self.view.encode_json(payload)
        return encoded.decode() if isinstance(encoded, bytes) else encoded

    def _share_key(self, operation: Any) -> Hashable | None:
        """(document, operation, variables, caller) of a subscription that may share a
        stream; None for one that resumes (`after`), is not a subscription, or cannot be
        read (it runs alone, and strawberry gives it the protocol's answers)."""
        actor = self._connection_context.known_actor
        variables = operation.variables or {}
        if actor is None or not isinstance(variables, dict):
            return None
        settings = self._connection_context.app.settings
        if len(operation.query) > settings.max_document_bytes:
            return None
        resuming = _resume_variables(operation.query, operation.operation_name, settings.max_tokens)
        if resuming is None or any(variables.get(name) is not None for name in resuming):
            return None
        arguments = json.dumps(variables, sort_keys=True, default=str)
        return (operation.query, operation.operation_name, arguments, actor)

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()
        await self._connection_context.close()


@functools.lru_cache(maxsize=256)
def _resume_variables(
    query: str, operation_name: str | None, max_tokens: int
) -> tuple[str, ...] | None:
    """The variables bound to a root field's `after` in a subscription document (a value
    makes it replay, which a shared stream cannot); None if the document is not one plain
    subscription or resumes from a literal cursor."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    ]
    if len(operations) != 1 or operations[0].operation != OperationType.SUBSCRIPTION:
        return None
    names: list[str] = []
    for selection in operations[0].selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None  # fragments at the root: rare; not worth reading them here
        for argument in selection.arguments or ():
            if argument.name.value != "after":
                continue
            if isinstance(argument.value, VariableNode):
                names.append(argument.value.name.value)
            elif not isinstance(argument.value, NullValueNode):
                return None
    return tuple(names)
