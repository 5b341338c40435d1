"""Handing a case between units: DISPATCH, ACCEPT, RETURN, ESCALATE, REASSIGN, and the
INVOLVED paths a change of co-handling or summoned units recomputes."""

from yidi.authz import guard
from yidi.domain import commands as c
from yidi.domain.errors import BadInput, Forbidden
from yidi.domain.notes import optional_text, required_text
from yidi.persistence.models import Case, Unit, User
from yidi.persistence.session import Session
from yidi.persistence.units import units_by_ids, users_by_ids
from yidi.services.actions import Step, handles

MAX_CO_HANDLERS = 10


async def _unit(session: Session, county_id: int, unit_id: int, field: str) -> Unit:
    unit = (await units_by_ids(session, [unit_id])).get(unit_id)
    if unit is None or unit.county_id != county_id:
        raise BadInput(field, "No such unit.")
    return unit


async def _member(session: Session, unit: Unit, user_id: int, field: str) -> User:
    """An assignee must be an active member of the unit that handles the case."""
    user = (await users_by_ids(session, [user_id])).get(user_id)
    if user is None or not user.active or user.unit_id != unit.id:
        raise BadInput(field, f"No such user in {unit.name}.")
    return user


def _move_to(case: Case, unit: Unit) -> None:
    case.handling_unit_id = unit.id
    case.handling_path = list(unit.path)
    case.assignee_id = None


async def refresh_involved(session: Session, case: Case) -> None:
    """INVOLVED covers the intake, location, co-handling and summoned units and everything
    above them; a summoned unit stays involved for the case's lifetime (a dispatch replaces
    the co-handling units, not the summoned ones)."""
    ids = [
        case.intake_unit_id,
        case.location_unit_id,
        *case.co_handling_unit_ids,
        *case.summoned_unit_ids,
    ]
    units = await units_by_ids(session, ids)
    case.involved_path = sorted({uid for u in units.values() for uid in u.path})


async def _move_by_reason(step: Step, reason: str, target: Unit) -> None:
    """RETURN, ESCALATE and REASSIGN: the case goes to `target`, the reason is the note."""
    step.note = required_text("reason", reason)
    step.from_unit_id, step.to_unit_id = step.case.handling_unit_id, target.id
    _move_to(step.case, target)
    step.case.accepted_at = None


def _require_in_subtree(step: Step, target: Unit, what: str) -> None:
    # Structural rule: a unit hands work only to units within its own subtree.
    if not guard.target_in_subtree(step.actor, target.path):
        raise Forbidden(f"You may {what} only to units under your own.")


@handles(c.Dispatch)
async def dispatch(step: Step, cmd: c.Dispatch) -> None:
    case, session = step.case, step.session
    target = await _unit(session, case.county_id, cmd.unit_id, "unitId")
    if target.id == case.handling_unit_id:
        raise BadInput("unitId", "The case is already with this unit.")
    _require_in_subtree(step, target, "dispatch")
    co_units: list[Unit] = []
    for cid in dict.fromkeys(cmd.co_handling_unit_ids):
        co = await _unit(session, case.county_id, cid, "coHandlingUnitIds")
        if not guard.target_in_subtree(step.actor, co.path):
            raise Forbidden("Co-handling units must lie under your own unit.")
        if co.id != target.id:
            co_units.append(co)
    if len(co_units) > MAX_CO_HANDLERS:
        raise BadInput("coHandlingUnitIds", f"At most {MAX_CO_HANDLERS} co-handling units.")
    step.from_unit_id, step.to_unit_id = case.handling_unit_id, target.id
    _move_to(case, target)
    if cmd.assignee_id is not None:
        case.assignee_id = (await _member(session, target, cmd.assignee_id, "assigneeId")).id
    case.co_handling_unit_ids = [u.id for u in co_units]
    case.dispatched_by_unit_id = step.actor.unit_id
    await refresh_involved(session, case)
    step.note = optional_text("note", cmd.note)


@handles(c.Accept, alone=True)
async def accept(step: Step, cmd: c.Accept) -> None:
    case = step.case
    unit = await _unit(step.session, case.county_id, case.handling_unit_id, "caseId")
    if cmd.assignee_id is not None:
        case.assignee_id = (await _member(step.session, unit, cmd.assignee_id, "assigneeId")).id
    elif step.actor.unit_id == unit.id:
        case.assignee_id = step.actor.user_id
    case.accepted_at = step.work.now
    step.to_unit_id = unit.id
    step.note = optional_text("note", cmd.note)


@handles(c.Return)
async def return_(step: Step, cmd: c.Return) -> None:
    case = step.case
    back_to = case.dispatched_by_unit_id
    assert back_to is not None, "a DISPATCHED case records who dispatched it"
    await _move_by_reason(
        step, cmd.reason, await _unit(step.session, case.county_id, back_to, "caseId")
    )
    case.dispatched_by_unit_id = None


@handles(c.Escalate)
async def escalate(step: Step, cmd: c.Escalate) -> None:
    case = step.case
    parent_id = case.handling_path[-2]  # the status rules guarantee a parent exists
    await _move_by_reason(
        step, cmd.reason, await _unit(step.session, case.county_id, parent_id, "caseId")
    )
    case.dispatched_by_unit_id = None
    case.escalation_count += 1


@handles(c.Reassign)
async def reassign(step: Step, cmd: c.Reassign) -> None:
    case = step.case
    target = await _unit(step.session, case.county_id, cmd.unit_id, "unitId")
    if target.id == case.handling_unit_id:
        raise BadInput("unitId", "The case is already with this unit.")
    _require_in_subtree(step, target, "reassign")
    await _move_by_reason(step, cmd.reason, target)
    case.dispatched_by_unit_id = step.actor.unit_id
