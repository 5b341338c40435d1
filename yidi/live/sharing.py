"""Identical subscriptions of a process share one stream.

A county centre keeps many screens open as one user on one document. Each identical
subscription (same document, operation, variables and caller, and no `after` to replay)
joins a *shared stream*: one subscription runs (joins the feed, executes each event once,
encodes the message once), and every member socket gets the encoded payload under its own
operation id. What each member receives is exactly what a subscription of its own would
have received: the caller, and so every permission and mask, is part of the key.

This module keeps the members and their outcomes; the socket layer (http/live_socket.py)
runs the stream and knows how to write to a socket.
"""

import asyncio
import contextlib
import enum
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field


class Outcome(enum.Enum):
    COMPLETED = "completed"  # the stream ended; each member completes its operation
    ON_ITS_OWN = "on its own"  # it failed before following: each member runs alone


@dataclass(eq=False)
class Member:
    """One subscription's socket side: how to send it a payload and close its socket."""

    send: Callable[[str], Awaitable[None]]
    close: Callable[[int, str], Awaitable[None]]
    outcome: asyncio.Future[Outcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass(eq=False)
class SharedStream:
    key: Hashable
    sharing: "Sharing"
    members: dict[Member, None] = field(default_factory=dict)
    # Set once the running subscription has joined its feed: before that it may still fail
    # its checks, and then every member runs on its own to get its own answer.
    following: bool = False
    task: asyncio.Task[None] | None = None

    def joined(self) -> None:
        self.following = True

    async def broadcast(self, payload: str) -> None:
        """Send one encoded payload to every member, in the order they joined."""
        for member in list(self.members):
            try:
                await member.send(payload)
            except Exception:  # its socket went away: its operation ends with the socket
                self.leave(member)

    async def close_all(self, code: int, reason: str) -> None:
        for member in list(self.members):
            with contextlib.suppress(Exception):
                await member.close(code, reason)

    def end(self, outcome: Outcome) -> None:
        """The stream is over: tell every member how."""
        self.sharing.forget(self)
        for member in self.members:
            if not member.outcome.done():
                member.outcome.set_result(outcome)
        self.members.clear()

    def leave(self, member: Member) -> None:
        """A member's operation ended (completed by the client, socket closed). The last
        one to leave stops the stream."""
        self.members.pop(member, None)
        if not self.members:
            self.sharing.forget(self)
            if self.task is not None:
                self.task.cancel()


class Sharing:
    """The process's shared streams by key."""

    def __init__(self) -> None:
        self._streams: dict[Hashable, SharedStream] = {}

    def join(self, key: Hashable, member: Member) -> tuple[SharedStream, bool]:
        """The stream for `key` with `member` in it; True if it is new (the caller starts
        its task)."""
        stream = self._streams.get(key)
        created = stream is None
        if stream is None:
            stream = self._streams[key] = SharedStream(key, self)
        stream.members[member] = None
        return stream, created

    def forget(self, stream: SharedStream) -> None:
        if self._streams.get(stream.key) is stream:
            del self._streams[stream.key]

    def extra_subscriptions(self) -> int:
        """Subscriptions beyond the one per stream that the feeds count."""
        return sum(max(len(s.members) - 1, 0) for s in self._streams.values() if s.following)
