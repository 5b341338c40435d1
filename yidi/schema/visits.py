"""Visit report sheets (民意报告单, docs/INTAKE.md): a cadre's or grid worker's door-to-door
visits, each item registered as a case, answered on the spot, or noted for the record.

Not in the client contract; added for the field apps (一本一单).
"""

from datetime import datetime

import strawberry

from yidi.domain import enums as e
from yidi.domain.visits import VisitItemKind, VisitReporter
from yidi.persistence.models import Case as CaseRow
from yidi.persistence.models import VisitReport as VisitReportRow
from yidi.persistence.models import VisitReportItem as VisitReportItemRow
from yidi.resolvers import visits as resolvers
from yidi.resolvers.ids import to_global_id
from yidi.schema.inputs import ReporterInput
from yidi.schema.types import Case, Ctx, Unit, User, load_unit, load_user

strawberry.enum(
    VisitItemKind,
    description="CASE: registered as a case; ANSWERED: answered on the spot (registered and "
    "resolved in one step); NOTED: for the record only, no case.",
)


@strawberry.input
class VisitItemInput:
    kind: VisitItemKind
    title: str
    description: str
    category_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for CASE and ANSWERED."
    )
    location_unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where the matter arose; the sheet's location when omitted."
    )
    reporter: ReporterInput | None = None
    risk_level: e.RiskLevel | None = None
    answer: str | None = strawberry.field(
        default=None, description="ANSWERED only: the answer given, recorded as the resolution."
    )
    outcome: e.Outcome | None = strawberry.field(
        default=None, description="ANSWERED only: SOLVED, EXPLAINED (default), PARTIALLY_SOLVED."
    )


@strawberry.input
class SubmitVisitReportInput:
    client_key: str = strawberry.field(
        description="Chosen by the app; a resend with the same key returns the first sheet, "
        "the same key with other content is BAD_USER_INPUT."
    )
    location_unit_id: strawberry.ID
    visited_at: datetime
    households: int = strawberry.field(description="Households visited.")
    items: list[VisitItemInput]
    place: str | None = None
    channel: e.Channel = strawberry.field(
        default=e.Channel.CADRE_VISIT, description="CADRE_VISIT or GRID_PATROL."
    )


@strawberry.type
class VisitReportItem:
    row: strawberry.Private[VisitReportItemRow]
    case_row: strawberry.Private[CaseRow | None]
    kind: VisitItemKind
    title: str
    description: str

    @strawberry.field(description="The case the item became; null for NOTED.")
    def case(self) -> Case | None:
        return Case.of(self.case_row) if self.case_row is not None else None


@strawberry.type
class VisitReport:
    row: strawberry.Private[VisitReportRow]
    id: strawberry.ID
    client_key: str
    visited_at: datetime
    place: str | None
    households: int
    channel: e.Channel
    items: list[VisitReportItem]

    @strawberry.field
    async def location_unit(self, info: Ctx) -> Unit:
        return await load_unit(info, self.row.location_unit_id)

    @strawberry.field
    async def submitted_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.submitted_by_id)


@strawberry.type
class SubmitVisitReportPayload:
    report: VisitReport
    replayed: bool = strawberry.field(
        description="A resend: the sheet the first attempt stored; nothing new was written."
    )


@strawberry.type
class VisitMutations:
    @strawberry.mutation(
        description="A visit report sheet (民意报告单), all items or none (SUBMIT_VISIT_REPORT, "
        "and REGISTER for each case)."
    )
    async def submit_visit_report(
        self, info: Ctx, input: SubmitVisitReportInput
    ) -> SubmitVisitReportPayload:
        args = resolvers.SheetArgs(
            client_key=input.client_key,
            location_unit_id=input.location_unit_id,
            place=input.place,
            visited_at=input.visited_at,
            households=input.households,
            channel=input.channel,
            items=[
                resolvers.ItemArgs(
                    kind=i.kind,
                    title=i.title,
                    description=i.description,
                    category_id=i.category_id,
                    location_unit_id=i.location_unit_id,
                    reporter=VisitReporter(
                        i.reporter.name,
                        i.reporter.phone,
                        i.reporter.id_number,
                        bool(i.reporter.anonymous),
                    )
                    if i.reporter is not None
                    else None,
                    risk_level=i.risk_level,
                    answer=i.answer,
                    outcome=i.outcome,
                )
                for i in input.items
            ],
        )
        done = await resolvers.submit_visit_report(info.context, args)
        report = done.report
        items = [
            VisitReportItem(
                row=i,
                case_row=done.cases.get(i.case_id) if i.case_id is not None else None,
                kind=VisitItemKind(i.kind),
                title=i.title,
                description=i.description,
            )
            for i in done.items
        ]
        return SubmitVisitReportPayload(
            report=VisitReport(
                row=report,
                id=strawberry.ID(to_global_id("VisitReport", report.id)),
                client_key=report.client_key,
                visited_at=report.visited_at,
                place=report.place,
                households=report.households,
                channel=e.Channel(report.channel),
                items=items,
            ),
            replayed=done.replayed,
        )
