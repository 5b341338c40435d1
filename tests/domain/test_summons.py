"""The rules of 吹哨报到 in plain Python (docs/CASE_FILE.md, "Summons"): hours and units
allowed, and which answer each state of a summons allows."""

from datetime import UTC, datetime, timedelta

import pytest

from yidi.domain.enums import CaseAction, SummonsState
from yidi.domain.errors import BadInput, InvalidTransition
from yidi.domain.summons import answer, check_hours, check_unit_count, report_by

S = SummonsState
# state before -> (state after REPORT_IN, state after CONTRIBUTE); None: refused.
EXPECTED: dict[SummonsState | None, tuple[SummonsState | None, SummonsState | None]] = {
    S.SUMMONED: (S.REPORTED, None),
    S.MISSED: (S.REPORTED, None),  # late is better than never
    S.REPORTED: (None, S.CONTRIBUTED),
    S.CONTRIBUTED: (None, None),
    None: (None, None),  # no summons pending
}


@pytest.mark.parametrize("state", list(EXPECTED), ids=str)
def test_each_state_allows_exactly_its_next_answer(state: SummonsState | None) -> None:
    answers = (CaseAction.REPORT_IN, CaseAction.CONTRIBUTE)
    for action, after in zip(answers, EXPECTED[state], strict=True):
        if after is None:
            with pytest.raises(InvalidTransition):
                answer(action, state)
        else:
            assert answer(action, state) is after


@pytest.mark.parametrize(("hours", "ok"), [(0, False), (1, True), (72, True), (73, False)])
def test_report_in_hours_are_1_to_72(hours: int, ok: bool) -> None:
    if ok:
        assert check_hours(hours) == hours
    else:
        with pytest.raises(BadInput) as caught:
            check_hours(hours)
        assert caught.value.field == "reportInHours"


def test_units_count_once_in_order_one_to_ten() -> None:
    assert check_unit_count((3, 1, 3, 2)) == (3, 1, 2)
    assert len(check_unit_count(tuple(range(10)))) == 10
    for bad in ((), tuple(range(11))):
        with pytest.raises(BadInput) as caught:
            check_unit_count(bad)
        assert caught.value.field == "unitIds"


def test_the_deadline_is_in_clock_hours() -> None:
    now = datetime(2026, 11, 27, 20, tzinfo=UTC)  # a Friday evening: no working-day rule
    assert report_by(now, 24) == now + timedelta(hours=24)
