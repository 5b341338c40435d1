"""The one writer of case events (全程留痕).

Every change to a case — registration, a resident's submission, each lifecycle action,
a resident's evaluation, both sides of a merge, deadline alerts — appends its event here,
in the use case's transaction, and bumps the case's version. No other code creates a
case event row (a test reads the source to hold that). When the work commits, `publish`
numbers the events in commit order (the outbox position live updates follow), chains them
and stores them together with their cases' changes and new numbers in one statement
(`persistence/outbox.seal`: Core, not the ORM's flush).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yidi.domain.audit_chain import GENESIS, EventContent, canonical_around_position, link
from yidi.domain.enums import CaseEventType
from yidi.domain.ledger_trail import TrailEvent
from yidi.domain.numbering import case_number_prefix, format_case_number
from yidi.persistence import ledger as ledger_store
from yidi.persistence.case_insert import insert_case, stored
from yidi.persistence.models import Case, CaseEvent
from yidi.persistence.outbox import NewNumber, Unsealed, seal, take_positions
from yidi.persistence.session import WriteOutsideSeal, refuse_pending_outside_seal
from yidi.persistence.units import units_by_ids
from yidi.services.hotline_callbacks import owe_callbacks, owes_callbacks
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
    A new case (not stored yet) is stored here, already at its first version — unless the
    work runs without a transaction and the case's id is taken already: its seal inserts it
    then, numbered. The event itself is stored by `publish`, when the work commits.
    """
    case.version += 1
    await _keep_dashboard_facts(work, case, event_type, from_unit_id, data)
    if not stored(case) and not (work.alone and case.id is not None):
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
    """Number the work's new cases, position and chain its events and store them, as the
    last thing before it commits (the unit of work calls this). Listeners hear of them once
    it commits.

    Case numbers and event positions come from each county's counter rows, locked from
    then until commit: every writer of the county queues on them, so they are taken by the
    one statement that also stores the events and the cases' changes (`outbox.seal`, which
    hashes in SQL what could only be hashed once the position is known), one per county,
    counties in id order so two writers never deadlock.
    """
    events, work.pending_events = work.pending_events, []
    unnumbered, work.unnumbered = work.unnumbered, []
    if not events:
        return
    counties = sorted({e.county_id for e in events})
    if work.alone:
        # Two seals, or the callbacks' rows after the seal, would each commit on its own;
        # rows pending besides the cases would not be written at all.
        if len(counties) > 1 or owes_callbacks(events, work.changed):
            raise WriteOutsideSeal("this work writes more than one seal")
        refuse_pending_outside_seal(work.session, work.changed)
    for county_id in counties:
        of_county = [e for e in events if e.county_id == county_id]
        cases = [c for c in work.changed if c.county_id == county_id]
        new = [
            NewNumber(u.case, case_number_prefix(u.county_code, u.year), u.year)
            for u in unnumbered
            if u.case.county_id == county_id
        ]
        await seal(work.session, county_id, _unsealed(of_county, cases), cases, new)
    # Callbacks the 12345 platform is owed commit with the events they report (and quote
    # the new cases' numbers).
    await owe_callbacks(work, events, work.changed)


def _unsealed(events: list[CaseEvent], cases: list[Case]) -> list[Unsealed]:
    """Each event rendered for the seal, linked to its case's chain head as read (the seal
    writes nothing if the case has moved since) or to the case's previous event in the
    same seal."""
    heads: dict[int, bytes | None] = {case.id: case.chain_head or GENESIS for case in cases}
    unsealed = []
    for event in events:
        before, after = canonical_around_position(content_of(event))
        unsealed.append(Unsealed(event, before, after, heads[event.case_id]))
        heads[event.case_id] = None  # the next event links to this one, hashed in the seal
    return unsealed


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
    position = await take_positions(session, county_id, total)
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
