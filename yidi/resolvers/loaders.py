"""Per-request DataLoaders: every nested field is batched into one query per kind."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from yidi.persistence import cases as case_store
from yidi.persistence import units as unit_store
from yidi.persistence.models import Case, Category, FollowUp, Unit, User

K = TypeVar("K")
V = TypeVar("V")


def _by_key(
    session: Callable[[], Awaitable[AsyncSession]],
    fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[dict[int, V]]],
) -> DataLoader[int, V | None]:
    async def load(keys: list[int]) -> list[V | None]:
        found = await fetch(await session(), keys)
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    session: Callable[[], Awaitable[AsyncSession]]
    units: DataLoader[int, Unit | None] = field(init=False)
    users: DataLoader[int, User | None] = field(init=False)
    categories: DataLoader[int, Category | None] = field(init=False)
    cases: DataLoader[int, Case | None] = field(init=False)
    children: DataLoader[int, list[Unit]] = field(init=False)
    events: DataLoader[tuple[int, int, int], case_store.EventSlice] = field(init=False)
    follow_ups: DataLoader[int, list[FollowUp]] = field(init=False)

    def __post_init__(self) -> None:
        self.units = _by_key(self.session, unit_store.units_by_ids)
        self.users = _by_key(self.session, unit_store.users_by_ids)
        self.categories = _by_key(self.session, unit_store.categories_by_ids)
        self.cases = _by_key(self.session, case_store.cases_by_ids)

        async def children(keys: list[int]) -> list[list[Unit]]:
            found = await unit_store.children_of(await self.session(), keys)
            return [found[k] for k in keys]

        async def events(
            keys: list[tuple[int, int, int]],
        ) -> list[case_store.EventSlice]:
            found = await case_store.events_of_cases(await self.session(), keys)
            return [found[k] for k in keys]

        async def follow_ups(keys: list[int]) -> list[list[FollowUp]]:
            found = await case_store.follow_ups_of_cases(await self.session(), keys)
            return [found[k] for k in keys]

        self.children = DataLoader(load_fn=children)
        self.events = DataLoader(load_fn=events)
        self.follow_ups = DataLoader(load_fn=follow_ups)

    def prime_cases(self, cases: Sequence[Case]) -> None:
        for case in cases:
            self.cases.prime(case.id, case)
