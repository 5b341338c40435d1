"""What a document may cost, measured before graphql-core validates or runs it.

graphql-core's validation and strawberry's depth and alias limiters walk every fragment
spread afresh, so 817 bytes of fragments that each spread the previous one twice (the
"fragment bomb") expand to millions of fields and block the event loop for seconds before
any limit says no. This measure visits each fragment once (memoized by name), so it takes
time proportional to the document's length whatever its shape, and refuses over-budget
documents with QUERY_TOO_COMPLEX before validation starts.

Per operation it adds up, over the document as it would be executed:
- cost: every field counts 1, and what is under a list counts once per item it may return:
  the page size for a paginated field (`first`, as given or its default, capped at
  `max_page_factor`), `UNPAGED_LIST_FACTOR` for a plain list;
- depth: the deepest field below a root field (a root field is at depth 0);
- aliases: aliased fields, each spread of a fragment counting the fragment's aliases again.

The measure is a walk of the document that reads nothing but the values of the variables
given as `first`; a document kept by the schema's DocumentCache keeps its measures by those
values, and a request repeating them is judged without walking again.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_list_type,
    visit,
)
from strawberry.extensions import SchemaExtension

from yidi.config import Settings
from yidi.domain.errors import BadInput, QueryTooComplex
from yidi.resolvers.document_cache import BudgetVerdicts, DocumentCache

# A plain list (a unit's children, a case's co-handling units) is short; this is its
# assumed length when costing what is selected under it.
UNPAGED_LIST_FACTOR = 10
# Measures kept per cached document (its distinct operation names and page sizes); past
# this they are forgotten, so a client varying `first: $n` only costs walks again.
MAX_VERDICTS = 64


@dataclass(frozen=True)
class Measure:
    cost: int = 0
    levels: int = 0  # field levels, the selection's own included
    aliases: int = 0

    def beside(self, other: "Measure") -> "Measure":
        """Two selections side by side in one selection set."""
        return Measure(
            self.cost + other.cost, max(self.levels, other.levels), self.aliases + other.aliases
        )


NOTHING = Measure()


class _Walker:
    """Measures selection sets of one document, each fragment once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        max_page_factor: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.max_page_factor = max_page_factor
        self.memo: dict[str, Measure] = {}
        self.active: set[str] = set()
        # The variables the measure read, by name, each as `first` took it (see _used).
        self.read: dict[str, int | None] = {}

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> Measure:
        total = NOTHING
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total = total.beside(self.field(selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total = total.beside(self.selection_set(selection.selection_set, inner))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.beside(self.fragment(selection.name.value))
        return total

    def fragment(self, name: str) -> Measure:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return NOTHING  # unknown or cyclic: validation refuses it, nothing runs
        self.active.add(name)
        measure = self.selection_set(
            definition.selection_set, self.schema.get_type(definition.type_condition.name.value)
        )
        self.active.discard(name)
        self.memo[name] = measure
        return measure

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        own_alias = 1 if node.alias is not None else 0
        if node.selection_set is None:
            return Measure(cost=1, levels=1, aliases=own_alias)
        inner = self.selection_set(
            node.selection_set, get_named_type(definition.type) if definition else None
        )
        factor = self.factor(node, definition, parent)
        return Measure(
            cost=1 + factor * inner.cost,
            levels=1 + inner.levels,
            aliases=own_alias + inner.aliases,
        )

    def factor(
        self, node: FieldNode, definition: GraphQLField | None, parent: GraphQLNamedType | None
    ) -> int:
        """How many times what is selected under this field may be resolved."""
        if definition is None:
            return 1
        if "first" in definition.args:
            return min(max(self.first(node, definition), 0), self.max_page_factor)
        # A connection's edges were counted by its `first` already.
        if is_list_type(get_nullable_type(definition.type)) and not (
            parent is not None and parent.name.endswith("Connection")
        ):
            return UNPAGED_LIST_FACTOR
        return 1

    def first(self, node: FieldNode, definition: GraphQLField) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                used = self.read[value.name.value] = _used(self.variables.get(value.name.value))
                if used is not None:
                    return used
            break
        default = definition.args["first"].default_value
        return default if isinstance(default, int) else self.max_page_factor


def _used(given: Any) -> int | None:
    """A variable's value as a page size, or None where the field's default applies."""
    return given if isinstance(given, int) and not isinstance(given, bool) else None


class _DirectiveCounter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_directive(self, *_: object) -> None:
        self.count += 1


def _operations(
    document: DocumentNode, operation_name: str | None
) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        ):
            yield definition


def refusal(
    settings: Settings,
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any],
    operation_name: str | None,
) -> str | None:
    """Why the document is over budget, or None when it is within every limit."""
    return _judged(settings, schema, document, variables, operation_name)[0]


def _judged(
    settings: Settings,
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any],
    operation_name: str | None,
) -> tuple[str | None, tuple[str, ...]]:
    """`refusal`'s answer, and the names of the variables it read to reach it."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if len(fragments) > settings.max_fragments:
        return f"The document defines more than {settings.max_fragments} fragments.", ()
    directives = _DirectiveCounter()
    visit(document, directives)
    if directives.count > settings.max_directives:
        return f"The document uses more than {settings.max_directives} directives.", ()
    walker = _Walker(schema, fragments, variables, settings.max_page_factor)
    return _over(settings, walker, document, operation_name), tuple(walker.read)


def _over(
    settings: Settings, walker: _Walker, document: DocumentNode, operation_name: str | None
) -> str | None:
    for operation in _operations(document, operation_name):
        root = walker.schema.get_root_type(operation.operation)
        measure = walker.selection_set(operation.selection_set, root)
        if measure.levels - 1 > settings.max_query_depth:
            return f"The operation exceeds maximum operation depth of {settings.max_query_depth}."
        if measure.aliases > settings.max_aliases:
            return f"The operation has more than {settings.max_aliases} aliases."
        if measure.cost > settings.max_query_cost:
            return (
                f"The operation may resolve about {measure.cost} fields, more than the "
                f"{settings.max_query_cost} allowed; ask for smaller pages or fewer fields."
            )
    return None


def _too_long(value: Any, settings: Settings, path: str) -> tuple[str, str] | None:
    """The first variable (path, reason) longer than the limits allow."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if len(item) > settings.max_variable_string_length:
                limit = settings.max_variable_string_length
                return where, f"{where} is longer than {limit} characters."
        elif isinstance(item, list):
            if len(item) > settings.max_variable_list_length:
                limit = settings.max_variable_list_length
                return where, f"{where} has more than {limit} entries."
            stack.extend((entry, f"{where}.{i}") for i, entry in enumerate(item))
        elif isinstance(item, dict):
            stack.extend((entry, f"{where}.{key}") for key, entry in item.items())
    return None


def _remembered(
    verdicts: BudgetVerdicts, operation_name: str | None, variables: Mapping[str, Any]
) -> tuple[bool, str | None]:
    """(True, the verdict) when a measure of this operation read these variables with
    these values before, else (False, None)."""
    for names, by_values in verdicts.get(operation_name, {}).items():
        values = tuple(_used(variables.get(name)) for name in names)
        if values in by_values:
            return True, by_values[values]
    return False, None


def _remember(
    verdicts: BudgetVerdicts,
    operation_name: str | None,
    variables: Mapping[str, Any],
    names: tuple[str, ...],
    reason: str | None,
) -> None:
    if sum(len(v) for by_names in verdicts.values() for v in by_names.values()) >= MAX_VERDICTS:
        verdicts.clear()
    values = tuple(_used(variables.get(name)) for name in names)
    verdicts.setdefault(operation_name, {}).setdefault(names, {})[values] = reason


class QueryBudget(SchemaExtension):
    """Enforces the document and variable limits of `Settings` before anything is run.
    With the schema's `DocumentCache`, a document's measure is remembered with it."""

    def __init__(self, settings: Settings, documents: DocumentCache | None = None) -> None:
        self.settings = settings
        self.documents = documents

    def on_operation(self) -> Iterator[None]:
        # graphql-core's parser stops at this many tokens instead of building the whole tree.
        self.execution_context.parse_options["max_tokens"] = self.settings.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        # Setting an error here makes strawberry skip validation and execution altogether.
        context = self.execution_context
        if context.pre_execution_errors is None and context.graphql_document is not None:
            error = self._refusal()
            if error is not None:
                context.pre_execution_errors = [error]
        yield

    def _refusal(self) -> GraphQLError | None:
        context = self.execution_context
        query = context.query or ""
        # strawberry runs the first operation when none is named; GraphQL over HTTP says a
        # document of several operations must name the one to run.
        named = getattr(context, "_provided_operation_name", None)
        assert context.graphql_document is not None
        if named is None and len(list(_operations(context.graphql_document, None))) > 1:
            return _error(
                BadInput("operationName", "The document has several operations: name one.")
            )
        if len(query.encode("utf-8", "surrogatepass")) > self.settings.max_document_bytes:
            limit = self.settings.max_document_bytes
            return _error(QueryTooComplex(f"The document is longer than {limit} bytes."))
        variables = context.variables or {}
        too_long = _too_long(variables, self.settings, "variables")
        if too_long is not None:
            return _error(BadInput(*too_long))
        reason = self._measured(context.graphql_document, variables, context.operation_name)
        return None if reason is None else _error(QueryTooComplex(reason))

    def _measured(
        self, document: DocumentNode, variables: Mapping[str, Any], operation_name: str | None
    ) -> str | None:
        """`refusal`'s verdict, remembered with the document when the cache holds it."""
        text = self.execution_context.query
        entry = self.documents.get(text) if self.documents is not None and text else None
        if entry is None or entry.document is not document:
            entry = None  # not the cache's document: judged without it
        if entry is not None:
            known, reason = _remembered(entry.budget, operation_name, variables)
            if known:
                return reason
        schema = self.execution_context.schema._schema
        reason, names = _judged(self.settings, schema, document, variables, operation_name)
        if entry is not None:
            _remember(entry.budget, operation_name, variables, names, reason)
        return reason


def _error(original: Exception) -> GraphQLError:
    return GraphQLError(str(original), original_error=original)
