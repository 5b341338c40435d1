"""Fields that answer at once when their data is already at hand.

graphql-core turns every awaitable a resolver returns into a coroutine and a task; on a
page of 50 nested cases those were most of its work (docs/BENCHMARKS.md). A resolver that
returns its value directly when the request has already loaded what it reads (a page's
prefetch, resolvers/case_prefetch.py) costs neither, and still awaits when it has not.
"""

import inspect
from collections.abc import Awaitable, Callable, MutableMapping
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


def then(result: T | Awaitable[T], wrap: Callable[[T], U]) -> U | Awaitable[U]:
    """`wrap` applied to a value, or to an awaitable's value once it arrives."""
    if inspect.isawaitable(result):
        return _then(result, wrap)
    return wrap(result)


async def _then(result: Awaitable[T], wrap: Callable[[T], U]) -> U:
    return wrap(await result)
