"""Exponential back-off after failed logins: the rule, without storage or clock.

A key (a username, a client address) has a streak of failures. The first `free` cost
nothing; after that each failure makes the next attempt wait `base * 2**k` seconds
(k = failures beyond the free ones), never more than `cap`. A streak is forgotten
`forget_after` seconds after its last failure, and a successful login forgets the
username's streak at once. Attempts refused while waiting are not failures: hammering
does not push the wait further, so no one — the attacker included — can lock an account
for longer than `cap`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    free: int
    base_seconds: float
    cap_seconds: float
    forget_after_seconds: float

    def delay(self, failures: int) -> timedelta:
        """How long after its last failure a key with `failures` may try again."""
        beyond = failures - self.free
        if beyond < 0:
            return timedelta(0)
        # Capped before the power is taken, so a long streak cannot overflow.
        seconds = min(self.base_seconds * 2 ** min(beyond, 62), self.cap_seconds)
        return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Streak:
    failures: int
    last_failure_at: datetime


def current(policy: Backoff, streak: Streak | None, now: datetime) -> Streak | None:
    """The streak as it stands at `now`: None once forgotten."""
    if streak is None or streak.failures == 0:
        return None
    if now - streak.last_failure_at >= timedelta(seconds=policy.forget_after_seconds):
        return None
    return streak


def wait(policy: Backoff, streak: Streak | None, now: datetime) -> timedelta:
    """How long the key must still wait before another attempt; zero when it may try."""
    live = current(policy, streak, now)
    delay = policy.delay(live.failures) if live is not None else timedelta(0)
    # No delay due means no wait, even if a parallel attempt that started later (its `now`
    # later than ours) was counted first.
    if live is None or not delay:
        return timedelta(0)
    return max(timedelta(0), live.last_failure_at + delay - now)


def after_attempt(policy: Backoff, streak: Streak | None, now: datetime) -> Streak:
    """The streak once this attempt is counted as a failure (before the password is even
    checked, so parallel attempts cannot all slip through; a success forgets it)."""
    live = current(policy, streak, now)
    return Streak((live.failures if live else 0) + 1, now)
