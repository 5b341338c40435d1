"""Use case: import a county's 民声登记簿 (docs/IMPORT.md), from the CLI or the upload.

Every row is checked first (`domain/ledger.py`); any error and nothing is written. Then, in
the work's one transaction, rows an earlier import brought in are skipped (the same
content) or reported (content changed since: never overwritten), and the new rows become
cases with the events that bring them to the register's state, through the event writer's
batched path (`services/events.record_past`).
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from yidi.authz import guard
from yidi.domain import closure, repeats
from yidi.domain.calendar import SHANGHAI
from yidi.domain.dashboards import PathUnit, area_ancestors
from yidi.domain.enums import CaseStatus, ClosureKind, RiskLevel, UnitKind, UnitLevel
from yidi.domain.errors import Forbidden, NotFound
from yidi.domain.intake import DEFAULT_RISK, DEFAULT_TRACK, time_limit_days
from yidi.domain.ledger import CategoryRef, LedgerRow, Place, Reference, RowError, check_rows
from yidi.domain.ledger_layout import Cell, Layout, normalize_header, text_of
from yidi.domain.ledger_trail import trail
from yidi.domain.numbering import derived_tracking_code, hash_tracking_code
from yidi.persistence import ledger as store
from yidi.persistence.models import Unit
from yidi.persistence.units import unit_by_code
from yidi.services.events import PastCase, record_past
from yidi.services.settings import follow_up_risks
from yidi.services.work import Work

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Sheet:
    """A register as read from its file: the header row's cells and each data row's cells
    with its row number in the spreadsheet."""

    header: Sequence[Cell]
    header_row: int
    rows: Sequence[tuple[int, Sequence[Cell]]]


@dataclass(frozen=True)
class Changed:
    """A row imported before whose content has changed since: reported, not overwritten."""

    row: int
    external_number: str
    case_number: str


@dataclass
class Report:
    county: str
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Plan:
    """A checked register: the rows to write, and what the check found."""

    report: Report
    county: Unit
    units: dict[int, Unit]
    new_rows: list[LedgerRow]


async def check(
    work: Work,
    county_code: str,
    sheet: Sheet,
    layout: Layout,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Authorize, read what rows are checked against, check every row and compare with
    earlier imports of the county. Writes nothing."""
    county = await _county(work, county_code)
    units = {u.id: u for u in await store.county_units(work.session, county.id)}
    codes = _codes(sheet, layout)
    coded = {u.code: _place(u) for u in await store.units_by_codes(work.session, codes)}
    categories = [
        CategoryRef(c.id, c.code, c.name, c.time_limit_days)
        for c in await store.county_categories(work.session, county.id)
    ]
    reference = Reference(county.id, [_place(u) for u in units.values()], categories, coded)
    checking = None if progress is None else (lambda n: progress("checking", n))
    # Seconds of CPU for a large register: off the event loop, which serves others.
    checked = await asyncio.to_thread(
        check_rows,
        sheet.header,
        sheet.header_row,
        sheet.rows,
        layout,
        reference,
        work.now,
        checking,
    )
    report = Report(county_code, rows=len(checked.rows) + _rows_in_error(checked.errors))
    report.dry_run, report.errors = dry_run, checked.errors
    if checked.errors:
        return Plan(report, county, units, [])
    await store.lock_imports(work.session, county.id)
    earlier = await store.imported_rows(
        work.session, county.id, [r.external_number for r in checked.rows]
    )
    new_rows = []
    for row in checked.rows:
        found = earlier.get(row.external_number)
        if found is None:
            new_rows.append(row)
        elif found[0] == row.content_hash:
            report.unchanged += 1
        else:
            report.changed.append(Changed(row.row, row.external_number, found[1]))
    report.imported = len(new_rows)
    return Plan(report, county, units, new_rows)


async def write(work: Work, plan: Plan, progress: Progress | None = None) -> Report:
    """Write the plan's new rows as cases, with their events, in the work's transaction."""
    county, units = plan.county, plan.units
    risks = await follow_up_risks(work.session, county.id)
    # A county that asks a follow-up before a substantive close of the default risk gets the
    # register's closed rows closed procedurally: the register records no follow-up.
    kind = (
        ClosureKind.PROCEDURAL
        if closure.follow_up_required(ClosureKind.SUBSTANTIVE, DEFAULT_RISK, risks)
        else ClosureKind.SUBSTANTIVE
    )
    past = await asyncio.to_thread(
        lambda: [_past_case(work, county, units, row, kind) for row in plan.new_rows]
    )
    if progress is not None:
        progress("prepared", len(past))
    numbered = await record_past(work, county.id, county.code, past)
    await store.store_rows(
        work.session,
        county.id,
        [
            (row.external_number, case_id, row.content_hash)
            for row, (case_id, _) in zip(plan.new_rows, numbered, strict=True)
        ],
        work.now,
    )
    if progress is not None:
        progress("written", len(numbered))
    return plan.report


async def import_ledger(
    work: Work,
    county_code: str,
    sheet: Sheet,
    layout: Layout,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Check, then write unless a row failed or this is a dry run."""
    plan = await check(work, county_code, sheet, layout, dry_run=dry_run, progress=progress)
    if plan.report.errors or dry_run:
        return plan.report
    return await write(work, plan, progress)


async def _county(work: Work, code: str) -> Unit:
    """The county imported into; a signed-in caller needs IMPORT_LEDGER in it (the CLI runs
    as the operator, on the server, with no caller)."""
    county = await unit_by_code(work.session, code)
    is_county = county is not None and county.level == UnitLevel.COUNTY.value
    if work.actor is None:
        if county is None or not is_county:
            raise NotFound(f"No county with code {code}.")
        return county
    actor, enforcer = work.staff()
    if county is None or not is_county or county.id != actor.county_id:
        raise Forbidden("You may import a ledger only into your own county.")
    if not guard.may_import_ledger(enforcer, actor):
        raise Forbidden("You may not import ledgers.")
    return county


def _codes(sheet: Sheet, layout: Layout) -> list[str]:
    """The unit codes the sheet names (read before the check: one query for them all)."""
    header = [text_of(h) for h in sheet.header]
    index = next(
        (i for i, h in enumerate(header) if layout.columns.get(normalize_header(h)) == "unit_code"),
        None,
    )
    if index is None:
        return []
    return sorted({text_of(r[index]) for _, r in sheet.rows if index < len(r) and r[index]})


def _rows_in_error(errors: Sequence[RowError]) -> int:
    return len({e.row for e in errors})


def _place(unit: Unit) -> Place:
    level = UnitLevel(unit.level)
    return Place(unit.id, unit.county_id, unit.code, unit.name, level, unit.parent_id)


def _past_case(
    work: Work, county: Unit, units: dict[int, Unit], row: LedgerRow, kind: ClosureKind
) -> PastCase:
    """The case a row becomes: registered and handled at its unit, at the register's times."""
    unit = units[row.location.id]
    path = [units[i] for i in unit.path]
    township_id, village_id = area_ancestors(
        [PathUnit(u.id, UnitLevel(u.level), UnitKind(u.kind)) for u in path]
    )
    status = row.status
    done = status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    accepted = status is not CaseStatus.REGISTERED
    seed = f"ledger/{county.id}/{row.external_number}"
    tracking = hash_tracking_code(derived_tracking_code(work.secret, seed))
    limit = time_limit_days(DEFAULT_TRACK, row.category.time_limit_days)
    values: dict[str, Any] = {
        "tracking_code_hash": tracking,
        "title": row.title,
        "description": row.description,
        "category_id": row.category.id,
        "channel": row.channel.value,
        "status": status.value,
        "risk_level": RiskLevel(DEFAULT_RISK).value,
        "track": DEFAULT_TRACK.value,
        "parties_count": 1,
        "reporter_name": row.reporter.name,
        "reporter_phone": row.reporter.phone,
        "reporter_id_number": row.reporter.id_number,
        "reporter_anonymous": False,
        "reporter_phone_key": repeats.phone_key(work.secret, county.id, row.reporter.phone),
        "reporter_id_key": repeats.id_number_key(work.secret, county.id, row.reporter.id_number),
        "address": row.address,
        "location_unit_id": unit.id,
        "intake_unit_id": unit.id,
        "handling_unit_id": unit.id,
        "registered_by_id": work.actor.user_id if work.actor is not None else None,
        "handling_path": list(unit.path),
        "location_path": list(unit.path),
        "involved_path": sorted(unit.path),
        "location_township_id": township_id,
        "location_village_id": village_id,
        "registered_at": row.registered_at,
        "due_at": work.calendar.due_at(row.registered_at, limit),
        "accepted_at": row.registered_at if accepted else None,
        "resolved_at": row.resolved_at if done else None,
        "closed_at": row.resolved_at if status is CaseStatus.CLOSED else None,
        "resolution_outcome": row.outcome.value if row.outcome is not None else None,
        "resolution_summary": row.result,
        "resolved_by_unit_id": unit.id if done else None,
        "closure_kind": kind.value if status is CaseStatus.CLOSED else None,
        "first_resolved_at": row.resolved_at if done else None,
        "first_resolved_level": unit.level if done else None,
        "external_number": row.external_number,
    }
    year = row.registered_at.astimezone(SHANGHAI).year
    return PastCase(values, year, trail(row, unit.id, kind))
