"""Input types of the contract."""

from datetime import datetime

import strawberry

from yidi.schema.enums import CaseOrderField, CaseStatus, Channel, OrderDirection, RiskLevel


@strawberry.input
class CaseFilter:
    status: list[CaseStatus] | None = None
    risk_level: list[RiskLevel] | None = None
    channel: list[Channel] | None = None
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
    channel: Channel
    location_unit_id: strawberry.ID
    reporter: ReporterInput
    address: str | None = None
    occurred_at: datetime | None = None
    parties_count: int | None = 1
    risk_level: RiskLevel | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key by the same user returns the first case, not a "
        "new one.",
    )
