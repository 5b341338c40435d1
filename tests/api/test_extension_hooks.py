"""The schema's extension hooks, looked up once per class (schema/extension_hooks.py), run
exactly as strawberry's own runner runs them: the same hooks of the same extensions in the
same order, every kind of hook strawberry accepts, results gathered alike — so a
strawberry upgrade that changes how hooks are found or run fails here."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from yidi.config import Settings
from yidi.schema.build import build_schema
from yidi.schema.extension_hooks import KnownHooksRunner

STAGES = ("operation", "parsing", "validation", "executing")


def _hooks(runner: SchemaExtensionsRunner, stage: str) -> list[tuple[type, bool, str]]:
    manager = getattr(runner, stage)()
    return [
        (type(hook.extension), hook.is_async, type(hook.hook()).__name__) for hook in manager.hooks
    ]


@pytest.mark.parametrize("exposed", [True, False])
def test_the_schemas_hooks_are_strawberrys(exposed: bool) -> None:
    schema = build_schema(Settings(expose_schema=exposed))
    context = ExecutionContext(query="{ __typename }", schema=schema, allowed_operations=())
    extensions = schema.get_extensions()
    ours = schema.create_extensions_runner(context, extensions)
    assert isinstance(ours, KnownHooksRunner)
    theirs = SchemaExtensionsRunner(execution_context=context, extensions=extensions)
    found = 0
    for stage in STAGES:
        assert _hooks(ours, stage) == _hooks(theirs, stage)
        found += len(_hooks(ours, stage))
    assert found >= 7  # budget, cache, text guard, session, contract errors


def _tracing(trace: list[str]) -> list[type[SchemaExtension]]:
    class Generators(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            trace.append("generator operation in")
            yield
            trace.append("generator operation out")

        def on_execute(self) -> Iterator[None]:
            trace.append("generator execute in")
            yield
            trace.append("generator execute out")

        def get_results(self) -> dict[str, Any]:
            return {"generators": len(trace)}

    class AsyncGenerators(SchemaExtension):
        async def on_operation(self) -> AsyncIterator[None]:
            trace.append("async operation in")
            yield
            trace.append("async operation out")

        async def on_validate(self) -> AsyncIterator[None]:
            trace.append("async validate in")
            yield
            trace.append("async validate out")

        async def get_results(self) -> dict[str, Any]:
            return {"async": True}

    class Functions(SchemaExtension):
        async def on_parse(self) -> None:  # type: ignore[override]
            trace.append("coroutine parse")

        def on_execute(self) -> None:  # type: ignore[override]
            trace.append("function execute")

    return [Generators, AsyncGenerators, Functions]


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


class KnownHooksSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return KnownHooksRunner(execution_context=execution_context, extensions=extensions)


async def _run(schema_class: type[strawberry.Schema], document: str) -> tuple[Any, list[str]]:
    trace: list[str] = []
    schema = schema_class(query=Query, extensions=_tracing(trace))
    result = await schema.execute(document)
    return (result.data, [str(e) for e in result.errors or []], result.extensions), trace


@pytest.mark.parametrize("document", ["{ hello }", "{ nope }", "{ hello"])
async def test_hooks_run_as_strawberrys_runner_runs_them(document: str) -> None:
    ours, our_trace = await _run(KnownHooksSchema, document)
    theirs, their_trace = await _run(strawberry.Schema, document)
    assert our_trace == their_trace
    assert ours == theirs
    assert "generator operation out" in our_trace
