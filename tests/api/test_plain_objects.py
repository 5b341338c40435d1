"""Objects and lists of objects completed outside graphql-core's generic walk
(schema/plain_objects.py) answer exactly as graphql-core does: values, nulls propagated to
the nearest nullable parent, and every error with its message and path."""

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from yidi.schema.direct_fields import DIRECT, resolve_directly
from yidi.schema.plain_leaves import PlainLeaves
from yidi.schema.plain_objects import PlainObjects


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf(Named):
    required: str

    @strawberry.field
    async def later(self) -> str | None:
        await asyncio.sleep(0)
        if self.name == "boom":
            raise ValueError("later failed")
        return self.name * 2

    @strawberry.field
    async def later_required(self) -> str:
        await asyncio.sleep(0)
        if self.name == "boom":
            raise ValueError("required later failed")
        return self.name


class OtherLeaf(Leaf):
    """A subclass: graphql-core judges it (strawberry's `is_type_of` accepts it)."""


@strawberry.type
class Plain:
    """A type without interfaces: graphql-core does not check its values' class."""

    word: str


def leaf(name: str = "a", required: Any = "r") -> Leaf:
    return Leaf(name=name, required=required)


@strawberry.type
class Holder:
    one: Leaf
    maybe: Leaf | None
    many: list[Leaf]
    maybe_many: list[Leaf | None] | None
    plain: Plain

    @strawberry.field(metadata=DIRECT)
    def direct(self, info: strawberry.Info) -> Leaf:
        return self.one

    @strawberry.field(metadata=DIRECT)
    def first(self, info: strawberry.Info, count: int = 1) -> list[Leaf]:
        return self.many[:count]

    @strawberry.field(metadata=DIRECT)
    def where(self, info: strawberry.Info) -> Leaf:
        """Reads its Info's path and name: built for it on demand, as graphql-core would."""
        place = ".".join(str(key) for key in info.path.as_list())
        return leaf(f"{place}:{info.field_name}:{info.context['tag']}")

    @strawberry.field(metadata=DIRECT)
    def tagged(self, info: strawberry.Info) -> Leaf:
        return leaf(info.context["tag"])

    @strawberry.field(graphql_type=Leaf, metadata=DIRECT)
    def soon(self) -> Leaf | Awaitable[Leaf]:
        return _soon(self.one)

    @strawberry.field(graphql_type=Leaf | None, metadata=DIRECT)
    def odd(self) -> Any:
        return self.plain  # an object of another type where a Leaf is due

    # Async resolvers (a mutation's payload): awaited, then judged like any value.
    @strawberry.field(metadata=DIRECT)
    async def later_one(self, info: strawberry.Info) -> Leaf:
        await asyncio.sleep(0)
        return self.one

    @strawberry.field
    async def later_many(self) -> list[Leaf]:
        await asyncio.sleep(0)
        return self.many

    @strawberry.field(graphql_type=Leaf | None, metadata=DIRECT)
    async def later_odd(self) -> Any:
        return self.plain

    @strawberry.field(metadata=DIRECT)
    async def later_missing(self) -> Leaf:
        return None  # type: ignore[return-value]  # None where a Leaf is due

    @strawberry.field(metadata=DIRECT)
    async def later_failing(self) -> Leaf | None:
        await asyncio.sleep(0)
        raise ValueError("later failed to load")


async def _soon(value: Leaf) -> Leaf:
    return value


def holder(**overrides: Any) -> Holder:
    values: dict[str, Any] = {
        "one": leaf("a"),
        "maybe": None,
        "many": [leaf("b"), leaf("c")],
        "maybe_many": [leaf("d"), None],
        "plain": Plain(word="w"),
    }
    values.update(overrides)
    return Holder(**values)


def cast_leaf() -> Leaf:
    return strawberry.cast(Plain, leaf("cast"))


@strawberry.type
class Query:
    @strawberry.field
    def good(self) -> Holder:
        return holder()

    @strawberry.field
    def sized(self, n: int) -> Holder:
        return holder(many=[leaf(str(i)) for i in range(n)])

    @strawberry.field
    def null_leaf_in_list(self) -> Holder | None:
        return holder(many=[leaf("b"), leaf("c", required=None)])

    @strawberry.field
    def null_item(self) -> Holder | None:
        return holder(many=[leaf("b"), None], maybe_many=[None, leaf("e", required=None)])

    @strawberry.field
    def null_object(self) -> Holder | None:
        return holder(one=None)

    @strawberry.field
    def subclass(self) -> Holder:
        return holder(one=OtherLeaf(name="sub", required="r"), plain=Plain(word="p"))

    @strawberry.field
    def wrong_class(self) -> Holder | None:
        return holder(maybe=Plain(word="p"), many=[leaf("b"), Plain(word="p")])

    @strawberry.field
    def cast(self) -> Holder | None:
        return holder(maybe=cast_leaf())

    @strawberry.field
    def stored_error(self) -> Holder | None:
        return holder(maybe=ValueError("a stored error"), many=ValueError("a stored list"))

    @strawberry.field
    def not_a_list(self) -> Holder | None:
        return holder(many=leaf("x"))

    @strawberry.field
    def booming(self) -> Holder | None:
        return holder(many=[leaf("b"), leaf("boom")], maybe_many=[leaf("boom"), None])


DOCUMENT = """query($yes: Boolean!) {
  good { one { name required } maybe { name } many { name required later }
    maybeMany { name later } direct { name } first(count: 2) { name } soon { name }
    where { name } here: where { name } tagged { name }
    odd { name } plain { word } included: one @include(if: $yes) { name }
    laterOne { name later } laterMany { name } laterOdd { name } laterFailing { name } }
  laterMissing: nullObject { laterMissing { name } }
  nullLeafInList { many { name required } }
  nullItem { many { name } maybeMany { name required } }
  nullObject { one { name } }
  subclass { one { __typename name } plain { word } }
  wrongClass { maybe { name } }
  wrongList: wrongClass { many { name } }
  cast { maybe { name } }
  storedError { maybe { name } }
  storedList: storedError { many { name } }
  notAList { many { name } }
  booming { many { name later } maybeMany { name laterRequired } }
}"""


def run(execution_context_class: type) -> Any:
    schema = strawberry.Schema(query=Query, execution_context_class=execution_context_class)
    resolve_directly(schema)
    context = {"tag": "t"}
    return asyncio.run(
        schema.execute(DOCUMENT, variable_values={"yes": True}, context_value=context)
    )


def errors(result: Any) -> list[tuple[str, list[Any]]]:
    return sorted((e.message, e.path) for e in result.errors or [])


def test_answers_and_errors_are_graphql_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = run(StrawberryGraphQLCoreExecutionContext)
    walked: list[str] = []
    real = StrawberryGraphQLCoreExecutionContext.complete_value

    def counting(self: Any, return_type: Any, details: Any, info: Any, *rest: Any) -> Any:
        walked.append(".".join(str(key) for key in info.path.as_list()))
        return real(self, return_type, details, info, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_value", counting)
    ours = run(PlainObjects)
    assert ours.data == theirs.data
    assert errors(ours) == errors(theirs)
    # Objects of their own class, and lists of them, are not graphql-core's to walk;
    # awaitables, nulls, other classes and directives are.
    for plain in (
        "good",
        "good.one",
        "good.many",
        "good.maybeMany",
        "good.direct",
        "good.first",
        "good.soon",  # an awaitable, awaited first
        "good.laterOne",
        "good.laterMany",
    ):
        assert plain not in walked
    for walked_by_it in (
        "good.laterOdd",  # awaited, another class
        "laterMissing.laterMissing",  # awaited, None where due
        "good.maybe",  # None
        "good.odd",  # another class
        "good.included",  # a directive
        "subclass.one",
        "wrongClass.maybe",
        "wrongList.many",
        "cast.maybe",
        "storedError.maybe",
        "notAList.many",
    ):
        assert walked_by_it in walked
    assert ours.data["good"]["many"] == [
        {"name": "b", "required": "r", "later": "bb"},
        {"name": "c", "required": "r", "later": "cc"},
    ]
    assert ours.data["good"]["maybeMany"] == [{"name": "d", "later": "dd"}, None]
    assert ours.data["good"]["first"] == [{"name": "b"}, {"name": "c"}]
    assert ours.data["good"]["where"] == {"name": "good.where:where:t"}
    assert ours.data["good"]["here"] == {"name": "good.here:where:t"}
    assert ours.data["good"]["tagged"] == {"name": "t"}
    assert ours.data["good"]["laterOne"] == {"name": "a", "later": "aa"}
    assert ours.data["good"]["laterMany"] == [{"name": "b"}, {"name": "c"}]
    assert ours.data["good"]["laterOdd"] is None
    assert ours.data["laterMissing"] is None
    assert ours.data["nullLeafInList"] is None  # a non-null item's null reaches the holder
    assert ours.data["nullItem"] is None
    assert ours.data["booming"] == {
        "many": [{"name": "b", "later": "bb"}, {"name": "boom", "later": None}],
        "maybeMany": [None, None],
    }
    assert {tuple(path) for _, path in errors(ours)} == {
        ("nullLeafInList", "many", 1, "required"),
        ("nullItem", "many", 1),
        ("nullObject", "one"),
        ("good", "odd"),
        ("good", "laterOdd"),
        ("good", "laterFailing"),
        ("laterMissing", "laterMissing"),
        ("wrongClass", "maybe"),
        ("wrongList", "many", 1),
        ("cast", "maybe"),
        ("storedError", "maybe"),
        ("storedList", "many"),
        ("notAList", "many"),
        ("booming", "many", 1, "later"),
        ("booming", "maybeMany", 0, "laterRequired"),
    }


def test_a_page_of_objects_starts_no_walk_per_object(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many objects a list holds, graphql-core walks none of them."""
    walked: list[str] = []
    real = StrawberryGraphQLCoreExecutionContext.complete_object_value

    def counting(self: Any, return_type: Any, *rest: Any) -> Any:
        walked.append(return_type.name)
        return real(self, return_type, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_object_value", counting)
    document = "query($n: Int!) { sized(n: $n) { many { name later } one { name } } }"
    for execution, walks in ((StrawberryGraphQLCoreExecutionContext, 2), (PlainObjects, 0)):
        schema = strawberry.Schema(query=Query, execution_context_class=execution)
        resolve_directly(schema)
        for n in (1, 30):
            walked.clear()
            result = asyncio.run(schema.execute(document, variable_values={"n": n}))
            assert result.errors is None
            assert result.data is not None
            many = result.data["sized"]["many"]
            assert many == [{"name": str(i), "later": str(i) * 2} for i in range(n)]
            assert len(walked) == (walks + n if walks else 0)


def test_the_served_execution_completes_plain_objects() -> None:
    from yidi.schema.shared_execution import SharedSubscriptionExecution

    assert issubclass(SharedSubscriptionExecution, PlainObjects)
    assert issubclass(PlainObjects, PlainLeaves)


def test_a_direct_field_reading_its_context_alone_builds_no_resolve_info(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    real = PlainObjects.build_resolve_info

    def counting(self: Any, field_def: Any, nodes: Any, *rest: Any) -> Any:
        built.append(nodes[0].name.value)
        return real(self, field_def, nodes, *rest)

    monkeypatch.setattr(PlainObjects, "build_resolve_info", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=PlainObjects)
    resolve_directly(schema)
    document = "{ good { tagged { name } where { name } first { name } } }"
    result = asyncio.run(schema.execute(document, context_value={"tag": "x"}))
    assert result.errors is None
    assert result.data == {
        "good": {
            "tagged": {"name": "x"},
            "where": {"name": "good.where:where:x"},
            "first": [{"name": "b"}],
        }
    }
    assert built == ["good", "where"]  # the root's resolver, and the one reading its path


def test_an_objects_plain_leaves_are_read_without_execute_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In an object that is not all plain leaves (a leaf's `name` beside its awaited
    `later`), the leaves are read in the object's own loop; the others, and a leaf whose
    value needs graphql-core (a null where a value is due), go through execute_field."""
    executed: list[str] = []
    real = PlainLeaves.execute_field

    def counting(self: Any, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        executed.append(f"{parent_type.name}.{details[0].node.name.value}")
        return real(self, parent_type, source, details, *rest)

    monkeypatch.setattr(PlainLeaves, "execute_field", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=PlainObjects)
    resolve_directly(schema)
    document = """query($n: Int!) { sized(n: $n) { many { name later } }
      nullLeafInList { many { name required later } } }"""
    for n in (2, 20):
        executed.clear()
        result = asyncio.run(schema.execute(document, variable_values={"n": n}))
        assert result.data is not None
        assert result.data["sized"]["many"][1] == {"name": "1", "later": "11"}
        assert result.data["nullLeafInList"] is None
        assert [e.path for e in result.errors or []] == [["nullLeafInList", "many", 1, "required"]]
        # The second leaf of nullLeafInList fails at `required`, before its `later`.
        assert executed.count("Leaf.later") == n + 1
        assert executed.count("Leaf.name") == 0
        assert executed.count("Leaf.required") == 1  # the null, judged by graphql-core
