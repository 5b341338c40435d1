"""GraphQL enums: the domain's enums, registered with strawberry under the contract's names."""

from enum import StrEnum

import strawberry

from yidi.domain import enums as domain

# Every domain enum is a GraphQL enum of the same name: register the classes themselves
# (the domain stays framework-free, and the two can never drift apart).
for _enum in vars(domain).values():
    if isinstance(_enum, type) and issubclass(_enum, StrEnum) and _enum is not StrEnum:
        strawberry.enum(_enum)


@strawberry.enum
class CaseOrderField(StrEnum):
    REGISTERED_AT = "REGISTERED_AT"
    DUE_AT = "DUE_AT"
    RISK_LEVEL = "RISK_LEVEL"


@strawberry.enum
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"
