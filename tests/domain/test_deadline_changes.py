"""延期 and 中止 in working days (docs/CASE_FILE.md, "Extensions and pauses"), across the 2026
National Day holiday and its adjusted working weekends (调休), written out here from the
State Council notice so the test does not take the bundled data's word for it."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yidi.domain.calendar import SHANGHAI, WorkingCalendar
from yidi.domain.deadline_changes import MAX_EXTENSION_DAYS, check_extension_days
from yidi.domain.errors import BadInput

# 国庆节 2026: 1–7 October off; Sunday 20 September and Saturday 10 October are working days.
CAL = WorkingCalendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10)}),
    years=frozenset({2026}),
)


def sh(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def end_of(month: int, day: int) -> datetime:
    """A deadline: the end of that Asia/Shanghai day, in UTC as stored."""
    return datetime.combine(date(2026, month, day), time.max, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("paused", "resumed", "days"),
    [
        # Same day: the clock lost nothing.
        (sh(9, 30, 9), sh(9, 30, 17), 0),
        # Across the holiday: only 8 and 9 October were working days.
        (sh(9, 30), sh(10, 9), 2),
        # Into the adjusted Saturday: 8, 9 and 10 October.
        (sh(9, 30), sh(10, 11), 3),
        # Over the adjusted Sunday: 20 and 21 September.
        (sh(9, 19), sh(9, 21), 2),
        # A plain weekend gives back nothing.
        (sh(9, 25, 18), sh(9, 27), 0),
        # The Shanghai day counts, not the UTC one: 23:30 on 8 Oct is still 8 Oct.
        (sh(10, 8, 23), sh(10, 9, 1), 1),
    ],
)
def test_working_days_a_pause_takes(paused: datetime, resumed: datetime, days: int) -> None:
    assert CAL.working_days_after(paused, resumed) == days
    assert CAL.working_days_after(paused.astimezone(UTC), resumed.astimezone(UTC)) == days


@pytest.mark.parametrize(
    ("due", "days", "moved"),
    [
        (end_of(9, 30), 0, end_of(9, 30)),
        # Over the holiday to the adjusted Saturday.
        (end_of(9, 30), 3, end_of(10, 10)),
        (end_of(9, 30), 1, end_of(10, 8)),
        # From a Friday over the adjusted Sunday.
        (end_of(9, 18), 1, end_of(9, 20)),
        (end_of(10, 9), 2, end_of(10, 12)),
    ],
)
def test_a_deadline_moved_by_working_days(due: datetime, days: int, moved: datetime) -> None:
    assert CAL.moved_by(due, days) == moved


def test_a_case_paused_over_the_holiday_keeps_its_remaining_working_days() -> None:
    """Due on 12 October with the clock stopped from 30 September to 9 October: the two
    working days given back (8, 9 October) move it to 14 October."""
    days = CAL.working_days_after(sh(9, 30), sh(10, 9))
    assert CAL.moved_by(end_of(10, 12), days) == end_of(10, 14)


def _working_days_in(start: date, end: date) -> int:
    """Working days in (start, end], counted the slow way."""
    return sum(
        CAL.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )


DAYS = st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 10, 31))


@given(DAYS, st.integers(min_value=0, max_value=25), st.integers(min_value=1, max_value=20))
def test_a_pause_leaves_exactly_the_remaining_working_days(
    paused_day: date, pause_length: int, remaining: int
) -> None:
    """Whatever the dates: the working days left after resuming equal those left when
    paused — the clock stopped, no more and no less."""
    due = CAL.due_at(datetime.combine(paused_day, time(12), tzinfo=SHANGHAI), remaining)
    resumed_day = paused_day + timedelta(days=pause_length)
    paused_at = datetime.combine(paused_day, time(12), tzinfo=SHANGHAI)
    resumed_at = datetime.combine(resumed_day, time(12), tzinfo=SHANGHAI)
    moved = CAL.moved_by(due, CAL.working_days_after(paused_at, resumed_at))
    moved_day = moved.astimezone(SHANGHAI).date()
    assert _working_days_in(resumed_day, moved_day) == remaining
    assert moved.astimezone(SHANGHAI).time() == time.max


@pytest.mark.parametrize("days", [0, -1, MAX_EXTENSION_DAYS + 1])
def test_extension_days_out_of_range(days: int) -> None:
    with pytest.raises(BadInput) as caught:
        check_extension_days(days)
    assert caught.value.field == "days"


@pytest.mark.parametrize("days", [1, MAX_EXTENSION_DAYS])
def test_extension_days_in_range(days: int) -> None:
    assert check_extension_days(days) == days
