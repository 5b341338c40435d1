"""Lifecycle commands: each action on a case is one value carrying its arguments.

A command names its action (the lifecycle table and the policy judge it by that) and
holds the already-decoded input; `services/actions.py` registers one handler per command
type (written in `review.py`, `routing.py`, `results.py` and the case file's modules).
Adding an action means its `CaseAction` and event type, its row in the lifecycle table, a
command here, its handler, its default policy rules and its GraphQL input and field — and
no change to the path every action takes (`services/transitions.py`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from yidi.domain.enums import (
    CaseAction,
    ClosureKind,
    FollowUpMethod,
    HandlingTrack,
    MediationKind,
    MediationLinkage,
    MediationOutcome,
    MediatorRole,
    Outcome,
    PauseReason,
    RiskLevel,
    Satisfaction,
)


@dataclass(frozen=True, kw_only=True)
class CaseCommand:
    action: ClassVar[CaseAction]
    case_id: int
    # The version the caller last saw; a stale one answers CONFLICT. None: do not check.
    expected_version: int | None = None

    def other_case_id(self) -> int | None:
        """A second case the action reads and changes (locked with the first), if any."""
        return None


@dataclass(frozen=True, kw_only=True)
class Assess(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.ASSESS
    risk_level: RiskLevel | None = None
    track: HandlingTrack | None = None
    category_id: int | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Dispatch(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.DISPATCH
    unit_id: int
    assignee_id: int | None = None
    co_handling_unit_ids: tuple[int, ...] = ()
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Accept(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.ACCEPT
    assignee_id: int | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Return(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.RETURN
    reason: str


@dataclass(frozen=True, kw_only=True)
class Escalate(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.ESCALATE
    reason: str


@dataclass(frozen=True, kw_only=True)
class Reassign(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.REASSIGN
    unit_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class Supervise(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.SUPERVISE
    note: str


@dataclass(frozen=True, kw_only=True)
class Comment(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.COMMENT
    note: str


@dataclass(frozen=True, kw_only=True)
class Resolve(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.RESOLVE
    outcome: Outcome
    summary: str


@dataclass(frozen=True, kw_only=True)
class Close(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.CLOSE
    note: str | None = None
    # Settled is a claim the closer makes: without it, the closure is procedural.
    kind: ClosureKind = ClosureKind.PROCEDURAL


@dataclass(frozen=True, kw_only=True)
class Reopen(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.REOPEN
    reason: str


@dataclass(frozen=True, kw_only=True)
class Redirect(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.REDIRECT
    reason: str
    guidance: str


@dataclass(frozen=True, kw_only=True)
class Merge(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.MERGE
    into_case_id: int

    def other_case_id(self) -> int | None:
        return self.into_case_id


@dataclass(frozen=True, kw_only=True)
class Evaluate(CaseCommand):
    """Staff record the reporter's satisfaction, or the reporter gives it by tracking code."""

    action: ClassVar[CaseAction] = CaseAction.EVALUATE
    satisfaction: Satisfaction
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class FollowUp(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.FOLLOW_UP
    method: FollowUpMethod
    note: str
    # False: the reporter says the matter is not settled, and the case reopens.
    settled: bool | None = None


@dataclass(frozen=True, kw_only=True)
class TakeOwnership(CaseCommand):
    """领导包案: the acting leader becomes the case's owner."""

    action: ClassVar[CaseAction] = CaseAction.TAKE_OWNERSHIP
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReleaseOwnership(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.RELEASE_OWNERSHIP
    reason: str


@dataclass(frozen=True)
class OutsideMediator:
    """A mediator who is not a staff user: a lawyer, a 乡贤, a party member, …"""

    name: str
    role: MediatorRole
    organization: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordMediation(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.RECORD_MEDIATION
    kind: MediationKind
    linkage: MediationLinkage | None = None
    held_at: datetime
    place: str
    staff_mediator_ids: tuple[int, ...] = ()
    outside_mediators: tuple[OutsideMediator, ...] = ()
    parties_present: tuple[str, ...]
    transcript: str
    outcome: MediationOutcome
    agreement: str | None = None


@dataclass(frozen=True, kw_only=True)
class RequestExtension(CaseCommand):
    """延期: the handling unit asks for more working days."""

    action: ClassVar[CaseAction] = CaseAction.REQUEST_EXTENSION
    days: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class DecideExtension(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.DECIDE_EXTENSION
    approved: bool
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Pause(CaseCommand):
    """中止: the working-day clock stops until the case is resumed."""

    action: ClassVar[CaseAction] = CaseAction.PAUSE
    reason: PauseReason
    note: str


@dataclass(frozen=True, kw_only=True)
class Resume(CaseCommand):
    action: ClassVar[CaseAction] = CaseAction.RESUME
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Summon(CaseCommand):
    """中心吹哨: the handling unit calls other units of the county to report in and help."""

    action: ClassVar[CaseAction] = CaseAction.SUMMON
    unit_ids: tuple[int, ...]
    report_in_hours: int
    note: str


@dataclass(frozen=True, kw_only=True)
class ReportIn(CaseCommand):
    """部门报到: a summoned unit reports in."""

    action: ClassVar[CaseAction] = CaseAction.REPORT_IN
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Contribute(CaseCommand):
    """A summoned unit that reported in records its own finding or result."""

    action: ClassVar[CaseAction] = CaseAction.CONTRIBUTE
    contribution: str
