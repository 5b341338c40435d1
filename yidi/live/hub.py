"""The process's live updates: one feed per county with subscribers, woken by the one
LISTEN connection, and the stream each subscription reads (replay, then live)."""

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Callable
from typing import ClassVar

from yidi.authz.actor import Actor
from yidi.database.listener import listen_forever
from yidi.live.feed import BATCH, CountyFeed, Judge
from yidi.live.sharing import Sharing
from yidi.live.subscriber import Follows, Subscriber
from yidi.persistence.outbox import CHANNEL
from yidi.services.following import Delivery, deliveries_after, last_position
from yidi.services.unit_of_work import UnitOfWork


class LiveEvents:
    # Every hub of this process, so the server can complete their subscriptions at shutdown
    # before it closes the connections.
    _instances: ClassVar[weakref.WeakSet["LiveEvents"]] = weakref.WeakSet()

    def __init__(
        self, uow: UnitOfWork, *, buffer_size: int = 1000, poll_seconds: float = 5.0
    ) -> None:
        self.uow = uow
        self.buffer_size = buffer_size
        # Without any notification (a lost one, a listener down) feeds still look this
        # often: delivery is late, never lost.
        self.poll_seconds = poll_seconds
        self._feeds: dict[int, CountyFeed] = {}
        self._joining = asyncio.Lock()
        self._closed = False
        self._streams = 0  # follow() calls still running
        self.sharing = Sharing()
        LiveEvents._instances.add(self)

    # Wake-ups from the listener ("<county id>:<last position>").

    def notified(self, payload: str) -> None:
        county, _, last = payload.partition(":")
        with contextlib.suppress(ValueError):
            feed = self._feeds.get(int(county))
            if feed is not None and int(last) > feed.position:
                feed.wake()

    def reconnected(self) -> None:
        """Notifications sent while the listener was away are lost: everyone looks."""
        for feed in self._feeds.values():
            feed.wake()

    async def listen(self, database_url: str) -> None:
        await listen_forever(database_url, CHANNEL, self.notified, self.reconnected)

    # Subscriptions.

    def subscriber(self, actor: Actor, follows: Follows) -> Subscriber:
        return Subscriber(actor, follows, capacity=self.buffer_size)

    async def follow(
        self,
        county_id: int,
        subscriber: Subscriber,
        after: int | None,
        on_joined: Callable[[], None] | None = None,
    ) -> AsyncIterator[Delivery]:
        """The subscriber's events: those committed after position `after` (replayed from
        the database), then live; without `after`, from now on. Ends at shutdown; raises
        FellBehind when the subscriber's buffer overflows. `on_joined` is called once the
        subscriber is attached to the county's feed."""
        joined_at = await self._join(county_id, subscriber)
        if joined_at is None:
            return  # shutting down
        if on_joined is not None:
            on_joined()
        self._streams += 1
        try:
            last = joined_at if after is None else after
            # Committed before joining: read back, judged by the same rule as live ones.
            while last < joined_at:
                async with self.uow.read() as session:
                    batch = await deliveries_after(session, county_id, last, BATCH, until=joined_at)
                if not batch:
                    break
                judge = Judge(await self.uow.registry.enforcer(county_id))
                for delivery in batch:
                    if judge(subscriber, delivery):
                        yield delivery
                    last = delivery.position
            while deliveries := await subscriber.take():
                for delivery in deliveries:
                    # A cursor newer than the feed's position was joined behind: skip up to it.
                    if delivery.position > last:
                        last = delivery.position
                        yield delivery
        finally:
            self._streams -= 1
            self._leave(county_id, subscriber)

    async def _join(self, county_id: int, subscriber: Subscriber) -> int | None:
        """Attach to the county's feed (starting it if needed); the position after which
        the feed will offer this subscriber everything. None once the hub is closed."""
        async with self._joining:
            if self._closed:
                return None
            feed = self._feeds.get(county_id)
            if feed is None:
                async with self.uow.read() as session:
                    position = await last_position(session, county_id)
                feed = CountyFeed(self.uow, county_id, position, poll_seconds=self.poll_seconds)
                feed.start()
                self._feeds[county_id] = feed
            feed.subscribers.add(subscriber)
            return feed.position

    def _leave(self, county_id: int, subscriber: Subscriber) -> None:
        # Synchronous on purpose: it runs while a cancelled subscription unwinds.
        feed = self._feeds.get(county_id)
        if feed is None:
            return
        feed.subscribers.discard(subscriber)
        if not feed.subscribers:
            del self._feeds[county_id]
            feed.stop()

    def subscriber_count(self) -> int:
        """Subscriptions following a feed, each member of a shared stream counted."""
        following = sum(len(feed.subscribers) for feed in self._feeds.values())
        return following + self.sharing.extra_subscriptions()

    async def close(self) -> None:
        """Shutdown: every subscription completes (its stream ends), feeds stop."""
        async with self._joining:
            self._closed = True
            feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            for subscriber in feed.subscribers:
                subscriber.end()
            feed.stop()
        await asyncio.gather(*(feed.stopped() for feed in feeds))

    async def drain(self, timeout: float) -> None:
        """Close, then wait (up to `timeout`) until every stream has ended."""
        await self.close()
        deadline = time.monotonic() + timeout
        while self._streams and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    @classmethod
    async def complete_all(cls, timeout: float = 2.0) -> None:
        """Shutdown: complete every subscription of this process."""
        await asyncio.gather(*(hub.drain(timeout) for hub in list(cls._instances)))
