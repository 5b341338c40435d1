"""One unit of work per use case: the way every caller runs one.

GraphQL resolvers, the CLI, the demo loader, the deadline sweeper and the tests all open
a `Work` here: one transaction, the actor's county enforcer, the clock's now, the working
calendar. It commits when the block ends without an error and rolls back otherwise, so a
failing use case leaves nothing behind.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar

from yidi.authz.actor import Actor
from yidi.authz.enforcer import PolicyRegistry
from yidi.authz.rules import Rule
from yidi.domain.calendar import WorkingCalendar
from yidi.persistence.models import Case
from yidi.persistence.outbox import SealRefused
from yidi.persistence.policies import load_rules, rule_loader
from yidi.persistence.session import (
    Session,
    SessionFactory,
    WriteOutsideSeal,
    begin_sealing_alone,
)
from yidi.services.events import publish
from yidi.services.work import Work as Work

AfterCommit = Callable[[Sequence[Case]], None]
T = TypeVar("T")
# Runs without a transaction before one is opened, each after a concurrent writer moved
# the case between the work's read and its seal.
ALONE_TRIES = 3


class UnitOfWork:
    """Process-wide: the session factory, the policy registry, the clock and the calendar."""

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        clock: Callable[[], datetime],
        calendar: WorkingCalendar,
        secret: str,
        registry: PolicyRegistry | None = None,
        outer: Session | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        # Replaced by the deadline sweeper when `yidi calendar add` stores a new year.
        self.calendar = calendar
        self.secret = secret
        self.registry = registry or PolicyRegistry(rule_loader(sessions))
        self._outer = outer
        # Told how each try of `run_alone` ended (the /metrics counter in a server).
        self.alone_outcome: Callable[[str], None] = lambda _: None

    @asynccontextmanager
    async def all_or_nothing(self) -> AsyncIterator["UnitOfWork"]:
        """A unit of work whose use cases each run as a savepoint of one outer transaction,
        committed when the block ends: a loader of many use cases (the demo data) leaves
        everything or nothing. Policies are read through that transaction, so rules it has
        just written apply."""
        async with self.sessions.begin() as outer:

            async def rules(county_id: int) -> tuple[int, list[Rule]]:
                return await load_rules(outer, county_id)

            yield UnitOfWork(
                self.sessions,
                clock=self.clock,
                calendar=self.calendar,
                secret=self.secret,
                registry=PolicyRegistry(rules),
                outer=outer,
            )

    @asynccontextmanager
    async def begin(
        self,
        actor: Actor | None = None,
        *,
        now: datetime | None = None,
        after_commit: AfterCommit | None = None,
    ) -> AsyncIterator[Work]:
        """A transaction for one use case, committed when the block ends.

        The enforcer is loaded before the transaction opens: a request never asks the pool
        for a second connection while it holds one (a burst of first requests would starve
        it). `after_commit` hears which cases changed, e.g. to refresh request caches.
        """
        enforcer = await self.registry.enforcer(actor.county_id) if actor is not None else None
        when = now if now is not None else self.clock()
        if self._outer is not None:
            async with self._outer.begin_nested():
                work = Work(self._outer, actor, enforcer, when, self.calendar, self.secret)
                yield work
                await publish(work)
            return
        async with self.sessions.begin() as session:
            work = Work(session, actor, enforcer, when, self.calendar, self.secret)
            yield work
            await publish(work)  # the last statements before commit
        if after_commit is not None:
            after_commit(work.changed)

    async def run_alone(
        self,
        actor: Actor,
        use_case: Callable[[Work], Awaitable[T]],
        *,
        now: datetime | None = None,
        after_commit: AfterCommit | None = None,
    ) -> T:
        """Run a use case whose only write should be its seal without a transaction: its
        reads in autocommit, its seal committing by itself (persistence/session.py). A
        county's writers queue on its counter rows from the seal to its commit; in a
        transaction that wait includes the COMMIT's round trip and the writer's turn on a
        busy event loop before it, here only the statement and its WAL flush.

        The seal writes nothing unless every case is still at the version the work read
        (persistence/outbox.seal); when a concurrent writer moved one, the use case runs
        again from its reads. If it would write anything else (a row of another table, two
        counties' seals), it is stopped before that write is sent, and it — like one that
        met a moved case ALONE_TRIES times — runs in a transaction as `begin` runs it. A
        refusal (NotFound, Forbidden, BadInput, …) is the use case's own and stands."""
        when = now if now is not None else self.clock()
        if self._outer is None:
            for _ in range(ALONE_TRIES):
                try:
                    result = await self._alone(actor, use_case, when, after_commit)
                    self.alone_outcome("sealed")
                    return result
                except WriteOutsideSeal:
                    break
                except SealRefused:
                    self.alone_outcome("rerun")
        self.alone_outcome("transaction")
        async with self.begin(actor, now=when, after_commit=after_commit) as work:
            return await use_case(work)

    async def _alone(
        self,
        actor: Actor,
        use_case: Callable[[Work], Awaitable[T]],
        when: datetime,
        after_commit: AfterCommit | None,
    ) -> T:
        enforcer = await self.registry.enforcer(actor.county_id)
        async with self.sessions() as session:
            await begin_sealing_alone(session)
            work = Work(session, actor, enforcer, when, self.calendar, self.secret, alone=True)
            result = await use_case(work)
            await publish(work)
        if after_commit is not None:
            after_commit(work.changed)
        return result

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        """A session for reading only; nothing it does is committed."""
        async with self.sessions() as session:
            yield session
