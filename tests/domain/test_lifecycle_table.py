"""The case lifecycle, checked cell by cell against DESIGN.md ("Case lifecycle").

The expected table is written from the design text (tests/support/oracles.py), not copied
from `yidi.domain.lifecycle.TRANSITIONS`, so a slip in either one shows up here.
"""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.oracles import DONE, EVENT_OF, OPEN, TRANSITIONS
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
# The design's table (tests/support/oracles.py), plus VIEW: allowed everywhere, it changes
# nothing.
EXPECTED: dict[CaseStatus, dict[CaseAction, CaseStatus]] = {
    S(status): {A.VIEW: S(status)} | {A(action): S(after) for action, after in moves.items()}
    for status, moves in TRANSITIONS.items()
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


@pytest.mark.parametrize("status", [S(s) for s in OPEN], ids=OPEN)
def test_a_county_cannot_escalate(status: CaseStatus) -> None:
    # The county is the root: there is no parent unit to hand the case to.
    facts = CaseFacts(status=status, handling_unit_has_parent=False)
    assert not status_allows(facts, A.ESCALATE)
    assert A.ESCALATE not in actions_allowed_by_status(facts)
    with pytest.raises(InvalidTransition):
        next_status(facts, A.ESCALATE)


@pytest.mark.parametrize("status", [S(s) for s in OPEN], ids=OPEN)
def test_a_county_keeps_every_other_action(status: CaseStatus) -> None:
    facts = CaseFacts(status=status, handling_unit_has_parent=False)
    assert actions_allowed_by_status(facts) == frozenset(EXPECTED[status]) - {A.ESCALATE}


@pytest.mark.parametrize("status", [S(s) for s in DONE], ids=DONE)
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
    assert {a.value: e.value for a, e in EVENT_OF_ACTION.items()} == EVENT_OF


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


OWNERSHIP_STATUSES = [S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED]


@pytest.mark.parametrize("status", OWNERSHIP_STATUSES, ids=[s.value for s in OWNERSHIP_STATUSES])
def test_one_owner_at_a_time(status: CaseStatus) -> None:
    # docs/CASE_FILE.md: an owned case is released before another leader takes it on, and
    # only an owned case can be released; the status stays either way.
    owned = CaseFacts(status=status, owned=True)
    assert not status_allows(owned, A.TAKE_OWNERSHIP)
    assert next_status(owned, A.RELEASE_OWNERSHIP) is status
    assert actions_allowed_by_status(owned) == (
        frozenset(EXPECTED[status]) - {A.TAKE_OWNERSHIP}
    ) | {A.RELEASE_OWNERSHIP}
    with pytest.raises(InvalidTransition):
        next_status(owned, A.TAKE_OWNERSHIP)


@pytest.mark.parametrize("status", [S.CLOSED, S.REDIRECTED, S.MERGED], ids=str)
def test_a_finished_case_keeps_its_owner_of_record(status: CaseStatus) -> None:
    owned = CaseFacts(status=status, owned=True)
    assert not status_allows(owned, A.RELEASE_OWNERSHIP)
    assert not status_allows(owned, A.TAKE_OWNERSHIP)


@pytest.mark.parametrize("status", [S(s) for s in OPEN], ids=OPEN)
def test_one_pending_extension_and_one_pause_at_a_time(status: CaseStatus) -> None:
    # docs/CASE_FILE.md: at most one pending request, which a decision needs; a paused case
    # is not paused again, only a paused one resumed, and it is resumed before resolving.
    pending = CaseFacts(status=status, extension_pending=True)
    assert not status_allows(pending, A.REQUEST_EXTENSION)
    assert next_status(pending, A.DECIDE_EXTENSION) is status
    assert not status_allows(CaseFacts(status=status), A.DECIDE_EXTENSION)
    paused = CaseFacts(status=status, paused=True)
    assert not status_allows(paused, A.PAUSE)
    assert next_status(paused, A.RESUME) is status
    assert not status_allows(CaseFacts(status=status), A.RESUME)
    assert not status_allows(paused, A.RESOLVE)
    assert actions_allowed_by_status(paused) == (
        frozenset(EXPECTED[status]) - {A.PAUSE, A.RESOLVE}
    ) | {A.RESUME}


@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED, S.REDIRECTED, S.MERGED], ids=str)
def test_no_deadline_changes_once_the_case_is_done(status: CaseStatus) -> None:
    facts = CaseFacts(status=status, extension_pending=True, paused=True)
    for action in (A.REQUEST_EXTENSION, A.DECIDE_EXTENSION, A.PAUSE, A.RESUME):
        assert not status_allows(facts, action)
