"""A document is parsed and validated once per schema; every later request of the same text
gets exactly the answer the first got, refusals included."""

from collections.abc import Callable
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import parse

from tests.api.test_query_budget import THIRTY_HEAVY_ALIASES, fragment_bomb
from tests.support.demo import LEADER
from tests.support.driver import Api
from yidi.resolvers import query_budget
from yidi.resolvers.document_cache import DocumentCache

REPEATS = 3


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often strawberry called graphql-core's parser and validator."""
    counted = {"parse": 0, "validate": 0}

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return real(*args, **kwargs)

        return wrapper

    for name in counted:
        monkeypatch.setattr(
            strawberry_schema, name, counting(name, getattr(strawberry_schema, name))
        )
    return counted


async def test_a_valid_document_is_parsed_and_validated_once(
    api: Api, calls: dict[str, int]
) -> None:
    query = "query Mine { me { username unit { name } } }"
    await api.token(LEADER)  # the login's own document is not counted below
    calls.update(parse=0, validate=0)
    answers = [await api.ok(query, user=LEADER) for _ in range(REPEATS)]
    assert answers == [answers[0]] * REPEATS
    assert answers[0]["me"]["username"] == LEADER
    assert calls == {"parse": 1, "validate": 1}
    # Another text (one space more) is another document.
    await api.ok(query + " ", user=LEADER)
    assert calls == {"parse": 2, "validate": 2}


@pytest.mark.parametrize(
    ("query", "code", "validations"),
    [
        pytest.param("{ me { password } }", "BAD_USER_INPUT", 1, id="unknown-field"),
        pytest.param('{ unit(code: "990100") { id } }', "BAD_USER_INPUT", 1, id="unknown-arg"),
        pytest.param("{ me { username ", "BAD_USER_INPUT", 0, id="syntax-unclosed"),
        pytest.param(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            "BAD_USER_INPUT",
            1,
            id="fragment-cycle",
        ),
        pytest.param(fragment_bomb(20), "QUERY_TOO_COMPLEX", 0, id="fragment-bomb"),
        pytest.param(THIRTY_HEAVY_ALIASES, "QUERY_TOO_COMPLEX", 0, id="heavy-aliases"),
        pytest.param(
            '{ unitByCode(code: "990100001001") { '
            + "parent { " * 14
            + "code"
            + " }" * 14
            + " } }",
            "QUERY_TOO_COMPLEX",
            0,
            id="too-deep",
        ),
    ],
)
async def test_a_refused_document_is_refused_again_exactly_as_the_first_time(
    api: Api, calls: dict[str, int], query: str, code: str, validations: int
) -> None:
    await api.token(LEADER)
    calls.update(parse=0, validate=0)
    bodies = [await api.raw(query, user=LEADER) for _ in range(REPEATS)]
    assert bodies == [bodies[0]] * REPEATS
    assert bodies[0].get("data") is None, bodies[0]
    assert {e["extensions"]["code"] for e in bodies[0]["errors"]} == {code}, bodies[0]
    # A syntax error is parsed again each time (not cached); a document the budget refuses
    # is never validated; one that fails validation is validated once.
    assert calls["validate"] == validations
    assert calls["parse"] == (REPEATS if code == "BAD_USER_INPUT" and validations == 0 else 1)


async def test_the_budget_still_judges_a_cached_valid_document_by_its_variables(
    api: Api, calls: dict[str, int]
) -> None:
    query = (
        "query($n: Int!) { a: cases(first: $n) { edges { node { events(first: 200) "
        "{ edges { node { type note } } } } } } "
        "b: cases(first: $n) { edges { node { events(first: 200) "
        "{ edges { node { type } } } } } } }"
    )
    assert "errors" not in await api.raw(query, {"n": 1}, user=LEADER)
    large = await api.raw(query, {"n": 100}, user=LEADER)
    assert large.get("data") is None
    assert [e["extensions"]["code"] for e in large["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert "errors" not in await api.raw(query, {"n": 2}, user=LEADER)
    assert calls["validate"] == 1


async def test_an_invalid_operation_choice_is_judged_per_request(api: Api) -> None:
    """The operation name is not part of the document: each request names its own."""
    query = "query A { me { username } } query B { me { id } }"
    unnamed = await api.client.post("/graphql", json={"query": query})
    assert [e["extensions"]["code"] for e in unnamed.json()["errors"]] == ["BAD_USER_INPUT"]
    headers = {"authorization": f"Bearer {await api.token(LEADER)}"}
    named = await api.client.post(
        "/graphql", json={"query": query, "operationName": "A"}, headers=headers
    )
    assert named.json()["data"]["me"]["username"] == LEADER
    again = await api.client.post("/graphql", json={"query": query})
    assert again.json() == unnamed.json()


def test_the_cache_is_bounded_by_documents_and_tokens() -> None:
    cache = DocumentCache(max_documents=2, max_tokens=40)
    texts = ["{ a }", "{ b }", "{ c }"]
    for text in texts:
        cache.put(text, parse(text))
    assert len(cache) == 2
    assert cache.get("{ a }") is None  # least recently used went first
    assert cache.get("{ b }") is not None
    big = "{ " + " ".join(f"f{i}" for i in range(36)) + " }"  # 38 tokens with <SOF> and <EOF>
    cache.put(big, parse(big))
    assert cache.get(big) is not None
    assert len(cache) == 1  # the small ones made room for it
    huge = "{ " + " ".join(f"f{i}" for i in range(50)) + " }"
    cache.put(huge, parse(huge))
    assert cache.get(huge) is None  # more tokens than the whole cache: never kept
    assert cache.get(big) is not None


async def test_the_budget_measures_a_document_once_per_page_size_it_is_asked_for(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remembered measure answers only a request whose page sizes are the ones measured:
    a size over budget is refused every time, though a smaller one passed before it."""
    walks: list[Any] = []
    real = query_budget._judged

    def counting(*args: Any) -> Any:
        walks.append(args[3])
        return real(*args)

    monkeypatch.setattr(query_budget, "_judged", counting)
    query = (
        "query($n: Int!, $m: Int) { a: cases(first: $n) { edges { node { events(first: $m) "
        "{ edges { node { type note } } } } } } }"
    )
    await api.token(LEADER)
    for n, m, refused in [
        (1, 200, False),
        (1, 200, False),
        (100, 200, True),
        (100, 200, True),
        (1, 200, False),
        (100, None, False),  # events' default page is small
        (100, "x", False),  # not a page size: the default is measured (the variable is refused)
        (1, 200, False),
    ]:
        body = await api.raw(query, {"n": n, "m": m}, user=LEADER)
        codes = [e["extensions"]["code"] for e in body.get("errors", ())]
        assert ("QUERY_TOO_COMPLEX" in codes) == refused, (n, m, body)
    # Measured once per distinct (n, m) as the budget reads them; None and "x" read alike.
    assert [(v["n"], v["m"]) for v in walks] == [(1, 200), (100, 200), (100, None)]
