"""The case lifecycle, checked cell by cell against DESIGN.md ("Case lifecycle").

The expected table below is written from the design text, not copied from
`yidi.domain.lifecycle.TRANSITIONS`, so a slip in either one shows up here.
"""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yidi.domain.enums import CaseAction, CaseStatus
from yidi.domain.errors import InvalidTransition
from yidi.domain.lifecycle import (
    EVENT_OF_ACTION,
    CaseFacts,
    actions_allowed_by_status,
    next_status,
    status_allows,
)

S = CaseStatus
A = CaseAction

# status -> {allowed action: status after it}. Everything not listed is INVALID_TRANSITION.
EXPECTED: dict[CaseStatus, dict[CaseAction, CaseStatus]] = {
    # "REGISTERED (at the handling unit): ASSESS, DISPATCH → DISPATCHED, ACCEPT → IN_PROGRESS,
    #  ESCALATE (… stays REGISTERED), REDIRECT → REDIRECTED, MERGE → MERGED."
    # "COMMENT and SUPERVISE on any open case."
    S.REGISTERED: {
        A.VIEW: S.REGISTERED,
        A.ASSESS: S.REGISTERED,
        A.DISPATCH: S.DISPATCHED,
        A.ACCEPT: S.IN_PROGRESS,
        A.ESCALATE: S.REGISTERED,
        A.REDIRECT: S.REDIRECTED,
        A.MERGE: S.MERGED,
        A.COMMENT: S.REGISTERED,
        A.SUPERVISE: S.REGISTERED,
    },
    # "DISPATCHED: ACCEPT → IN_PROGRESS, RETURN → REGISTERED at the dispatching unit,
    #  REASSIGN (→ DISPATCHED to another unit), ESCALATE."
    # Escalation always lands REGISTERED at the parent (spelled out for IN_PROGRESS).
    S.DISPATCHED: {
        A.VIEW: S.DISPATCHED,
        A.ACCEPT: S.IN_PROGRESS,
        A.RETURN: S.REGISTERED,
        A.REASSIGN: S.DISPATCHED,
        A.ESCALATE: S.REGISTERED,
        A.COMMENT: S.DISPATCHED,
        A.SUPERVISE: S.DISPATCHED,
    },
    # "IN_PROGRESS: RESOLVE → RESOLVED, ESCALATE (→ REGISTERED at the parent), REASSIGN."
    # A reassigned case is dispatched to the new unit, which must accept it again.
    S.IN_PROGRESS: {
        A.VIEW: S.IN_PROGRESS,
        A.RESOLVE: S.RESOLVED,
        A.ESCALATE: S.REGISTERED,
        A.REASSIGN: S.DISPATCHED,
        A.COMMENT: S.IN_PROGRESS,
        A.SUPERVISE: S.IN_PROGRESS,
    },
    # "RESOLVED: CLOSE → CLOSED, REOPEN → IN_PROGRESS."
    # "EVALUATE and FOLLOW_UP once RESOLVED or CLOSED."
    S.RESOLVED: {
        A.VIEW: S.RESOLVED,
        A.CLOSE: S.CLOSED,
        A.REOPEN: S.IN_PROGRESS,
        A.EVALUATE: S.RESOLVED,
        A.FOLLOW_UP: S.RESOLVED,
    },
    # "CLOSED: REOPEN → IN_PROGRESS (e.g. after a DISSATISFIED evaluation)."
    S.CLOSED: {
        A.VIEW: S.CLOSED,
        A.REOPEN: S.IN_PROGRESS,
        A.EVALUATE: S.CLOSED,
        A.FOLLOW_UP: S.CLOSED,
    },
    # "plus terminal REDIRECTED and MERGED": nothing but reading them.
    S.REDIRECTED: {A.VIEW: S.REDIRECTED},
    S.MERGED: {A.VIEW: S.MERGED},
}

CELLS = list(itertools.product(CaseStatus, CaseAction))
CELL_IDS = [f"{status.value}-{action.value}" for status, action in CELLS]


def test_expected_table_covers_every_status() -> None:
    assert set(EXPECTED) == set(CaseStatus)


@pytest.mark.parametrize(("status", "action"), CELLS, ids=CELL_IDS)
def test_every_status_and_action(status: CaseStatus, action: CaseAction) -> None:
    facts = CaseFacts(status=status)
    expected = EXPECTED[status].get(action)
    assert status_allows(facts, action) is (expected is not None)
    if expected is None:
        with pytest.raises(InvalidTransition) as caught:
            next_status(facts, action)
        assert caught.value.code == "INVALID_TRANSITION"
        # The message names the status and the action, so the caller knows what was refused.
        assert status.value in caught.value.message
        assert action.value in caught.value.message
    else:
        assert next_status(facts, action) is expected


@pytest.mark.parametrize("status", list(CaseStatus), ids=[s.value for s in CaseStatus])
def test_actions_allowed_by_status_match_the_table(status: CaseStatus) -> None:
    assert actions_allowed_by_status(CaseFacts(status=status)) == frozenset(EXPECTED[status])


OPEN = [S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS]


@pytest.mark.parametrize("status", OPEN, ids=[s.value for s in OPEN])
def test_a_county_cannot_escalate(status: CaseStatus) -> None:
    # The county is the root: there is no parent unit to hand the case to.
    facts = CaseFacts(status=status, handling_unit_has_parent=False)
    assert not status_allows(facts, A.ESCALATE)
    assert A.ESCALATE not in actions_allowed_by_status(facts)
    with pytest.raises(InvalidTransition):
        next_status(facts, A.ESCALATE)


@pytest.mark.parametrize("status", OPEN, ids=[s.value for s in OPEN])
def test_a_county_keeps_every_other_action(status: CaseStatus) -> None:
    facts = CaseFacts(status=status, handling_unit_has_parent=False)
    assert actions_allowed_by_status(facts) == frozenset(EXPECTED[status]) - {A.ESCALATE}


DONE = [S.RESOLVED, S.CLOSED]


@pytest.mark.parametrize("status", DONE, ids=[s.value for s in DONE])
def test_evaluate_only_once(status: CaseStatus) -> None:
    evaluated = CaseFacts(status=status, evaluated=True)
    assert not status_allows(evaluated, A.EVALUATE)
    with pytest.raises(InvalidTransition):
        next_status(evaluated, A.EVALUATE)
    # Everything else stays possible: follow-ups, reopening, closing.
    assert actions_allowed_by_status(evaluated) == frozenset(EXPECTED[status]) - {A.EVALUATE}


def test_reopened_case_stays_evaluated_once() -> None:
    # A DISSATISFIED evaluation leads to REOPEN; the flag survives, so the cycle cannot
    # be used to overwrite the reporter's first verdict.
    facts = CaseFacts(status=S.CLOSED, evaluated=True)
    assert next_status(facts, A.REOPEN) is S.IN_PROGRESS
    assert not status_allows(CaseFacts(status=S.RESOLVED, evaluated=True), A.EVALUATE)


def test_every_action_but_view_records_its_own_event_type() -> None:
    # "Every change appends one CaseEvent": each action that may change a case is recorded
    # under its own past-tense type, which the timeline and subscriptions show.
    assert {a.value: e.value for a, e in EVENT_OF_ACTION.items()} == {
        "ASSESS": "ASSESSED",
        "DISPATCH": "DISPATCHED",
        "ACCEPT": "ACCEPTED",
        "RETURN": "RETURNED",
        "ESCALATE": "ESCALATED",
        "REASSIGN": "REASSIGNED",
        "SUPERVISE": "SUPERVISED",
        "COMMENT": "COMMENTED",
        "RESOLVE": "RESOLVED",
        "CLOSE": "CLOSED",
        "REOPEN": "REOPENED",
        "REDIRECT": "REDIRECTED",
        "MERGE": "MERGED",
        "EVALUATE": "EVALUATED",
        "FOLLOW_UP": "FOLLOWED_UP",
    }


@given(
    st.sampled_from(list(CaseStatus)),
    st.lists(st.sampled_from(list(CaseAction)), max_size=30),
)
def test_terminal_statuses_are_never_left(start: CaseStatus, actions: list[CaseAction]) -> None:
    """Any sequence of actions the table allows never leaves REDIRECTED or MERGED."""
    status = start
    for action in actions:
        facts = CaseFacts(status=status)
        if not status_allows(facts, action):
            continue
        after = next_status(facts, action)
        if status in (S.REDIRECTED, S.MERGED):
            assert after is status
        assert after is EXPECTED[status][action]
        status = after
