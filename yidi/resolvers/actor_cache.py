"""Who a user is, remembered by each process for a moment instead of read on every request.

Loading the caller (user, unit, whether units lie below it) took a connection checkout and
a statement per request, an eighth of a registration's CPU. The token is still verified on
every request (signature, expiry); only what the database says about its user is kept, for
`actor_cache_seconds` (default 1 s) of real time.

Nothing in the API changes a user's roles, unit or active flag; an administrator does, in
the database or from another process. So the bound is time: every process sees such a
change within `actor_cache_seconds` — the same one-second bound the design allows a policy
change to reach every process (policies/watcher.py). A user that fails to load (unknown or
inactive) is not remembered, so a refusal is never served from here. 0 turns it off.

Concurrent requests of one user that find no actor share one load: when the entry of a
busy user expires, its in-flight requests would otherwise each check out a connection at
once (beyond the pool's size, each a new connection).
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from yidi.authz.actor import Actor

MAX_USERS = 10_000


class ActorCache:
    """Actors by user id, each kept `seconds` from its load; least recently used out."""

    def __init__(
        self,
        seconds: float,
        *,
        max_users: int = MAX_USERS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_users = max_users
        self.timer = timer
        self._entries: OrderedDict[int, tuple[float, Actor]] = OrderedDict()
        self._loading: dict[int, asyncio.Future[Actor]] = {}

    async def get_or_load(self, user_id: int, load: Callable[[], Awaitable[Actor]]) -> Actor:
        """The remembered actor, or the one `load` reads (once for concurrent callers)."""
        actor = self.get(user_id)
        if actor is not None:
            return actor
        pending = self._loading.get(user_id)
        if pending is None:
            pending = asyncio.ensure_future(self._load(load))
            self._loading[user_id] = pending
            pending.add_done_callback(lambda _: self._loading.pop(user_id, None))
        # Shielded: one caller going away does not cancel the load the others wait for.
        return await asyncio.shield(pending)

    async def _load(self, load: Callable[[], Awaitable[Actor]]) -> Actor:
        actor = await load()
        self.put(actor)
        return actor

    def get(self, user_id: int) -> Actor | None:
        entry = self._entries.get(user_id)
        if entry is None:
            return None
        expires, actor = entry
        if self.timer() >= expires:
            del self._entries[user_id]
            return None
        self._entries.move_to_end(user_id)
        return actor

    def put(self, actor: Actor) -> None:
        if self.seconds <= 0:
            return
        self._entries[actor.user_id] = (self.timer() + self.seconds, actor)
        self._entries.move_to_end(actor.user_id)
        while len(self._entries) > self.max_users:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
