"""One GraphQL execution per delivered event for identical subscriptions.

A county's event may go to thousands of subscribers of one process, and many of them are
the same person in several tabs or screens, subscribed with the same document. Executing
the selection set once per (document, variables, caller) and handing each of them a copy
of the result turns the fan-out's cost from an execution per subscriber into one per
distinct subscription. The caller is part of the key, so masking and permissions are
exactly those of an execution of their own.

Identical subscriptions from now on share a whole stream (yidi/live/sharing.py), so what
this still shares are executions of identical subscriptions that run on their own: those
that resumed from the same cursor, once their replay has reached the live events.
"""

import asyncio
import json
from collections.abc import Awaitable, Hashable
from typing import Any

from graphql import ExecutionResult

from yidi.resolvers.context import Context
from yidi.schema.plain_objects import PlainObjects
from yidi.schema.types import CaseEvent


class SharedSubscriptionExecution(PlainObjects):
    _share_key: Hashable | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        if self._share_key is None:
            self._share_key = self._subscription_key()
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        memo = self.root_value.shared if isinstance(self.root_value, CaseEvent) else None
        if memo is None or self._share_key is None:
            return super().execute_operation(serially)
        return self._shared(memo, self._share_key, serially)

    async def _shared(
        self, memo: dict[Hashable, Any], key: Hashable, serially: bool | None
    ) -> ExecutionResult:
        while True:
            running: asyncio.Future[ExecutionResult] | None = memo.get(key)
            if running is None:
                break
            try:
                return _copy(await asyncio.shield(running))
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if not running.cancelled() or (current is not None and current.cancelling()):
                    raise
                # The one executing went away (its subscriber left): take over.
        mine: asyncio.Future[ExecutionResult] = asyncio.get_running_loop().create_future()
        memo[key] = mine
        try:
            result = super().execute_operation(serially)
            if isinstance(result, Awaitable):
                result = await result
        except BaseException:
            memo.pop(key, None)
            mine.cancel()
            raise
        assert isinstance(result, ExecutionResult)  # a subscription event is never incremental
        mine.set_result(result)
        return _copy(result)

    def _subscription_key(self) -> Hashable | None:
        """(document, operation, variables, caller); None when any of them is unknown."""
        loc = self.operation.loc
        actor = self.context_value.known_actor if isinstance(self.context_value, Context) else None
        if loc is None or actor is None:
            return None
        variables = json.dumps(self.variable_values, sort_keys=True, default=str)
        name = self.operation.name.value if self.operation.name else None
        return (loc.source.body, name, variables, actor)


def _copy(result: ExecutionResult) -> ExecutionResult:
    """Each subscriber's own result object: extensions rewrite errors in place."""
    return ExecutionResult(
        data=result.data,
        errors=list(result.errors) if result.errors is not None else None,
        extensions=result.extensions,
    )
