"""What a query selects below a field: read once by a list's resolver, so the page can load
what its items will need before their fields resolve (resolvers/case_prefetch.py)."""

from collections.abc import Iterable, Iterator
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def selected_at(selections: Iterable[Selection], *path: str) -> dict[str, dict[str, Any]]:
    """Name → arguments of each field selected at `path` below `selections`, fragments
    flattened; of a field selected twice (under aliases), the first one's arguments."""
    level = list(selections)
    for name in path:
        level = [s for f in _fields(level) if f.name == name for s in f.selections]
    found: dict[str, dict[str, Any]] = {}
    for selected in _fields(level):
        found.setdefault(selected.name, dict(selected.arguments))
    return found
