"""The request's DataLoaders keep their futures in a plain dict keyed by the keys
themselves (resolvers/loaders.KeyedByItself): the same batching and caching as strawberry's
default cache, without a Python call per lookup."""

import asyncio

from yidi.resolvers.eager import fill, now_or_later
from yidi.resolvers.loaders import KeyedByItself, _loader


def test_a_loader_batches_caches_primes_and_forgets_as_before() -> None:
    batches: list[list[tuple[int, int]]] = []

    async def load(keys: list[tuple[int, int]]) -> list[str]:
        batches.append(list(keys))
        return [f"{a}-{b}" for a, b in keys]

    async def story() -> None:
        loader = _loader(load)
        assert isinstance(loader.cache_map, KeyedByItself)
        first = await asyncio.gather(loader.load((1, 2)), loader.load((3, 4)), loader.load((1, 2)))
        assert first == ["1-2", "3-4", "1-2"]
        assert await loader.load((3, 4)) == "3-4"
        loader.prime((5, 6), "primed")
        assert await loader.load((5, 6)) == "primed"
        loader.clear((1, 2))
        assert await loader.load((1, 2)) == "1-2"
        await fill(loader, [(7, 8), (3, 4)])
        assert now_or_later(loader, (7, 8), str.upper) == "7-8"
        loader.clear_all()
        assert await loader.load((3, 4)) == "3-4"
        assert batches == [[(1, 2), (3, 4)], [(1, 2)], [(7, 8)], [(3, 4)]]

    asyncio.run(story())


def test_a_lookup_is_the_dicts_own_method() -> None:
    cache: KeyedByItself[int, str] = KeyedByItself()
    assert type(cache).get is dict.get
    assert type(cache).set is dict.__setitem__
    assert cache.get(1) is None
