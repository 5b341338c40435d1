"""Object types of the contract. Each wraps a stored row; nested objects load via DataLoaders."""

from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from yidi.domain import enums as e
from yidi.domain.lifecycle import is_overdue
from yidi.persistence import models
from yidi.resolvers import case_fields, evidence, pagination
from yidi.resolvers.context import Context
from yidi.resolvers.eager import now_or_later, then
from yidi.resolvers.ids import to_global_id

# Imported for its effect: the domain enums `e` become GraphQL enums.
from yidi.schema import enums as _registered  # noqa: F401
from yidi.schema.direct_fields import DIRECT
from yidi.services.reading import CaseRow, EventRow, ReporterView

if TYPE_CHECKING:
    from yidi.schema.case_file_types import Closure, Extension, Mediation, Pause, Summons
    from yidi.schema.evidence import Attachment
    from yidi.schema.repeats import DuplicateCandidate
    from yidi.schema.routing import DispatchSuggestion

Ctx = Info[Context, None]
# The case file's types live in their own module and refer back to these.
_CASE_FILE = "yidi.schema.case_file_types"
_EVIDENCE = "yidi.schema.evidence"
_ROUTING = "yidi.schema.routing"  # intake and routing (docs/INTAKE.md)
_REPEATS = "yidi.schema.repeats"


# Members by value for the enums a page reads per case or event: a dict lookup, where calling
# the enum costs two Python calls; an unknown value still raises the enum's own error.
_EVENT_TYPES = {member.value: member for member in e.CaseEventType}
_STATUSES = {member.value: member for member in e.CaseStatus}


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    page: strawberry.Private[pagination.PageInfo[Any]]

    @classmethod
    def of(cls, info: pagination.PageInfo[Any]) -> "PageInfo":
        return cls(
            has_next_page=info.has_next_page, has_previous_page=info.has_previous_page, page=info
        )

    # Encoded when asked for: a case's events are a page in every case of a page.
    @strawberry.field(metadata=DIRECT)
    def start_cursor(self) -> str | None:
        return self.page.start_cursor()

    @strawberry.field(metadata=DIRECT)
    def end_cursor(self) -> str | None:
        return self.page.end_cursor()


@strawberry.type
class Unit(Node):
    row: strawberry.Private[models.Unit]
    code: str = strawberry.field(
        description="Administrative division code for areas, a "
        "department code for departments; unique in the deployment."
    )
    name: str
    level: e.UnitLevel
    kind: e.UnitKind

    @classmethod
    def of(cls, row: models.Unit) -> "Unit":
        return cls(
            id=strawberry.ID(to_global_id("Unit", row.id)),
            row=row,
            code=row.code,
            name=row.name,
            level=e.UnitLevel(row.level),
            kind=e.UnitKind(row.kind),
        )

    @strawberry.field
    async def parent(self, info: Ctx) -> "Unit | None":
        if self.row.parent_id is None:
            return None
        return unit_or_none(await info.context.loaders.units.load(self.row.parent_id))

    @strawberry.field
    async def children(self, info: Ctx, kind: e.UnitKind | None = None) -> list["Unit"]:
        rows = await info.context.loaders.children.load(self.row.id)
        return [Unit.of(r) for r in rows if kind is None or r.kind == kind.value]

    @strawberry.field(description="Root first; the unit itself is not included.")
    async def ancestors(self, info: Ctx) -> list["Unit"]:
        rows = await info.context.loaders.units.load_many(self.row.path[:-1])
        return [Unit.of(r) for r in rows if r is not None]


def unit_or_none(row: models.Unit | None) -> Unit | None:
    return Unit.of(row) if row is not None else None


async def load_unit(info: Ctx, unit_id: int) -> Unit:
    row = await info.context.loaders.units.load(unit_id)
    assert row is not None, "foreign key guarantees the unit exists"
    return Unit.of(row)


@strawberry.type
class User(Node):
    row: strawberry.Private[models.User]
    username: str
    display_name: str
    roles: list[e.Role]

    @classmethod
    def of(cls, row: models.User) -> "User":
        return cls(
            id=strawberry.ID(to_global_id("User", row.id)),
            row=row,
            username=row.username,
            display_name=row.display_name,
            roles=[e.Role(r) for r in row.roles],
        )

    @strawberry.field
    async def unit(self, info: Ctx) -> Unit:
        return await load_unit(info, self.row.unit_id)


def user_or_none(row: models.User | None) -> User | None:
    return User.of(row) if row is not None else None


async def load_user(info: Ctx, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    row = await info.context.loaders.users.load(user_id)
    return User.of(row) if row is not None else None


@strawberry.type
class Category(Node):
    row: strawberry.Private[models.Category]
    code: str
    name: str
    time_limit_days: int = strawberry.field(
        description="Working days allowed on the STANDARD track."
    )

    @classmethod
    def of(cls, row: models.Category) -> "Category":
        return cls(
            id=strawberry.ID(to_global_id("Category", row.id)),
            row=row,
            code=row.code,
            name=row.name,
            time_limit_days=row.time_limit_days,
        )

    @strawberry.field
    async def parent(self, info: Ctx) -> "Category | None":
        if self.row.parent_id is None:
            return None
        row = await info.context.loaders.categories.load(self.row.parent_id)
        return Category.of(row) if row is not None else None


@strawberry.type
class Reporter:
    name: str | None = strawberry.field(
        description="Null when the reporter asked to stay anonymous."
    )
    phone: str | None = strawberry.field(
        description="Masked (138****5678) unless the viewer may see personal data of this case."
    )
    id_number: str | None = strawberry.field(description="Masked likewise (6201**********1234).")
    anonymous: bool


@strawberry.type
class Resolution:
    outcome: e.Outcome
    summary: str
    resolved_at: datetime
    resolved_by_id: strawberry.Private[int | None]
    resolved_by_unit_id: strawberry.Private[int]

    @strawberry.field
    async def resolved_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.resolved_by_id)

    @strawberry.field
    async def resolved_by_unit(self, info: Ctx) -> Unit:
        return await load_unit(info, self.resolved_by_unit_id)


@strawberry.type
class Evaluation:
    satisfaction: e.Satisfaction
    comment: str | None
    evaluated_at: datetime


@strawberry.type
class FollowUp:
    at: datetime
    by_id: strawberry.Private[int | None]
    method: e.FollowUpMethod
    note: str
    settled: bool | None = strawberry.field(
        description="What the reporter said: settled, not settled (the case reopened), or "
        "not asked."
    )

    @strawberry.field
    async def by(self, info: Ctx) -> User | None:
        return await load_user(info, self.by_id)


@strawberry.type
class CaseEvent(Node):
    row: strawberry.Private[EventRow]  # an ORM event, or a page's plain row
    # A delivered event's memo, shared by every subscriber of this process that receives
    # it (schema/shared_execution.py); None outside subscriptions.
    shared: strawberry.Private[dict[Hashable, Any] | None] = None

    @classmethod
    def of(cls, row: EventRow, shared: dict[Hashable, Any] | None = None) -> "CaseEvent":
        return cls(id=strawberry.ID(to_global_id("CaseEvent", row.id)), row=row, shared=shared)

    # Read from the row when selected: every case of a page carries a page of events.
    @strawberry.field(metadata=DIRECT)
    def type(self) -> e.CaseEventType:
        found = _EVENT_TYPES.get(self.row.type)
        return found if found is not None else e.CaseEventType(self.row.type)

    @strawberry.field(metadata=DIRECT)
    def at(self) -> datetime:
        return self.row.at

    # Encoded when asked for: a page of nested events rarely selects it.
    @strawberry.field(
        description="Opaque, totally ordered across the deployment; pass it as `after` to "
        "resume a subscription."
    )
    def cursor(self) -> str:
        return pagination.event_cursor(self.row.id)

    @strawberry.field(
        description="Names another case only to a caller who may view it (a MERGED event's "
        "original)."
    )
    async def note(self, info: Ctx) -> str | None:
        return await case_fields.event_note(info.context, self.row)

    @strawberry.field(name="case")
    async def case_(self, info: Ctx) -> "Case":
        row = await info.context.loaders.cases.load(self.row.case_id)
        assert row is not None
        return Case.of(row)

    @strawberry.field(description="Null for the system or a citizen.")
    async def actor(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.actor_id)

    @strawberry.field(
        description="The leader who took or gave up ownership (OWNERSHIP_TAKEN, "
        "OWNERSHIP_RELEASED); null on other events."
    )
    async def owner(self, info: Ctx) -> User | None:
        return await load_user(info, case_fields.event_owner_id(self.row))

    @strawberry.field(description="The mediation a MEDIATION_RECORDED event records.")
    async def mediation(
        self, info: Ctx
    ) -> Annotated["Mediation", strawberry.lazy(_CASE_FILE)] | None:
        from yidi.schema.case_file_types import Mediation

        found = await case_fields.event_mediation(info.context, self.row)
        return Mediation.of(*found) if found is not None else None

    @strawberry.field(
        description="The request an EXTENSION_REQUESTED or EXTENSION_DECIDED event is about."
    )
    async def extension(
        self, info: Ctx
    ) -> Annotated["Extension", strawberry.lazy(_CASE_FILE)] | None:
        from yidi.schema.case_file_types import Extension

        row = await case_fields.event_extension(info.context, self.row)
        return Extension.of(row) if row is not None else None

    @strawberry.field(description="The pause a PAUSED or RESUMED event is about.")
    async def pause(self, info: Ctx) -> Annotated["Pause", strawberry.lazy(_CASE_FILE)] | None:
        from yidi.schema.case_file_types import Pause

        row = await case_fields.event_pause(info.context, self.row)
        return Pause.of(row) if row is not None else None

    @strawberry.field(
        description="The summonses a SUMMONED, REPORTED_IN, CONTRIBUTED or REPORT_IN_MISSED "
        "event is about (吹哨报到); null on other events."
    )
    async def summons(
        self, info: Ctx
    ) -> list[Annotated["Summons", strawberry.lazy(_CASE_FILE)]] | None:
        from yidi.schema.case_file_types import Summons

        rows = await case_fields.event_summonses(info.context, self.row)
        return None if rows is None else [Summons.of(r) for r in rows]

    @strawberry.field(description="The file an EVIDENCE_ATTACHED event records.")
    async def attachment(
        self, info: Ctx
    ) -> Annotated["Attachment", strawberry.lazy(_EVIDENCE)] | None:
        from yidi.schema.evidence import Attachment

        row = await evidence.event_attachment(info.context, self.row)
        case = await info.context.loaders.cases.load(self.row.case_id)
        return Attachment.of(case, row) if row is not None and case is not None else None

    @strawberry.field
    async def from_unit(self, info: Ctx) -> Unit | None:
        uid = self.row.from_unit_id
        return None if uid is None else await load_unit(info, uid)

    @strawberry.field
    async def to_unit(self, info: Ctx) -> Unit | None:
        uid = self.row.to_unit_id
        return None if uid is None else await load_unit(info, uid)


@strawberry.type
class CaseEventEdge:
    node: CaseEvent

    @strawberry.field(metadata=DIRECT)
    def cursor(self) -> str:
        return pagination.event_cursor(self.node.row.id)


@strawberry.type
class CaseEventConnection:
    edges: list[CaseEventEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class Case(Node):
    row: strawberry.Private[CaseRow]  # an ORM case, or a page's plain row

    @classmethod
    def of(cls, row: CaseRow) -> "Case":
        return cls(id=strawberry.ID(to_global_id("Case", row.id)), row=row)

    # The case's own columns, read from its row when selected: a page selects a few of them
    # of each of its cases (schema/plain_leaves.py completes these itself).
    @strawberry.field(
        description="Human-readable, unique, e.g. 990100-2026-000123 (county code, year, "
        "sequence).",
        metadata=DIRECT,
    )
    def number(self) -> str:
        return self.row.number

    @strawberry.field(metadata=DIRECT)
    def title(self) -> str:
        return self.row.title

    @strawberry.field(metadata=DIRECT)
    def description(self) -> str:
        return self.row.description

    @strawberry.field(metadata=DIRECT)
    def channel(self) -> e.Channel:
        return e.Channel(self.row.channel)

    @strawberry.field(metadata=DIRECT)
    def status(self) -> e.CaseStatus:
        found = _STATUSES.get(self.row.status)
        return found if found is not None else e.CaseStatus(self.row.status)

    @strawberry.field(metadata=DIRECT)
    def risk_level(self) -> e.RiskLevel:
        return e.RiskLevel(self.row.risk_level)

    @strawberry.field(metadata=DIRECT)
    def track(self) -> e.HandlingTrack:
        return e.HandlingTrack(self.row.track)

    @strawberry.field(metadata=DIRECT)
    def parties_count(self) -> int:
        return self.row.parties_count

    @strawberry.field(metadata=DIRECT)
    def address(self) -> str | None:
        return self.row.address

    @strawberry.field(metadata=DIRECT)
    def registered_at(self) -> datetime:
        return self.row.registered_at

    @strawberry.field(metadata=DIRECT)
    def due_at(self) -> datetime | None:
        return self.row.due_at

    @strawberry.field(metadata=DIRECT)
    def accepted_at(self) -> datetime | None:
        return self.row.accepted_at

    @strawberry.field(metadata=DIRECT)
    def resolved_at(self) -> datetime | None:
        return self.row.resolved_at

    @strawberry.field(metadata=DIRECT)
    def closed_at(self) -> datetime | None:
        return self.row.closed_at

    @strawberry.field(metadata=DIRECT)
    def supervision_count(self) -> int:
        return self.row.supervision_count

    @strawberry.field(metadata=DIRECT)
    def escalation_count(self) -> int:
        return self.row.escalation_count

    @strawberry.field(
        description="Incremented by every change; pass it back as expectedVersion.", metadata=DIRECT
    )
    def version(self) -> int:
        return self.row.version

    # The fields a page of cases reads most answer at once when the page has loaded their
    # rows (resolvers/case_prefetch.py, resolvers/eager.py), and await them otherwise;
    # DIRECT ones skip strawberry's resolver wrapping (schema/direct_fields.py).
    @strawberry.field(graphql_type=Category, metadata=DIRECT)
    def category(self, info: Ctx) -> Category | Awaitable[Category]:
        loaders = info.context.loaders
        return now_or_later(
            loaders.categories, self.row.category_id, _category, loaders.category_views
        )

    @strawberry.field(graphql_type=Reporter, metadata=DIRECT)
    def reporter(self, info: Ctx) -> Reporter | Awaitable[Reporter]:
        return then(case_fields.reporter(info.context, self.row), _reporter)

    @strawberry.field(description="Where the matter arose.", graphql_type=Unit, metadata=DIRECT)
    def location_unit(self, info: Ctx) -> Unit | Awaitable[Unit]:
        loaders = info.context.loaders
        return now_or_later(loaders.units, self.row.location_unit_id, _unit, loaders.unit_views)

    @strawberry.field(
        description="The unit that registered the case.", graphql_type=Unit, metadata=DIRECT
    )
    def intake_unit(self, info: Ctx) -> Unit | Awaitable[Unit]:
        loaders = info.context.loaders
        return now_or_later(loaders.units, self.row.intake_unit_id, _unit, loaders.unit_views)

    @strawberry.field(
        description="The unit responsible now; the intake unit until the case is dispatched.",
        graphql_type=Unit,
        metadata=DIRECT,
    )
    def handling_unit(self, info: Ctx) -> Unit | Awaitable[Unit]:
        loaders = info.context.loaders
        return now_or_later(loaders.units, self.row.handling_unit_id, _unit, loaders.unit_views)

    @strawberry.field(graphql_type=User | None, metadata=DIRECT)
    def assignee(self, info: Ctx) -> User | Awaitable[User | None] | None:
        if self.row.assignee_id is None:
            return None
        loaders = info.context.loaders
        return now_or_later(loaders.users, self.row.assignee_id, user_or_none, loaders.user_views)

    @strawberry.field(description="The leader who has taken the case on (领导包案), if any.")
    async def owner(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.owner_id)

    @strawberry.field(description="Since when `owner` owns the case.")
    def owned_since(self) -> datetime | None:
        return self.row.owned_since

    @strawberry.field(
        description="The case's number in the register it was imported from (民声登记簿, "
        "docs/IMPORT.md); null for a case registered on the platform."
    )
    def external_number(self) -> str | None:
        return self.row.external_number

    @strawberry.field
    async def co_handling_units(self, info: Ctx) -> list[Unit]:
        rows = await info.context.loaders.units.load_many(self.row.co_handling_unit_ids)
        return [Unit.of(r) for r in rows if r is not None]

    @strawberry.field(metadata=DIRECT)
    def is_overdue(self, info: Ctx) -> bool:
        return is_overdue(e.CaseStatus(self.row.status), self.row.due_at, info.context.now())

    @strawberry.field
    def resolution(self) -> Resolution | None:
        r = self.row
        if r.resolution_outcome is None or r.resolved_at is None or r.resolved_by_unit_id is None:
            return None
        return Resolution(
            outcome=e.Outcome(r.resolution_outcome),
            summary=r.resolution_summary or "",
            resolved_at=r.resolved_at,
            resolved_by_id=r.resolved_by_id,
            resolved_by_unit_id=r.resolved_by_unit_id,
        )

    @strawberry.field
    def evaluation(self) -> Evaluation | None:
        r = self.row
        if r.evaluation_satisfaction is None or r.evaluated_at is None:
            return None
        return Evaluation(
            satisfaction=e.Satisfaction(r.evaluation_satisfaction),
            comment=r.evaluation_comment,
            evaluated_at=r.evaluated_at,
        )

    @strawberry.field
    async def follow_ups(self, info: Ctx) -> list[FollowUp]:
        rows = await info.context.loaders.follow_ups.load(self.row.id)
        return [
            FollowUp(
                at=f.at,
                by_id=f.by_id,
                method=e.FollowUpMethod(f.method),
                note=f.note,
                settled=f.settled,
            )
            for f in rows
        ]

    @strawberry.field(description="Mediation sessions (调解笔录), oldest first.")
    async def mediations(
        self, info: Ctx
    ) -> list[Annotated["Mediation", strawberry.lazy(_CASE_FILE)]]:
        from yidi.schema.case_file_types import Mediation

        rows = await info.context.loaders.mediations.load(self.row.id)
        return [Mediation.of(self.row, m) for m in rows]

    @strawberry.field(description="Extension requests (延期) and their decisions, oldest first.")
    async def extensions(
        self, info: Ctx
    ) -> list[Annotated["Extension", strawberry.lazy(_CASE_FILE)]]:
        from yidi.schema.case_file_types import Extension

        return [Extension.of(r) for r in await info.context.loaders.extensions.load(self.row.id)]

    @strawberry.field(description="Pauses of the working-day clock (中止), oldest first.")
    async def pauses(self, info: Ctx) -> list[Annotated["Pause", strawberry.lazy(_CASE_FILE)]]:
        from yidi.schema.case_file_types import Pause

        return [Pause.of(r) for r in await info.context.loaders.pauses.load(self.row.id)]

    @strawberry.field(
        description="Units summoned to the case (吹哨报到) and their answers, oldest first; "
        "they co-handle the case, the handling unit leads it."
    )
    async def summons(self, info: Ctx) -> list[Annotated["Summons", strawberry.lazy(_CASE_FILE)]]:
        from yidi.schema.case_file_types import Summons

        return [Summons.of(r) for r in await info.context.loaders.summonses.load(self.row.id)]

    @strawberry.field(description="Evidence files (证据材料), oldest first.")
    async def attachments(
        self, info: Ctx
    ) -> list[Annotated["Attachment", strawberry.lazy(_EVIDENCE)]]:
        from yidi.schema.evidence import Attachment

        rows = await info.context.loaders.attachments.load(self.row.id)
        return [Attachment.of(self.row, r) for r in rows]

    @strawberry.field(description="Whether the caller may attach evidence now (`attachEvidence`).")
    async def can_attach_evidence(self, info: Ctx) -> bool:
        return await evidence.may_attach(info.context, self.row)

    @strawberry.field(
        description="Whether the caller may download this case's attachments (they are "
        "personal data: VIEW_PERSONAL_DATA)."
    )
    async def can_read_evidence(self, info: Ctx) -> bool:
        return await evidence.may_read(info.context, self.row)

    @strawberry.field(description="How and by whom the case was closed; null unless CLOSED.")
    def closure(self) -> Annotated["Closure", strawberry.lazy(_CASE_FILE)] | None:
        from yidi.schema.case_file_types import Closure

        return Closure.of(self.row)

    @strawberry.field(
        description="Since when the clock stands still (中止); `dueAt` is null meanwhile."
    )
    def paused_since(self) -> datetime | None:
        return self.row.paused_since

    @strawberry.field
    async def merged_into(self, info: Ctx) -> "Case | None":
        row = await case_fields.merged_into(info.context, self.row)
        return Case.of(row) if row is not None else None

    @strawberry.field(
        description="Oldest first.", graphql_type=CaseEventConnection, metadata=DIRECT
    )
    def events(
        self,
        info: Ctx,
        first: int | None = pagination.EVENTS_FIRST_DEFAULT,
        after: str | None = None,
    ) -> CaseEventConnection | Awaitable[CaseEventConnection]:
        return then(case_fields.events(info.context, self.row, first, after), _event_connection)

    @strawberry.field(
        description="Units the county's responsibility list names for this case, best first, "
        "among those the caller may dispatch it to now (docs/INTAKE.md)."
    )
    async def dispatch_suggestions(
        self, info: Ctx
    ) -> list[Annotated["DispatchSuggestion", strawberry.lazy(_ROUTING)]]:
        from yidi.schema.routing import suggestions_for

        return await suggestions_for(info, self.row)

    @strawberry.field(
        description="Open or recent cases of the county, visible to the caller, that may be "
        "the same petition: same reporter or similar text at the same place (docs/INTAKE.md)."
    )
    async def possible_duplicates(
        self, info: Ctx
    ) -> list[Annotated["DuplicateCandidate", strawberry.lazy(_REPEATS)]]:
        from yidi.schema.repeats import duplicates_for

        return await duplicates_for(info, self.row)

    @strawberry.field(description="Staff confirmed it repeats an earlier petition (重复信访).")
    def is_repeat(self) -> bool:
        return self.row.is_repeat

    @strawberry.field(
        description="What the caller may do to this case now (policy and status both allow it).",
        graphql_type=list[e.CaseAction],
        metadata=DIRECT,
    )
    def allowed_actions(self, info: Ctx) -> list[e.CaseAction] | Awaitable[list[e.CaseAction]]:
        return case_fields.allowed_actions(info.context, self.row)


def _unit(row: models.Unit | None) -> Unit:
    assert row is not None, "foreign key guarantees the unit exists"
    return Unit.of(row)


def _category(row: models.Category | None) -> Category:
    assert row is not None, "foreign key guarantees the category exists"
    return Category.of(row)


def _reporter(view: ReporterView) -> Reporter:
    return Reporter(
        name=view.name, phone=view.phone, id_number=view.id_number, anonymous=view.anonymous
    )


def _event_connection(page: case_fields.EventPage) -> CaseEventConnection:
    edges = [CaseEventEdge(node=CaseEvent.of(event)) for event in page.events]
    return CaseEventConnection(
        edges=edges, page_info=PageInfo.of(page.page_info), total_count=page.total
    )


@strawberry.type
class CaseEdge:
    node: Case
    cursor_of: strawberry.Private[Callable[[CaseRow], str]]

    @strawberry.field(metadata=DIRECT)
    def cursor(self) -> str:
        return self.cursor_of(self.node.row)


@strawberry.type
class CaseConnection:
    edges: list[CaseEdge]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    # Counted only when selected: it reads every case of the caller's scope.
    @strawberry.field
    async def total_count(self) -> int:
        return await self.count()
