"""Fields that answer at once when their data is already at hand.

graphql-core turns every awaitable a resolver returns into a coroutine and a task; on a
page of 50 nested cases those were most of its work (docs/BENCHMARKS.md). A resolver that
returns its value directly when the request has already loaded what it reads (a page's
prefetch, resolvers/case_prefetch.py) costs neither, and still awaits when it has not.
"""

import inspect
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
U = TypeVar("U")


def now_or_later(
    loader: DataLoader[K, V],
    key: K,
    wrap: Callable[[V], T],
    views: MutableMapping[K, T] | None = None,
) -> T | Awaitable[T]:
    """`wrap` of the value loaded for `key`: at once if this request already has it. With
    `views` (the request's record of what each key's value became), each value is wrapped
    once per request: the fifty cases of a page share a few units and categories."""
    if views is not None and (view := views.get(key)) is not None:
        return view
    future = loader.cache_map.get(key)
    if future is not None and future.done() and future.exception() is None:
        view = wrap(future.result())
        if views is not None:
            views[key] = view
        return view
    return _later(loader, key, wrap)


async def _later(loader: DataLoader[K, V], key: K, wrap: Callable[[V], T]) -> T:
    return wrap(await loader.load(key))


async def fill(loader: DataLoader[K, V], keys: Sequence[K]) -> None:
    """Load the keys `loader` does not hold yet in one call of its batch function and keep
    the answers, as `load_many` would without a future, a batch entry and a gathered await
    per key (a page prefetches some 150 keys)."""
    missing = [key for key in dict.fromkeys(keys) if loader.cache_map.get(key) is None]
    if missing:
        values = await loader.load_fn(missing)
        # A key answered with an error is left to the field's own load, which reports it.
        loader.prime_many(
            {
                key: value
                for key, value in zip(missing, values, strict=True)
                if not isinstance(value, BaseException)
            }
        )


def then(result: T | Awaitable[T], wrap: Callable[[T], U]) -> U | Awaitable[U]:
    """`wrap` applied to a value, or to an awaitable's value once it arrives."""
    if inspect.isawaitable(result):
        return _then(result, wrap)
    return wrap(result)


async def _then(result: Awaitable[T], wrap: Callable[[T], U]) -> U:
    return wrap(await result)
