"""Hot fields resolved straight from graphql-core.

strawberry wraps every resolver in machinery for features these fields do not use —
argument conversion walked afresh per call, field extensions, permission classes, a chain
of partials rebuilt per call —; on a page of 50 nested cases that wrapping was about a
seventh of the request's Python, and a registration's input conversion ≈ 6 % of its
request path (docs/BENCHMARKS.md). A field declared with `metadata=DIRECT` gets a thin
resolver instead, which hands its function the strawberry `Info` and its arguments —
plain scalars as graphql-core coerced them, input types converted by a converter built
once per type (schema/input_conversion.py) — and nothing else. Only fields that need
nothing more may be marked: a method on the type, with arguments that converter
reproduces, no extensions or permission classes — `resolve_directly` refuses any other
when the schema is built.
"""

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import strawberry
from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from yidi.schema.input_conversion import Convert, Unsupported, converter

DIRECT: Mapping[str, Any] = MappingProxyType({"yidi.direct": True})

# Set on a direct field whose method takes nothing but its object: that method, which
# schema/plain_leaves.py may call itself for a scalar or enum field. Such a method only
# reads what its object holds.
_READS_OBJECT_ONLY = "yidi.reads_object_only"

# Set on a direct field whose method takes the strawberry Info: how to call it with an Info
# of one's own (`DirectCall`), for schema/plain_objects.py.
_DIRECT_CALL = "yidi.direct_call"


# graphql-core's coerced arguments (by GraphQL name) as the method takes them.
Arguments = Callable[[dict[str, Any]], dict[str, Any]]


class DirectCall(NamedTuple):
    """A direct field's method, the name of its Info parameter, and how its arguments are
    passed: None when as graphql-core coerced them, else converted by `arguments`."""

    function: Callable[..., Any]
    info_name: str
    arguments: Arguments | None
    field: StrawberryField


class LazyInfo(Info[Any, Any]):
    """The strawberry Info of one field of one object, whose graphql-core resolve-info is
    built only when something other than the context is read from it: the direct fields
    of a page read the context alone (loaders, caller, clock), some 350 times a page."""

    def __init__(
        self, context: Any, build: Callable[[], GraphQLResolveInfo[Any]], field: Any
    ) -> None:
        # Not the dataclass's __init__: `_raw_info` is built on demand below.
        self._context = context
        self._build = build
        self._field = field
        self._built: GraphQLResolveInfo[Any] | None = None

    @property
    def context(self) -> Any:
        return self._context

    @property
    def _raw_info(self) -> GraphQLResolveInfo[Any]:  # type: ignore[override]  # built when read
        if self._built is None:
            self._built = self._build()
        return self._built


def direct_call(graphql_field: GraphQLField) -> DirectCall | None:
    """How to call a direct field's method with an Info of one's own, else None."""
    call: DirectCall | None = graphql_field.extensions.get(_DIRECT_CALL)
    return call


def _arguments(schema: strawberry.Schema, where: str, field: StrawberryField) -> Arguments | None:
    """How the field's coerced arguments become its method's keyword arguments: None when
    they are passed as they are (plain scalars under their own names)."""
    config = schema.config
    registry = schema.schema_converter.scalar_registry
    # (GraphQL name, Python name, conversion or None) per argument.
    plan: list[tuple[str, str, Convert | None]] = []
    for argument in field.arguments:
        try:
            convert = converter(argument.type, registry, config.name_converter.from_field)
        except Unsupported as why:
            raise TypeError(f"{where}: argument {argument.python_name}: {why}") from None
        plan.append((config.name_converter.from_argument(argument), argument.python_name, convert))
    if all(graphql == python and convert is None for graphql, python, convert in plan):
        return None

    def arguments(coerced: dict[str, Any]) -> dict[str, Any]:
        # As strawberry's convert_arguments: an argument graphql-core left out stays out.
        return {
            python: value if convert is None or value is None else convert(value)
            for graphql, python, convert in plan
            if (value := coerced.get(graphql, _ABSENT)) is not _ABSENT
        }

    return arguments


_ABSENT = object()


def resolve_directly(schema: strawberry.Schema) -> None:
    """Give every field marked DIRECT its thin resolver (in place, once per schema)."""
    # strawberry offers no public handle on the graphql-core schema it builds.
    graphql_schema = schema._schema
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for name, graphql_field in graphql_type.fields.items():
            field = graphql_field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if isinstance(field, StrawberryField) and field.metadata.get("yidi.direct"):
                where = f"{graphql_type.name}.{name}"
                graphql_field.resolve = _direct_resolver(schema, where, field, graphql_field)
                resolver = field.base_resolver
                if (
                    resolver is not None
                    and resolver.info_parameter is None
                    and not field.arguments
                    and not resolver.is_async
                ):
                    graphql_field.extensions[_READS_OBJECT_ONLY] = resolver.wrapped_func


def reads_object_only(graphql_field: GraphQLField) -> Callable[[Any], Any] | None:
    """The method of a direct field that needs nothing but its object, else None."""
    method: Callable[[Any], Any] | None = graphql_field.extensions.get(_READS_OBJECT_ONLY)
    return method


def _direct_resolver(
    schema: strawberry.Schema, where: str, field: StrawberryField, graphql_field: GraphQLField
) -> Callable[..., Any]:
    resolver = field.base_resolver
    if resolver is None or resolver.self_parameter is None:
        raise TypeError(f"{where}: only a method on the type can be resolved directly")
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        raise TypeError(f"{where}: a resolver taking root or parent is not resolved directly")
    if field.extensions or field.permission_classes:
        raise TypeError(f"{where}: a field with extensions or permissions is not direct")
    if field.is_subscription:
        raise TypeError(f"{where}: a subscription is not resolved directly")
    # strawberry offers no public way to ask which exception handlers apply to a field.
    if schema.schema_converter._get_field_exception_handlers(field):
        raise TypeError(f"{where}: a field with exception handlers is not direct")
    arguments = _arguments(schema, where, field)
    function = resolver.wrapped_func
    if not callable(function):  # a staticmethod or classmethod not bound to its type
        raise TypeError(f"{where}: only a method on the type can be resolved directly")
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    info_class = schema.config.info_class
    if info_name is not None and info_class is Info:
        graphql_field.extensions[_DIRECT_CALL] = DirectCall(function, info_name, arguments, field)

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **coerced: Any) -> Any:
        kwargs = coerced if arguments is None else arguments(coerced)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)
        return function(source, **kwargs)

    return resolve
