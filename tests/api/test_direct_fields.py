"""Fields marked DIRECT bypass strawberry's resolver wrapping (schema/direct_fields.py): they
still get their Info and arguments (input types converted as strawberry converts them), a
page's cost in that wrapping does not grow with its size, a mutation's input is not
converted by strawberry, and a field the thin resolver could not serve faithfully is
refused at build time.
The answers themselves are held by tests/api/test_eager_fields.py (a page equals each case
asked on its own, fragments, aliases, cursors) and the rest of the suite."""

from collections.abc import Callable
from typing import Any

import pytest
import strawberry
import strawberry.schema.schema_converter as converter
from strawberry.permission import BasePermission

from tests.support.demo import COUNTY, LEADER, VILLAGE
from tests.support.driver import Api
from tests.support.intake import SUBMIT, register, request_input
from tests.support.lookups import unit_id
from tests.support.mutations import do
from yidi.schema.direct_fields import DIRECT, resolve_directly

PAGE = """query($n: Int!) { cases(first: $n) { edges { node { number category { name }
  handlingUnit { name } locationUnit { name } intakeUnit { name } assignee { username }
  reporter { phone } isOverdue allowedActions events(first: 2) { totalCount } } } } }"""


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fields whose arguments strawberry converted (its wrapper runs this per call)."""
    fields: list[str] = []
    real = converter.get_arguments

    def counting(**kwargs: Any) -> Any:
        fields.append(kwargs["field"].python_name)
        return real(**kwargs)

    monkeypatch.setattr(converter, "get_arguments", counting)
    return fields


async def test_a_pages_wrapping_does_not_grow_with_its_size(
    api: Api, conversions: list[str]
) -> None:
    await api.ok(PAGE, {"n": 1}, user=LEADER)  # signs in
    per_page = []
    for size in (3, 30):
        conversions.clear()
        page = await api.ok(PAGE, {"n": size}, user=LEADER)
        assert len(page["cases"]["edges"]) == size
        per_page.append(list(conversions))
    assert per_page[0] == per_page[1] == ["cases"]


async def test_mutations_take_their_input_without_strawberrys_conversion(
    api: Api, conversions: list[str]
) -> None:
    case = await register(api, "county.intake", COUNTY, selection="id title version")
    assert case["title"] == "邻里噪音纠纷"
    fields = {"caseId": case["id"], "note": "已电话回访。"}
    commented = await do(api, LEADER, "COMMENT", fields, selection="id version")
    assert commented == {"id": case["id"], "version": case["version"] + 1}
    village = await unit_id(api, VILLAGE, LEADER)
    submitted = await api.ok(SUBMIT, {"input": request_input(village)})
    assert submitted["submitRequest"]["trackingCode"]
    # A field that is not direct still goes through strawberry's wrapper: the fixture sees
    # conversions, just not those of the mutations.
    await api.ok("query($c: String!) { unitByCode(code: $c) { id } }", {"c": COUNTY}, user=LEADER)
    assert "unit_by_code" in conversions
    assert not {"register_case", "comment_case", "submit_request"} & set(conversions)


@strawberry.type
class Thing:
    size: int

    @strawberry.field(metadata=DIRECT)
    def described(self, info: strawberry.Info, first_n: int = 2, prefix: str | None = None) -> str:
        return f"{prefix or ''}{self.size}:{first_n}:{info.field_name}:{info.context['who']}"


@strawberry.type
class Query:
    @strawberry.field
    def thing(self) -> Thing:
        return Thing(size=7)


def test_a_direct_field_gets_its_info_and_arguments_by_python_name() -> None:
    schema = strawberry.Schema(query=Query)
    resolve_directly(schema)
    document = '{ thing { a: described b: described(firstN: 5, prefix: "x") } }'
    result = schema.execute_sync(document, context_value={"who": "me"})
    assert result.errors is None
    assert result.data == {"thing": {"a": "7:2:described:me", "b": "x7:5:described:me"}}


@strawberry.input
class Window:
    days: int
    label: str | None = "w"


@strawberry.type
class Inputs:
    @strawberry.field(metadata=DIRECT)
    def described(
        self, window: Window, sizes: list[int], windows: list[Window] | None = None
    ) -> str:
        return f"{window!r} {sizes!r} {windows!r}"


def test_a_direct_field_gets_input_types_as_strawberry_converts_them() -> None:
    @strawberry.type
    class Root:
        @strawberry.field
        def inputs(self) -> Inputs:
            return Inputs()

    document = """{ inputs { a: described(window: {days: 2}, sizes: [1, 2])
      b: described(window: {days: 3, label: null}, sizes: [], windows: [{days: 4}]) } }"""
    plain = strawberry.Schema(query=Root).execute_sync(document)
    direct = strawberry.Schema(query=Root)
    resolve_directly(direct)
    result = direct.execute_sync(document)
    assert result.errors is None
    assert result.data == plain.data
    assert result.data == {
        "inputs": {
            "a": "Window(days=2, label='w') [1, 2] None",
            "b": "Window(days=3, label=None) [] [Window(days=4, label='w')]",
        }
    }


@strawberry.input
class Later:
    days: strawberry.Maybe[int]


class Nobody(BasePermission):
    message = "no"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


def _with_field(field: Callable[..., Any]) -> strawberry.Schema:
    @strawberry.type
    class Root:
        marked: str = field

    return strawberry.Schema(query=Root)


def _by_later(self: Any, later: Later) -> str:
    return str(later.days)


def _anyone(self: Any) -> str:
    return "secret"


def _no_self() -> str:
    return "free"


def _maybe(self: Any, size: strawberry.Maybe[int] = None) -> str:
    return str(size)


def _global(self: Any, target: strawberry.relay.GlobalID) -> str:
    return str(target)


@pytest.mark.parametrize(
    ("field", "why"),
    [
        (strawberry.field(resolver=_by_later, metadata=DIRECT), "argument later: .* Maybe"),
        (
            strawberry.field(resolver=_anyone, metadata=DIRECT, permission_classes=[Nobody]),
            "extensions or permissions",
        ),
        (strawberry.field(resolver=_no_self, metadata=DIRECT), "only a method"),
        (strawberry.field(resolver=_maybe, metadata=DIRECT), "argument size: .* Maybe"),
        (strawberry.field(resolver=_global, metadata=DIRECT), "argument target: .* GlobalID"),
    ],
)
def test_a_field_the_thin_resolver_cannot_serve_is_refused(field: Any, why: str) -> None:
    schema = _with_field(field)
    with pytest.raises(TypeError, match=why):
        resolve_directly(schema)
