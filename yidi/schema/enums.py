"""GraphQL enums: the domain's enums, registered with strawberry under the contract's names."""

from enum import StrEnum

import strawberry

from yidi.domain.enums import (
    CaseAction,
    CaseEventType,
    CaseStatus,
    Channel,
    FollowUpMethod,
    HandlingTrack,
    Outcome,
    RiskLevel,
    Role,
    Satisfaction,
    UnitKind,
    UnitLevel,
)

for _enum in (
    CaseAction,
    CaseEventType,
    CaseStatus,
    Channel,
    FollowUpMethod,
    HandlingTrack,
    Outcome,
    RiskLevel,
    Role,
    Satisfaction,
    UnitKind,
    UnitLevel,
):
    strawberry.enum(_enum)  # registers the class itself; the domain stays framework-free


@strawberry.enum
class CaseOrderField(StrEnum):
    REGISTERED_AT = "REGISTERED_AT"
    DUE_AT = "DUE_AT"
    RISK_LEVEL = "RISK_LEVEL"


@strawberry.enum
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


__all__ = [
    "CaseAction",
    "CaseEventType",
    "CaseOrderField",
    "CaseStatus",
    "Channel",
    "FollowUpMethod",
    "HandlingTrack",
    "OrderDirection",
    "Outcome",
    "RiskLevel",
    "Role",
    "Satisfaction",
    "UnitKind",
    "UnitLevel",
]
