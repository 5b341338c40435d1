"""Each process remembers who a token's user is for `actor_cache_seconds`; a change to the
user's roles, unit or active flag reaches every request once that time has passed."""

import asyncio

from tests.api.test_query_count import recorded
from tests.support.clock import Clock
from tests.support.deployment import demo_settings, running_app
from tests.support.driver import Api, in_process
from tests.support.sql import execute, scalar
from yidi.authz.actor import Actor
from yidi.resolvers.actor_cache import ActorCache

ME = "{ me { username roles unit { code } } }"
HANDLER = "v11.handler"
TTL = 0.3


def _actor_loads(statements: list[str]) -> list[str]:
    """The statements that load a caller (services/auth.load_actor)."""
    return [s for s in statements if "FROM users JOIN units ON units.id = users.unit_id" in s]


async def test_a_second_request_loads_no_caller(api: Api, database_url: str, clock: Clock) -> None:
    token = await api.token(HANDLER)
    # A minute: a loaded test machine may take longer than the default second per request.
    settings = demo_settings(actor_cache_seconds=60)
    async with running_app(settings, database_url, clock) as app, in_process(app, clock) as fresh:
        fresh.tokens[HANDLER] = token
        with recorded(app) as first:
            await fresh.ok(ME, user=HANDLER)
        assert len(_actor_loads(first)) == 1, first  # the marker matches the real statement
        with recorded(app) as second:
            data = await fresh.ok(ME, user=HANDLER)
        assert data["me"]["username"] == HANDLER
        assert _actor_loads(second) == [], second


async def test_concurrent_requests_of_one_user_share_one_load(
    api: Api, database_url: str, clock: Clock
) -> None:
    token = await api.token(HANDLER)
    async with (
        running_app(demo_settings(actor_cache_seconds=60), database_url, clock) as app,
        in_process(app, clock) as fresh,
    ):
        fresh.tokens[HANDLER] = token
        with recorded(app) as statements:
            answers = await asyncio.gather(*(fresh.ok(ME, user=HANDLER) for _ in range(8)))
        assert all(a["me"]["username"] == HANDLER for a in answers)
        assert len(_actor_loads(statements)) == 1, statements


async def test_a_change_to_the_user_reaches_requests_within_the_cache_time(
    api: Api, database_url: str, clock: Clock
) -> None:
    token = await api.token(HANDLER)  # logged in on the usual app: Argon2 is not timed here
    settings = demo_settings(actor_cache_seconds=TTL)
    async with running_app(settings, database_url, clock) as app, in_process(app, clock) as fresh:
        fresh.tokens[HANDLER] = token
        before = (await fresh.ok(ME, user=HANDLER))["me"]
        assert before["unit"]["code"] == "990100001001"
        user_id = await scalar(app, "SELECT id FROM users WHERE username = :u", u=HANDLER)
        # Moved to the neighbouring village, and made its leader.
        await execute(
            app,
            "UPDATE users SET unit_id = (SELECT id FROM units WHERE code = '990100001002'), "
            "roles = ARRAY['LEADER'] WHERE id = :i",
            i=user_id,
        )
        await asyncio.sleep(TTL * 1.2)
        after = (await fresh.ok(ME, user=HANDLER))["me"]
        assert (after["unit"]["code"], after["roles"]) == ("990100001002", ["LEADER"])
        # Deactivated: refused once the cache time has passed, and every time after.
        await execute(app, "UPDATE users SET active = false WHERE id = :i", i=user_id)
        await asyncio.sleep(TTL * 1.2)
        for _ in range(2):
            error = await fresh.error(ME, user=HANDLER)
            assert error["extensions"]["code"] == "UNAUTHENTICATED"


def _actor(user_id: int) -> Actor:
    return Actor(user_id, f"u{user_id}", 1, 1, (1,), "COUNTY", frozenset({"LEADER"}))


def test_actors_expire_and_the_cache_is_bounded() -> None:
    now = [0.0]
    cache = ActorCache(1.0, max_users=2, timer=lambda: now[0])
    cache.put(_actor(1))
    now[0] = 0.99
    assert cache.get(1) == _actor(1)
    now[0] = 1.0
    assert cache.get(1) is None  # expired: read again
    for user_id in (1, 2, 3):
        cache.put(_actor(user_id))
    assert cache.get(1) is None  # least recently used went first
    assert cache.get(2) is not None
    assert cache.get(3) is not None


def test_zero_seconds_keeps_nothing() -> None:
    cache = ActorCache(0.0)
    cache.put(_actor(1))
    assert cache.get(1) is None
