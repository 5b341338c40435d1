"""GraphQL enums: the domain's enums, exposed under the contract's names."""

from enum import StrEnum

import strawberry

from yidi.domain import enums as d

UnitLevel = strawberry.enum(d.UnitLevel)
UnitKind = strawberry.enum(d.UnitKind)
Role = strawberry.enum(d.Role)
Channel = strawberry.enum(d.Channel)
CaseStatus = strawberry.enum(d.CaseStatus)
RiskLevel = strawberry.enum(d.RiskLevel)
HandlingTrack = strawberry.enum(d.HandlingTrack)
Outcome = strawberry.enum(d.Outcome)
Satisfaction = strawberry.enum(d.Satisfaction)
FollowUpMethod = strawberry.enum(d.FollowUpMethod)
CaseAction = strawberry.enum(d.CaseAction)
CaseEventType = strawberry.enum(d.CaseEventType)


@strawberry.enum
class CaseOrderField(StrEnum):
    REGISTERED_AT = "REGISTERED_AT"
    DUE_AT = "DUE_AT"
    RISK_LEVEL = "RISK_LEVEL"


@strawberry.enum
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"
