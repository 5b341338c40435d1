"""Login throttling: exponential back-off per username and per client address, counted in
PostgreSQL so it holds across every server process (policy: docs/OPERATIONS.md).

Each attempt is counted as a failure before the password is checked, in a transaction of
its own that commits at once: parallel guesses queue on the rows' locks, each sees the
ones before it, and no more than the policy allows ever reach Argon2. A success forgets
the username's streak; the address's streak only fades with time, so an attacker cannot
reset it by logging in to an account of their own between guesses.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from yidi.domain import backoff
from yidi.domain.backoff import Backoff
from yidi.domain.errors import RateLimited
from yidi.persistence import login_failures
from yidi.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LoginPolicy:
    per_username: Backoff
    per_address: Backoff


def username_key(username: str) -> str:
    """Hashed, so any text a client sends (NUL, 10 kB) makes a short, storable key."""
    digest = hashlib.sha256(username.strip().encode("utf-8", "surrogatepass")).hexdigest()
    return f"user:{digest[:40]}"


def address_key(address: str) -> str:
    return f"address:{address}"[:100]


async def reserve_attempt(
    uow: UnitOfWork, policy: LoginPolicy, username: str, address: str, now: datetime
) -> None:
    """Count this attempt, or refuse it with RATE_LIMITED while either key must wait."""
    keys = {username_key(username): policy.per_username, address_key(address): policy.per_address}
    async with uow.begin(now=now) as work:
        streaks = await login_failures.lock_streaks(work.session, list(keys))
        longest = max(
            (backoff.wait(rule, streaks[key], now) for key, rule in keys.items()),
            default=timedelta(0),
        )
        if longest <= timedelta(0):
            for key, rule in keys.items():
                streak = backoff.after_attempt(rule, streaks[key], now)
                await login_failures.save_streak(work.session, key, streak)
    if longest > timedelta(0):
        raise RateLimited(max(1, math.ceil(longest.total_seconds())))


async def succeeded(uow: UnitOfWork, username: str, now: datetime) -> None:
    async with uow.begin(now=now) as work:
        await login_failures.forget(work.session, username_key(username))
