"""领导包案: a township or county leader takes a case on personally, and gives it up.

The policy decides who may take or release ownership (TAKE_OWNERSHIP, RELEASE_OWNERSHIP);
the lifecycle decides when (one owner at a time, not once the case is closed); authz's
structural rule decides whose ownership a leader may end.
"""

from yidi.authz import guard
from yidi.domain import commands as c
from yidi.domain.errors import Forbidden
from yidi.domain.notes import optional_text, required_text
from yidi.services.actions import Step, handles


@handles(c.TakeOwnership, alone=True)
async def take_ownership(step: Step, cmd: c.TakeOwnership) -> None:
    case, actor = step.case, step.actor
    case.owner_id = actor.user_id
    case.owned_since = step.work.now
    case.owner_unit_path = list(actor.unit_path)
    step.note = optional_text("note", cmd.note)
    step.to_unit_id = case.handling_unit_id
    step.data = {"owner": actor.user_id}


@handles(c.ReleaseOwnership, alone=True)
async def release_ownership(step: Step, cmd: c.ReleaseOwnership) -> None:
    """The owner gives the case up, or a leader above the owner's unit ends the ownership
    (the owner moved on, fell ill, …); a peer or someone below may not."""
    case = step.case
    owner_id = case.owner_id
    assert owner_id is not None, "the lifecycle lets only an owned case be released"
    if not guard.may_end_ownership(step.actor, owner_id, tuple(case.owner_unit_path or ())):
        raise Forbidden("Only the owning leader or a leader above them may release it.")
    step.note = required_text("reason", cmd.reason)
    step.to_unit_id = case.handling_unit_id
    step.data = {"owner": owner_id}
    case.owner_id = case.owned_since = case.owner_unit_path = None
