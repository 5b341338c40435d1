"""The one writer of case events (全程留痕).

Every change to a case — registration, a resident's submission, each lifecycle action,
a resident's evaluation, both sides of a merge, deadline alerts — appends its event here,
in the use case's transaction, and bumps the case's version. No other code creates a
case event row (a test reads the source to hold that), so whatever must accompany every
event (the live-update outbox) is added in this one place.
"""

from typing import Any

from yidi.domain.enums import CaseEventType
from yidi.persistence.cases import add_case, add_event
from yidi.persistence.models import Case, CaseEvent
from yidi.services.unit_of_work import Work


async def record(
    work: Work,
    case: Case,
    event_type: CaseEventType,
    *,
    from_unit_id: int | None = None,
    to_unit_id: int | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one event to the case's timeline and bump its version.

    The actor is the work's signed-in user; None stands for the system or a resident.
    A new case (not stored yet) is stored here, already at its first version. Rows reach
    the database when the work flushes or commits, so many events cost one round trip.
    """
    case.version += 1
    if case.id is None:
        await add_case(work.session, case)  # the event needs the case's id
    event = CaseEvent(
        county_id=case.county_id,
        case_id=case.id,
        type=event_type.value,
        at=work.now,
        actor_id=work.actor.user_id if work.actor is not None else None,
        from_unit_id=from_unit_id,
        to_unit_id=to_unit_id,
        note=note,
        data=data,
    )
    add_event(work.session, event)
    if case not in work.changed:
        work.changed.append(case)
