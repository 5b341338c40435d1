"""Each case's trail as a hash chain: an event's hash covers its content and the hash of
the case's previous event, so editing, removing or inserting an event behind the
application's back breaks every later link (`yidi audit verify` finds the first).

The canonical form is version 1 of the format; changing it needs a new version, since
stored hashes are computed with it.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The "previous hash" of a case's first event.
GENESIS = bytes(32)


@dataclass(frozen=True)
class EventContent:
    county_id: int
    case_id: int
    position: int
    type: str
    at: datetime
    actor_id: int | None
    from_unit_id: int | None
    to_unit_id: int | None
    note: str | None
    data: dict[str, Any] | None


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def canonical(content: EventContent) -> bytes:
    """The bytes hashed: sorted-key compact JSON, the instant in UTC to the microsecond."""
    before, after = canonical_around_position(content)
    return before + str(content.position).encode() + after


def canonical_around_position(content: EventContent) -> tuple[bytes, bytes]:
    """The canonical bytes before and after the position's digits (the content's own
    position is not read): the event writer renders an event before its position is
    known, and its last statement puts the digits in and hashes (persistence/outbox.py).

    Rendered key by key exactly as `json.dumps(..., sort_keys=True)` renders the whole
    object: "position" sorts between "note" and "to" (a test compares the two)."""
    fields = {
        "v": 1,
        "county": content.county_id,
        "case": content.case_id,
        "type": content.type,
        "at": content.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": content.actor_id,
        "from": content.from_unit_id,
        "to": content.to_unit_id,
        "note": content.note,
        "data": content.data,
    }
    members = sorted((key, f"{_ENCODE(key)}:{_ENCODE(value)}") for key, value in fields.items())
    before = ",".join(member for key, member in members if key < "position")
    after = ",".join(member for key, member in members if key > "position")
    return f'{{{before},"position":'.encode(), f",{after}}}".encode()


def link(previous: bytes, content: EventContent) -> bytes:
    """The event's chain hash: SHA-256 over the previous hash and the canonical content."""
    return hashlib.sha256(previous + canonical(content)).digest()


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the stored trail and its recomputation disagree."""

    case_id: int
    position: int | None  # None: the case's recorded head does not match its last event
    reason: str


def verify_case(
    case_id: int, events: list[tuple[EventContent, bytes]], head: bytes | None
) -> BrokenLink | None:
    """Check one case's events (in position order, each with its stored hash) and the
    case's stored head; the first broken link, or None."""
    previous = GENESIS
    for content, stored in events:
        if link(previous, content) != stored:
            return BrokenLink(case_id, content.position, "content or order does not match")
        previous = stored
    if head != previous:
        return BrokenLink(case_id, None, "events are missing after the last one kept")
    return None
