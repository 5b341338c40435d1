"""The events that bring an imported ledger row to the state the register records.

A row that was already handled is not written as a bare status: it gets the timeline staff
would have produced — registered, accepted, resolved, closed — each step checked against
the lifecycle table (`domain/lifecycle.py`), at the times the register gives.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yidi.domain.enums import CaseAction, CaseEventType, CaseStatus, ClosureKind
from yidi.domain.ledger import LedgerRow
from yidi.domain.lifecycle import EVENT_OF_ACTION, CaseFacts, next_status

# Shown in the REGISTERED event's note: where the case came from.
IMPORT_NOTE = "民声登记簿导入"

# The actions that lead from registration to each state a ledger row may be in.
_STEPS: dict[CaseStatus, tuple[CaseAction, ...]] = {
    CaseStatus.REGISTERED: (),
    CaseStatus.IN_PROGRESS: (CaseAction.ACCEPT,),
    CaseStatus.RESOLVED: (CaseAction.ACCEPT, CaseAction.RESOLVE),
    CaseStatus.CLOSED: (CaseAction.ACCEPT, CaseAction.RESOLVE, CaseAction.CLOSE),
}


@dataclass(frozen=True)
class TrailEvent:
    type: CaseEventType
    at: datetime
    from_unit_id: int | None
    to_unit_id: int | None
    note: str | None
    data: dict[str, Any] | None


def trail(row: LedgerRow, unit_id: int, closure: ClosureKind) -> list[TrailEvent]:
    """The row's events, oldest first, ending in the row's status (the table allows every
    step, or this raises InvalidTransition: a programming error, never bad input)."""
    events = [
        TrailEvent(
            CaseEventType.REGISTERED,
            row.registered_at,
            None,
            unit_id,
            IMPORT_NOTE,
            {"externalNumber": row.external_number},
        )
    ]
    status = CaseStatus.REGISTERED
    for action in _STEPS[row.status]:
        status = next_status(CaseFacts(status), action)
        events.append(_event(action, row, unit_id, closure))
    assert status is row.status
    return events


def _event(action: CaseAction, row: LedgerRow, unit_id: int, closure: ClosureKind) -> TrailEvent:
    kind = EVENT_OF_ACTION[action]
    if action is CaseAction.ACCEPT:
        return TrailEvent(kind, row.registered_at, None, unit_id, None, None)
    assert row.resolved_at is not None
    assert row.outcome is not None
    if action is CaseAction.RESOLVE:
        return TrailEvent(
            kind, row.resolved_at, unit_id, None, row.result, {"outcome": row.outcome.value}
        )
    return TrailEvent(kind, row.resolved_at, None, None, None, {"kind": closure.value})
