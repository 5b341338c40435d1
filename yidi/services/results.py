"""The result and what follows it: RESOLVE, CLOSE, REOPEN, EVALUATE, FOLLOW_UP (回访)."""

from yidi.authz import guard
from yidi.domain import closure
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
from yidi.domain.errors import BadInput, InvalidTransition
from yidi.domain.notes import SUMMARY_MAX, optional_text, required_text
from yidi.persistence.case_file import has_mediation_with_outcome, lapse_pending_extension
from yidi.persistence.cases import add_follow_up
from yidi.persistence.models import FollowUp
from yidi.services.actions import OtherEvent, Step, handles
from yidi.services.case_facts import authz_facts
from yidi.services.due_dates import category_of, set_due_at
from yidi.services.settings import follow_up_risks


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
    category = await category_of(step.session, case)
    set_due_at(step, step.work.now, HandlingTrack(case.track), category)
    case.resolved_at = case.closed_at = case.evaluated_at = None
    case.resolution_outcome = case.resolution_summary = None
    case.resolved_by_id = case.resolved_by_unit_id = None
    case.evaluation_satisfaction = case.evaluation_comment = None
    case.closure_kind = None
    case.closed_by_id = None
    case.followed_up_since_result = False


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
