"""What the read side reads of a row, whether the ORM loaded it or a plain statement did.

A page of cases reads some hundred events that it never changes; loading them as ORM
instances (identity map, instance state, instrumented attributes) was a large share of
the page's Python (docs/BENCHMARKS.md). Such rows are read with a Core statement instead
and arrive as SQLAlchemy rows, which answer the same attribute names; code that only reads
an event takes this protocol, which both the ORM class and those rows satisfy.
"""

from datetime import datetime
from typing import Any, Protocol


class EventRow(Protocol):
    """A case event's columns (models.CaseEvent), read-only."""

    @property
    def id(self) -> int: ...
    @property
    def county_id(self) -> int: ...
    @property
    def case_id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def from_unit_id(self) -> int | None: ...
    @property
    def to_unit_id(self) -> int | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any] | None: ...
    @property
    def position(self) -> int: ...
