"""A page of cases loads what its query selects before the cases' fields resolve, and those
fields then answer at once (resolvers/case_prefetch.py, resolvers/eager.py).

The answers must be exactly those the fields give when they load on their own: selected
through fragments and aliases, with `events` paged from a cursor (not prefetched), and
on a single case (no page, no prefetch). The statement count of a page is held by
tests/api/test_query_count.py.
"""

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from tests.api.test_query_count import recorded
from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from yidi.resolvers import pagination
from yidi.resolvers.eager import fill, now_or_later, then
from yidi.schema import types
from yidi.schema.selection import selected_at

NODE = """number status handlingUnit { name code } locationUnit { name } intakeUnit { code }
  category { name } assignee { username } reporter { name phone } allowedActions
  events(first: 2) { totalCount edges { cursor node { type } } pageInfo { hasNextPage } }"""
PLAIN = f"{{ cases(first: 30) {{ edges {{ node {{ {NODE} }} }} }} }}"
FRAGMENTED = """fragment Units on Case { handlingUnit { name code } locationUnit { name }
  intakeUnit { code } }
fragment Rest on Case { number status category { name } assignee { username }
  reporter { name phone } allowedActions
  events(first: 2) { totalCount edges { cursor node { type } } pageInfo { hasNextPage } } }
{ cases(first: 30) { edges { node { ...Units ... on Case { ...Rest } } } } }"""


def nodes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data["cases"]["edges"]]


async def test_fragments_give_the_same_page_as_plain_fields(api: Api) -> None:
    for user in (LEADER, V11):
        plain = nodes(await api.ok(PLAIN, user=user))
        assert len(plain) >= 10
        assert any(n["assignee"] for n in plain)
        assert any(n["allowedActions"] for n in plain)
        assert nodes(await api.ok(FRAGMENTED, user=user)) == plain


async def test_a_page_answers_as_each_case_does_on_its_own(api: Api) -> None:
    """`case(id:)` has no page and loads every field by itself: the same answers."""
    page = await api.ok(f"{{ cases(first: 8) {{ edges {{ node {{ id {NODE} }} }} }} }}", user=V11)
    for node in nodes(page):
        alone = await api.ok(
            f"query($id: ID!) {{ case(id: $id) {{ id {NODE} }} }}", {"id": node["id"]}, user=V11
        )
        assert alone["case"] == node


async def test_events_after_a_cursor_and_aliases_load_on_their_own(api: Api) -> None:
    first = nodes(await api.ok(PLAIN, user=LEADER))
    longest = max(first, key=lambda n: n["events"]["totalCount"])
    assert longest["events"]["pageInfo"]["hasNextPage"]
    cursor = longest["events"]["edges"][-1]["cursor"]
    data = await api.ok(
        """query($after: String) { cases(first: 30) { edges { node { number
          head: events(first: 2) { edges { node { type } } }
          rest: events(first: 50, after: $after) { edges { node { type } } } } } } }""",
        {"after": cursor},
        user=LEADER,
    )
    mine = next(n for n in nodes(data) if n["number"] == longest["number"])
    assert [e["node"] for e in mine["head"]["edges"]] == [
        e["node"] for e in longest["events"]["edges"]
    ]
    assert len(mine["rest"]["edges"]) == longest["events"]["totalCount"] - 2


async def test_an_invalid_page_size_is_still_the_fields_own_error(api: Api) -> None:
    error = await api.error(
        "{ cases(first: 3) { edges { node { number events(first: 9999) { totalCount } } } } }",
        user=LEADER,
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"][-1] == "events"


async def test_prefetching_costs_no_statement_for_fields_not_asked(
    api: Api, app: Starlette
) -> None:
    await api.ok("{ cases(first: 1) { edges { node { number } } } }", user=LEADER)
    with recorded(app) as statements:
        await api.ok("{ cases(first: 20) { edges { node { number status } } } }", user=LEADER)
    flat = " ".join(" ".join(statements).split()).lower()
    assert "from units" not in flat
    assert "from case_events" not in flat
    assert "from users" not in flat
    assert "from categories" not in flat


async def test_responses_are_utf8_not_escaped(api: Api) -> None:
    token = await api.token(V11)
    response = await api.client.post(
        "/graphql",
        json={"query": "{ me { unit { name } } }"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert "东湖村".encode() in response.content
    assert response.json()["data"]["me"]["unit"]["name"] == "东湖村"


def test_selection_reads_through_fragments_and_keeps_the_first_arguments() -> None:
    def field(name: str, *inner: Any, **arguments: Any) -> SelectedField:
        return SelectedField(name, {}, arguments, list(inner))

    tree = [
        field(
            "cases",
            field(
                "edges",
                field(
                    "node",
                    field("number"),
                    FragmentSpread("F", "Case", {}, [field("events", first=3)]),
                    InlineFragment("Case", [field("events", first=9), field("category")], {}),
                ),
            ),
        )
    ]
    found = selected_at(tree[0].selections, "edges", "node")
    assert found == {"number": {}, "events": {"first": 3}, "category": {}}


async def test_a_loaded_value_comes_at_once_and_an_unloaded_one_later() -> None:
    calls: list[list[int]] = []

    async def load(keys: list[int]) -> list[int]:
        calls.append(keys)
        return [k * 10 for k in keys]

    loader: DataLoader[int, int] = DataLoader(load_fn=load)
    later = now_or_later(loader, 4, str)
    assert asyncio.iscoroutine(later)
    assert await later == "40"
    assert now_or_later(loader, 4, str) == "40"  # loaded now: no awaitable
    assert calls == [[4]]
    assert then(7, str) == "7"

    async def eight() -> int:
        return 8

    assert await then(eight(), str) == "8"  # type: ignore[misc]


async def test_fill_loads_what_is_missing_once_and_leaves_errors_to_the_load() -> None:
    calls: list[list[int]] = []

    async def load(keys: list[int]) -> list[int | ValueError]:
        calls.append(keys)
        return [ValueError("no such key") if k < 0 else k * 10 for k in keys]

    loader: DataLoader[int, int] = DataLoader(load_fn=load)  # type: ignore[arg-type]
    assert await loader.load(1) == 10
    await fill(loader, [3, 1, 2, 3, -1])
    assert calls == [[1], [3, 2, -1]]  # each missing key once, in order
    assert now_or_later(loader, 2, str) == "20"  # kept: answers at once
    with pytest.raises(ValueError, match="no such key"):
        await loader.load(-1)  # the error is reported by the field's own load
    assert calls[-1] == [-1]


async def tasks_for(api: Api, first: int) -> int:
    """Tasks the event loop starts while the in-process app answers a page of `first`."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    started = 0

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        nonlocal started
        started += 1
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting)
    try:
        page = await api.ok(PLAIN.replace("first: 30", f"first: {first}"), user=LEADER)
    finally:
        loop.set_task_factory(previous)
    assert len(nodes(page)) == first
    return started


async def test_a_larger_page_starts_no_task_per_case(api: Api) -> None:
    """Each nested field of a case used to be a coroutine graphql-core ran as a task (eight
    per case for this query); answered at once, a page of 30 starts no more tasks than one
    of 10 but for a handful."""
    await tasks_for(api, 10)  # caller, policy and documents loaded
    small, large = await tasks_for(api, 10), await tasks_for(api, 30)
    assert large - small < 20, (small, large)


async def test_cursors_are_encoded_only_when_asked_for(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of 30 cases, each with a page of events: no cursor is selected, none encoded."""
    encoded: list[tuple[object, ...]] = []
    real = pagination.encode_cursor

    def counting(*parts: object) -> str:
        encoded.append(parts)
        return real(*parts)

    monkeypatch.setattr(pagination, "encode_cursor", counting)
    page = await api.ok(
        "{ cases(first: 30) { pageInfo { hasNextPage } edges { node { number "
        "events(first: 2) { pageInfo { hasNextPage } edges { node { type } } } } } } }",
        user=LEADER,
    )
    assert len(nodes(page)) == 30
    assert encoded == []
    asked = await api.ok(
        "{ cases(first: 30) { pageInfo { endCursor } edges { node { number "
        "events(first: 2) { pageInfo { startCursor } } } } } }",
        user=LEADER,
    )
    end = asked["cases"]["pageInfo"]["endCursor"]
    assert len(encoded) == 1 + 30  # the page's end, each events page's start
    assert pagination.decode_case_cursor("REGISTERED_AT", end)[1] > 0


async def test_a_pages_cases_share_one_view_of_each_unit_category_and_user(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    for kind in (types.Unit, types.Category, types.User):
        real = kind.of.__func__

        def counting(cls: Any, row: Any, real: Any = real) -> Any:
            made.append(cls.__name__)
            return real(cls, row)

        monkeypatch.setattr(kind, "of", classmethod(counting))
    page = await api.ok(
        "{ cases(first: 30) { edges { node { handlingUnit { id } locationUnit { id } "
        "intakeUnit { id } category { id } assignee { id } } } } }",
        user=LEADER,
    )
    cases = nodes(page)
    units = {c[f]["id"] for c in cases for f in ("handlingUnit", "locationUnit", "intakeUnit")}
    users = {c["assignee"]["id"] for c in cases if c["assignee"]}
    assert len(cases) == 30
    assert made.count("Unit") == len(units) < 90
    assert made.count("Category") == len({c["category"]["id"] for c in cases})
    assert made.count("User") == len(users)
