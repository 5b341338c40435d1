"""Use case: a cadre or grid worker sends in a visit report sheet (民意报告单, docs/INTAKE.md).

One sheet is one transaction: every item registered as a case, answered on the spot, or
noted — or, if any item fails, nothing at all. A resend under the same client key returns
the sheet the first attempt stored (an offline app may send twice).
"""

from dataclasses import dataclass

from yidi.authz import guard
from yidi.domain import commands as c
from yidi.domain.enums import Outcome
from yidi.domain.errors import BadInput, Forbidden
from yidi.domain.visits import VisitItem, VisitItemKind, VisitSheet, check_sheet, content_hash
from yidi.persistence import visits as store
from yidi.persistence.cases import cases_by_ids
from yidi.persistence.intake_models import VisitReport, VisitReportItem
from yidi.persistence.models import Case
from yidi.persistence.units import units_by_ids
from yidi.services.intake import RegisterCommand, ReporterInput, register_case
from yidi.services.transitions import transition
from yidi.services.unit_of_work import Work

# Input fields of the commands an item runs, as the sheet names them.
_ITEM_FIELDS = {"summary": "answer"}


@dataclass(frozen=True)
class SubmittedSheet:
    report: VisitReport
    items: list[VisitReportItem]
    cases: dict[int, Case]
    # True when this was a resend: the first attempt's sheet, nothing new written.
    replayed: bool


async def _replay(work: Work, report: VisitReport, digest: str) -> SubmittedSheet:
    if report.content_hash != digest:
        raise BadInput("clientKey", "This client key was used for another sheet.")
    items = await store.items_of_report(work.session, report.id)
    ids = [i.case_id for i in items if i.case_id is not None]
    return SubmittedSheet(report, items, await cases_by_ids(work.session, ids), True)


async def _register(work: Work, sheet: VisitSheet, item: VisitItem) -> Case:
    r = item.reporter
    registered = await register_case(
        work,
        RegisterCommand(
            title=item.title,
            description=item.description,
            category_id=item.category_id,
            channel=sheet.channel,
            location_unit_id=item.location_unit_id or sheet.location_unit_id,
            address=sheet.place,
            occurred_at=sheet.visited_at,
            parties_count=1,
            reporter=ReporterInput(r.name, r.phone, r.id_number, r.anonymous)
            if r is not None
            else ReporterInput(None, None, None, False),
            risk_level=item.risk_level,
            idempotency_key=None,
        ),
        # Answered on the spot, the matter stays with whoever answered it.
        route=item.kind is VisitItemKind.CASE,
    )
    case = registered.case
    if item.kind is VisitItemKind.ANSWERED:
        # The lifecycle's own path: accepted by the visitor, resolved with the answer.
        await transition(work, c.Accept(case_id=case.id))
        await transition(
            work,
            c.Resolve(
                case_id=case.id,
                outcome=item.outcome or Outcome.EXPLAINED,
                summary=item.answer or "",
            ),
        )
    return case


async def submit_visit_report(work: Work, sheet: VisitSheet) -> SubmittedSheet:
    actor, enforcer = work.staff()
    if not guard.may_submit_visit_report(enforcer, actor):
        raise Forbidden("You may not submit visit reports.")
    sheet = check_sheet(sheet, work.now)
    digest = content_hash(sheet)
    existing = await store.claim(work.session, actor.user_id, sheet.client_key)
    if existing is not None:
        return await _replay(work, existing, digest)
    location = (await units_by_ids(work.session, [sheet.location_unit_id])).get(
        sheet.location_unit_id
    )
    if location is None or location.county_id != actor.county_id:
        raise BadInput("locationUnitId", "No such unit.")
    if not guard.target_in_subtree(actor, location.path):
        raise Forbidden("You may report visits only within your own unit's area.")
    cases: dict[int, Case] = {}
    rows: list[VisitReportItem] = []
    for i, item in enumerate(sheet.items):
        case = None
        if item.kind is not VisitItemKind.NOTED:
            try:
                case = await _register(work, sheet, item)
            except BadInput as error:
                field = _ITEM_FIELDS.get(error.field, error.field)
                raise BadInput(f"items.{i}.{field}", error.message) from error
            cases[case.id] = case
        rows.append(
            VisitReportItem(
                position=i,
                kind=item.kind.value,
                title=case.title if case else item.title.strip(),
                description=case.description if case else item.description.strip(),
                case_id=case.id if case else None,
            )
        )
    report = VisitReport(
        county_id=actor.county_id,
        unit_id=actor.unit_id,
        location_unit_id=location.id,
        submitted_by_id=actor.user_id,
        client_key=sheet.client_key,
        content_hash=digest,
        channel=sheet.channel.value,
        place=sheet.place,
        visited_at=sheet.visited_at,
        households=sheet.households,
        submitted_at=work.now,
    )
    await store.add_report(work.session, report, rows)
    return SubmittedSheet(report, rows, cases, False)
