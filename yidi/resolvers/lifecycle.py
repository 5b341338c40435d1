"""Per-operation housekeeping."""

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from yidi.resolvers.context import Context


class CloseRequestSession(SchemaExtension):
    """Return the request's read session to the pool once the operation is done."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, Context):
            await context.close()
