"""Plain leaf fields skip graphql-core's per-field machinery.

graphql-core builds a resolve-info object, checks for arguments, calls the field's resolver
(strawberry's wrapper around `getattr`) and walks the return type, for every field of every
object it completes — also for a case's `number` or a unit's `name`, which are an attribute
read and a scalar's serialization. On a page of 50 nested cases those are most of the
fields, and that machinery was the largest single share of the page's Python
(docs/BENCHMARKS.md). Completed here instead: a scalar or enum field that strawberry
resolves by attribute access, or a direct field whose method needs nothing but its object
(read, then serialized); and a list of scalars or enums (a case's `allowedActions`),
serialized item by item without graphql-core's three calls per item. Whatever else could
happen — arguments, a null or an exception where a value is due, a value the type refuses,
middleware, a streamed list — takes graphql-core's own path, so errors are its own. An
object whose selected fields are all plain leaves is completed in one go, without
graphql-core's field-by-field execution, unless any of its values needs graphql-core.

The arguments of a field are coerced once per request and field node, not once per object:
a page's 50 cases each asked graphql-core to coerce the same `events(first: 3)`. Only
values that cannot be changed in place (scalars, enum members, None) are kept; the field
then resolves and completes as graphql-core's `execute_field` does.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from enum import Enum
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetails, FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.middleware import MiddlewareManager
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from yidi.schema.direct_fields import reads_object_only

# Kept in each GraphQLField's extensions once its first execution has judged it (fields
# are not hashable): (how to read the value, leaf type, nullable), or None when not plain.
_PLAN = "yidi.plain_leaf"
Plan = tuple[Callable[[Any], Any], Any, bool]


def leaf_plan(field_def: GraphQLField) -> Plan | None:
    """How a plain leaf field is read and serialized, or None when it is not one."""
    extensions = field_def.extensions
    if _PLAN in extensions:
        plan: Plan | None = extensions[_PLAN]
        return plan
    return_type = field_def.type
    nullable = not isinstance(return_type, GraphQLNonNull)
    leaf_type = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    read = read_directly(field_def) if is_leaf_type(leaf_type) and not field_def.args else None
    plan = None if read is None else (read, leaf_type, nullable)
    extensions[_PLAN] = plan
    return plan


def read_directly(field_def: GraphQLField) -> Callable[[Any], Any] | None:
    """How the field's value is read from its object, when that is all its resolver does:
    strawberry's default resolver (getattr) for a basic field, or a direct field's method
    that takes nothing but its object (schema/direct_fields.py)."""
    direct = reads_object_only(field_def)
    if direct is not None:
        return direct
    field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    basic = (
        isinstance(field, StrawberryField)
        # strawberry's own test: no resolver, no extension (permissions are extensions)
        and field.is_basic_field
        and not field.permission_classes
        and getattr(field_def.resolve, "_is_default", False)
        and field.default_resolver is getattr
    )
    return attrgetter(field.python_name) if basic and isinstance(field, StrawberryField) else None


# Argument values kept across the objects of a request: immutable, so sharing is safe.
_IMMUTABLE = (int, float, str, bool, Enum, type(None))


class PlainLeaves(StrawberryGraphQLCoreExecutionContext):
    """Completes plain leaf fields and lists of leaves itself; every other field, and every
    case it cannot answer exactly as graphql-core would, goes to graphql-core."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Coerced arguments by (field node, field definition): one request's variables.
        self.coerced: dict[tuple[int, int], dict[str, Any]] = {}
        # By a collected selection's id, kept with the selection so that the id stays its
        # own: its fields' plans when every one is a plain leaf, else None.
        self.object_plans: dict[int, tuple[GroupedFieldSet, list[tuple[str, Plan]] | None]] = {}
        manager: MiddlewareManager | None = self.middleware_manager
        self.has_middleware = manager is not None and bool(manager.middlewares)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        details = field_details_list[0]
        node: FieldNode = details.node
        name = node.name.value
        # Meta fields (__typename) are graphql-core's own, shared by every schema.
        if name[:2] == "__" or self.has_middleware:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        if not node.arguments:
            plan = leaf_plan(field_def)
            if plan is not None:
                value = plain_value(source, plan)
                if value is not Undefined:
                    return value
                return super().execute_field(
                    parent_type, source, field_details_list, path, position_context
                )
        return self.execute_other_field(
            field_def, parent_type, source, field_details_list, path, position_context
        )

    def execute_other_field(
        self,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A field that is not a plain leaf (the hook schema/plain_objects.py extends): a
        field with arguments and a resolver resolves with its arguments coerced once."""
        details = field_details_list[0]
        if (
            details.node.arguments
            and field_def.resolve is not None
            and details.fragment_variable_values is None
        ):
            return self._resolve_with_arguments(
                field_def, parent_type, source, field_details_list, path, position_context
            )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _arguments(self, field_def: GraphQLField, details: FieldDetails) -> dict[str, Any]:
        key = (id(details.node), id(field_def))
        found = self.coerced.get(key)
        if found is not None:
            return found
        arguments = get_argument_values(
            field_def, details.node, self.variable_values, None, self.hide_suggestions
        )
        if all(isinstance(value, _IMMUTABLE) for value in arguments.values()):
            self.coerced[key] = arguments
        return arguments

    def _resolve_with_arguments(
        self,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_field` for a field with a resolver and arguments, the
        arguments coerced once per request (`_arguments`); errors are handled alike."""
        assert field_def.resolve is not None
        return_type = field_def.type
        nodes = to_nodes(field_details_list)
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        try:
            arguments = self._arguments(field_def, field_details_list[0])
            result = field_def.resolve(source, info, **arguments)
            return self._completed(
                return_type, field_details_list, info, path, result, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def _completed(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """A resolved value completed as graphql-core's `execute_field` completes it; called
        inside the caller's try, which handles the field's errors."""
        if self.is_awaitable(result):
            return self.complete_awaitable_value(
                return_type, field_details_list, info, path, result, position_context
            )
        completed = self.complete_value(
            return_type, field_details_list, info, path, result, position_context
        )
        if self.is_awaitable(completed):
            return self._await_completed(completed, return_type, field_details_list, path)
        return completed

    async def _await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # An object whose selected fields are all plain leaves (a unit's `{ name }`, an
        # event's `{ type }`) is answered in one go, not field by field; where any value
        # needs graphql-core's judgement, graphql-core completes the whole object.
        if position_context is None and not self.has_middleware:
            grouped, new_defer_usages, _ = self.collect_subfields(return_type, field_details_list)
            if not new_defer_usages:
                known = self.object_plans.get(id(grouped))
                if known is None:
                    known = self.object_plans[id(grouped)] = (
                        grouped,
                        self._object_plan(return_type, grouped),
                    )
                plans = known[1]
                if plans is not None:
                    values = _plain_object(result, plans)
                    if values is not None:
                        return values
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _object_plan(
        self, return_type: GraphQLObjectType, grouped: GroupedFieldSet
    ) -> list[tuple[str, Plan]] | None:
        plans: list[tuple[str, Plan]] = []
        for key, details_list in grouped.items():
            node = details_list[0].node
            if node.arguments or any(
                d.defer_usage is not None or d.fragment_variable_values is not None
                for d in details_list
            ):
                return None
            name = node.name.value
            if name == "__typename":
                plans.append((key, (_constant(return_type.name), GraphQLString, False)))
                continue
            field_def = None if name[:2] == "__" else self.schema.get_field(return_type, name)
            plan = leaf_plan(field_def) if field_def is not None else None
            if plan is None:
                return None
            plans.append((key, plan))
        return plans

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        # A list of scalars or enums (a case's allowedActions) is serialized item by item
        # here, unless it is streamed or an item needs graphql-core's judgement.
        nullable = not isinstance(item_type, GraphQLNonNull)
        leaf_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if (
            isinstance(items, list | tuple)
            and is_leaf_type(leaf_type)
            and self.get_stream_usage(field_details_list, path) is None
        ):
            serialized = _plain_items(items, leaf_type, nullable)
            if serialized is not None:
                return serialized
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )


def _constant(value: str) -> Callable[[Any], str]:
    return lambda _source: value


def _plain_object(source: Any, plans: list[tuple[str, Plan]]) -> dict[str, Any] | None:
    """The object's fields by response key, or None where any needs graphql-core."""
    values: dict[str, Any] = {}
    for key, plan in plans:
        value = plain_value(source, plan)
        if value is Undefined:
            return None
        values[key] = value
    return values


def _plain_items(items: Sequence[Any], leaf_type: Any, nullable: bool) -> list[Any] | None:
    """Every item serialized, or None where any of them needs graphql-core's own path."""
    serialized: list[Any] = []
    for item in items:
        if item is None:
            if not nullable:
                return None
            serialized.append(None)
            continue
        value = _serialized(item, leaf_type)
        if value is Undefined:
            return None
        serialized.append(value)
    return serialized


def plain_value(source: Any, plan: Plan) -> Any:
    """The field's serialized value, or Undefined where graphql-core must decide (and
    report whatever is wrong the way it always does)."""
    read, leaf_type, nullable = plan
    try:
        value = read(source)
    except Exception:
        return Undefined
    if value is None:
        return None if nullable else Undefined
    return _serialized(value, leaf_type)


def _serialized(value: Any, leaf_type: Any) -> Any:
    """A value other than None as its type serializes it, or Undefined if it refuses."""
    if isinstance(value, Exception):
        return Undefined
    try:
        coerced = leaf_type.coerce_output_value(value)
    except Exception:
        return Undefined
    return Undefined if coerced is None else coerced
