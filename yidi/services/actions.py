"""The changes each lifecycle action makes beyond its status (one handler per action)."""

from sqlalchemy.ext.asyncio import AsyncSession

from yidi.authz import guard
from yidi.domain import intake
from yidi.domain.enums import (
    CaseStatus,
    FollowUpMethod,
    HandlingTrack,
    Outcome,
    RiskLevel,
    Satisfaction,
)
from yidi.domain.errors import BadInput, Forbidden
from yidi.domain.transitions import SUMMARY_MAX, optional_text, required_text
from yidi.persistence.models import Case, Category, FollowUp, Unit, User
from yidi.persistence.units import categories_by_ids, units_by_ids, users_by_ids
from yidi.services.reading import visible
from yidi.services.transitions import Handler, Step

MAX_CO_HANDLERS = 10


async def _unit(session: AsyncSession, county_id: int, unit_id: int, field: str) -> Unit:
    unit = (await units_by_ids(session, [unit_id])).get(unit_id)
    if unit is None or unit.county_id != county_id:
        raise BadInput(field, "No such unit.")
    return unit


async def _member(session: AsyncSession, unit: Unit, user_id: int, field: str) -> User:
    """An assignee must be an active member of the unit that handles the case."""
    user = (await users_by_ids(session, [user_id])).get(user_id)
    if user is None or not user.active or user.unit_id != unit.id:
        raise BadInput(field, f"No such user in {unit.name}.")
    return user


def _move_to(case: Case, unit: Unit) -> None:
    case.handling_unit_id = unit.id
    case.handling_path = list(unit.path)
    case.assignee_id = None


async def _refresh_involved(session: AsyncSession, case: Case) -> None:
    """INVOLVED covers the intake, location and co-handling units and everything above them."""
    ids = [case.intake_unit_id, case.location_unit_id, *case.co_handling_unit_ids]
    units = await units_by_ids(session, ids)
    case.involved_path = sorted({uid for u in units.values() for uid in u.path})


async def _due_at_for(step: Step, track: HandlingTrack, category: Category) -> None:
    limit = intake.time_limit_days(track, category.time_limit_days)
    step.case.due_at = step.calendar.due_at(step.case.registered_at, limit)
    step.case.due_soon_sent_at = None
    step.case.overdue_sent_at = None


def assess(
    risk_level: RiskLevel | None,
    track: HandlingTrack | None,
    category_id: int | None,
    note: str | None,
) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        changes: dict[str, object] = {}
        category = (await categories_by_ids(step.session, [case.category_id]))[case.category_id]
        if category_id is not None and category_id != case.category_id:
            found = (await categories_by_ids(step.session, [category_id])).get(category_id)
            if found is None or found.county_id != case.county_id:
                raise BadInput("categoryId", "No such category.")
            category, case.category_id = found, found.id
            changes["category"] = found.code
        if risk_level is not None and risk_level.value != case.risk_level:
            case.risk_level = changes["riskLevel"] = risk_level.value
        new_track = track or HandlingTrack(case.track)
        if new_track.value != case.track:
            case.track = changes["track"] = new_track.value
        if "track" in changes or "category" in changes:
            await _due_at_for(step, new_track, category)
        step.note = optional_text("note", note)
        step.to_unit_id = case.handling_unit_id
        step.data = changes

    return handle


def dispatch(
    unit_id: int, assignee_id: int | None, co_handling_ids: list[int] | None, note: str | None
) -> Handler:
    async def handle(step: Step) -> None:
        case, session = step.case, step.session
        target = await _unit(session, case.county_id, unit_id, "unitId")
        if target.id == case.handling_unit_id:
            raise BadInput("unitId", "The case is already with this unit.")
        # Structural rule: a unit hands work only to units within its own subtree.
        if not guard.target_in_subtree(step.actor, target.path):
            raise Forbidden("You may dispatch only to units under your own.")
        co_units: list[Unit] = []
        for cid in dict.fromkeys(co_handling_ids or []):
            co = await _unit(session, case.county_id, cid, "coHandlingUnitIds")
            if not guard.target_in_subtree(step.actor, co.path):
                raise Forbidden("Co-handling units must lie under your own unit.")
            if co.id != target.id:
                co_units.append(co)
        if len(co_units) > MAX_CO_HANDLERS:
            raise BadInput("coHandlingUnitIds", f"At most {MAX_CO_HANDLERS} co-handling units.")
        step.from_unit_id, step.to_unit_id = case.handling_unit_id, target.id
        _move_to(case, target)
        if assignee_id is not None:
            case.assignee_id = (await _member(session, target, assignee_id, "assigneeId")).id
        case.co_handling_unit_ids = [u.id for u in co_units]
        case.dispatched_by_unit_id = step.actor.unit_id
        await _refresh_involved(session, case)
        step.note = optional_text("note", note)

    return handle


def accept(assignee_id: int | None, note: str | None) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        unit = await _unit(step.session, case.county_id, case.handling_unit_id, "caseId")
        if assignee_id is not None:
            case.assignee_id = (await _member(step.session, unit, assignee_id, "assigneeId")).id
        elif step.actor.unit_id == unit.id:
            case.assignee_id = step.actor.user_id
        case.accepted_at = step.now
        step.to_unit_id = unit.id
        step.note = optional_text("note", note)

    return handle


def return_(reason: str) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        back_to = case.dispatched_by_unit_id
        assert back_to is not None, "a DISPATCHED case records who dispatched it"
        unit = await _unit(step.session, case.county_id, back_to, "caseId")
        step.note = required_text("reason", reason)
        step.from_unit_id, step.to_unit_id = case.handling_unit_id, unit.id
        _move_to(case, unit)
        case.dispatched_by_unit_id = None
        case.accepted_at = None

    return handle


def escalate(reason: str) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        parent_id = case.handling_path[-2]  # the status rules guarantee a parent exists
        parent = await _unit(step.session, case.county_id, parent_id, "caseId")
        step.note = required_text("reason", reason)
        step.from_unit_id, step.to_unit_id = case.handling_unit_id, parent.id
        _move_to(case, parent)
        case.dispatched_by_unit_id = None
        case.accepted_at = None
        case.escalation_count += 1

    return handle


def reassign(unit_id: int, reason: str) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        target = await _unit(step.session, case.county_id, unit_id, "unitId")
        if target.id == case.handling_unit_id:
            raise BadInput("unitId", "The case is already with this unit.")
        if not guard.target_in_subtree(step.actor, target.path):
            raise Forbidden("You may reassign only to units under your own.")
        step.note = required_text("reason", reason)
        step.from_unit_id, step.to_unit_id = case.handling_unit_id, target.id
        _move_to(case, target)
        case.dispatched_by_unit_id = step.actor.unit_id
        case.accepted_at = None

    return handle


def supervise(note: str) -> Handler:
    async def handle(step: Step) -> None:
        step.note = required_text("note", note)
        step.to_unit_id = step.case.handling_unit_id
        step.case.supervision_count += 1

    return handle


def comment(note: str) -> Handler:
    async def handle(step: Step) -> None:
        step.note = required_text("note", note)

    return handle


def resolve(outcome: Outcome, summary: str) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        case.resolution_outcome = outcome.value
        case.resolution_summary = required_text("summary", summary, SUMMARY_MAX)
        case.resolved_at = step.now
        case.resolved_by_id = step.actor.user_id
        case.resolved_by_unit_id = case.handling_unit_id
        step.note = case.resolution_summary
        step.data = {"outcome": outcome.value}
        step.from_unit_id = case.handling_unit_id

    return handle


def close(note: str | None) -> Handler:
    async def handle(step: Step) -> None:
        step.case.closed_at = step.now
        step.note = optional_text("note", note)

    return handle


def reopen(reason: str) -> Handler:
    """Back to work with a fresh deadline; the old result and its evaluation stay in the
    timeline, and the reporter may evaluate the new result."""

    async def handle(step: Step) -> None:
        case = step.case
        step.note = required_text("reason", reason)
        step.to_unit_id = case.handling_unit_id
        category = (await categories_by_ids(step.session, [case.category_id]))[case.category_id]
        limit = intake.time_limit_days(HandlingTrack(case.track), category.time_limit_days)
        case.due_at = step.calendar.due_at(step.now, limit)
        case.due_soon_sent_at = case.overdue_sent_at = None
        case.resolved_at = case.closed_at = case.evaluated_at = None
        case.resolution_outcome = case.resolution_summary = None
        case.resolved_by_id = case.resolved_by_unit_id = None
        case.evaluation_satisfaction = case.evaluation_comment = None

    return handle


def redirect(reason: str, guidance: str) -> Handler:
    async def handle(step: Step) -> None:
        step.note = required_text("reason", reason)
        step.data = {"guidance": required_text("guidance", guidance)}
        step.from_unit_id = step.case.handling_unit_id

    return handle


def merge(into_case_id: int) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        target = await step.session.get(Case, into_case_id)
        # A case the actor cannot see is answered like one that does not exist.
        if target is None or visible(step.enforcer, step.actor, target) is None:
            raise BadInput("intoCaseId", "No such case.")
        if target.id == case.id:
            raise BadInput("intoCaseId", "A case cannot be merged into itself.")
        if CaseStatus(target.status) in (CaseStatus.MERGED, CaseStatus.REDIRECTED):
            raise BadInput("intoCaseId", "Merge into the original case, not a closed-off one.")
        case.merged_into_id = target.id
        target.duplicates_count += 1
        step.data = {"into": target.number}
        step.note = f"合并至 {target.number}"

    return handle


def evaluate(satisfaction: Satisfaction, comment_text: str | None) -> Handler:
    async def handle(step: Step) -> None:
        case = step.case
        case.evaluation_satisfaction = satisfaction.value
        case.evaluation_comment = optional_text("comment", comment_text)
        case.evaluated_at = step.now
        step.note = case.evaluation_comment
        step.data = {"satisfaction": satisfaction.value}

    return handle


def follow_up(method: FollowUpMethod, note: str) -> Handler:
    async def handle(step: Step) -> None:
        text = required_text("note", note)
        step.session.add(
            FollowUp(
                county_id=step.case.county_id,
                case_id=step.case.id,
                at=step.now,
                by_id=step.actor.user_id,
                method=method.value,
                note=text,
            )
        )
        step.note = text
        step.data = {"method": method.value}

    return handle
