"""The one list of Relay node types: the GraphQL type and the query that finds one by id
(under the same visibility as its own query field)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from yidi.resolvers import queries
from yidi.resolvers.context import Context
from yidi.resolvers.ids import parse_global_id
from yidi.schema.types import Case, CaseEvent, Category, Node, Unit, User


@dataclass(frozen=True)
class NodeKind:
    graphql_type: type[Node]
    wrap: Callable[[Any], Node]
    find: Callable[[Context, str], Awaitable[Any]]


NODE_KINDS: dict[str, NodeKind] = {
    "Unit": NodeKind(Unit, Unit.of, queries.unit),
    "User": NodeKind(User, User.of, queries.user),
    "Category": NodeKind(Category, Category.of, queries.category),
    "Case": NodeKind(Case, Case.of, queries.case),
    "CaseEvent": NodeKind(CaseEvent, CaseEvent.of, queries.case_event),
}


async def find_node(ctx: Context, global_id: str) -> Node | None:
    parsed = parse_global_id(global_id)
    kind = NODE_KINDS.get(parsed[0]) if parsed is not None else None
    if kind is None:
        return None
    row = await kind.find(ctx, global_id)
    return kind.wrap(row) if row is not None else None
