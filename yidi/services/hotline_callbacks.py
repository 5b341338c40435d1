"""Status callbacks to the 12345 hotline platform, owed in the transaction of the case event
they report: none is lost, none is sent for a change that rolled back. They are delivered
by services/hotline_delivery.py (docs/HOTLINE.md)."""

from collections.abc import Sequence
from datetime import datetime

from yidi.domain import hotline as rules
from yidi.domain.enums import CaseEventType, Channel
from yidi.persistence import hotline as store
from yidi.persistence.models import Case, CaseEvent, HotlineCallback
from yidi.services.work import Work

PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"


def owes_callbacks(events: Sequence[CaseEvent], cases: Sequence[Case]) -> bool:
    """Whether any of the events is one the platform hears of, on a case it sent us."""
    return bool(_reported(events, cases)[1])


async def owe_callbacks(work: Work, events: Sequence[CaseEvent], cases: Sequence[Case]) -> None:
    """Queue a callback for each event the platform hears of, on cases it sent us."""
    by_id, reported = _reported(events, cases)
    if not reported:
        return
    orders = await store.orders_of_cases(work.session, [e.case_id for e in reported])
    store.add_callbacks(
        work.session,
        [
            _callback(by_id[e.case_id], orders[e.case_id], CaseEventType(e.type), work.now)
            for e in reported
            if e.case_id in orders
        ],
    )


def _reported(
    events: Sequence[CaseEvent], cases: Sequence[Case]
) -> tuple[dict[int, Case], list[CaseEvent]]:
    by_id = {case.id: case for case in cases if case.channel == Channel.HOTLINE_12345.value}
    reported = [
        e for e in events if e.case_id in by_id and CaseEventType(e.type) in rules.CALLBACK_KINDS
    ]
    return by_id, reported


def _callback(case: Case, order_id: str, kind: CaseEventType, now: datetime) -> HotlineCallback:
    payload = {
        "orderId": order_id,
        "caseNumber": case.number,
        "event": rules.CALLBACK_KINDS[kind],
        "at": now.isoformat(),
        "status": case.status,
        "resolutionSummary": case.resolution_summary
        if kind is not CaseEventType.ACCEPTED
        else None,
    }
    return HotlineCallback(
        county_id=case.county_id,
        case_id=case.id,
        order_id=order_id,
        kind=rules.CALLBACK_KINDS[kind],
        payload=payload,
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
