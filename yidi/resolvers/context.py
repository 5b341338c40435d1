"""The typed request context every resolver receives."""

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.config import Settings
from yidi.domain.errors import BadInput, Unauthenticated
from yidi.live.hub import LiveEvents
from yidi.persistence.models import Case
from yidi.persistence.session import Session, SessionFactory, begin_reading
from yidi.resolvers.actor_cache import ActorCache
from yidi.resolvers.loaders import Loaders
from yidi.services.auth import load_actor, verify_token
from yidi.services.unit_of_work import UnitOfWork, Work

T = TypeVar("T")


@dataclass
class AppState:
    """Process-wide parts, built once at start-up."""

    settings: Settings
    uow: UnitOfWork
    live: LiveEvents
    actors: ActorCache = field(init=False)

    def __post_init__(self) -> None:
        self.actors = ActorCache(self.settings.actor_cache_seconds)

    @property
    def sessions(self) -> SessionFactory:
        return self.uow.sessions


@dataclass
class Context:
    app: AppState
    request: Request | WebSocket | None
    response: Response | None
    authorization: str | None
    _session: Session | None = None
    _actor: Actor | None = None
    # When the caller's token expires (known once it has been checked).
    token_expires_at: datetime | None = None
    # graphql-transport-ws: the payload of connection_init (strawberry sets it).
    connection_params: dict[str, object] | None = None
    loaders: Loaders = field(init=False)
    # A subscription shared by several sockets (http/live_sharing.py) is told when it has
    # joined its feed, and closes all of its sockets rather than one.
    on_following: Callable[[], None] | None = None
    connection_closer: Callable[[int, str], Awaitable[None]] | None = None
    # Root fields and DataLoader batches run as concurrent tasks; they share one session.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _actor_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The county's enforcer as this request (or delivery) found it: one policy judges all of
    # an answer, even if the policy changes meanwhile.
    _enforcer: CountyEnforcer | None = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session)

    async def session(self) -> Session:
        """The request's read session, opened on first use and closed after the operation.

        Its connection is checked out here, under a lock, so concurrent resolvers never race
        to provision it; their statements then queue on the connection's own mutex. It
        only reads, in autocommit (`begin_reading`).
        """
        async with self._lock:
            if self._session is None:
                session = self.app.uow.sessions()
                await begin_reading(session)
                self._session = session
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def for_operation(self) -> "Context":
        """A context of its own for one subscription on a shared connection: the same
        caller, its own session and caches."""
        return Context(
            app=self.app,
            request=self.request,
            response=None,
            authorization=self.authorization,
            _actor=self._actor,
            token_expires_at=self.token_expires_at,
            connection_params=self.connection_params,
        )

    async def next_delivery(self, case: Case) -> None:
        """Before a subscription hands out its next event: fields resolve against the
        database as it is now (fresh caches), and no connection is held while waiting."""
        await self.close()
        self.loaders = Loaders(self.session, cases=(case,))
        self._enforcer = None  # a policy changed since the last event applies to this one

    def following(self) -> None:
        """The subscription has joined its feed: past every check, events flow from now."""
        if self.on_following is not None:
            self.on_following()

    async def close_connection(self, code: int, reason: str) -> None:
        """End a live connection with a documented close code (a subscriber too slow)."""
        if self.connection_closer is not None:
            await self.connection_closer(code, reason)
        elif isinstance(self.request, WebSocket):
            await self.request.close(code=code, reason=reason)

    def now(self) -> datetime:
        return self.app.uow.clock()

    @asynccontextmanager
    async def work(self, *, signed_in: bool = True) -> AsyncIterator[Work]:
        """The unit of work for one mutation: as the signed-in caller (or, for residents,
        as nobody); afterwards this request's caches show the cases as they are now."""
        actor = await self.actor() if signed_in else None
        async with self.app.uow.begin(
            actor, now=self.now(), after_commit=self.loaders.refresh
        ) as work:
            yield work

    async def run_alone(self, use_case: Callable[[Work], Awaitable[T]]) -> T:
        """A use case as the signed-in caller whose only write is its seal, without a
        transaction (services/unit_of_work.run_alone); caches refreshed as by `work`."""
        actor = await self.actor()
        return await self.app.uow.run_alone(
            actor, use_case, now=self.now(), after_commit=self.loaders.refresh
        )

    def client_address(self) -> str:
        return client_address(self.request)

    @property
    def known_actor(self) -> Actor | None:
        """The caller if already authenticated (a live connection is, from its start)."""
        return self._actor

    async def actor(self) -> Actor:
        """The authenticated caller; UNAUTHENTICATED without a valid bearer token."""
        if self._actor is None:
            async with self._actor_lock:
                if self._actor is None:
                    self._actor = await self._authenticate()
        return self._actor

    async def _authenticate(self) -> Actor:
        header = self.authorization or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("A bearer token is required.")
        user_id, self.token_expires_at = verify_token(
            token.strip(), key=self.app.settings.signing_key(), now=self.now()
        )

        async def load() -> Actor:
            # A short session of its own: a mutation must not hold a read connection while
            # it opens its write transaction (a burst would exhaust the pool).
            async with self.app.uow.read() as session:
                return await load_actor(session, user_id)

        return await self.app.actors.get_or_load(user_id, load)

    async def enforcer(self) -> CountyEnforcer:
        if self._enforcer is None:
            actor = await self.actor()
            self._enforcer = await self.app.uow.registry.enforcer(actor.county_id)
        return self._enforcer

    @property
    def known_reader(self) -> tuple[CountyEnforcer, Actor] | None:
        """The caller and the policy judging them, once this request has loaded both (every
        root field that hands out cases has): fields on those cases answer at once."""
        if self._enforcer is None or self._actor is None:
            return None
        return self._enforcer, self._actor


def client_address(request: Request | WebSocket | None) -> str:
    """The client's IP address, canonical, as rate limits count it. Behind a trusted
    proxy uvicorn takes it from X-Forwarded-For, which may hold anything."""
    client = request.client if request is not None else None
    if client is None:
        return "unknown"
    try:
        address = ipaddress.ip_address(client.host)
    except ValueError:
        raise BadInput("X-Forwarded-For", "The client address is not an IP address.") from None
    # A scoped IPv6 address ("fe80::1%eth0") may carry any text after its "%": the
    # scope is not part of who the client is.
    return str(address).partition("%")[0]
