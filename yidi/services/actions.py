"""What each lifecycle command changes beyond the status: one handler per command type.

A handler reads its command, changes the case (and, for MERGE, the original) and fills
in the `Step` from which `transitions` records the event.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.domain import closure, intake
from yidi.domain import commands as c
from yidi.domain.enums import (
    SETTLING_MEDIATION,
    CaseAction,
    CaseEventType,
    CaseStatus,
    ClosureKind,
    HandlingTrack,
    Outcome,
    RiskLevel,
)
from yidi.domain.errors import BadInput, Forbidden, InvalidTransition
from yidi.domain.notes import DUPLICATE_MERGED_NOTE, SUMMARY_MAX, optional_text, required_text
from yidi.persistence.case_file import has_mediation_with_outcome, lapse_pending_extension
from yidi.persistence.cases import add_follow_up, cases_by_ids
from yidi.persistence.models import Case, Category, FollowUp, Unit, User
from yidi.persistence.session import Session
from yidi.persistence.units import categories_by_ids, units_by_ids, users_by_ids
from yidi.services.case_facts import authz_facts
from yidi.services.reading import visible
from yidi.services.settings import follow_up_risks
from yidi.services.unit_of_work import Work

MAX_CO_HANDLERS = 10


@dataclass(frozen=True)
class OtherEvent:
    """An event on another case the action changed (recorded after the action's own)."""

    case: Case
    event_type: CaseEventType
    note: str | None
    data: dict[str, object]


@dataclass
class Step:
    """One action in progress: the work, the case, and what its event will say."""

    work: Work
    case: Case
    from_unit_id: int | None = None
    to_unit_id: int | None = None
    note: str | None = None
    data: dict[str, object] | None = None
    others: list[OtherEvent] = field(default_factory=list)
    # A status other than the table's, when the action's outcome decides it (a follow-up
    # that finds the matter unsettled reopens the case).
    next_status: CaseStatus | None = None

    @property
    def session(self) -> Session:
        return self.work.session

    @property
    def actor(self) -> Actor:
        return self.work.staff()[0]


C = TypeVar("C", bound=c.CaseCommand)
Handler = Callable[[Step, Any], Awaitable[None]]
_HANDLERS: dict[type[c.CaseCommand], Handler] = {}


def handles(command_type: type[C]) -> Callable[[Callable[[Step, C], Awaitable[None]]], Handler]:
    def register(handler: Callable[[Step, C], Awaitable[None]]) -> Handler:
        _HANDLERS[command_type] = handler
        return handler

    return register


def handler_for(command: c.CaseCommand) -> Handler:
    return _HANDLERS[type(command)]


def handled_commands() -> frozenset[type[c.CaseCommand]]:
    return frozenset(_HANDLERS)


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


async def _category_of(session: Session, case: Case) -> Category:
    return (await categories_by_ids(session, [case.category_id]))[case.category_id]


def _set_due_at(step: Step, since: datetime, track: HandlingTrack, category: Category) -> None:
    """A fresh deadline, and fresh alerts for it."""
    limit = intake.time_limit_days(track, category.time_limit_days)
    due_at = step.work.calendar.due_at(since, limit)
    if step.case.paused_since is not None:
        step.case.due_at_when_paused = due_at  # no deadline runs until the case resumes
    else:
        step.case.due_at = due_at
    step.case.due_soon_sent_at = None
    step.case.overdue_sent_at = None


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


@handles(c.Assess)
async def assess(step: Step, cmd: c.Assess) -> None:
    case = step.case
    changes: dict[str, object] = {}
    category = await _category_of(step.session, case)
    if cmd.category_id is not None and cmd.category_id != case.category_id:
        found = (await categories_by_ids(step.session, [cmd.category_id])).get(cmd.category_id)
        if found is None or found.county_id != case.county_id:
            raise BadInput("categoryId", "No such category.")
        category, case.category_id = found, found.id
        changes["category"] = found.code
    if cmd.risk_level is not None and cmd.risk_level.value != case.risk_level:
        case.risk_level = changes["riskLevel"] = cmd.risk_level.value
    new_track = cmd.track or HandlingTrack(case.track)
    if new_track.value != case.track:
        case.track = changes["track"] = new_track.value
    if "track" in changes or "category" in changes:
        _set_due_at(step, case.registered_at, new_track, category)
    step.note = optional_text("note", cmd.note)
    step.to_unit_id = case.handling_unit_id
    step.data = changes


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


@handles(c.Accept)
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


@handles(c.Supervise)
async def supervise(step: Step, cmd: c.Supervise) -> None:
    step.note = required_text("note", cmd.note)
    step.to_unit_id = step.case.handling_unit_id
    step.case.supervision_count += 1


@handles(c.Comment)
async def comment(step: Step, cmd: c.Comment) -> None:
    step.note = required_text("note", cmd.note)


@handles(c.Resolve)
async def resolve(step: Step, cmd: c.Resolve) -> None:
    case = step.case
    if cmd.outcome is Outcome.MEDIATED:
        settled = [o.value for o in SETTLING_MEDIATION]
        if not await has_mediation_with_outcome(step.session, case.id, settled):
            raise BadInput(
                "outcome",
                "MEDIATED needs a recorded mediation that reached agreement (AGREEMENT or "
                "PARTIAL).",
            )
    await lapse_pending_extension(step.session, case, step.work.now)
    case.followed_up_since_result = False
    case.resolution_outcome = cmd.outcome.value
    case.resolution_summary = required_text("summary", cmd.summary, SUMMARY_MAX)
    case.resolved_at = step.work.now
    case.resolved_by_id = step.actor.user_id
    case.resolved_by_unit_id = case.handling_unit_id
    step.note = case.resolution_summary
    step.data = {"outcome": cmd.outcome.value}
    step.from_unit_id = case.handling_unit_id


@handles(c.Close)
async def close(step: Step, cmd: c.Close) -> None:
    """A substantive close claims the matter settled: where the county asks for it (by
    default ORANGE and RED), the reporter must have been visited again since the result."""
    case = step.case
    if cmd.kind is ClosureKind.SUBSTANTIVE and not case.followed_up_since_result:
        risks = await follow_up_risks(step.session, case.county_id)
        if closure.follow_up_required(cmd.kind, RiskLevel(case.risk_level), risks):
            raise InvalidTransition(
                f"A substantive close of a {case.risk_level} case needs a follow-up with the "
                "reporter (回访) after the result."
            )
    case.closed_at = step.work.now
    case.closed_by_id = step.actor.user_id
    case.closure_kind = cmd.kind.value
    step.note = optional_text("note", cmd.note)
    step.data = {"kind": cmd.kind.value}


@handles(c.Reopen)
async def reopen(step: Step, cmd: c.Reopen) -> None:
    step.note = required_text("reason", cmd.reason)
    step.to_unit_id = step.case.handling_unit_id
    await _back_to_work(step)


async def _back_to_work(step: Step) -> None:
    """Back to work with a fresh deadline; the old result and its evaluation stay in the
    timeline, and the reporter may evaluate the new result."""
    case = step.case
    category = await _category_of(step.session, case)
    _set_due_at(step, step.work.now, HandlingTrack(case.track), category)
    case.resolved_at = case.closed_at = case.evaluated_at = None
    case.resolution_outcome = case.resolution_summary = None
    case.resolved_by_id = case.resolved_by_unit_id = None
    case.evaluation_satisfaction = case.evaluation_comment = None
    case.closure_kind = None
    case.closed_by_id = None
    case.followed_up_since_result = False


@handles(c.Redirect)
async def redirect(step: Step, cmd: c.Redirect) -> None:
    step.note = required_text("reason", cmd.reason)
    step.data = {"guidance": required_text("guidance", cmd.guidance)}
    step.from_unit_id = step.case.handling_unit_id


@handles(c.Merge)
async def merge(step: Step, cmd: c.Merge) -> None:
    """The duplicate joins the original; the original records that it gained one."""
    case = step.case
    target = (await cases_by_ids(step.session, [cmd.into_case_id])).get(cmd.into_case_id)
    # A case the actor cannot see is answered like one that does not exist.
    actor, enforcer = step.work.staff()
    if target is None or visible(enforcer, actor, target) is None:
        raise BadInput("intoCaseId", "No such case.")
    if target.id == case.id:
        raise BadInput("intoCaseId", "A case cannot be merged into itself.")
    if CaseStatus(target.status) in (CaseStatus.MERGED, CaseStatus.REDIRECTED):
        raise BadInput("intoCaseId", "Merge into the original case, not a closed-off one.")
    case.merged_into_id = target.id
    target.duplicates_count += 1
    step.others.append(
        OtherEvent(
            target,
            CaseEventType.DUPLICATE_MERGED,
            # Not the duplicate's number: who sees the original may not see the duplicate.
            note=DUPLICATE_MERGED_NOTE,
            data={"duplicate": case.id},
        )
    )
    # Who sees the duplicate may not see the original: the event keeps the original's id,
    # and its note is worded for each reader when read (reading.event_note).
    step.data = {"into": target.id}


@handles(c.Evaluate)
async def evaluate(step: Step, cmd: c.Evaluate) -> None:
    case = step.case
    case.evaluation_satisfaction = cmd.satisfaction.value
    case.evaluation_comment = optional_text("comment", cmd.comment)
    case.evaluated_at = step.work.now
    step.note = case.evaluation_comment
    step.data = {"satisfaction": cmd.satisfaction.value}
    if step.work.actor is None:  # the reporter, by tracking code (see public.py)
        step.data["by"] = "reporter"


@handles(c.FollowUp)
async def follow_up(step: Step, cmd: c.FollowUp) -> None:
    """回访. When the reporter says the matter is not settled, the case reopens — which
    the policy must let the caller do (REOPEN) as it would a reopening by hand."""
    text = required_text("note", cmd.note)
    if cmd.settled is False:
        actor, enforcer = step.work.staff()
        guard.require(enforcer, actor, CaseAction.REOPEN, authz_facts(step.case))
    add_follow_up(
        step.session,
        FollowUp(
            county_id=step.case.county_id,
            case_id=step.case.id,
            at=step.work.now,
            by_id=step.actor.user_id,
            method=cmd.method.value,
            note=text,
            settled=cmd.settled,
        ),
    )
    step.note = text
    step.data = {"method": cmd.method.value, "settled": cmd.settled}
    step.case.followed_up_since_result = cmd.settled is not False
    if cmd.settled is False:
        await _back_to_work(step)
        step.next_status = CaseStatus.IN_PROGRESS
        step.others.append(
            OtherEvent(step.case, CaseEventType.REOPENED, note=closure.UNSETTLED_NOTE, data={})
        )
