"""Per-request DataLoaders: every nested field is batched into one query per kind."""

from asyncio import Future
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import AbstractCache, DataLoader

from yidi.authz.actor import CaseFacts
from yidi.domain.intake_settings import IntakeSettings
from yidi.domain.responsibility import Rule
from yidi.persistence.models import (
    Attachment,
    Case,
    Category,
    Extension,
    FollowUp,
    Mediation,
    Pause,
    Summons,
    Unit,
    User,
)
from yidi.persistence.session import Session
from yidi.services import evidence, intake_settings, reading, repeats, responsibilities
from yidi.services.repeats import Candidate, RepeatQuery

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
SessionSource = Callable[[], Awaitable[Session]]


class KeyedByItself(dict[K, "Future[V]"], AbstractCache[K, V]):
    """A loader's cache whose keys are their own cache keys. strawberry's default passes
    every key through an identity function first: two Python calls per lookup, and a page
    of cases looks up some five hundred (resolvers/eager.py). Here a lookup is the dict's
    own method."""

    # The dict's own slots: mypy reads them unbound, but bound they are set(key, value)
    # and delete(key) exactly; get and clear are the dict's already.
    set = dict.__setitem__  # type: ignore[assignment]
    delete = dict.__delitem__  # type: ignore[assignment]


def _loader(load: Callable[[list[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
    return DataLoader(load_fn=load, cache_map=KeyedByItself())


def _by_key(
    session: SessionSource,
    fetch: Callable[[Session, Sequence[int]], Awaitable[Mapping[int, V]]],
) -> DataLoader[int, V | None]:
    async def load(keys: list[int]) -> list[V | None]:
        found = await fetch(await session(), keys)
        return [found.get(k) for k in keys]

    return _loader(load)


def _grouped(
    session: SessionSource,
    fetch: Callable[[Session, Sequence[int]], Awaitable[dict[int, list[V]]]],
) -> DataLoader[int, list[V]]:
    async def load(keys: list[int]) -> list[list[V]]:
        found = await fetch(await session(), keys)
        return [found[k] for k in keys]

    return _loader(load)


class Loaders:
    """Built lazily: a request (or a subscription's delivery) pays only for the kinds of
    row it actually loads."""

    def __init__(self, session: SessionSource, cases: Sequence[reading.CaseRow] = ()) -> None:
        self.session = session
        self._known_cases = cases  # primed into `cases` when it is first used

    # What the rows of units, categories and users became for the schema, made once per
    # request (resolvers/eager.now_or_later): a page's cases share a few of each.
    @cached_property
    def unit_views(self) -> dict[int, Any]:
        return {}

    @cached_property
    def case_facts(self) -> dict[int, tuple[Any, CaseFacts]]:
        """A page's plain case rows' authorization facts, by the row's id() and kept with the
        row so that the id stays its own (resolvers/case_fields.py)."""
        return {}

    @cached_property
    def category_views(self) -> dict[int, Any]:
        return {}

    @cached_property
    def user_views(self) -> dict[int, Any]:
        return {}

    @cached_property
    def units(self) -> DataLoader[int, Unit | None]:
        return _by_key(self.session, reading.units_by_ids)

    @cached_property
    def users(self) -> DataLoader[int, User | None]:
        return _by_key(self.session, reading.users_by_ids)

    @cached_property
    def categories(self) -> DataLoader[int, Category | None]:
        return _by_key(self.session, reading.categories_by_ids)

    @cached_property
    def cases(self) -> DataLoader[int, reading.CaseRow | None]:
        # ORM cases loaded by id, and a page's plain rows (read_rows.py) primed.
        loader: DataLoader[int, reading.CaseRow | None] = _by_key(
            self.session, reading.cases_by_ids
        )
        for case in self._known_cases:
            loader.prime(case.id, case)
        return loader

    @cached_property
    def children(self) -> DataLoader[int, list[Unit]]:
        return _grouped(self.session, reading.children_of)

    @cached_property
    def follow_ups(self) -> DataLoader[int, list[FollowUp]]:
        return _grouped(self.session, reading.follow_ups_of_cases)

    @cached_property
    def mediations(self) -> DataLoader[int, list[Mediation]]:
        return _grouped(self.session, reading.mediations_of_cases)

    @cached_property
    def mediation(self) -> DataLoader[int, Mediation | None]:
        return _by_key(self.session, reading.mediations_by_ids)

    @cached_property
    def extensions(self) -> DataLoader[int, list[Extension]]:
        return _grouped(self.session, reading.extensions_of_cases)

    @cached_property
    def pauses(self) -> DataLoader[int, list[Pause]]:
        return _grouped(self.session, reading.pauses_of_cases)

    @cached_property
    def extension(self) -> DataLoader[int, Extension | None]:
        return _by_key(self.session, reading.extensions_by_ids)

    @cached_property
    def pause(self) -> DataLoader[int, Pause | None]:
        return _by_key(self.session, reading.pauses_by_ids)

    @cached_property
    def summonses(self) -> DataLoader[int, list[Summons]]:
        return _grouped(self.session, reading.summonses_of_cases)

    @cached_property
    def summons(self) -> DataLoader[int, Summons | None]:
        return _by_key(self.session, reading.summonses_by_ids)

    @cached_property
    def attachments(self) -> DataLoader[int, list[Attachment]]:
        return _grouped(self.session, evidence.attachments_of_cases)

    @cached_property
    def attachment(self) -> DataLoader[int, Attachment | None]:
        return _by_key(self.session, evidence.attachments_by_ids)

    @cached_property
    def events(self) -> DataLoader[tuple[int, int, int], reading.EventSlice]:
        async def load(keys: list[tuple[int, int, int]]) -> list[reading.EventSlice]:
            found = await reading.events_of_cases(await self.session(), keys)
            return [found[k] for k in keys]

        return _loader(load)

    @cached_property
    def responsibility_rules(self) -> DataLoader[int, list[Rule]]:
        """A county's responsibility list (docs/INTAKE.md), read once per request."""
        return _grouped(self.session, responsibilities.rules_of_counties)

    @cached_property
    def intake_settings(self) -> DataLoader[int, IntakeSettings]:
        async def load(county_ids: list[int]) -> list[IntakeSettings]:
            session = await self.session()
            return [await intake_settings.settings_of(session, c) for c in county_ids]

        return _loader(load)

    @cached_property
    def possible_duplicates(self) -> DataLoader[tuple[int, RepeatQuery], list[Candidate]]:
        """Repeat petition candidates of a page of cases in one statement (INTAKE.md)."""

        async def load(keys: list[tuple[int, RepeatQuery]]) -> list[list[Candidate]]:
            found = await repeats.candidates_of(await self.session(), keys)
            return [found[k] for k in keys]

        return _loader(load)

    def prime_cases(self, cases: Sequence[reading.CaseRow]) -> None:
        """Primed now if the request already loads cases by id, else when it first does: a
        page whose fields never do (the usual page) makes no future for each of its cases."""
        loader = self.__dict__.get("cases")  # the cached property, if built
        if loader is None:
            self._known_cases = [*self._known_cases, *cases]
            return
        for case in cases:
            loader.prime(case.id, case)

    def refresh(self, changed: Sequence[Case]) -> None:
        """After a write: answer with the cases as they are now, not as first loaded."""
        for case in changed:
            self.cases.prime(case.id, case, force=True)
        for name in _CHANGED_BY_WRITES:
            loader = self.__dict__.get(name)  # only those this request has built
            if loader is not None:
                loader.clear_all()


# What a write may change besides the case rows themselves.
_CHANGED_BY_WRITES = (
    "events",
    "follow_ups",
    "mediations",
    "extensions",
    "pauses",
    "extension",
    "pause",
    "summonses",
    "summons",
    "attachments",
    "attachment",
    "possible_duplicates",
)
