"""Enum values serialize by lookup (schema/enum_output.py) exactly as strawberry serializes
them: a member by its GraphQL name, a raw value as strawberry would, an unknown one as an
error of that field alone."""

from enum import Enum

import strawberry

from yidi.schema.enum_output import serialize_enums_by_lookup


@strawberry.enum
class Shade(Enum):
    LIGHT = "light"
    DARK = "dark"
    VERY_DARK = "very dark"


@strawberry.type
class Query:
    @strawberry.field
    def shades(self) -> list[Shade]:
        return [Shade.DARK, Shade.VERY_DARK, Shade.LIGHT]

    @strawberry.field(graphql_type=Shade)
    def raw(self) -> object:
        return "very dark"

    @strawberry.field(graphql_type=Shade | None)
    def unknown(self) -> object:
        return "purple"


def test_members_raw_values_and_unknown_values_serialize_as_strawberry_does() -> None:
    plain = strawberry.Schema(query=Query)
    looked_up = strawberry.Schema(query=Query)
    serialize_enums_by_lookup(looked_up)
    assert "coerce_output_value" in vars(looked_up._schema.type_map["Shade"])
    document = "{ shades raw unknown }"
    expected = plain.execute_sync(document)
    result = looked_up.execute_sync(document)
    assert (
        result.data
        == expected.data
        == {
            "shades": ["DARK", "VERY_DARK", "LIGHT"],
            "raw": "VERY_DARK",
            "unknown": None,
        }
    )
    assert result.errors is not None
    assert expected.errors is not None
    assert [e.path for e in result.errors] == [e.path for e in expected.errors] == [["unknown"]]
    assert [e.message for e in result.errors] == [e.message for e in expected.errors]
