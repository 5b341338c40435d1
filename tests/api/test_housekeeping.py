"""Rows that only count recent activity — login streaks per username and address, public
rate windows per address — are deleted once they no longer count, so endless usernames or
addresses cannot grow them without bound; nothing that still counts is deleted."""

from datetime import timedelta

from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.driver import Api
from tests.support.sql import scalar
from yidi.services.housekeeping import RATE_WINDOWS_KEPT, forget_stale

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
TRACK = "query($c: String!, $p: String!) { trackCase(trackingCode: $c, phoneLast4: $p) { number } }"
FORGET_AFTER = timedelta(seconds=900)


async def counted(app: Starlette) -> tuple[int, int]:
    streaks = await scalar(app, "SELECT count(*) FROM login_failures")
    windows = await scalar(app, "SELECT count(*) FROM rate_counters")
    return int(streaks), int(windows)


async def test_what_no_longer_counts_is_deleted_and_nothing_else(
    api: Api, app: Starlette, clock: Clock
) -> None:
    for username in ("no.such.user.1", "no.such.user.2", "no.such.user.3"):
        body = await api.raw(LOGIN, {"u": username, "p": "wrong"})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.raw(TRACK, {"c": "NOSUCHCODE", "p": "1234"}))["data"] == {"trackCase": None}
    streaks, windows = await counted(app)
    assert streaks >= 4  # three usernames and the address
    assert windows >= 1
    uow = app.state.yidi.uow

    # Still inside the quiet while and the longest window: everything stays.
    soon = clock.current + FORGET_AFTER - timedelta(seconds=1)
    assert await forget_stale(uow, soon, FORGET_AFTER) == 0
    assert await counted(app) == (streaks, windows)

    # Past both: all of it goes.
    later = clock.current + max(FORGET_AFTER, RATE_WINDOWS_KEPT) + timedelta(seconds=1)
    assert await forget_stale(uow, later, FORGET_AFTER) == streaks + windows
    assert await counted(app) == (0, 0)
