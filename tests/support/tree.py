"""Trees stored as rows with a parent_id (units, categories), walked in Python.

Tests work out who lies above whom from the raw rows, never from the application's
denormalised path columns, so a slip in those shows up.
"""

from dataclasses import dataclass

from starlette.applications import Starlette

from tests.support.sql import rows

UNITS = "SELECT id, parent_id, code FROM units"


@dataclass(frozen=True)
class Tree:
    parent: dict[int, int | None]
    ids: dict[str, int]  # code -> id

    def lineage(self, node: int) -> list[int]:
        """The node and everything above it, walking parent_id."""
        chain = [node]
        while (up := self.parent[chain[-1]]) is not None:
            chain.append(up)
        return chain

    def root(self, node: int) -> int:
        """The top of the node's tree: for a unit, its county."""
        return self.lineage(node)[-1]

    def under(self, node: int, code: str) -> bool:
        """Whether `node` is the node `code` or lies below it."""
        return self.ids[code] in self.lineage(node)


async def load_tree(app: Starlette, query: str = UNITS) -> Tree:
    """The tree that the rows (id, parent_id, code) `query` selects form."""
    found = await rows(app, query)
    return Tree({r.id: r.parent_id for r in found}, {r.code: r.id for r in found})
