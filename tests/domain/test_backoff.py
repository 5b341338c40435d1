"""The login back-off rule: free failures, then doubling waits up to a cap, forgotten in
time; waiting attempts do not lengthen the wait."""

from datetime import UTC, datetime, timedelta

import pytest

from yidi.domain.backoff import Backoff, Streak, after_attempt, wait

POLICY = Backoff(free=5, base_seconds=1, cap_seconds=300, forget_after_seconds=900)
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (12, 128), (13, 256), (14, 300), (10_000, 300)],
)
def test_delay_doubles_after_the_free_failures_up_to_the_cap(failures: int, seconds: int) -> None:
    assert POLICY.delay(failures) == timedelta(seconds=seconds)


def test_a_streak_grows_only_by_attempts_that_were_allowed() -> None:
    streak = None
    for _ in range(5):
        assert wait(POLICY, streak, T0) == timedelta(0)
        streak = after_attempt(POLICY, streak, T0)
    assert streak == Streak(5, T0)
    assert wait(POLICY, streak, T0) == timedelta(seconds=1)
    assert wait(POLICY, streak, T0 + timedelta(seconds=1)) == timedelta(0)


def test_the_wait_is_never_longer_than_the_cap() -> None:
    streak = Streak(1_000_000, T0)
    assert wait(POLICY, streak, T0) == timedelta(seconds=300)
    assert wait(POLICY, streak, T0 + timedelta(seconds=300)) == timedelta(0)


def test_a_streak_is_forgotten_after_a_quiet_while() -> None:
    streak = Streak(50, T0)
    later = T0 + timedelta(seconds=900)
    assert wait(POLICY, streak, later) == timedelta(0)
    assert after_attempt(POLICY, streak, later) == Streak(1, later)


def test_free_failures_never_wait_even_if_counted_out_of_order() -> None:
    """Parallel attempts take their `now` before they queue for the row: one counted later
    may carry an earlier instant."""
    streak = Streak(3, T0 + timedelta(milliseconds=5))
    assert wait(POLICY, streak, T0) == timedelta(0)
