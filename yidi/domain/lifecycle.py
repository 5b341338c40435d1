"""The case lifecycle as a transition table (DESIGN.md, "Case lifecycle").

Casbin decides who may act; this module decides what the status allows. Each
allowed action maps the current status to the status after it; an action the
table does not list for a status answers INVALID_TRANSITION.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from yidi.domain.enums import OPEN_STATUSES, CaseAction, CaseEventType, CaseStatus
from yidi.domain.errors import InvalidTransition

S = CaseStatus
A = CaseAction

_OPEN = (S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS)
_DONE = (S.RESOLVED, S.CLOSED)

TRANSITIONS: dict[CaseAction, dict[CaseStatus, CaseStatus]] = {
    A.VIEW: {s: s for s in CaseStatus},
    A.ASSESS: {S.REGISTERED: S.REGISTERED},
    A.DISPATCH: {S.REGISTERED: S.DISPATCHED},
    A.ACCEPT: {S.REGISTERED: S.IN_PROGRESS, S.DISPATCHED: S.IN_PROGRESS},
    A.RETURN: {S.DISPATCHED: S.REGISTERED},
    # Escalation hands the case to the parent unit, which registers it anew.
    A.ESCALATE: dict.fromkeys(_OPEN, S.REGISTERED),
    A.REASSIGN: {S.DISPATCHED: S.DISPATCHED, S.IN_PROGRESS: S.DISPATCHED},
    A.SUPERVISE: {s: s for s in _OPEN},
    A.COMMENT: {s: s for s in _OPEN},
    A.RESOLVE: {S.IN_PROGRESS: S.RESOLVED},
    A.CLOSE: {S.RESOLVED: S.CLOSED},
    A.REOPEN: {S.RESOLVED: S.IN_PROGRESS, S.CLOSED: S.IN_PROGRESS},
    A.REDIRECT: {S.REGISTERED: S.REDIRECTED},
    A.MERGE: {S.REGISTERED: S.MERGED},
    A.EVALUATE: {s: s for s in _DONE},
    A.FOLLOW_UP: {s: s for s in _DONE},
    # 领导包案: a leader carries the case until it is closed (docs/CASE_FILE.md).
    A.TAKE_OWNERSHIP: {s: s for s in (*_OPEN, S.RESOLVED)},
    A.RELEASE_OWNERSHIP: {s: s for s in (*_OPEN, S.RESOLVED)},
    # Mediation is work on an open case; a resolved one is reopened first.
    A.RECORD_MEDIATION: {s: s for s in _OPEN},
    # 延期 / 中止: only an open case has a running deadline (docs/CASE_FILE.md).
    A.REQUEST_EXTENSION: {s: s for s in _OPEN},
    A.DECIDE_EXTENSION: {s: s for s in _OPEN},
    A.PAUSE: {s: s for s in _OPEN},
    A.RESUME: {s: s for s in _OPEN},
    # 吹哨报到: units are called to, and answer, an open case (docs/CASE_FILE.md).
    A.SUMMON: {s: s for s in _OPEN},
    A.REPORT_IN: {s: s for s in _OPEN},
    A.CONTRIBUTE: {s: s for s in _OPEN},
}

EVENT_OF_ACTION: dict[CaseAction, CaseEventType] = {
    A.ASSESS: CaseEventType.ASSESSED,
    A.DISPATCH: CaseEventType.DISPATCHED,
    A.ACCEPT: CaseEventType.ACCEPTED,
    A.RETURN: CaseEventType.RETURNED,
    A.ESCALATE: CaseEventType.ESCALATED,
    A.REASSIGN: CaseEventType.REASSIGNED,
    A.SUPERVISE: CaseEventType.SUPERVISED,
    A.COMMENT: CaseEventType.COMMENTED,
    A.RESOLVE: CaseEventType.RESOLVED,
    A.CLOSE: CaseEventType.CLOSED,
    A.REOPEN: CaseEventType.REOPENED,
    A.REDIRECT: CaseEventType.REDIRECTED,
    A.MERGE: CaseEventType.MERGED,
    A.EVALUATE: CaseEventType.EVALUATED,
    A.FOLLOW_UP: CaseEventType.FOLLOWED_UP,
    A.TAKE_OWNERSHIP: CaseEventType.OWNERSHIP_TAKEN,
    A.RELEASE_OWNERSHIP: CaseEventType.OWNERSHIP_RELEASED,
    A.RECORD_MEDIATION: CaseEventType.MEDIATION_RECORDED,
    A.REQUEST_EXTENSION: CaseEventType.EXTENSION_REQUESTED,
    A.DECIDE_EXTENSION: CaseEventType.EXTENSION_DECIDED,
    A.PAUSE: CaseEventType.PAUSED,
    A.RESUME: CaseEventType.RESUMED,
    A.SUMMON: CaseEventType.SUMMONED,
    A.REPORT_IN: CaseEventType.REPORTED_IN,
    A.CONTRIBUTE: CaseEventType.CONTRIBUTED,
}


@dataclass(frozen=True)
class CaseFacts:
    """What the status rules need to know about a case beyond its status."""

    status: CaseStatus
    handling_unit_has_parent: bool = True
    evaluated: bool = False
    has_duplicates: bool = False
    owned: bool = False  # a leader has taken ownership (领导包案)
    extension_pending: bool = False  # an extension request awaits its decision
    paused: bool = False  # the working-day clock is stopped (中止)


def status_allows(facts: CaseFacts, action: CaseAction) -> bool:
    """True when the case's state allows `action`, whoever asks."""
    if facts.status not in TRANSITIONS[action]:
        return False
    if action is A.ESCALATE and not facts.handling_unit_has_parent:
        return False  # a county has nobody above it to escalate to
    if action in (A.REDIRECT, A.MERGE) and facts.has_duplicates:
        return False  # duplicates were merged into it: the original must stay
    # One owner at a time: the owner releases before another leader takes the case on.
    if action is A.TAKE_OWNERSHIP and facts.owned:
        return False
    if action is A.RELEASE_OWNERSHIP and not facts.owned:
        return False
    # At most one pending extension request; a decision needs one.
    if action is A.REQUEST_EXTENSION and facts.extension_pending:
        return False
    if action is A.DECIDE_EXTENSION and not facts.extension_pending:
        return False
    if action is A.PAUSE and facts.paused:
        return False
    # A stopped clock is restarted before the result is reported, so the pause is closed.
    if action is A.RESUME and not facts.paused:
        return False
    if action is A.RESOLVE and facts.paused:
        return False
    # A reporter evaluates a result once; a second evaluation would overwrite the first.
    return not (action is A.EVALUATE and facts.evaluated)


def next_status(facts: CaseFacts, action: CaseAction) -> CaseStatus:
    """The status after `action`, or InvalidTransition when the state does not allow it."""
    if not status_allows(facts, action):
        raise InvalidTransition(f"A {facts.status.value} case does not allow {action.value}.")
    return TRANSITIONS[action][facts.status]


@functools.cache
def actions_allowed_by_status(facts: CaseFacts) -> frozenset[CaseAction]:
    # Cached: a page asks this for every case, and there are only a few hundred facts.
    return frozenset(a for a in CaseAction if status_allows(facts, a))


def is_overdue(status: CaseStatus, due_at: datetime | None, now: datetime) -> bool:
    """Open and past its deadline; a resolved or closed case is never overdue."""
    return due_at is not None and status in OPEN_STATUSES and due_at < now
