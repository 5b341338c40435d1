"""What residents do without an account: submit a request, track it, evaluate the result.

All three are rate limited per client address, and tracking locks an address out after
repeated misses, so tracking codes cannot be guessed by brute force. Counters live in
PostgreSQL so the limits hold across every server process.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime

from yidi.domain import intake
from yidi.domain.enums import (
    CaseAction,
    CaseEventType,
    Satisfaction,
    UnitKind,
    UnitLevel,
)
from yidi.domain.errors import BadInput, RateLimited
from yidi.domain.lifecycle import status_allows
from yidi.domain.numbering import hash_tracking_code
from yidi.persistence import rate
from yidi.persistence.cases import case_by_tracking_hash, event_types_of_case
from yidi.persistence.models import Case, Unit
from yidi.persistence.session import Session
from yidi.persistence.units import categories_by_ids, category_by_code, units_by_ids
from yidi.services.case_facts import lifecycle_facts
from yidi.services.intake import (
    Placement,
    RegisterCommand,
    Registered,
    check_registration,
    create_case,
)
from yidi.services.transitions import evaluate_as_reporter
from yidi.services.unit_of_work import UnitOfWork, Work

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


async def check_rate(uow: UnitOfWork, bucket: str, limit: Limit, now: datetime) -> None:
    """Count this request in its own transaction (it counts even if the request fails)."""
    async with uow.begin(now=now) as work:
        count = await rate.hit(work.session, bucket, limit.window_seconds, now)
    if count > limit.per_window:
        raise RateLimited(rate.retry_after(now, limit.window_seconds))


async def reserve_miss(uow: UnitOfWork, address: str, limit: Limit, now: datetime) -> None:
    """Count a tracking attempt as a miss before looking anything up.

    Reserving first makes the lockout atomic: parallel guesses each take a slot, so no
    more than the limit are ever answered. A hit gives its slot back (`release_miss`).
    """
    async with uow.begin(now=now) as work:
        misses = await rate.hit(work.session, f"track-miss:{address}", limit.window_seconds, now)
    if misses > limit.per_window:
        raise RateLimited(rate.retry_after(now, limit.window_seconds))


async def release_miss(uow: UnitOfWork, address: str, limit: Limit, now: datetime) -> None:
    async with uow.begin(now=now) as work:
        await rate.release(work.session, f"track-miss:{address}", limit.window_seconds, now)


def _intake_unit(location: Unit) -> Unit:
    """A request lands at its village, or at the township when it names a township."""
    if location.kind == UnitKind.AREA.value and location.level in (
        UnitLevel.VILLAGE.value,
        UnitLevel.TOWNSHIP.value,
    ):
        return location
    raise BadInput("locationUnitId", "Choose the village or township where the matter arose.")


async def submit_request(work: Work, cmd: RegisterCommand) -> Registered:
    checked = check_registration(cmd, phone_required=True, now=work.now)
    session = work.session
    found = await units_by_ids(session, [cmd.location_unit_id]) if cmd.location_unit_id else {}
    location = found.get(cmd.location_unit_id) if cmd.location_unit_id else None
    if location is None:
        raise BadInput("locationUnitId", "No such unit.")
    intake_unit = _intake_unit(location)
    if cmd.category_id is not None:
        category = (await categories_by_ids(session, [cmd.category_id])).get(cmd.category_id)
        if category is not None and category.county_id != location.county_id:
            category = None
    else:
        category = await category_by_code(session, location.county_id, "UNCLASSIFIED")
    if category is None:
        raise BadInput("categoryId", "No such category.")
    # A retry needs the same phone as well as the key: keys alone are not secrets.
    scope = f"public:{checked.reporter.phone}"
    placement = Placement(category, location, intake_unit, intake.DEFAULT_RISK, scope)
    return await create_case(work, cmd, checked, placement)


def _phone_matches(case: Case | None, phone_last4: str) -> bool:
    phone = (case.reporter_phone or "") if case is not None else ""
    # Compared in constant time, and done the same way whether or not the code exists.
    return hmac.compare_digest(phone[-4:].encode(), phone_last4.strip().encode()) and bool(phone)


async def find_tracked(session: Session, tracking_code: str, phone_last4: str) -> Case | None:
    """The case for a tracking code and the last four digits of the reporter's phone."""
    case = await case_by_tracking_hash(session, hash_tracking_code(tracking_code))
    return case if _phone_matches(case, phone_last4) else None


@dataclass(frozen=True)
class PublicStatus:
    case: Case
    handling_unit_name: str
    milestones: list[tuple[str, datetime]]
    can_evaluate: bool


async def public_status(session: Session, case: Case) -> PublicStatus:
    unit = (await units_by_ids(session, [case.handling_unit_id]))[case.handling_unit_id]
    events = await event_types_of_case(session, case.id)
    milestones = [(t, at) for t, at in events if CaseEventType(t) in PUBLIC_MILESTONES]
    can_evaluate = status_allows(lifecycle_facts(case), CaseAction.EVALUATE)
    return PublicStatus(case, unit.name, milestones, can_evaluate)


async def evaluate_by_tracking(
    work: Work,
    tracking_code: str,
    phone_last4: str,
    satisfaction: Satisfaction,
    comment: str | None,
) -> bool:
    """The reporter's own evaluation, once, after the case is resolved; False on no match."""
    case = await find_tracked(work.session, tracking_code, phone_last4)
    if case is None:
        return False
    await evaluate_as_reporter(work, case, satisfaction, comment)
    return True
