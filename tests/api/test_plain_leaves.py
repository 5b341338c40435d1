"""Plain leaf fields completed outside graphql-core's per-field path (schema/plain_leaves.py)
answer exactly as graphql-core does: values, nulls, and every error with its message and
path; fields with arguments or under middleware keep graphql-core's path."""

import asyncio
from collections.abc import Sequence
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from yidi.config import Settings
from yidi.schema import plain_leaves
from yidi.schema.build import build_schema
from yidi.schema.direct_fields import DIRECT, resolve_directly
from yidi.schema.plain_leaves import PlainLeaves


class Nobody(BasePermission):
    message = "not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.enum
class Tone(Enum):
    WARM = "warm"
    COLD = "cold"


@strawberry.type
class Item:
    name: str
    note: str | None
    count: int
    tone: Tone
    flags: list[str]
    tones: list[Tone]
    maybe: list[str | None]
    numbers: list[int]
    missing_but_required: str
    wrongly_typed: int
    failing: int
    guarded: str | None = strawberry.field(default="secret", permission_classes=[Nobody])

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times

    @strawberry.field(metadata=DIRECT)
    def doubled(self) -> int:
        return self.count * 2

    @strawberry.field(metadata=DIRECT)
    def refusing(self) -> int | None:
        raise ValueError("a direct field's own error")

    @strawberry.field(metadata=DIRECT)
    def repeated(self, times: int = 1, mark: str | None = None) -> str:
        return self.name * times + (mark or "")

    @strawberry.field
    def refusing_with(self, times: int) -> int | None:
        raise ValueError(f"refused {times} times")

    @strawberry.field
    async def later(self, times: int) -> str | None:
        if times < 0:
            raise ValueError("not a count")
        return self.name * times


class _Broken:
    @property
    def failing(self) -> int:
        raise RuntimeError("the attribute itself failed")


def item(**overrides: Any) -> Item:
    values: dict[str, Any] = {
        "name": "a",
        "note": None,
        "count": 3,
        "tone": Tone.COLD,
        "flags": ["x"],
        "tones": [Tone.WARM, Tone.COLD],
        "maybe": ["m", None],
        "numbers": [1, 2],
        "missing_but_required": "present",
        "wrongly_typed": 5,
        "failing": 1,
    }
    values.update(overrides)
    return Item(**values)


class _ItemWithFailingAttribute(Item, _Broken):
    pass


@strawberry.type
class Query:
    @strawberry.field
    def good(self) -> Item:
        return item()

    @strawberry.field
    def null_where_due(self) -> Item | None:
        return item(missing_but_required=None)

    @strawberry.field
    def refused_by_its_type(self) -> Item | None:
        return item(wrongly_typed="five")

    @strawberry.field
    def raising(self) -> Item | None:
        broken = object.__new__(_ItemWithFailingAttribute)
        broken.__dict__.update(vars(item()))
        return broken

    @strawberry.field
    def exception_as_value(self) -> Item | None:
        return item(count=ValueError("a stored error"))

    @strawberry.field
    def bad_lists(self) -> Item | None:
        return item(tones=[Tone.WARM, None], numbers=[1, "two"])

    @strawberry.field
    def many(self, n: int) -> list[Item]:
        return [item(name=chr(ord("a") + i)) for i in range(n)]


DOCUMENT = """{
  good { name note count tone flags shout(times: 2) missing_but_required: missingButRequired
    doubled }
  refusing: good { name refusing }
  nullWhereDue { name missingButRequired }
  refusedByItsType { name wronglyTyped }
  raising { name failing }
  guarded: good { guarded }
  exceptionAsValue { name count }
  lists: good { flags tones maybe numbers }
  badTones: badLists { tones }
  badNumbers: badLists { numbers }
  typed: many(n: 2) { __typename name kind: __typename tone }
  withArguments: many(n: 3) { repeated(times: 2) marked: repeated(mark: "!")
    refusingWith(times: 2) later(times: 2) failingLater: later(times: -1) }
}"""


def run(execution_context_class: type | None, extensions: Sequence[Any] = ()) -> Any:
    schema = strawberry.Schema(
        query=Query, execution_context_class=execution_context_class, extensions=list(extensions)
    )
    resolve_directly(schema)
    return asyncio.run(schema.execute(DOCUMENT))


def errors(result: Any) -> list[tuple[str, list[Any]]]:
    return sorted((e.message, e.path) for e in result.errors or [])


def test_answers_and_errors_are_graphql_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = run(StrawberryGraphQLCoreExecutionContext)
    by_graphql_core: list[str] = []
    real = StrawberryGraphQLCoreExecutionContext.execute_field
    real_list = StrawberryGraphQLCoreExecutionContext.complete_iterable_value

    def counting(self: Any, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        by_graphql_core.append(f"{parent_type.name}.{details[0].node.name.value}")
        return real(self, parent_type, source, details, *rest)

    def counting_lists(self: Any, item_type: Any, details: Any, info: Any, *rest: Any) -> Any:
        by_graphql_core.append(f"list {info.path.as_list()}")
        return real_list(self, item_type, details, info, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    monkeypatch.setattr(
        StrawberryGraphQLCoreExecutionContext, "complete_iterable_value", counting_lists
    )
    ours = run(PlainLeaves)
    # Plain leaves answered outside it; objects, lists, arguments, and each error inside.
    assert "Item.note" not in by_graphql_core
    assert "Item.tone" not in by_graphql_core
    assert by_graphql_core.count("Item.name") == 0
    assert "Item.doubled" not in by_graphql_core  # a direct method reading its object
    for inside in ("Query.good", "Item.flags", "Item.missingButRequired"):
        assert inside in by_graphql_core
    # Fields with arguments resolve outside it too, their arguments coerced once.
    for outside in ("Item.shout", "Item.repeated", "Item.later", "Item.refusingWith"):
        assert outside not in by_graphql_core
    # Lists of leaves are serialized outside it, but where an item is wrong.
    lists = [entry for entry in by_graphql_core if entry.startswith("list")]
    assert lists == [
        "list ['badTones', 'tones']",
        "list ['badNumbers', 'numbers']",
        "list ['typed']",  # a list of objects is graphql-core's
        "list ['withArguments']",
    ]
    for failing in ("Item.wronglyTyped", "Item.failing", "Item.count", "Item.refusing"):
        assert by_graphql_core.count(failing) == 1  # exceptionAsValue's count
    assert ours.data == theirs.data
    assert ours.data["good"] == {
        "name": "a",
        "note": None,
        "count": 3,
        "tone": "COLD",
        "flags": ["x"],
        "shout": "AA",
        "missing_but_required": "present",
        "doubled": 6,
    }
    assert ours.data["guarded"] == {"guarded": None}  # its permission still refuses
    assert "Item.guarded" in by_graphql_core
    assert ours.data["lists"] == {
        "flags": ["x"],
        "tones": ["WARM", "COLD"],
        "maybe": ["m", None],
        "numbers": [1, 2],
    }
    assert errors(ours) == errors(theirs)
    assert {tuple(path) for _, path in errors(ours)} == {
        ("nullWhereDue", "missingButRequired"),
        ("refusedByItsType", "wronglyTyped"),
        ("raising", "failing"),
        ("exceptionAsValue", "count"),
        ("refusing", "refusing"),
        ("guarded", "guarded"),
        ("badTones", "tones", 1),
        ("badNumbers", "numbers", 1),
        *(("withArguments", i, "refusingWith") for i in range(3)),
        *(("withArguments", i, "failingLater") for i in range(3)),
    }
    assert ours.data["typed"] == [
        {"__typename": "Item", "name": "a", "kind": "Item", "tone": "COLD"},
        {"__typename": "Item", "name": "b", "kind": "Item", "tone": "COLD"},
    ]
    assert ours.data["withArguments"][2] == {
        "repeated": "cc",
        "marked": "c!",
        "refusingWith": None,
        "later": "cc",
        "failingLater": None,
    }


def test_arguments_are_coerced_once_per_field_node_however_many_objects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page's nested `events(first: 3)` was coerced once per case; now once per request,
    with the request's own variables."""
    coerced: list[str] = []
    real = plain_leaves.get_argument_values

    def counting(field_def: Any, node: Any, *rest: Any) -> Any:
        coerced.append(node.name.value)
        return real(field_def, node, *rest)

    monkeypatch.setattr(plain_leaves, "get_argument_values", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=PlainLeaves)
    resolve_directly(schema)
    document = "query($t: Int!) { many(n: $n) { repeated(times: $t) later(times: 1) } }"
    document = document.replace("query($t: Int!)", "query($t: Int!, $n: Int!)")
    for n, t in [(2, 1), (20, 3), (2, 2)]:
        coerced.clear()
        result = asyncio.run(schema.execute(document, variable_values={"n": n, "t": t}))
        assert result.errors is None
        assert [i["repeated"] for i in result.data["many"]] == [
            chr(ord("a") + i) * t for i in range(n)
        ]
        assert sorted(coerced) == ["later", "many", "repeated"]


class Upper(SchemaExtension):
    """Middleware on every field: it must still see the plain ones."""

    def resolve(self, _next: Any, root: Any, info: Any, **kwargs: Any) -> Any:
        value = _next(root, info, **kwargs)
        return value.upper() if isinstance(value, str) else value


def test_middleware_still_sees_plain_fields() -> None:
    ours = run(PlainLeaves, [Upper])
    assert ours.data["good"]["name"] == "A"
    assert ours.data == run(StrawberryGraphQLCoreExecutionContext, [Upper]).data


@pytest.fixture(scope="module")
def served() -> strawberry.Schema:
    return build_schema(Settings.model_construct())


def test_the_served_schema_executes_with_plain_leaves(served: strawberry.Schema) -> None:
    assert issubclass(served.execution_context_class, PlainLeaves)


def test_an_object_of_plain_leaves_is_completed_in_one_go(monkeypatch: pytest.MonkeyPatch) -> None:
    """graphql-core's field-by-field execution runs for the root and for the objects that
    need it, not for each of a list's objects whose fields are all plain leaves."""
    executed: list[str] = []
    real = StrawberryGraphQLCoreExecutionContext.execute_fields

    def counting(self: Any, parent_type: Any, *rest: Any) -> Any:
        executed.append(parent_type.name)
        return real(self, parent_type, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_fields", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=PlainLeaves)
    resolve_directly(schema)
    document = """query($n: Int!) { many(n: $n) { __typename name tone count doubled }
      refusedByItsType { name wronglyTyped } }"""
    for n in (2, 20):
        executed.clear()
        result = asyncio.run(schema.execute(document, variable_values={"n": n}))
        assert result.data is not None
        assert [i["name"] for i in result.data["many"]] == [chr(ord("a") + i) for i in range(n)]
        assert result.data["many"][1] == {
            "__typename": "Item",
            "name": "b",
            "tone": "COLD",
            "count": 3,
            "doubled": 6,
        }
        # The one object with a value its type refuses is graphql-core's, error and all.
        assert [e.path for e in result.errors or []] == [["refusedByItsType", "wronglyTyped"]]
        assert executed == ["Query", "Item"]
