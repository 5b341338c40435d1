"""Use cases that move a case through its lifecycle (docs/DESIGN.md, "Case lifecycle").

Every action follows one path: lock the case row, check visibility (authz), the expected
version, then policy (authz), ask the transition table for the next status (domain), let
the command's handler make its own changes, and record exactly one event through the
event writer — all in the work's transaction, so a failure anywhere leaves nothing behind.
"""

from yidi.authz import guard
from yidi.domain.commands import CaseCommand, Evaluate
from yidi.domain.enums import Satisfaction
from yidi.domain.errors import Conflict, NotFound
from yidi.domain.lifecycle import EVENT_OF_ACTION, next_status
from yidi.persistence import cases as case_store
from yidi.persistence.models import Case

# Imported for their effect: the handlers register themselves with `handles`.
from yidi.services import deadline_changes as _deadline_changes  # noqa: F401
from yidi.services import mediation as _mediation  # noqa: F401
from yidi.services import ownership as _ownership  # noqa: F401
from yidi.services import results as _results  # noqa: F401
from yidi.services import review as _review  # noqa: F401
from yidi.services import routing as _routing  # noqa: F401
from yidi.services import summons as _summons  # noqa: F401
from yidi.services.actions import Step, handler_for
from yidi.services.case_facts import authz_facts, lifecycle_facts
from yidi.services.events import record
from yidi.services.unit_of_work import Work


async def transition(work: Work, command: CaseCommand) -> Case:
    """Run one staff action on a case. Errors come in this order: NOT_FOUND (not
    visible), CONFLICT (the caller's version is stale: reload before anything else),
    FORBIDDEN (policy), INVALID_TRANSITION (status).

    A command that also changes a second case (MERGE's original) has both rows locked
    in id order, so two opposite merges queue instead of deadlocking.
    """
    actor, enforcer = work.staff()
    other = command.other_case_id()
    locked: dict[int, Case | None] = {}
    for pk in sorted({command.case_id} | ({other} if other is not None else set())):
        locked[pk] = await case_store.case_for_update(work.session, pk)
    case = locked[command.case_id]
    if case is None or not guard.can_view(enforcer, actor, authz_facts(case)):
        raise NotFound("No such case.")  # never reveal that an invisible case exists
    expected = command.expected_version
    if expected is not None and expected != case.version:
        raise Conflict(
            f"The case has changed (version {case.version}, expected {expected}); "
            "reload it and try again."
        )
    guard.require(enforcer, actor, command.action, authz_facts(case))
    return await _apply(work, case, command)


async def evaluate_as_reporter(
    work: Work, case: Case, satisfaction: Satisfaction, comment: str | None
) -> Case:
    """The reporter's own evaluation: the tracking code and phone stood in for the policy
    (the caller checked them); the lifecycle rules apply as to anyone."""
    await case_store.lock_loaded_case(work.session, case)
    command = Evaluate(case_id=case.id, satisfaction=satisfaction, comment=comment)
    return await _apply(work, case, command)


async def _apply(work: Work, case: Case, command: CaseCommand) -> Case:
    status = next_status(lifecycle_facts(case), command.action)
    step = Step(work, case)
    await handler_for(command)(step, command)
    case.status = (step.next_status or status).value
    await record(
        work,
        case,
        EVENT_OF_ACTION[command.action],
        from_unit_id=step.from_unit_id,
        to_unit_id=step.to_unit_id,
        note=step.note,
        data=step.data,
    )
    for other in step.others:
        await record(work, other.case, other.event_type, note=other.note, data=other.data)
    return case
