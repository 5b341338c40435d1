"""One unit of work per use case: the way every caller runs one.

GraphQL resolvers, the CLI, the demo loader, the deadline sweeper and the tests all open
a `Work` here: one transaction, the actor's county enforcer, the clock's now, the working
calendar. It commits when the block ends without an error and rolls back otherwise, so a
failing use case leaves nothing behind.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from yidi.authz.actor import Actor
from yidi.authz.enforcer import PolicyRegistry
from yidi.authz.rules import Rule
from yidi.domain.calendar import WorkingCalendar
from yidi.persistence.models import Case
from yidi.persistence.policies import load_rules, rule_loader
from yidi.persistence.session import Session, SessionFactory
from yidi.services.events import publish
from yidi.services.work import Work as Work

AfterCommit = Callable[[Sequence[Case]], None]


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

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        """A session for reading only; nothing it does is committed."""
        async with self.sessions() as session:
            yield session
