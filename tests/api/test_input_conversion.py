"""Input types converted by a converter built once per type (schema/input_conversion.py)
give exactly what strawberry's own `convert_argument` gives, for every input type of the
schema and any choice of given, omitted and null fields — so a strawberry upgrade that
changes its conversion fails here, not in a client's request."""

from datetime import date
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    coerce_input_value,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_argument

from yidi.config import Settings
from yidi.schema.build import build_schema
from yidi.schema.input_conversion import Unsupported, converter

SCHEMA = build_schema(Settings())
INPUTS = sorted(
    (t for t in SCHEMA._schema.type_map.values() if isinstance(t, GraphQLInputObjectType)),
    key=lambda t: t.name,
)
REGISTRY = SCHEMA.schema_converter.scalar_registry
NAME_OF = SCHEMA.config.name_converter.from_field
# A value a client may send for each scalar of the schema; a new scalar needs one here.
SCALARS: dict[str, Any] = {
    "String": "邻里纠纷",
    "Int": 3,
    "Float": 1.5,
    "Boolean": True,
    "ID": "Q2FzZToxMg",
    "DateTime": "2026-11-26T08:00:00+08:00",
    "Upload": object(),
}


def external(type_: GraphQLInputType, draw: st.DrawFn, depth: int = 0) -> Any:
    """A JSON value of `type_` as a client would send it: each nullable field given, left
    out or null as drawn, lists of 0–2 items."""
    if isinstance(type_, GraphQLNonNull):
        return external(type_.of_type, draw, depth)
    if isinstance(type_, GraphQLList):
        size = draw(st.integers(0, 2))
        return [external(type_.of_type, draw, depth + 1) for _ in range(size)]
    if isinstance(type_, GraphQLScalarType):
        return SCALARS[type_.name]
    if isinstance(type_, GraphQLEnumType):
        return draw(st.sampled_from(sorted(type_.values)))
    assert isinstance(type_, GraphQLInputObjectType)
    value: dict[str, Any] = {}
    for name, field in type_.fields.items():
        required = isinstance(field.type, GraphQLNonNull)
        choice = "given" if required else draw(st.sampled_from(["given", "left out", "null"]))
        if choice == "given" and (required or depth < 3):
            value[name] = external(field.type, draw, depth + 1)
        elif choice == "null":
            value[name] = None
    return value


def origin(type_: GraphQLInputObjectType) -> type:
    definition = type_.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    cls: type = definition.origin
    return cls


def test_every_input_type_of_the_schema_has_a_converter() -> None:
    assert len(INPUTS) > 30
    for type_ in INPUTS:
        assert converter(origin(type_), REGISTRY, NAME_OF)


@pytest.mark.parametrize("type_", INPUTS, ids=lambda t: t.name)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_converted_input_equals_strawberrys(
    type_: GraphQLInputObjectType, data: st.DataObject
) -> None:
    cls = origin(type_)
    coerced = coerce_input_value(external(type_, data.draw), type_)  # what a resolver gets
    convert = converter(cls, REGISTRY, NAME_OF)
    assert convert is not None
    ours = convert(coerced)
    theirs = convert_argument(coerced, cls, REGISTRY, SCHEMA.config)
    # Dataclass equality compares classes and fields, nested inputs and lists included.
    assert ours == theirs
    assert type(ours) is cls
    assert repr(ours) == repr(theirs)


def test_lists_are_copied_not_shared() -> None:
    """graphql-core hands every request that omits a list the same default list."""

    @strawberry.input
    class Tags:
        names: list[str] = strawberry.field(default_factory=lambda: ["a"])
        days: list[date] | None = None

    convert = converter(Tags, REGISTRY, NAME_OF)
    assert convert is not None
    given_names = ["x", "y"]
    converted = convert({"names": given_names, "days": None})
    assert converted == Tags(names=["x", "y"], days=None)
    assert converted.names is not given_names


@strawberry.input
class Nested:
    child: "Nested | None" = None
    size: int = 0


def test_a_type_that_refers_to_itself_converts() -> None:
    convert = converter(Nested, REGISTRY, NAME_OF)
    assert convert is not None
    value = {"child": {"child": {"size": 2}, "size": 1}, "size": 0}
    assert convert(value) == Nested(child=Nested(child=Nested(size=2), size=1), size=0)


@strawberry.input
class WithMaybe:
    size: strawberry.Maybe[int]


@strawberry.input
class WithGlobalId:
    target: strawberry.relay.GlobalID


@strawberry.input(one_of=False)
class Outer:
    inner: WithGlobalId


@pytest.mark.parametrize("cls", [WithMaybe, WithGlobalId, Outer])
def test_what_strawberry_converts_further_has_no_converter(cls: type) -> None:
    with pytest.raises(Unsupported):
        converter(cls, REGISTRY, NAME_OF)
