"""The one writer of case events (全程留痕).

Every change to a case — registration, a resident's submission, each lifecycle action,
a resident's evaluation, both sides of a merge, deadline alerts — appends its event here,
in the use case's transaction, and bumps the case's version. No other code creates a
case event row (a test reads the source to hold that). When the work commits, `publish`
numbers the events in commit order (the outbox position live updates follow), chains them
and stores them together with their cases' changes in one statement
(`persistence/outbox.store_positioned`: a Core INSERT with the cases' UPDATEs in its WITH
clause, not the ORM's flush).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yidi.domain.audit_chain import GENESIS, EventContent, link
from yidi.domain.enums import CaseEventType
from yidi.domain.ledger_trail import TrailEvent
from yidi.domain.numbering import format_case_number
from yidi.persistence import ledger as ledger_store
from yidi.persistence.case_insert import insert_case
from yidi.persistence.models import Case, CaseEvent
from yidi.persistence.outbox import store_positioned, take_positions
from yidi.persistence.units import units_by_ids
from yidi.services.hotline_callbacks import owe_callbacks
from yidi.services.work import Work


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
    A new case (not stored yet) is stored here, already at its first version. The event
    itself is stored by `publish`, when the work commits.
    """
    case.version += 1
    await _keep_dashboard_facts(work, case, event_type, from_unit_id, data)
    if case.id is None:
        await insert_case(work.session, case)  # the event needs the case's id
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
    work.pending_events.append(event)
    if case not in work.changed:
        work.changed.append(case)


async def _keep_dashboard_facts(
    work: Work,
    case: Case,
    event_type: CaseEventType,
    from_unit_id: int | None,
    data: dict[str, Any] | None,
) -> None:
    """What the dashboards read from the case row instead of its events (docs/DASHBOARDS.md):
    the first RESOLVED event's time and the level of its unit (the handling unit then), the
    latest EVALUATED event's satisfaction. A REOPEN clears neither: they are history."""
    if event_type is CaseEventType.RESOLVED and case.first_resolved_at is None:
        case.first_resolved_at = work.now
        if from_unit_id is not None:
            unit = (await units_by_ids(work.session, [from_unit_id]))[from_unit_id]
            case.first_resolved_level = unit.level
    elif event_type is CaseEventType.EVALUATED and data is not None:
        case.latest_satisfaction = data["satisfaction"]


async def publish(work: Work) -> None:
    """Number the work's new cases and its events, and store the events, as the last thing
    before it commits (the unit of work calls this). Listeners hear of them once it commits.

    Case numbers and event positions come from each county's counter rows, locked from here
    until commit: taken last, in one statement per county, they are held as briefly as
    possible (every registration of the county queues on them), and counties are taken in
    id order so two writers never deadlock.
    """
    events, work.pending_events = work.pending_events, []
    unnumbered, work.unnumbered = work.unnumbered, []
    if not events:
        return
    for county_id in sorted({e.county_id for e in events}):
        of_county = [e for e in events if e.county_id == county_id]
        new_cases = [u for u in unnumbered if u.case.county_id == county_id]
        years = {u.year for u in new_cases}
        # A work registers at most one case, so one year per county.
        assert len(years) <= 1, "cases of several years in one work"
        numbers = (years.pop(), len(new_cases)) if new_cases else None
        first, first_number = await take_positions(work.session, county_id, len(of_county), numbers)
        for offset, event in enumerate(of_county):
            event.position = first + offset
        for offset, new in enumerate(new_cases):
            assert first_number is not None
            new.case.number = format_case_number(new.county_code, new.year, first_number + offset)
    # Callbacks the 12345 platform is owed commit with the events they report.
    await owe_callbacks(work, events, work.changed)
    _chain(events, {case.id: case for case in work.changed})
    await store_positioned(work.session, events, work.changed)


def _chain(events: list[CaseEvent], cases: dict[int, Case]) -> None:
    """Link each event to its case's previous one (the case row is locked by this work)."""
    for event in events:
        case = cases[event.case_id]
        event.chain_hash = link(case.chain_head or GENESIS, content_of(event))
        case.chain_head = event.chain_hash


@dataclass(frozen=True)
class PastCase:
    """A case brought in with its history (the ledger import): its columns but id, number,
    version and chain head, the year its number is of, and its events, oldest first."""

    values: dict[str, Any]
    year: int
    events: Sequence[TrailEvent]


async def record_past(
    work: Work, county_id: int, county_code: str, cases: Sequence[PastCase]
) -> list[tuple[int, str]]:
    """Write many cases of one county with their past events at once: the batched path of
    this writer, for imports (docs/IMPORT.md). Each case is numbered by the county's gapless
    counter of its year, its events take the county's next positions (case after case) and
    are chained exactly as `record` and `publish` chain them, so `yidi audit verify` holds.
    Rows go in by COPY in the work's transaction; listeners hear once, at commit (one NOTIFY
    for the whole import). (case id, case number) of each case, in order.
    """
    if not cases:
        return []
    session = work.session
    actor_id = work.actor.user_id if work.actor is not None else None
    ids = await ledger_store.new_case_ids(session, len(cases))
    counts: dict[int, int] = {}
    for past in cases:
        counts[past.year] = counts.get(past.year, 0) + 1
    first_numbers = await ledger_store.take_numbers(session, county_id, counts)
    total = sum(len(past.events) for past in cases)
    position, _ = await take_positions(session, county_id, total)
    # Chaining 100,000 cases is seconds of CPU: off the event loop, which serves others.
    numbered, case_rows, event_rows = await asyncio.to_thread(
        _chain_past, cases, ids, first_numbers, position, county_id, county_code, actor_id
    )
    await ledger_store.store_cases(session, case_rows, event_rows)
    return numbered


def _chain_past(
    cases: Sequence[PastCase],
    ids: Sequence[int],
    first_numbers: dict[int, int],
    position: int,
    county_id: int,
    county_code: str,
    actor_id: int | None,
) -> tuple[list[tuple[int, str]], list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Number, position and chain the cases' events, as `publish` and `_chain` would."""
    numbered: list[tuple[int, str]] = []
    case_rows: list[dict[str, Any]] = []
    event_rows: list[tuple[Any, ...]] = []
    for case_id, past in zip(ids, cases, strict=True):
        sequence = first_numbers[past.year]
        first_numbers[past.year] = sequence + 1
        number = format_case_number(county_code, past.year, sequence)
        head = GENESIS
        for event in past.events:
            data = event.data
            content = EventContent(
                county_id, case_id, position, event.type.value, event.at, actor_id,
                event.from_unit_id, event.to_unit_id, event.note, data,
            )  # fmt: skip
            head = link(head, content)
            event_rows.append(
                (county_id, case_id, event.type.value, event.at, actor_id,
                 event.from_unit_id, event.to_unit_id, event.note, data, position, head)
            )  # fmt: skip
            position += 1
        case_rows.append(
            {**past.values, "id": case_id, "county_id": county_id, "number": number,
             "version": len(past.events), "chain_head": head}
        )  # fmt: skip
        numbered.append((case_id, number))
    return numbered, case_rows, event_rows


def content_of(event: CaseEvent) -> EventContent:
    return EventContent(
        county_id=event.county_id,
        case_id=event.case_id,
        position=event.position,
        type=event.type,
        at=event.at,
        actor_id=event.actor_id,
        from_unit_id=event.from_unit_id,
        to_unit_id=event.to_unit_id,
        note=event.note,
        data=event.data,
    )
