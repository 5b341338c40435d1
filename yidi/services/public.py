"""What residents do without an account: submit a request, track it, evaluate the result.

All three are rate limited per client address, and tracking locks an address out after
repeated misses, so tracking codes cannot be guessed by brute force. Counters live in
PostgreSQL so the limits hold across every server process.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yidi.domain import intake
from yidi.domain.calendar import WorkingCalendar
from yidi.domain.enums import (
    CaseAction,
    CaseEventType,
    Satisfaction,
    UnitKind,
    UnitLevel,
)
from yidi.domain.errors import BadInput, RateLimited
from yidi.domain.lifecycle import next_status, status_allows
from yidi.domain.numbering import hash_tracking_code
from yidi.domain.transitions import optional_text
from yidi.persistence import rate
from yidi.persistence.models import Case, CaseEvent, Category, Unit
from yidi.persistence.units import units_by_ids
from yidi.services.case_facts import lifecycle_facts
from yidi.services.intake import (
    RegisterCommand,
    Registered,
    check_registration,
    create_case,
    replay_idempotent,
)

# What a reporter sees of the timeline: progress, not internal notes or alerts.
PUBLIC_MILESTONES = frozenset(
    {
        CaseEventType.REGISTERED,
        CaseEventType.DISPATCHED,
        CaseEventType.ACCEPTED,
        CaseEventType.ESCALATED,
        CaseEventType.REASSIGNED,
        CaseEventType.RESOLVED,
        CaseEventType.CLOSED,
        CaseEventType.REOPENED,
        CaseEventType.REDIRECTED,
        CaseEventType.MERGED,
        CaseEventType.EVALUATED,
    }
)


@dataclass(frozen=True)
class Limit:
    per_window: int
    window_seconds: int


@dataclass(frozen=True)
class PublicLimits:
    submit: Limit = Limit(5, 600)
    track: Limit = Limit(30, 60)
    evaluate: Limit = Limit(10, 600)
    # Misses allowed per address before tracking is locked for the rest of the window.
    track_misses: Limit = Limit(5, 900)


async def check_rate(
    sessions: async_sessionmaker[AsyncSession], bucket: str, limit: Limit, now: datetime
) -> None:
    """Count this request in its own transaction (it counts even if the request fails)."""
    async with sessions.begin() as session:
        count = await rate.hit(session, bucket, limit.window_seconds, now)
    if count > limit.per_window:
        raise RateLimited(rate.retry_after(now, limit.window_seconds))


async def reserve_miss(
    sessions: async_sessionmaker[AsyncSession], address: str, limit: Limit, now: datetime
) -> None:
    """Count a tracking attempt as a miss before looking anything up.

    Reserving first makes the lockout atomic: parallel guesses each take a slot, so no
    more than the limit are ever answered. A hit gives its slot back (`release_miss`).
    """
    async with sessions.begin() as session:
        misses = await rate.hit(session, f"track-miss:{address}", limit.window_seconds, now)
    if misses > limit.per_window:
        raise RateLimited(rate.retry_after(now, limit.window_seconds))


async def release_miss(
    sessions: async_sessionmaker[AsyncSession], address: str, limit: Limit, now: datetime
) -> None:
    async with sessions.begin() as session:
        await rate.release(session, f"track-miss:{address}", limit.window_seconds, now)


def _intake_unit(location: Unit) -> Unit:
    """A request lands at its village, or at the township when it names a township."""
    if location.kind == UnitKind.AREA.value and location.level in (
        UnitLevel.VILLAGE.value,
        UnitLevel.TOWNSHIP.value,
    ):
        return location
    raise BadInput("locationUnitId", "Choose the village or township where the matter arose.")


async def submit_request(
    session: AsyncSession,
    cmd: RegisterCommand,
    *,
    now: datetime,
    calendar: WorkingCalendar,
    secret: str,
) -> Registered:
    title, description, reporter = check_registration(cmd, phone_required=True)
    found = await units_by_ids(session, [cmd.location_unit_id]) if cmd.location_unit_id else {}
    location = found.get(cmd.location_unit_id) if cmd.location_unit_id else None
    if location is None:
        raise BadInput("locationUnitId", "No such unit.")
    intake_unit = _intake_unit(location)
    category = await session.scalar(
        select(Category).where(
            Category.county_id == location.county_id,
            Category.id == cmd.category_id
            if cmd.category_id is not None
            else Category.code == "UNCLASSIFIED",
        )
    )
    if category is None:
        raise BadInput("categoryId", "No such category.")
    # A retry needs the same phone as well as the key: keys alone are not secrets.
    scope = f"public:{reporter.phone}"
    replay = await replay_idempotent(session, scope, cmd.idempotency_key, secret)
    if replay is not None:
        return replay
    return await create_case(
        session,
        cmd,
        title=title,
        description=description,
        reporter=reporter,
        category=category,
        location=location,
        intake_unit=intake_unit,
        risk=intake.DEFAULT_RISK,
        actor_id=None,
        scope=scope,
        now=now,
        calendar=calendar,
        secret=secret,
    )


def _phone_matches(case: Case | None, phone_last4: str) -> bool:
    phone = (case.reporter_phone or "") if case is not None else ""
    # Compared in constant time, and done the same way whether or not the code exists.
    return hmac.compare_digest(phone[-4:].encode(), phone_last4.strip().encode()) and bool(phone)


async def find_tracked(session: AsyncSession, tracking_code: str, phone_last4: str) -> Case | None:
    """The case for a tracking code and the last four digits of the reporter's phone."""
    case = await session.scalar(
        select(Case).where(Case.tracking_code_hash == hash_tracking_code(tracking_code))
    )
    return case if _phone_matches(case, phone_last4) else None


@dataclass(frozen=True)
class PublicStatus:
    case: Case
    handling_unit_name: str
    milestones: list[tuple[str, datetime]]
    can_evaluate: bool


async def public_status(session: AsyncSession, case: Case) -> PublicStatus:
    unit = (await units_by_ids(session, [case.handling_unit_id]))[case.handling_unit_id]
    events = await session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    )
    milestones = [(e.type, e.at) for e in events if CaseEventType(e.type) in PUBLIC_MILESTONES]
    can_evaluate = status_allows(lifecycle_facts(case), CaseAction.EVALUATE)
    return PublicStatus(case, unit.name, milestones, can_evaluate)


async def evaluate_by_tracking(
    session: AsyncSession,
    tracking_code: str,
    phone_last4: str,
    satisfaction: Satisfaction,
    comment: str | None,
    *,
    now: datetime,
) -> bool:
    """The reporter's own evaluation, once, after the case is resolved; False on no match."""
    case = await find_tracked(session, tracking_code, phone_last4)
    if case is None:
        return False
    await session.refresh(case, with_for_update=True)
    next_status(lifecycle_facts(case), CaseAction.EVALUATE)  # INVALID_TRANSITION if not now
    case.evaluation_satisfaction = satisfaction.value
    case.evaluation_comment = optional_text("comment", comment)
    case.evaluated_at = now
    case.version += 1
    session.add(
        CaseEvent(
            county_id=case.county_id,
            case_id=case.id,
            type=CaseEventType.EVALUATED.value,
            at=now,
            note=case.evaluation_comment,
            data={"satisfaction": satisfaction.value, "by": "reporter"},
        )
    )
    await session.flush()
    return True
