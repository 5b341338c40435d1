"""The Query root."""

import strawberry

from yidi.resolvers import pagination, queries
from yidi.schema.dashboards import DashboardQueries
from yidi.schema.enums import CaseOrderField, OrderDirection
from yidi.schema.hotline import HotlineQueries
from yidi.schema.inputs import CaseFilter, CaseOrder
from yidi.schema.nodes import find_node
from yidi.schema.policy import PolicyQueries
from yidi.schema.public import PublicQueries
from yidi.schema.repeats import RepeatQueries
from yidi.schema.routing import RoutingQueries
from yidi.schema.selection import selected_at
from yidi.schema.settings import SettingsQueries
from yidi.schema.types import (
    Case,
    CaseConnection,
    CaseEdge,
    Category,
    Ctx,
    Node,
    PageInfo,
    Unit,
    User,
    unit_or_none,
)


def _filter_args(f: CaseFilter | None) -> queries.CaseFilterArgs | None:
    if f is None:
        return None
    return queries.CaseFilterArgs(
        status=[s.value for s in f.status] if f.status is not None else None,
        risk_level=[r.value for r in f.risk_level] if f.risk_level is not None else None,
        channel=[c.value for c in f.channel] if f.channel is not None else None,
        category_id=f.category_id,
        unit_id=f.unit_id,
        overdue=f.overdue,
        registered_from=f.registered_from,
        registered_to=f.registered_to,
        search=f.search,
        owner_id=f.owner_id,
        owned=f.owned,
    )


@strawberry.type
class Query(
    PublicQueries,
    PolicyQueries,
    SettingsQueries,
    DashboardQueries,
    HotlineQueries,
    RoutingQueries,
    RepeatQueries,
):
    @strawberry.field
    async def node(self, info: Ctx, id: strawberry.ID) -> Node | None:
        return await find_node(info.context, id)

    @strawberry.field
    async def me(self, info: Ctx) -> User:
        return User.of(await queries.me(info.context))

    @strawberry.field
    async def unit(self, info: Ctx, id: strawberry.ID) -> Unit | None:
        return unit_or_none(await queries.unit(info.context, id))

    @strawberry.field
    async def unit_by_code(self, info: Ctx, code: str) -> Unit | None:
        return unit_or_none(await queries.unit_by_code(info.context, code))

    @strawberry.field
    async def categories(self, info: Ctx) -> list[Category]:
        return [Category.of(c) for c in await queries.categories(info.context)]

    @strawberry.field(name="case")
    async def case_(self, info: Ctx, id: strawberry.ID) -> Case | None:
        row = await queries.case(info.context, id)
        return Case.of(row) if row is not None else None

    @strawberry.field
    async def case_by_number(self, info: Ctx, number: str) -> Case | None:
        row = await queries.case_by_number(info.context, number)
        return Case.of(row) if row is not None else None

    @strawberry.field
    async def cases(
        self,
        info: Ctx,
        filter: CaseFilter | None = None,
        order_by: CaseOrder | None = None,
        first: int | None = pagination.CASES_FIRST_DEFAULT,
        after: str | None = None,
    ) -> CaseConnection:
        order = order_by or CaseOrder(
            field=CaseOrderField.REGISTERED_AT, direction=OrderDirection.DESC
        )
        result = await queries.cases(
            info.context,
            _filter_args(filter),
            order.field.value,
            order.direction is OrderDirection.DESC,
            first,
            after,
            selected_at(info.selected_fields, "cases", "edges", "node"),
        )
        cursor_of = result.page_info.cursor_of
        edges = [CaseEdge(node=Case.of(row), cursor_of=cursor_of) for row in result.cases]
        return CaseConnection(
            edges=edges,
            page_info=PageInfo.of(result.page_info),
            count=result.total,
        )
