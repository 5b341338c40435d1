"""Relay pagination in one place: opaque cursors, `first` bounds, page metadata.

A cursor is base64 of a small JSON list; a malformed or foreign one is BAD_USER_INPUT on
`after`. Case cursors carry (ordering, sort value, id) for keyset paging; event cursors
carry the event id.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from yidi.domain.enums import RISK_RANK
from yidi.domain.errors import BadInput
from yidi.services.reading import CaseRow

CASES_FIRST_DEFAULT = 20
EVENTS_FIRST_DEFAULT = 50
EVENTS_FIRST_MAX = 200
CURSOR_MAX = 500

E = TypeVar("E")

_RISK_RANK_BY_NAME = {level.value: rank for level, rank in RISK_RANK.items()}


@dataclass(frozen=True)
class PageInfo(Generic[E]):
    """A page's metadata. Its end cursors are encoded only when asked for: a page nested in
    every case of another page (a case's events) rarely asks, and each costs an encoding."""

    has_next_page: bool
    has_previous_page: bool
    ends: tuple[E, E] | None  # the first and the last edge, None on an empty page
    cursor_of: Callable[[E], str]

    def start_cursor(self) -> str | None:
        return None if self.ends is None else self.cursor_of(self.ends[0])

    def end_cursor(self) -> str | None:
        return None if self.ends is None else self.cursor_of(self.ends[1])


def page_info(
    edges: Sequence[E], cursor_of: Callable[[E], str], *, has_next: bool, after: str | None
) -> PageInfo[E]:
    """Forward paging only: there is a previous page exactly when `after` was given."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        ends=(edges[0], edges[-1]) if edges else None,
        cursor_of=cursor_of,
    )


def first_within(first: int | None, default: int, limit: int) -> int:
    count = default if first is None else first
    if not 0 <= count <= limit:
        raise BadInput("first", f"first must be between 0 and {limit}.")
    return count


def encode_cursor(*parts: Any) -> str:
    raw = json.dumps(list(parts), separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The cursor's parts; ValueError when it is not one of ours."""
    if len(cursor) > CURSOR_MAX:  # ours are far shorter; a long one may nest absurdly deep
        raise ValueError("malformed cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError("malformed cursor") from exc
    if not isinstance(value, list):
        raise ValueError("malformed cursor")
    return value


def is_row_id(value: Any) -> bool:
    """A bigint primary key (bool is an int in Python, so it is excluded explicitly)."""
    return type(value) is int and 0 <= value < 2**63


def case_cursor(order_field: str, row: CaseRow) -> str:
    value: Any
    if order_field == "REGISTERED_AT":
        value = row.registered_at.isoformat()
    elif order_field == "DUE_AT":
        value = row.due_at.isoformat() if row.due_at else None
    else:
        value = _RISK_RANK_BY_NAME[row.risk_level]
    return encode_cursor(order_field, value, row.id)


def decode_case_cursor(order_field: str, after: str) -> tuple[Any, int]:
    """`after` → (sort value, id) for `order_field`; BAD_USER_INPUT when it is not one of
    ours, or one from another ordering. A DUE_AT value of None means "no deadline"."""
    try:
        parts = decode_cursor(after)
        if len(parts) != 3 or parts[0] != order_field or not is_row_id(parts[2]):
            raise ValueError("cursor does not belong to this ordering")
        value = parts[1]
        if order_field == "RISK_LEVEL":
            if type(value) is not int or value not in _RISK_RANK_BY_NAME.values():
                raise ValueError("bad cursor value")
            return value, parts[2]
        return (None if value is None else datetime.fromisoformat(str(value))), parts[2]
    except ValueError as exc:
        raise BadInput("after", "after is not a valid cursor for this ordering.") from exc


def event_cursor(event_id: int) -> str:
    return encode_cursor("e", event_id)


def decode_event_cursor(cursor: str) -> int:
    try:
        parts = decode_cursor(cursor)
    except ValueError:
        parts = []
    if len(parts) != 2 or parts[0] != "e" or not is_row_id(parts[1]):
        raise BadInput("after", "after is not a valid event cursor.")
    return int(parts[1])
