"""The Subscription root (graphql-transport-ws on /graphql; docs/SUBSCRIPTIONS.md)."""

from collections.abc import AsyncGenerator

import strawberry

from yidi.resolvers import subscriptions
from yidi.schema.types import CaseEvent, Ctx
from yidi.services.following import Delivery


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Every event of one case, from `after` (exclusive) on; without `after`, "
        "from now on. NOT_FOUND for a case the subscriber cannot view; events stop when the "
        "case leaves the subscriber's view."
    )
    async def case_events(
        self, info: Ctx, case_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[CaseEvent, None]:
        async for delivery in subscriptions.case_events(info.context, case_id, after):
            yield _event(delivery)

    @strawberry.subscription(
        description="Events of every case the subscriber may view whose handling or "
        "location unit lies in `unitId`'s subtree. The unit must lie in the subscriber's "
        "own subtree (FORBIDDEN otherwise; NOT_FOUND for another county's unit)."
    )
    async def unit_case_events(
        self, info: Ctx, unit_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[CaseEvent, None]:
        async for delivery in subscriptions.unit_case_events(info.context, unit_id, after):
            yield _event(delivery)


def _event(delivery: Delivery) -> CaseEvent:
    """One GraphQL value per delivered event, whoever receives it (it depends on no caller)."""
    value = delivery.memo.get(CaseEvent)
    if value is None:
        value = delivery.memo[CaseEvent] = CaseEvent.of(delivery.event, shared=delivery.memo)
    assert isinstance(value, CaseEvent)
    return value
