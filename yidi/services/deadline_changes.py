"""延期 and 中止: extension requests and their decisions, pauses and resumptions of a case's
working-day clock (docs/CASE_FILE.md, "Extensions and pauses").

While a case is paused its `due_at` is NULL — no deadline runs, so the sweeper sends no
alert, `isOverdue` is false and the overdue filter leaves it out, with no special case in
any of them — and the deadline as it stood waits in `due_at_when_paused`. Resuming moves
that deadline by the working days the pause took (domain/calendar.py).
"""

from datetime import datetime

from yidi.authz import guard
from yidi.domain import commands as c
from yidi.domain.deadline_changes import check_extension_days
from yidi.domain.enums import ExtensionStatus
from yidi.domain.errors import Forbidden
from yidi.domain.notes import optional_text, required_text
from yidi.persistence.case_file import add_record, open_pause, pending_extension
from yidi.persistence.models import Case, Extension, Pause
from yidi.services.actions import Step, handles


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _rearm_alerts(case: Case) -> None:
    """A new deadline gets its own DUE_SOON and OVERDUE alerts."""
    case.due_soon_sent_at = None
    case.overdue_sent_at = None


@handles(c.RequestExtension)
async def request_extension(step: Step, cmd: c.RequestExtension) -> None:
    case = step.case
    days = check_extension_days(cmd.days)
    reason = required_text("reason", cmd.reason)
    request = Extension(
        county_id=case.county_id,
        case_id=case.id,
        days=days,
        reason=reason,
        status=ExtensionStatus.PENDING.value,
        requested_at=step.work.now,
        requested_by_id=step.actor.user_id,
    )
    await add_record(step.session, request)
    case.extension_requested_by_id = step.actor.user_id
    step.note = reason
    step.from_unit_id = case.handling_unit_id
    step.data = {"extension": request.id, "days": days}


@handles(c.DecideExtension)
async def decide_extension(step: Step, cmd: c.DecideExtension) -> None:
    """Approval moves the deadline by the days asked — the waiting one, while paused."""
    case = step.case
    request = await pending_extension(step.session, case.id)
    assert request is not None, "the lifecycle lets only a pending request be decided"
    if not guard.may_decide_extension(step.actor, request.requested_by_id):
        raise Forbidden("A request for more time is decided by someone else.")
    request.decision_note = optional_text("note", cmd.note)
    request.decided_at = step.work.now
    request.decided_by_id = step.actor.user_id
    request.status = (ExtensionStatus.APPROVED if cmd.approved else ExtensionStatus.REJECTED).value
    if cmd.approved:
        calendar = step.work.calendar
        if case.paused_since is not None:
            assert case.due_at_when_paused is not None
            request.due_at_before = case.due_at_when_paused
            case.due_at_when_paused = calendar.moved_by(case.due_at_when_paused, request.days)
            request.due_at_after = case.due_at_when_paused
        else:
            assert case.due_at is not None, "an open case that is not paused has a deadline"
            request.due_at_before = case.due_at
            case.due_at = calendar.moved_by(case.due_at, request.days)
            request.due_at_after = case.due_at
            _rearm_alerts(case)
    case.extension_requested_by_id = None
    step.note = request.decision_note
    step.to_unit_id = case.handling_unit_id
    step.data = {
        "extension": request.id,
        "approved": cmd.approved,
        "days": request.days,
        "dueAt": _iso(request.due_at_after),
    }


@handles(c.Pause)
async def pause(step: Step, cmd: c.Pause) -> None:
    case = step.case
    note = required_text("note", cmd.note)
    assert case.due_at is not None, "an open case that is not paused has a deadline"
    record = Pause(
        county_id=case.county_id,
        case_id=case.id,
        reason=cmd.reason.value,
        note=note,
        paused_at=step.work.now,
        paused_by_id=step.actor.user_id,
        due_at_before=case.due_at,
    )
    await add_record(step.session, record)
    case.paused_since = step.work.now
    case.due_at_when_paused = case.due_at
    case.due_at = None
    step.note = note
    step.to_unit_id = case.handling_unit_id
    step.data = {"pause": record.id, "reason": cmd.reason.value}


@handles(c.Resume)
async def resume(step: Step, cmd: c.Resume) -> None:
    """The clock runs again; the deadline moves by the working days the pause took."""
    case = step.case
    record = await open_pause(step.session, case.id)
    assert record is not None, "the lifecycle lets only a paused case be resumed"
    assert case.paused_since is not None
    assert case.due_at_when_paused is not None
    days = step.work.calendar.working_days_after(case.paused_since, step.work.now)
    case.due_at = step.work.calendar.moved_by(case.due_at_when_paused, days)
    if days > 0:
        _rearm_alerts(case)
    record.resumed_at = step.work.now
    record.resumed_by_id = step.actor.user_id
    record.resume_note = optional_text("note", cmd.note)
    record.working_days = days
    record.due_at_after = case.due_at
    case.paused_since = case.due_at_when_paused = None
    step.note = record.resume_note
    step.to_unit_id = case.handling_unit_id
    step.data = {"pause": record.id, "workingDays": days, "dueAt": _iso(case.due_at)}
