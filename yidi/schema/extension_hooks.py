"""The schema extensions' hooks found once per extension class, not on every request.

For each operation strawberry asks each of the schema's extensions, at each of the four
stages (operation, parsing, validation, execution), whether its class overrides the
stage's hook, inspects the hook (generator? async generator? plain function?) and wraps
it in a freshly decorated context manager: 20 such look-ups and a `functools.wraps` per
hook, every request, for an answer that depends on the class alone. This runner keeps the
answer per (class, stage) and only binds it to the request's extension instance; results
are gathered only from extensions that define `get_results`. What runs, in which order,
and what an exception inside a hook does are strawberry's own (its context managers and
exit stacks run them), held by tests/api/test_extension_hooks.py.
"""

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

# How an extension instance's hook for one stage becomes a context manager, and whether it
# is async; None when its class does not override the stage's hook.
Factory = tuple[Callable[[SchemaExtension], Any], bool] | None
_FACTORIES: dict[tuple[type, str], Factory] = {}
_HAS_RESULTS: dict[type, bool] = {}


def _factory(cls: type[SchemaExtension], stage: str) -> Factory:
    """strawberry's `ExtensionContextManagerBase.get_hook`, made once per class: the same
    kinds of hook accepted, each wrapped the same way, the instance passed at call time."""
    hook = getattr(cls, stage)
    if hook is getattr(SchemaExtension, stage):
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    if inspect.iscoroutinefunction(hook):

        @contextlib.asynccontextmanager
        async def awaited(extension: SchemaExtension) -> AsyncIterator[None]:
            await hook(extension)
            yield

        return awaited, True
    if callable(hook):

        @contextlib.contextmanager
        def called(extension: SchemaExtension) -> Iterator[None]:
            hook(extension)
            yield

        return called, False
    raise ValueError(f"Hook {stage} on {cls} must be callable, received {hook!r}")


class _KnownHooks(ExtensionContextManagerBase):
    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        key = (type(extension), self.HOOK_NAME)
        try:
            found = _FACTORIES[key]
        except KeyError:
            found = _FACTORIES[key] = _factory(type(extension), self.HOOK_NAME)
        if found is None:
            return None
        factory, is_async = found
        return WrappedHook(extension=extension, hook=partial(factory, extension), is_async=is_async)


class _Operation(_KnownHooks, OperationContextManager):
    pass


class _Parsing(_KnownHooks, ParsingContextManager):
    pass


class _Validation(_KnownHooks, ValidationContextManager):
    pass


class _Executing(_KnownHooks, ExecutingContextManager):
    pass


def _has_results(cls: type[SchemaExtension]) -> bool:
    found = _HAS_RESULTS.get(cls)
    if found is None:
        found = _HAS_RESULTS[cls] = cls.get_results is not SchemaExtension.get_results
    return found


class KnownHooksRunner(SchemaExtensionsRunner):
    """strawberry's runner with the hooks of each extension class looked up once."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if _has_results(type(extension)):
                data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data
