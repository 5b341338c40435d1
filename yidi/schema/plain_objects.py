"""Objects and lists of objects completed without graphql-core's generic walk.

For every object a field returns, graphql-core walks the field's type again (non-null?
list? leaf? abstract? object?), asks the type whether the value is one of its own, and only
then executes the object's fields; for a list it does so item by item, with an awaitability
test per item. On a page of 50 nested cases that walk ran for each case's units, category,
assignee, reporter, events and their edges: a quarter of the page's Python calls
(docs/BENCHMARKS.md). A field whose value is an object of exactly the class its type
declares, or a list of such objects, has its object's fields executed here at once.

Only where graphql-core could decide nothing else: the value is resolved the way graphql-core
would (an attribute read for a basic strawberry field, else the field's resolver with its
resolve-info); an async resolver's coroutine (a mutation's payload) is awaited as
graphql-core awaits it, under its abort signal, and its value judged alike; anything
unusual — None, an exception as a value, another class, a cast, a list that is not a list,
another kind of awaitable, a field with directives — goes to graphql-core's own
completion, so its errors and messages stay its own. Errors raised while executing the
object's fields are handled as graphql-core's `execute_field` handles them. An object's own
loop over its fields (`execute_fields`) reads its plain leaves (schema/plain_leaves.py)
itself, without building a path or calling `execute_field` for each.
"""

from collections.abc import Callable, Coroutine
from types import CoroutineType
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from yidi.schema.direct_fields import DirectCall, LazyInfo, direct_call
from yidi.schema.plain_leaves import PlainLeaves, leaf_plan, plain_value, read_directly
from yidi.schema.plain_leaves import Plan as LeafPlan

# Kept in each GraphQLField's extensions once judged: how its value is read (None: by its
# resolver), the object type, the class its objects must be, whether it is a list, a
# list's item type as declared (NonNull or not), and how to call a direct field's method
# with an Info of its own; or None when the field is not an object or a list of them.
_PLAN = "yidi.plain_object"
Plan = tuple[
    Callable[[Any], Any] | None, GraphQLObjectType, type, bool, GraphQLOutputType, DirectCall | None
]
_UNJUDGED = object()


def _origin(object_type: GraphQLObjectType) -> type | None:
    """The one class whose instances are this type's values, unless the type decides that
    itself (a custom `is_type_of`) or its instances have no `__dict__` to look for a cast in."""
    definition = object_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryObjectDefinition) or definition.is_type_of:
        return None
    origin = definition.origin
    return None if hasattr(origin, "__slots__") else origin


def _plan(field_def: GraphQLField) -> Plan | None:
    plan: Plan | None = None
    inner = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
    is_list = isinstance(inner, GraphQLList)
    item_type: Any = inner.of_type if isinstance(inner, GraphQLList) else inner
    item = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    if isinstance(item, GraphQLObjectType):
        origin = _origin(item)
        if origin is not None:
            read = None if field_def.args else read_directly(field_def)
            plan = (read, item, origin, is_list, item_type, direct_call(field_def))
    field_def.extensions[_PLAN] = plan
    return plan


# Values that are never awaitable, told by their type alone (as strawberry's is_awaitable
# begins by doing, without the call).
_NOT_AWAITABLE = frozenset({type(None), bool, int, float, str, list, dict})


class PlainObjects(PlainLeaves):
    """Completes objects and lists of objects itself where nothing else could happen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # By a collected selection's id, kept with it (and its type) so that the id stays
        # its own: each field's plain-leaf plan, or None where execute_field decides.
        self.field_plans: dict[
            int, tuple[GroupedFieldSet, GraphQLObjectType, list[LeafPlan | None]]
        ] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's loop over an object's fields, but a plain leaf is read here (no
        path built, no call of execute_field) and a plain value is known not to be
        awaitable by its type. A leaf that needs graphql-core's judgement goes to
        execute_field, which hands it to graphql-core."""
        if self.has_middleware:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        known = self.field_plans.get(id(grouped_field_set))
        if known is None or known[1] is not parent_type:
            known = self.field_plans[id(grouped_field_set)] = (
                grouped_field_set,
                parent_type,
                self._leaf_plans(parent_type, grouped_field_set),
            )
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for (response_name, field_details_list), leaf in zip(
                grouped_field_set.items(), known[2], strict=True
            ):
                if leaf is not None:
                    value = plain_value(source_value, leaf)
                    if value is not Undefined:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if type(result) not in _NOT_AWAITABLE and self.is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:  # as graphql-core does: those started still settle
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather_fields(results, awaitable_fields)

    def _leaf_plans(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[LeafPlan | None]:
        plans: list[LeafPlan | None] = []
        for field_details_list in grouped_field_set.values():
            node = field_details_list[0].node
            name = node.name.value
            field_def = (
                None
                if node.arguments or name[:2] == "__"
                else self.schema.get_field(parent_type, name)
            )
            plans.append(leaf_plan(field_def) if field_def is not None else None)
        return plans

    async def _gather_fields(
        self, results: dict[str, Any], awaitable_fields: list[str]
    ) -> dict[str, Any]:
        if len(awaitable_fields) == 1:
            name = awaitable_fields[0]
            results[name] = await results[name]
        else:
            awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
        return results

    def execute_other_field(
        self,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        details = field_details_list[0]
        node = details.node
        plan = field_def.extensions.get(_PLAN, _UNJUDGED)
        if plan is _UNJUDGED:
            plan = _plan(field_def)
        if plan is None or node.directives or details.fragment_variable_values is not None:
            return super().execute_other_field(
                field_def, parent_type, source, field_details_list, path, position_context
            )
        read, call = plan[0], plan[5]
        return_type = field_def.type
        info = None
        try:
            if read is not None:
                result = read(source)
            elif call is not None:
                result = self._call_directly(
                    call, field_def, parent_type, source, field_details_list, path
                )
            else:
                resolve = field_def.resolve or self.field_resolver
                info = self.build_resolve_info(
                    field_def, to_nodes(field_details_list), parent_type, path
                )
                arguments = (
                    self._arguments(field_def, details) if field_def.args or node.arguments else {}
                )
                result = resolve(source, info, **arguments)
            completed = self._complete(plan, field_details_list, path, result, position_context)
            if completed is None and type(result) is CoroutineType:
                # An `async def` resolver's object (a mutation's payload): awaited, then
                # completed here once it is there.
                return self._complete_resolved(
                    plan, field_def, parent_type, field_details_list, path, result, position_context
                )
            if completed is None:  # not one of ours: graphql-core completes it
                if info is None:
                    info = self.build_resolve_info(
                        field_def, to_nodes(field_details_list), parent_type, path
                    )
                return self._completed(
                    return_type, field_details_list, info, path, result, position_context
                )
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    async def _complete_resolved(
        self,
        plan: Plan,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Coroutine[Any, Any, Any],
        position_context: Any,
    ) -> Any:
        """graphql-core's `complete_awaitable_value` (awaited under its abort signal, errors
        handled alike), the resolved value completed here when it is one of ours."""
        return_type = field_def.type
        try:
            resolved = await self.with_abort_signal(result)
            completed = self._complete(plan, field_details_list, path, resolved, position_context)
            if completed is None:  # not one of ours (None where due, another class)
                info = self.build_resolve_info(
                    field_def, to_nodes(field_details_list), parent_type, path
                )
                completed = self.complete_value(
                    return_type, field_details_list, info, path, resolved, position_context
                )
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            completed = None
        return completed

    def _call_directly(
        self,
        call: DirectCall,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        """A direct field's method called with an Info whose resolve-info is built only if
        the method reads more than its context (schema/direct_fields.py)."""
        details = field_details_list[0]
        arguments = (
            self._arguments(field_def, details) if field_def.args or details.node.arguments else {}
        )
        if call.arguments is not None:  # renamed, input types converted: a dict of its own
            arguments = call.arguments(arguments)

        def build() -> "GraphQLResolveInfo[Any]":  # quoted: not evaluated at every call
            nodes = to_nodes(field_details_list)
            return self.build_resolve_info(field_def, nodes, parent_type, path)

        info = LazyInfo(self.context_value, build, call.field)
        # The coerced arguments are shared by the request's objects: passed, never changed.
        return call.function(source, **arguments, **{call.info_name: info})

    def _complete(
        self,
        plan: Plan,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """The completed object or list, or None for graphql-core to complete `result`."""
        _, object_type, origin, is_list, item_type, _ = plan
        # Objects of exactly `origin`, not cast to another type: what strawberry's
        # `is_type_of` accepts and graphql-core would execute as they are.
        if not is_list:
            if (
                result is None
                or result.__class__ is not origin
                or TYPE_CAST_ATTRIBUTE in result.__dict__
            ):
                return None  # None where due, a coroutine, another class: graphql-core's
            return self.collect_and_execute_subfields(
                object_type, field_details_list, path, result, position_context
            )
        if not isinstance(result, list | tuple):
            return None
        items_nullable = not isinstance(item_type, GraphQLNonNull)
        for item in result:
            if item is None:
                if not items_nullable:
                    return None
            elif item.__class__ is not origin or TYPE_CAST_ATTRIBUTE in item.__dict__:
                return None
        return self._complete_items(
            object_type, item_type, field_details_list, path, result, position_context
        )

    def _complete_items(
        self,
        object_type: GraphQLObjectType,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        """Each item's fields executed, an item's error handled as graphql-core handles it
        (null for a nullable item, else up to the list)."""
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None:
                    completed.append(None)
                    continue
                item_path = path.add_key(index, None)
                try:
                    value = self.collect_and_execute_subfields(
                        object_type, field_details_list, item_path, item, position_context
                    )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    value = None
                if self.is_awaitable(value):
                    value = self._await_completed(value, item_type, field_details_list, item_path)
                    pending.append(index)
                completed.append(value)
        except Exception:
            # As graphql-core does: the items already started still settle.
            if pending:
                self.settle_in_background([completed[i] for i in pending])
            raise
        if not pending:
            return completed
        return self._gather_items(completed, pending)

    async def _gather_items(self, completed: list[Any], pending: list[int]) -> list[Any]:
        awaited: list[Any] = await gather_with_cancel(*(completed[i] for i in pending))
        for index, value in zip(pending, awaited, strict=True):
            completed[index] = value
        return completed
