"""Input types of the case file (docs/CASE_FILE.md): ownership, mediation, …"""

import strawberry


@strawberry.input(description="领导包案: the calling leader takes the case on.")
class TakeOwnershipInput:
    case_id: strawberry.ID
    expected_version: int | None = None
    note: str | None = None
