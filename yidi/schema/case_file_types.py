"""Object types of the case file (docs/CASE_FILE.md): mediation records, …

`Case` and `CaseEvent` (types.py) reach these lazily, so the case file grows here rather
than in the contract's own types module.
"""

from datetime import datetime

import strawberry

from yidi.domain import enums as e
from yidi.persistence import models
from yidi.resolvers import case_fields
from yidi.schema.types import Ctx, Unit, User, load_unit, load_user
from yidi.services.reading import CaseRow


@strawberry.type(description="A mediator from outside the staff: a lawyer, a 乡贤, a party member.")
class OutsideMediator:
    name: str
    role: e.MediatorRole
    organization: str | None


@strawberry.type(description="One mediation session of a case (调解笔录).")
class Mediation:
    row: strawberry.Private[models.Mediation]
    case_row: strawberry.Private[CaseRow]
    kind: e.MediationKind
    linkage: e.MediationLinkage | None = strawberry.field(
        description="Through which linkage (诉调/警调/访调/网调/专调) it came to mediation."
    )
    held_at: datetime
    place: str
    outcome: e.MediationOutcome
    recorded_at: datetime

    @classmethod
    def of(cls, case: CaseRow, row: models.Mediation) -> "Mediation":
        return cls(
            row=row,
            case_row=case,
            kind=e.MediationKind(row.kind),
            linkage=e.MediationLinkage(row.linkage) if row.linkage is not None else None,
            held_at=row.held_at,
            place=row.place,
            outcome=e.MediationOutcome(row.outcome),
            recorded_at=row.recorded_at,
        )

    @strawberry.field(description="Staff who mediated.")
    async def staff_mediators(self, info: Ctx) -> list[User]:
        rows = await info.context.loaders.users.load_many(self.row.staff_mediator_ids)
        return [User.of(r) for r in rows if r is not None]

    @strawberry.field
    def outside_mediators(self) -> list[OutsideMediator]:
        return [
            OutsideMediator(
                name=m["name"], role=e.MediatorRole(m["role"]), organization=m.get("organization")
            )
            for m in self.row.outside_mediators
        ]

    @strawberry.field(
        description="The parties present; names masked (张**) unless the viewer may see "
        "personal data of this case."
    )
    async def parties_present(self, info: Ctx) -> list[str]:
        view = await case_fields.mediation_view(info.context, self.case_row, self.row)
        return view.parties_present

    @strawberry.field(
        description="The transcript (调解笔录); null unless the viewer may see personal data "
        "of this case."
    )
    async def transcript(self, info: Ctx) -> str | None:
        view = await case_fields.mediation_view(info.context, self.case_row, self.row)
        return view.transcript

    @strawberry.field(
        description="The agreement (调解协议) when one was reached; null also when the viewer "
        "may not see personal data of this case."
    )
    async def agreement(self, info: Ctx) -> str | None:
        view = await case_fields.mediation_view(info.context, self.case_row, self.row)
        return view.agreement

    @strawberry.field
    async def recorded_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.recorded_by_id)


@strawberry.type(description="A request for more working days (延期) and its decision.")
class Extension:
    row: strawberry.Private[models.Extension]
    days: int
    reason: str
    status: e.ExtensionStatus
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str | None
    due_at_before: datetime | None = strawberry.field(
        description="The deadline an approval moved; null while pending or when rejected."
    )
    due_at_after: datetime | None

    @classmethod
    def of(cls, row: models.Extension) -> "Extension":
        return cls(
            row=row,
            days=row.days,
            reason=row.reason,
            status=e.ExtensionStatus(row.status),
            requested_at=row.requested_at,
            decided_at=row.decided_at,
            decision_note=row.decision_note,
            due_at_before=row.due_at_before,
            due_at_after=row.due_at_after,
        )

    @strawberry.field
    async def requested_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.requested_by_id)

    @strawberry.field
    async def decided_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.decided_by_id)


@strawberry.type(description="A stop of the working-day clock (中止), from pause to resume.")
class Pause:
    row: strawberry.Private[models.Pause]
    reason: e.PauseReason
    note: str
    paused_at: datetime
    resumed_at: datetime | None
    resume_note: str | None
    working_days: int | None = strawberry.field(
        description="Working days the pause took off the clock; null while it lasts."
    )
    due_at_before: datetime = strawberry.field(description="The deadline when it was paused.")
    due_at_after: datetime | None = strawberry.field(description="The deadline once resumed.")

    @classmethod
    def of(cls, row: models.Pause) -> "Pause":
        return cls(
            row=row,
            reason=e.PauseReason(row.reason),
            note=row.note,
            paused_at=row.paused_at,
            resumed_at=row.resumed_at,
            resume_note=row.resume_note,
            working_days=row.working_days,
            due_at_before=row.due_at_before,
            due_at_after=row.due_at_after,
        )

    @strawberry.field
    async def paused_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.paused_by_id)

    @strawberry.field
    async def resumed_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.resumed_by_id)


@strawberry.type(description="How a case was closed (docs/CASE_FILE.md, 回访 before it counts).")
class Closure:
    kind: e.ClosureKind
    closed_at: datetime
    closed_by_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, case: CaseRow) -> "Closure | None":
        if case.closed_at is None or case.closure_kind is None:
            return None
        return cls(
            kind=e.ClosureKind(case.closure_kind),
            closed_at=case.closed_at,
            closed_by_id=case.closed_by_id,
        )

    @strawberry.field
    async def closed_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.closed_by_id)


@strawberry.type(description="A unit summoned to a case (中心吹哨) and its answer (部门报到).")
class Summons:
    row: strawberry.Private[models.Summons]
    state: e.SummonsState
    note: str = strawberry.field(description="What the unit was called in for.")
    summoned_at: datetime
    report_by: datetime = strawberry.field(description="The report-in deadline.")
    missed_at: datetime | None = strawberry.field(
        description="When the sweeper found the deadline passed without a report-in; kept "
        "after a late report-in."
    )
    reported_at: datetime | None
    report_note: str | None
    contributed_at: datetime | None
    contribution: str | None = strawberry.field(description="The unit's own finding or result.")

    @classmethod
    def of(cls, row: models.Summons) -> "Summons":
        return cls(
            row=row,
            state=e.SummonsState(row.state),
            note=row.note,
            summoned_at=row.summoned_at,
            report_by=row.report_by,
            missed_at=row.missed_at,
            reported_at=row.reported_at,
            report_note=row.report_note,
            contributed_at=row.contributed_at,
            contribution=row.contribution,
        )

    @strawberry.field(description="The summoned unit.")
    async def unit(self, info: Ctx) -> Unit:
        return await load_unit(info, self.row.unit_id)

    @strawberry.field
    async def summoned_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.summoned_by_id)

    @strawberry.field
    async def reported_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.reported_by_id)

    @strawberry.field
    async def contributed_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.contributed_by_id)
