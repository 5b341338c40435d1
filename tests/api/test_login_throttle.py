"""Login is throttled per username and per client address with exponential back-off, in
PostgreSQL; no attacker can lock a real user out for longer than the cap, and a success
forgets the username's failures."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import PASSWORD
from tests.support.driver import Api, in_process
from tests.support.sql import rows

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
USER = "county.leader"


async def attempt(api: Api, password: str, username: str = USER) -> dict[str, Any]:
    """The login's outcome: {"ok": True}, or its error's extensions."""
    body = await api.raw(LOGIN, {"u": username, "p": password})
    if body.get("errors"):
        extensions: dict[str, Any] = body["errors"][0]["extensions"]
        return extensions
    return {"ok": True}


WRONG = {"code": "UNAUTHENTICATED"}


@pytest.fixture
async def elsewhere(app: Starlette, clock: Clock) -> AsyncIterator[Api]:
    """Another client address."""
    async with in_process(app, clock, address=("10.0.0.9", 1)) as client:
        yield client


async def test_after_five_failures_the_user_waits_doubling_times(api: Api, clock: Clock) -> None:
    for _ in range(5):
        assert await attempt(api, "wrong") == WRONG
    # Refused without checking the password, the right one included.
    assert await attempt(api, PASSWORD) == {"code": "RATE_LIMITED", "retryAfterSeconds": 1}
    clock.current += timedelta(seconds=1)
    assert await attempt(api, "wrong") == WRONG
    assert await attempt(api, "wrong") == {"code": "RATE_LIMITED", "retryAfterSeconds": 2}
    clock.current += timedelta(seconds=2)
    assert await attempt(api, "wrong") == WRONG
    assert await attempt(api, "wrong") == {"code": "RATE_LIMITED", "retryAfterSeconds": 4}
    clock.current += timedelta(seconds=4)
    assert await attempt(api, PASSWORD) == {"ok": True}


async def test_sixty_wrong_passwords_then_the_right_one_is_refused(api: Api, clock: Clock) -> None:
    """The field report: 60 wrong passwords, then the right one worked at once."""
    outcomes = [await attempt(api, f"guess-{i}") for i in range(60)]
    assert outcomes.count(WRONG) == 5
    assert await attempt(api, PASSWORD) == {"code": "RATE_LIMITED", "retryAfterSeconds": 1}


async def test_the_wait_is_capped_so_no_lockout_is_permanent(api: Api, clock: Clock) -> None:
    """An attacker who waits out every wait and guesses again keeps the real user waiting
    at most the cap (300 s) after each guess, never longer."""
    failures = 0
    while failures < 20:
        outcome = await attempt(api, "wrong")
        if outcome == WRONG:
            failures += 1
        else:
            assert outcome["retryAfterSeconds"] <= 300
            clock.current += timedelta(seconds=outcome["retryAfterSeconds"])
    assert await attempt(api, PASSWORD) == {"code": "RATE_LIMITED", "retryAfterSeconds": 300}
    clock.current += timedelta(seconds=300)
    assert await attempt(api, PASSWORD) == {"ok": True}


async def test_a_success_forgets_the_username_streak(api: Api) -> None:
    for _ in range(4):
        assert await attempt(api, "wrong") == WRONG
    assert await attempt(api, PASSWORD) == {"ok": True}
    for _ in range(5):
        assert await attempt(api, "wrong") == WRONG  # five free failures again


async def test_one_address_guessing_many_users_is_slowed_too(
    api: Api, elsewhere: Api, clock: Clock
) -> None:
    users = [f"nobody-{i}" for i in range(21)]  # each user's own streak stays short
    outcomes = [await attempt(api, "wrong", username) for username in users]
    assert outcomes.count(WRONG) == 20
    assert outcomes[-1] == {"code": "RATE_LIMITED", "retryAfterSeconds": 1}
    refused = await attempt(api, PASSWORD)
    assert refused == {"code": "RATE_LIMITED", "retryAfterSeconds": 1}
    # The real user, from their own address, is not held up by someone else's address.
    assert await attempt(elsewhere, PASSWORD) == {"ok": True}


async def test_parallel_guesses_are_counted_one_by_one(api: Api, app: Starlette) -> None:
    """Fifty at once: each attempt is counted before its password is checked, so only the
    free ones reach Argon2."""
    outcomes = await asyncio.gather(*(attempt(api, f"guess-{i}") for i in range(50)))
    assert outcomes.count(WRONG) == 5
    assert all(o == WRONG or o["code"] == "RATE_LIMITED" for o in outcomes)
    (streak,) = await rows(app, "SELECT failures FROM login_failures WHERE key LIKE 'user:%'")
    assert streak.failures == 5


async def test_any_username_text_is_throttled_without_error(api: Api) -> None:
    for username in ["nul\x00name", "x" * 10_000, ""]:
        assert await attempt(api, "wrong", username) == WRONG
