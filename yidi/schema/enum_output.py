"""Enum values serialize by one dict lookup.

strawberry's enum type finds a member's GraphQL name by scanning every value of the enum,
for each value it serializes; a page of 50 cases serializes several hundred (status, each
case's allowedActions, each event's type), and the scans were ≈ 5 % of the page's Python
(docs/BENCHMARKS.md). Members of the enum's own class are looked up instead; anything
else still goes through strawberry's own serialization, errors included.
"""

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def serialize_enums_by_lookup(schema: strawberry.Schema) -> None:
    """Give each enum type of the schema its lookup (in place, once per schema)."""
    # strawberry offers no public handle on the graphql-core schema it builds.
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, CustomGraphQLEnumType):
            # graphql-core calls the type's coerce_output_value for every leaf it completes.
            graphql_type.coerce_output_value = _by_lookup(graphql_type)  # type: ignore[method-assign,assignment]


def _by_lookup(enum_type: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    members = enum_type.wrapped_cls
    names: dict[Any, str] = {members(value.value): name for name, value in enum_type.values.items()}
    by_scan = enum_type.coerce_output_value

    def coerce_output_value(value: Any) -> Any:
        if type(value) is members:
            return names[value]
        return by_scan(value)

    return coerce_output_value
