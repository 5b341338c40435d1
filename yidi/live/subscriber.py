"""One subscription's side of the fan-out: what it follows, and a bounded buffer."""

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from yidi.authz.actor import Actor
from yidi.persistence.models import Case, CaseEvent
from yidi.services.following import Delivery

# Which of the county's events a subscription is about (one case, a unit's subtree).
Follows = Callable[[CaseEvent, Case], bool]


class FellBehind(Exception):
    """The subscriber let more events pile up than its buffer holds."""


@dataclass(eq=False)
class Subscriber:
    """`follows` says which events of the county the subscription is about (one case, a
    unit's subtree); whether the actor may see them is judged separately, per delivery."""

    actor: Actor
    follows: Follows
    capacity: int
    _buffer: deque[Delivery] = field(default_factory=deque)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _fell_behind: bool = False
    _ended: bool = False

    def offer(self, delivery: Delivery) -> None:
        """Called by the feed; never waits. A full buffer marks the subscriber as behind
        instead of growing: it is disconnected and resumes from its last cursor."""
        if self._fell_behind:
            return
        if len(self._buffer) >= self.capacity:
            self._fell_behind = True
            self._buffer.clear()
        else:
            self._buffer.append(delivery)
        self._ready.set()

    def end(self) -> None:
        """No more events will come (the server is shutting down)."""
        self._ended = True
        self._ready.set()

    async def take(self) -> list[Delivery]:
        """Everything buffered, waiting for at least one; [] once ended."""
        while not self._buffer:
            if self._fell_behind:
                raise FellBehind
            if self._ended:
                return []
            self._ready.clear()
            await self._ready.wait()
        if self._fell_behind:
            raise FellBehind
        taken = list(self._buffer)
        self._buffer.clear()
        return taken
