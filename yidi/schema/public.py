"""What residents use without an account: submitting, tracking, evaluating."""

from datetime import datetime

import strawberry

from yidi.domain import enums as e
from yidi.resolvers import public as resolvers
from yidi.schema.direct_fields import DIRECT
from yidi.schema.inputs import PublicEvaluationInput, SubmitRequestInput
from yidi.schema.types import Ctx
from yidi.services.intake import ReporterInput
from yidi.services.public import PublicStatus


@strawberry.type
class PublicMilestone:
    type: e.CaseEventType
    at: datetime


@strawberry.type(
    description="What a reporter sees with a tracking code: no staff names, no other personal data."
)
class PublicCaseStatus:
    number: str
    status: e.CaseStatus
    registered_at: datetime
    due_at: datetime | None
    handling_unit_name: str
    resolution_summary: str | None
    milestones: list[PublicMilestone]
    can_evaluate: bool

    @classmethod
    def of(cls, s: PublicStatus) -> "PublicCaseStatus":
        return cls(
            number=s.case.number,
            status=e.CaseStatus(s.case.status),
            registered_at=s.case.registered_at,
            due_at=s.case.due_at,
            handling_unit_name=s.handling_unit_name,
            resolution_summary=s.case.resolution_summary,
            milestones=[PublicMilestone(type=e.CaseEventType(t), at=at) for t, at in s.milestones],
            can_evaluate=s.can_evaluate,
        )


@strawberry.type
class SubmitRequestPayload:
    number: str
    tracking_code: str


@strawberry.type
class PublicQueries:
    @strawberry.field(description="No authentication. Null when code and phone do not match.")
    async def track_case(
        self, info: Ctx, tracking_code: str, phone_last4: str
    ) -> PublicCaseStatus | None:
        status = await resolvers.track_case(info.context, tracking_code, phone_last4)
        return PublicCaseStatus.of(status) if status is not None else None


@strawberry.type
class PublicMutations:
    @strawberry.mutation(description="No authentication; rate limited.", metadata=DIRECT)
    async def submit_request(self, info: Ctx, input: SubmitRequestInput) -> SubmitRequestPayload:
        r = input.reporter
        number, code = await resolvers.submit_request(
            info.context,
            input.title,
            input.description,
            input.category_id,
            input.location_unit_id,
            input.address,
            ReporterInput(r.name, r.phone, r.id_number, bool(r.anonymous)),
            input.idempotency_key,
        )
        return SubmitRequestPayload(number=number, tracking_code=code)

    @strawberry.mutation(
        description="No authentication; the reporter's own evaluation.", metadata=DIRECT
    )
    async def evaluate_by_tracking(self, info: Ctx, input: PublicEvaluationInput) -> bool:
        i = input
        return await resolvers.evaluate_by_tracking(
            info.context, i.tracking_code, i.phone_last4, i.satisfaction, i.comment
        )
