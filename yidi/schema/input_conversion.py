"""Arguments converted into our input classes by a converter built once per type.

graphql-core hands a resolver its arguments already coerced: plain dicts keyed by GraphQL
names, scalars parsed, enum members in place. strawberry then converts them into the
input dataclasses by walking each value against its type afresh on every call — asking
for each field its GraphQL name, its resolved annotation and whether it is a leaf — which
was 25 calls of `convert_argument` and ≈ 6 % of a registration's request path
(docs/BENCHMARKS.md). The walk's decisions depend on the type alone, so here they are made
once per type and kept as a closure; per call only the values are moved.

The result is strawberry's own (`convert_argument`, held equal for every input type of the
schema by tests/api/test_input_conversion.py): the same classes, fields left out of the
value take their defaults, fields without one are None, lists are copied. Types whose
conversion does more than that — `Maybe`, `GlobalID`, lazy types, an input with its own
`from_input` — have no compiled converter (`converter` answers None), and a field using them
keeps strawberry's resolver.
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET

# A value's conversion; None stands for "the value as it is" (leaves), so that the common
# case costs no call at all.
Convert = Callable[[Any], Any]
Registry = Mapping[object, Any]
# A field's GraphQL name, as the schema's name converter gives it.
NameOf = Callable[[StrawberryField], str]


class Unsupported(Exception):
    """A type whose conversion this module does not reproduce."""


def converter(type_: StrawberryType | type, registry: Registry, name_of: NameOf) -> Convert | None:
    """How a coerced value of `type_` becomes what strawberry would pass the resolver:
    None when it is passed as it is. Raises Unsupported for the types named above."""
    return _Compiler(registry, name_of).compile(type_)


class _Compiler:
    def __init__(self, registry: Registry, name_of: NameOf) -> None:
        self.registry = registry
        self.name_of = name_of
        # Input classes being compiled or compiled: a type that refers to itself (directly or
        # through its fields) gets the converter already under construction.
        self.inputs: dict[type, Convert] = {}

    def compile(self, type_: StrawberryType | type) -> Convert | None:
        if isinstance(type_, StrawberryMaybe):
            raise Unsupported(f"{type_} is a Maybe")
        if isinstance(type_, StrawberryOptional):
            return self.compile(type_.of_type)  # None passes every converter unchanged
        if isinstance(type_, StrawberryList):
            return self._list(type_)
        if type_ is GlobalID:
            raise Unsupported("a GlobalID is decoded by strawberry")
        if self._is_leaf(type_) or has_enum_definition(type_):
            return None
        if has_object_definition(type_):
            return self._input(type_)
        raise Unsupported(f"{type_} is not a scalar, enum, list or input type")

    def _is_leaf(self, type_: object) -> bool:
        return is_scalar(type_, self.registry) or isinstance(type_, StrawberryEnumDefinition)

    def _list(self, type_: StrawberryList) -> Convert:
        item = self.compile(type_.of_type)
        if item is None:
            # Copied as strawberry copies it: graphql-core hands every request that omits
            # the value the same default list.
            return _copied

        def convert_list(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            return [None if x is None else item(x) for x in value]

        return convert_list

    def _input(self, cls: type) -> Convert:
        known = self.inputs.get(cls)
        if known is not None:
            return known
        definition: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        if definition.from_input is not None:
            raise Unsupported(f"{cls.__name__} builds itself (from_input)")
        # Filled below, after this converter is known to the fields that refer back to it.
        fields: list[tuple[str, str, Convert | None]] = []
        implicit: dict[str, None] = {}

        def convert_input(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            kwargs: dict[str, Any] = dict(implicit)
            for graphql_name, python_name, convert in fields:
                if graphql_name in value:
                    given = value[graphql_name]
                    kwargs[python_name] = (
                        given if convert is None or given is None else convert(given)
                    )
            return cls(**kwargs)

        self.inputs[cls] = convert_input
        for field in definition.fields:
            if definition.is_input and (
                field.default_value is MISSING and field.default_factory is MISSING
            ):
                implicit[field.python_name] = None
            fields.append(
                (
                    self.name_of(field),
                    field.python_name,
                    self.compile(field.resolve_type(type_definition=definition)),
                )
            )
        return convert_input


def _copied(value: Any) -> Any:
    if value is None or value is UNSET:
        return value
    return list(value)
