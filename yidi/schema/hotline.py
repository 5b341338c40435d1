"""The 12345 hotline bridge's callbacks, for the county's administrators (docs/HOTLINE.md)."""

from datetime import datetime
from enum import Enum

import strawberry

from yidi.persistence.models import HotlineCallback as HotlineCallbackRow
from yidi.resolvers import hotline as resolvers
from yidi.schema.types import Case, Ctx


@strawberry.enum(description="Where a status callback to the hotline platform stands.")
class HotlineCallbackState(Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@strawberry.type(description="A status callback owed to the 12345 hotline platform.")
class HotlineCallback:
    row: strawberry.Private[HotlineCallbackRow]
    order_id: str = strawberry.field(description="The platform's work order id.")
    kind: str = strawberry.field(description="ACCEPTED, RESOLVED or CLOSED.")
    state: HotlineCallbackState
    attempts: int
    next_attempt_at: datetime = strawberry.field(description="When it is tried next (PENDING).")
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    created_at: datetime
    delivered_at: datetime | None

    @strawberry.field
    async def case(self, info: Ctx) -> Case | None:
        row = await resolvers.callback_case(info.context, self.row.case_id)
        return Case.of(row) if row is not None else None

    @classmethod
    def of(cls, row: HotlineCallbackRow) -> "HotlineCallback":
        return cls(
            row=row,
            order_id=row.order_id,
            kind=row.kind,
            state=HotlineCallbackState(row.state),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )


@strawberry.type
class HotlineQueries:
    @strawberry.field(
        description="The caller's county's hotline callbacks, newest first (MANAGE_HOTLINE)."
    )
    async def hotline_callbacks(
        self, info: Ctx, state: HotlineCallbackState | None = None, first: int | None = None
    ) -> list[HotlineCallback]:
        rows = await resolvers.hotline_callbacks(
            info.context, state.value if state is not None else None, first
        )
        return [HotlineCallback.of(row) for row in rows]
