"""Nothing a client sends can make the server work for long before it says no: documents
over budget are refused with QUERY_TOO_COMPLEX in milliseconds, whatever their shape."""

import asyncio
import statistics
import time
from typing import Any

import pytest

from tests.support.clock import Clock
from tests.support.demo import LEADER
from tests.support.deployment import demo_settings, running_app
from tests.support.driver import Api, in_process
from yidi.database.engine import connections_in_use

# The refusal must come well before anything a person would notice.
FAST_SECONDS = 0.1
# Timed as the median of a few tries: the test machine's cores are shared, and one try
# descheduled for a moment says nothing about the server (the bomb once took 8 s).
TRIES = 3

LIMITS = demo_settings()  # the app fixture's settings


def fragment_bomb(levels: int, *, aliased: bool = False) -> str:
    """Each fragment spreads the one before twice: 2**levels fields from a few hundred bytes."""
    leaf = "a: __typename" if aliased else "__typename"
    parts = [f"{{ ...F{levels} }}", f"fragment F0 on Query {{ {leaf} }}"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return " ".join(parts)


THIRTY_HEAVY_ALIASES = (
    "{ "
    + " ".join(
        f"c{i}: cases(first: 100) {{ edges {{ node {{ id events(first: 200) "
        "{ edges { node { type note } } } } } }"
        for i in range(30)
    )
    + " }"
)


async def timed(api: Api, query: str, user: str | None) -> tuple[dict[str, Any], float]:
    """The answer and the median time it took; logging in and warming up are not timed."""
    await api.raw("{ __typename }", user=user)
    bodies, times = [], []
    for _ in range(TRIES):
        started = time.perf_counter()
        bodies.append(await api.raw(query, user=user))
        times.append(time.perf_counter() - started)
    assert all(body == bodies[0] for body in bodies)
    return bodies[0], statistics.median(times)


@pytest.mark.parametrize("user", [None, LEADER], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize(
    "query",
    [
        pytest.param(fragment_bomb(20), id="fragment-bomb-817-bytes"),
        pytest.param(fragment_bomb(24), id="fragment-bomb-2**24"),
        pytest.param(fragment_bomb(19, aliased=True), id="aliased-fragment-bomb"),
        pytest.param(THIRTY_HEAVY_ALIASES, id="30-aliases-of-cases-and-events"),
    ],
)
async def test_expensive_documents_are_refused_in_milliseconds(
    api: Api, query: str, user: str | None
) -> None:
    body, seconds = await timed(api, query, user)
    assert body.get("data") is None, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COMPLEX"], body
    assert seconds < FAST_SECONDS, f"refused after {seconds:.3f} s"


def test_the_817_byte_bomb_is_the_one_from_the_report() -> None:
    assert len(fragment_bomb(20).encode()) == 817


async def test_a_fragment_cycle_is_refused_quickly_as_bad_input(api: Api) -> None:
    query = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }"
    body, seconds = await timed(api, query, None)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    assert seconds < FAST_SECONDS


async def test_a_screenful_of_cases_with_their_events_is_within_budget(api: Api) -> None:
    """What a dashboard asks for — 20 cases with their last 50 events — stays allowed."""
    query = (
        "{ cases(first: 20) { edges { node { id number title status "
        "events(first: 50) { edges { node { type note at } } } } } } }"
    )
    data = await api.ok(query, user=LEADER)
    assert len(data["cases"]["edges"]) == 20


async def test_a_page_size_from_a_variable_is_costed(api: Api) -> None:
    query = (
        "query($n: Int!) { a: cases(first: $n) { edges { node { events(first: 200) "
        "{ edges { node { type note } } } } } } "
        "b: cases(first: $n) { edges { node { events(first: 200) "
        "{ edges { node { type } } } } } } }"
    )
    small = await api.raw(query, {"n": 1}, user=LEADER)
    assert "errors" not in small, small
    large = await api.raw(query, {"n": 100}, user=LEADER)
    assert [e["extensions"]["code"] for e in large["errors"]] == ["QUERY_TOO_COMPLEX"]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            "{ "
            + " ".join(f"...F{i}" for i in range(60))
            + " } "
            + " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(60)),
            id="60-fragments",
        ),
        pytest.param("{ " + "__typename @include(if: true) " * 60 + "}", id="60-directives"),
        pytest.param("{ __typename }" + " " * 20_001, id="over-20000-bytes"),
        # graphql-core's parser stops it before any depth is measured.
        pytest.param("{ " + "me { unit { " * 200 + "id" + " } }" * 200 + " }", id="nested-400"),
    ],
)
async def test_document_shape_limits(api: Api, query: str) -> None:
    body = await api.raw(query)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COMPLEX"], body


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"s": "x" * (LIMITS.max_variable_string_length + 1)}, "variables.s"),
        (
            {"statuses": ["REGISTERED"] * (LIMITS.max_variable_list_length + 1)},
            "variables.statuses",
        ),
    ],
)
async def test_variables_over_their_limits_are_bad_input(
    api: Api, variables: dict[str, Any], field: str
) -> None:
    query = (
        "query($s: String, $statuses: [CaseStatus!]) "
        "{ cases(filter: {search: $s, status: $statuses}) { totalCount } }"
    )
    await api.raw("{ __typename }", user=LEADER)
    started = time.perf_counter()
    body = await api.raw(query, variables, user=LEADER)
    seconds = time.perf_counter() - started
    assert [e["extensions"] for e in body["errors"]] == [{"code": "BAD_USER_INPUT", "field": field}]
    assert seconds < 1.0


async def test_an_operation_over_its_time_is_stopped(
    api: Api, database_url: str, clock: Clock
) -> None:
    token = await api.token(LEADER)  # logged in on the usual app: Argon2 is not timed here
    settings = demo_settings(execution_timeout_seconds=0.001)
    async with running_app(settings, database_url, clock) as app, in_process(app, clock) as slow:
        query = "{ cases(first: 100) { totalCount edges { node { id events { totalCount } } } } }"
        response = await slow.client.post(
            "/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"}
        )
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
        assert "took longer than 0.001 s" in error["message"]
        # The stopped operation's connection went back to the pool (the policy watcher
        # borrows one twice a second, so a moment with none in use must come soon).
        for _ in range(100):
            if connections_in_use(app.state.engine) == 0:
                break
            await asyncio.sleep(0.02)
        assert connections_in_use(app.state.engine) == 0
