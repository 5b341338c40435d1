"""Input types of the contract."""

from datetime import datetime

import strawberry

from yidi.domain import enums as e
from yidi.schema.enums import CaseOrderField, OrderDirection


@strawberry.input
class CaseFilter:
    status: list[e.CaseStatus] | None = None
    risk_level: list[e.RiskLevel] | None = None
    channel: list[e.Channel] | None = None
    category_id: strawberry.ID | None = strawberry.field(
        default=None, description="The category or any of its descendants."
    )
    unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Cases whose handling unit is this unit or lies below it."
    )
    overdue: bool | None = None
    registered_from: datetime | None = None
    registered_to: datetime | None = None
    search: str | None = strawberry.field(
        default=None, description="Matches number, title or description."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Cases this leader has taken ownership of (领导包案)."
    )
    owned: bool | None = strawberry.field(
        default=None, description="Cases some leader owns (true) or nobody owns (false)."
    )


@strawberry.input
class CaseOrder:
    field: CaseOrderField
    direction: OrderDirection


@strawberry.input
class ReporterInput:
    name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    anonymous: bool | None = False


@strawberry.input
class RegisterCaseInput:
    title: str
    description: str
    category_id: strawberry.ID
    channel: e.Channel
    location_unit_id: strawberry.ID
    reporter: ReporterInput
    address: str | None = None
    occurred_at: datetime | None = None
    parties_count: int | None = 1
    risk_level: e.RiskLevel | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key by the same user returns the first case, not a "
        "new one.",
    )


@strawberry.input
class AssessCaseInput:
    case_id: strawberry.ID
    expected_version: int | None = None
    risk_level: e.RiskLevel | None = None
    track: e.HandlingTrack | None = None
    category_id: strawberry.ID | None = None
    note: str | None = None


@strawberry.input
class DispatchCaseInput:
    case_id: strawberry.ID
    unit_id: strawberry.ID
    expected_version: int | None = None
    assignee_id: strawberry.ID | None = None
    co_handling_unit_ids: list[strawberry.ID] | None = None
    note: str | None = None


@strawberry.input
class AcceptCaseInput:
    case_id: strawberry.ID
    expected_version: int | None = None
    assignee_id: strawberry.ID | None = None
    note: str | None = None


@strawberry.input
class ReasonInput:
    case_id: strawberry.ID
    reason: str
    expected_version: int | None = None


@strawberry.input
class ReassignCaseInput:
    case_id: strawberry.ID
    unit_id: strawberry.ID
    reason: str
    expected_version: int | None = None


@strawberry.input
class SuperviseCaseInput:
    case_id: strawberry.ID
    note: str


@strawberry.input
class CommentCaseInput:
    case_id: strawberry.ID
    note: str


@strawberry.input
class ResolveCaseInput:
    case_id: strawberry.ID
    outcome: e.Outcome
    summary: str
    expected_version: int | None = None


@strawberry.input
class CloseCaseInput:
    case_id: strawberry.ID
    expected_version: int | None = None
    note: str | None = None
    kind: e.ClosureKind | None = strawberry.field(
        default=None,
        description="SUBSTANTIVE: the matter is settled (may need a follow-up first); "
        "omitted or PROCEDURAL: handled, not settled (docs/CASE_FILE.md).",
    )


@strawberry.input
class RedirectCaseInput:
    case_id: strawberry.ID
    reason: str
    guidance: str
    expected_version: int | None = None


@strawberry.input
class MergeCaseInput:
    case_id: strawberry.ID
    into_case_id: strawberry.ID
    expected_version: int | None = None


@strawberry.input
class EvaluateCaseInput:
    case_id: strawberry.ID
    satisfaction: e.Satisfaction
    comment: str | None = None


@strawberry.input
class PublicEvaluationInput:
    tracking_code: str
    phone_last4: str
    satisfaction: e.Satisfaction
    comment: str | None = None


@strawberry.input
class FollowUpInput:
    case_id: strawberry.ID
    method: e.FollowUpMethod
    note: str
    settled: bool | None = strawberry.field(
        default=None,
        description="What the reporter says: false reopens the case (needs REOPEN).",
    )


@strawberry.input
class SubmitRequestInput:
    title: str
    description: str
    location_unit_id: strawberry.ID
    reporter: ReporterInput
    category_id: strawberry.ID | None = None
    address: str | None = None
    idempotency_key: str | None = None
