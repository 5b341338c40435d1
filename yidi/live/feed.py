"""A county's committed events, read once per process and fanned out to its subscribers.

The feed keeps the last position it has handed out. A notification (or a periodic look,
or a reconnected listener) wakes it; it then reads everything committed after that
position, in commit order, and offers each event to the subscribers that follow it and
may see its case as it is now. Reading from the database rather than passing events in
memory is what makes a lost notification a delay and never a loss.
"""

import asyncio
import contextlib
import logging

from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.live.subscriber import Subscriber
from yidi.services.following import Delivery, deliveries_after, may_receive
from yidi.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

BATCH = 500


class Judge:
    """Whether a subscriber gets a delivery: the subscription follows the event, and its
    actor may view the case as it is now. Remembered per (actor, case) for one batch,
    since many subscribers share an actor."""

    def __init__(self, enforcer: CountyEnforcer) -> None:
        self.enforcer = enforcer
        self._allowed: dict[tuple[Actor, int], bool] = {}

    def __call__(self, subscriber: Subscriber, delivery: Delivery) -> bool:
        if not subscriber.follows(delivery.event, delivery.case):
            return False
        key = (subscriber.actor, delivery.case.id)
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = self._allowed[key] = may_receive(
                self.enforcer, subscriber.actor, delivery.case
            )
        return allowed


class CountyFeed:
    def __init__(
        self, uow: UnitOfWork, county_id: int, position: int, *, poll_seconds: float
    ) -> None:
        self.uow = uow
        self.county_id = county_id
        # Every event up to here has been offered to every subscriber present then.
        self.position = position
        self.subscribers: set[Subscriber] = set()
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._wake.set()  # catch up at once with what committed since `position` was read
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"county-feed-{self.county_id}")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def stopped(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()
            try:
                await self._catch_up()
            except Exception as exc:
                log.warning("county %s feed could not read events: %s", self.county_id, exc)
                await asyncio.sleep(min(self.poll_seconds, 1.0))
                self._wake.set()

    async def _catch_up(self) -> None:
        while True:
            async with self.uow.read() as session:
                batch = await deliveries_after(session, self.county_id, self.position, BATCH)
            if not batch:
                return
            judge = Judge(await self.uow.registry.enforcer(self.county_id))
            # From here to the new position nothing awaits: a subscriber that joins sees
            # either all of this batch from the feed or none of it (and replays it).
            for delivery in batch:
                for subscriber in self.subscribers:
                    if judge(subscriber, delivery):
                        subscriber.offer(delivery)
            self.position = batch[-1].position
            if len(batch) < BATCH:
                return
