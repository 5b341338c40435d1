"""Per-request DataLoaders: every nested field is batched into one query per kind."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from strawberry.dataloader import DataLoader

from yidi.persistence.models import (
    Case,
    Category,
    Extension,
    FollowUp,
    Mediation,
    Pause,
    Unit,
    User,
)
from yidi.persistence.session import Session
from yidi.services import reading

V = TypeVar("V")
SessionSource = Callable[[], Awaitable[Session]]


def _by_key(
    session: SessionSource,
    fetch: Callable[[Session, Sequence[int]], Awaitable[dict[int, V]]],
) -> DataLoader[int, V | None]:
    async def load(keys: list[int]) -> list[V | None]:
        found = await fetch(await session(), keys)
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _grouped(
    session: SessionSource,
    fetch: Callable[[Session, Sequence[int]], Awaitable[dict[int, list[V]]]],
) -> DataLoader[int, list[V]]:
    async def load(keys: list[int]) -> list[list[V]]:
        found = await fetch(await session(), keys)
        return [found[k] for k in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    session: SessionSource
    units: DataLoader[int, Unit | None] = field(init=False)
    users: DataLoader[int, User | None] = field(init=False)
    categories: DataLoader[int, Category | None] = field(init=False)
    cases: DataLoader[int, Case | None] = field(init=False)
    children: DataLoader[int, list[Unit]] = field(init=False)
    events: DataLoader[tuple[int, int, int], reading.EventSlice] = field(init=False)
    follow_ups: DataLoader[int, list[FollowUp]] = field(init=False)
    mediations: DataLoader[int, list[Mediation]] = field(init=False)
    mediation: DataLoader[int, Mediation | None] = field(init=False)
    extensions: DataLoader[int, list[Extension]] = field(init=False)
    pauses: DataLoader[int, list[Pause]] = field(init=False)
    extension: DataLoader[int, Extension | None] = field(init=False)
    pause: DataLoader[int, Pause | None] = field(init=False)

    def __post_init__(self) -> None:
        self.units = _by_key(self.session, reading.units_by_ids)
        self.users = _by_key(self.session, reading.users_by_ids)
        self.categories = _by_key(self.session, reading.categories_by_ids)
        self.cases = _by_key(self.session, reading.cases_by_ids)
        self.children = _grouped(self.session, reading.children_of)
        self.follow_ups = _grouped(self.session, reading.follow_ups_of_cases)
        self.mediations = _grouped(self.session, reading.mediations_of_cases)
        self.mediation = _by_key(self.session, reading.mediations_by_ids)
        self.extensions = _grouped(self.session, reading.extensions_of_cases)
        self.pauses = _grouped(self.session, reading.pauses_of_cases)
        self.extension = _by_key(self.session, reading.extensions_by_ids)
        self.pause = _by_key(self.session, reading.pauses_by_ids)

        async def events(keys: list[tuple[int, int, int]]) -> list[reading.EventSlice]:
            found = await reading.events_of_cases(await self.session(), keys)
            return [found[k] for k in keys]

        self.events = DataLoader(load_fn=events)

    def prime_cases(self, cases: Sequence[Case]) -> None:
        for case in cases:
            self.cases.prime(case.id, case)

    def refresh(self, changed: Sequence[Case]) -> None:
        """After a write: answer with the cases as they are now, not as first loaded."""
        for case in changed:
            self.cases.prime(case.id, case, force=True)
        self.events.clear_all()
        self.follow_ups.clear_all()
        self.mediations.clear_all()
        self.extensions.clear_all()
        self.pauses.clear_all()
        self.extension.clear_all()
        self.pause.clear_all()
