"""Tables. Every row carries `county_id` (the tenant), so data can be sharded by county.

Tree relations are stored as ancestor-id arrays (root first, the unit itself last)
with GIN indexes: "lies in the subtree of U" is `path @> ARRAY[U]`, one indexed
predicate, on units and on cases alike (DESIGN.md, Authorization).
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql.asyncpg import AsyncpgARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class _IdArray(AsyncpgARRAY):
    """bigint[] read as asyncpg decodes it, a list of ints: SQLAlchemy's ARRAY would copy
    each array item by item on every row it reads, seven per case (docs/BENCHMARKS.md).
    The dialect's own array type, so that it is not adapted back to it."""

    cache_ok = True

    # ARRAY declares it always has a processor; TypeEngine allows None (no processing).
    def result_processor(self, dialect: Dialect, coltype: object) -> None:  # type: ignore[override]
        return None


IdArray = _IdArray(BigInteger, dimensions=1)


class Base(DeclarativeBase):
    pass


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger, index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Ancestor ids, root first, ending with this unit's own id.
    path: Mapped[list[int]] = mapped_column(IdArray)

    __table_args__ = (Index("ix_units_path", "path", postgresql_using="gin"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16), dimensions=1))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger, index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    time_limit_days: Mapped[int] = mapped_column(SmallInteger)
    path: Mapped[list[int]] = mapped_column(IdArray)

    __table_args__ = (
        UniqueConstraint("county_id", "code", name="uq_categories_county_code"),
        Index("ix_categories_path", "path", postgresql_using="gin"),
    )


class CaseSequence(Base):
    """Last case number handed out per county and year (gapless: rolled back with its case)."""

    __tablename__ = "case_sequences"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


# The columns a dashboard aggregate reads, carried by its indexes (docs/DASHBOARDS.md).
_STATS_COLUMNS = [
    "location_township_id",
    "location_village_id",
    "status",
    "risk_level",
    "category_id",
    "due_at",
    "escalation_count",
    "merged_into_id",
    "first_resolved_at",
    "first_resolved_level",
    "latest_satisfaction",
]


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    tracking_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    risk_level: Mapped[str] = mapped_column(String(8))
    track: Mapped[str] = mapped_column(String(16))
    parties_count: Mapped[int] = mapped_column(Integer, server_default="1")
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    reporter_id_number: Mapped[str | None] = mapped_column(String(18))
    reporter_anonymous: Mapped[bool] = mapped_column(Boolean, server_default="false")
    address: Mapped[str | None] = mapped_column(String(500))
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    location_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    intake_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    handling_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The unit that last dispatched or reassigned the case: a RETURN goes back to it.
    dispatched_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    co_handling_unit_ids: Mapped[list[int]] = mapped_column(IdArray, server_default="{}")
    # Denormalised tree positions: each authorization relation is one GIN predicate.
    handling_path: Mapped[list[int]] = mapped_column(IdArray)
    location_path: Mapped[list[int]] = mapped_column(IdArray)
    # Union of the paths of intake, location, co-handling and summoned units (INVOLVED).
    involved_path: Mapped[list[int]] = mapped_column(IdArray)
    # The location's township and village (AREA units; None above that level), beside
    # `county_id`: plain columns a dashboard groups and filters by from a B-tree index.
    location_township_id: Mapped[int | None] = mapped_column(BigInteger)
    location_village_id: Mapped[int | None] = mapped_column(BigInteger)

    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_soon_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    supervision_count: Mapped[int] = mapped_column(Integer, server_default="0")
    escalation_count: Mapped[int] = mapped_column(Integer, server_default="0")

    resolution_outcome: Mapped[str | None] = mapped_column(String(24))
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    evaluation_satisfaction: Mapped[str | None] = mapped_column(String(24))
    evaluation_comment: Mapped[str | None] = mapped_column(Text)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the dashboards need and a REOPEN does not clear (docs/DASHBOARDS.md), kept by the
    # event writer: the first RESOLVED event's time and its unit's level, the latest
    # EVALUATED event's satisfaction.
    first_resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_resolved_level: Mapped[str | None] = mapped_column(String(16))
    latest_satisfaction: Mapped[str | None] = mapped_column(String(24))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    # How many duplicates were merged into this case: an original cannot itself go away.
    duplicates_count: Mapped[int] = mapped_column(Integer, server_default="0")
    # 领导包案: the leader who has taken the case on, and since when (docs/CASE_FILE.md).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owned_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The owner's unit path when they took it on: who may end the ownership, decided in code.
    owner_unit_path: Mapped[list[int] | None] = mapped_column(IdArray)
    # 延期: who asked for the extension that awaits its decision (at most one at a time);
    # kept here so allowedActions knows, without a query, that they may not decide it.
    extension_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 中止: while paused, `due_at` is NULL (no deadline runs, so no alert, no overdue) and
    # the deadline as it stood waits here, to be moved by the working days of the pause.
    paused_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at_when_paused: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # 回访 before it counts: how the case was closed, and by whom.
    closure_kind: Mapped[str | None] = mapped_column(String(16))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The reporter was visited again since the current result (and did not find it
    # unsettled): what a substantive close may need. Cleared by every new result.
    followed_up_since_result: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # 吹哨报到: every unit ever summoned (co-handling for the case's lifetime, part of
    # `involved_path`), and those whose report-in or contribution is due — kept here so
    # allowedActions knows, without a query, who may answer (docs/CASE_FILE.md).
    summoned_unit_ids: Mapped[list[int]] = mapped_column(IdArray, server_default="{}")
    awaiting_report_unit_ids: Mapped[list[int]] = mapped_column(IdArray, server_default="{}")
    awaiting_contribution_unit_ids: Mapped[list[int]] = mapped_column(IdArray, server_default="{}")

    # 重复信访 (docs/INTAKE.md): keyed hashes (HMAC, a key per county) of the reporter's
    # normalised phone and ID number, never the plaintext; and whether staff confirmed the
    # case repeats an earlier one.
    reporter_phone_key: Mapped[str | None] = mapped_column(String(64))
    reporter_id_key: Mapped[str | None] = mapped_column(String(64))
    is_repeat: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # The number the case had in the 民声登记簿 it was imported from (docs/IMPORT.md);
    # unique in its county (a partial unique index), NULL for cases registered here.
    external_number: Mapped[str | None] = mapped_column(String(64))

    version: Mapped[int] = mapped_column(Integer, server_default="1")
    # The chain hash of the case's last event: a removed last event shows as a mismatch.
    chain_head: Mapped[bytes | None] = mapped_column(LargeBinary(32))

    __table_args__ = (
        Index("ix_cases_county_registered", "county_id", "registered_at", "id"),
        Index("ix_cases_county_status", "county_id", "status"),
        # Dashboards (docs/DASHBOARDS.md): a county's (or township's) window by child read
        # from the index alone.
        Index(
            "ix_cases_county_stats",
            "county_id",
            "registered_at",
            postgresql_include=_STATS_COLUMNS,
        ),
        Index(
            "ix_cases_location_township",
            "location_township_id",
            "registered_at",
            postgresql_include=_STATS_COLUMNS,
        ),
        # caseTrend's resolved side: cases by first resolution time.
        Index(
            "ix_cases_county_first_resolved",
            "county_id",
            "first_resolved_at",
            postgresql_include=["location_township_id", "location_village_id", "merged_into_id"],
        ),
        Index("ix_cases_location_village", "location_village_id", "registered_at"),
        Index("ix_cases_handling_unit", "handling_unit_id"),
        Index("ix_cases_intake_unit", "intake_unit_id"),
        Index("ix_cases_handling_path", "handling_path", postgresql_using="gin"),
        Index("ix_cases_location_path", "location_path", postgresql_using="gin"),
        Index("ix_cases_involved_path", "involved_path", postgresql_using="gin"),
        Index("ix_cases_owner", "owner_id", postgresql_where="owner_id IS NOT NULL"),
        Index("ix_cases_reporter_phone_key", "county_id", "reporter_phone_key"),
        Index("ix_cases_reporter_id_key", "county_id", "reporter_id_key"),
        Index("ix_cases_location_registered", "location_unit_id", "registered_at"),
        Index(
            "ix_cases_open_due",
            "due_at",
            postgresql_where="status IN ('REGISTERED','DISPATCHED','IN_PROGRESS')",
        ),
        Index(
            "ux_cases_county_external_number",
            "county_id",
            "external_number",
            unique=True,
            postgresql_where="external_number IS NOT NULL",
        ),
    )


# Every unit a case can be seen from, with the relations the policy's scopes test and the
# columns the list's filters read (all but unit, search and owner): counting a scope
# (`totalCount`) is then an index-only scan of the unit's entries. Written only by the
# `case_reach_sync` trigger on `cases` (migration 0016) and the bulk loads' refill; a Core
# table since no code maps its rows.
case_reach = Table(
    "case_reach",
    Base.metadata,
    Column("unit_id", BigInteger, nullable=False),
    Column("case_id", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("risk_level", String(8), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("category_id", BigInteger, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("handles", Boolean, nullable=False),  # SAME: the unit handles the case
    Column("above", Boolean, nullable=False),  # ANCESTOR: above the handling unit
    Column("involved", Boolean, nullable=False),  # INVOLVED
    Column("intake", Boolean, nullable=False),  # INTAKE: the unit registered it
    Index(
        "ix_case_reach_unit_case",
        "unit_id",
        "case_id",
        unique=True,
        postgresql_include=[
            "status",
            "risk_level",
            "channel",
            "category_id",
            "registered_at",
            "due_at",
            "handles",
            "above",
            "involved",
            "intake",
        ],
    ),
)


class CaseEvent(Base):
    """The append-only trace of a case (全程留痕): never updated or deleted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # None is stored as SQL NULL, not JSON null: "no data" stays one thing.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    # The event's place among its county's events in commit order (persistence/outbox.py).
    position: Mapped[int] = mapped_column(BigInteger)
    # SHA-256 of the case's previous event's hash and this event's content
    # (domain/audit_chain.py).
    chain_hash: Mapped[bytes] = mapped_column(LargeBinary(32))

    __table_args__ = (
        Index("ix_case_events_case", "case_id", "id"),
        # A department's dashboards: the cases handed to it in a window.
        Index(
            "ix_case_events_handed_to",
            "to_unit_id",
            "at",
            postgresql_where="type IN ('DISPATCHED', 'REASSIGNED')",
        ),
        Index("ux_case_events_county_position", "county_id", "position", unique=True),
    )


class EventPosition(Base):
    """The last event position handed out in a county; locked by a writer until it commits."""

    __tablename__ = "event_positions"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    last_position: Mapped[int] = mapped_column(BigInteger)


class FollowUp(Base):
    __tablename__ = "case_follow_ups"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    # What the reporter said: settled, not settled (the case reopened), or not asked.
    settled: Mapped[bool | None] = mapped_column(Boolean)


class Mediation(Base):
    """One mediation session of a case (调解笔录), appended, never edited (docs/CASE_FILE.md)."""

    __tablename__ = "case_mediations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    linkage: Mapped[str | None] = mapped_column(String(16))
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200))
    staff_mediator_ids: Mapped[list[int]] = mapped_column(IdArray)
    # [{"name": …, "role": MediatorRole, "organization": … or null}], in the order given.
    outside_mediators: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    parties_present: Mapped[list[str]] = mapped_column(ARRAY(String(100), dimensions=1))
    transcript: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    agreement: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Extension(Base):
    """A request for more working days (延期) and its decision."""

    __tablename__ = "case_extensions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    days: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    # The deadline the approval moved, and where to (None while pending or when rejected).
    due_at_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Pause(Base):
    """A stop of the working-day clock (中止), from pause to resume."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text)
    paused_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paused_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resumed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resume_note: Mapped[str | None] = mapped_column(Text)
    # Working days the pause took off the clock, and the deadline before and after it.
    working_days: Mapped[int | None] = mapped_column(SmallInteger)
    due_at_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Summons(Base):
    """One unit called to a case (中心吹哨) and how it answered (部门报到)."""

    __tablename__ = "case_summons"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    summoned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summoned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    report_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    missed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    report_note: Mapped[str | None] = mapped_column(Text)
    contributed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contributed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contribution: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # The sweeper's question: summonses still waiting for a report-in, by deadline.
        Index(
            "ix_case_summons_awaiting",
            "report_by",
            postgresql_where="state = 'SUMMONED'",
        ),
    )


class CountySetting(Base):
    """A county's own settings; a county without a row has the defaults."""

    __tablename__ = "county_settings"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # Risk levels whose substantive closure needs a follow-up with the reporter first.
    follow_up_before_closure: Mapped[list[str]] = mapped_column(ARRAY(String(8), dimensions=1))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyKey(Base):
    """First case created under a client's idempotency key; a retry returns it."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PolicyRule(Base):
    """One Casbin rule of a county: (role, level, relation, action, risk) patterns."""

    __tablename__ = "policy_rules"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(64))
    relation: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    risk: Mapped[str] = mapped_column(String(64))


class PolicyRevision(Base):
    """Bumped on every policy change so each server process knows to reload."""

    __tablename__ = "policy_revisions"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RateCounter(Base):
    """Fixed-window request counters shared by every server process (rate limits, lockouts)."""

    __tablename__ = "rate_counters"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer)


class LoginFailure(Base):
    """A streak of failed logins per key (a hashed username, a client address), shared by
    every server process: the state of the back-off in `domain/backoff.py`."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CalendarDay(Base):
    """Holiday schedules added after release (`yidi calendar add`); they override bundled years."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, index=True)
    working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))


class Attachment(Base):
    """A file in a case's file (证据材料), appended, never edited (docs/CASE_FILE.md). Its
    bytes live in the blob store under `sha256`: the same file attached twice is one blob."""

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    # Sniffed from the bytes (domain/evidence.py), never the client's claim.
    content_type: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class HotlineBridge(Base):
    """A county's link with the 12345 hotline platform (docs/HOTLINE.md): the shared secret
    both sides sign with, and where status callbacks go."""

    __tablename__ = "hotline_bridges"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default="true")


class HotlineOrder(Base):
    """A work order pushed by the platform, and the case it became."""

    __tablename__ = "hotline_orders"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("county_id", "order_id", name="uq_hotline_orders_county_order"),
    )


class HotlineNonce(Base):
    """Nonces of signed requests seen within the clock skew: a replay is refused."""

    __tablename__ = "hotline_nonces"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class HotlineCallback(Base):
    """A status callback owed to the platform, written in the transaction of the case event
    it reports, delivered (and retried) from here by every server process in turn."""

    __tablename__ = "hotline_callbacks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    order_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # What the delivery loop asks: the pending ones that are due, oldest first.
        Index(
            "ix_hotline_callbacks_pending",
            "next_attempt_at",
            postgresql_where="state = 'PENDING'",
        ),
        Index("ix_hotline_callbacks_county_case", "county_id", "case_id", "id"),
    )


# Intake and routing (docs/INTAKE.md) keep their tables in a module of their own.
from yidi.persistence.intake_models import (  # noqa: E402
    IntakeSetting as IntakeSetting,
)
from yidi.persistence.intake_models import (  # noqa: E402
    ResponsibilityRevision as ResponsibilityRevision,
)
from yidi.persistence.intake_models import (  # noqa: E402
    ResponsibilityRule as ResponsibilityRule,
)
from yidi.persistence.intake_models import (  # noqa: E402
    VisitReport as VisitReport,
)
from yidi.persistence.intake_models import (  # noqa: E402
    VisitReportItem as VisitReportItem,
)

# The ledger import (docs/IMPORT.md) keeps what it imported in a module of its own.
from yidi.persistence.ledger_models import LedgerRow as LedgerRow  # noqa: E402

# The Open311 endpoints' api keys (docs/OPEN311.md), likewise.
from yidi.persistence.open311_models import Open311Key as Open311Key  # noqa: E402
