"""GraphQL over HTTP: application/graphql-response+json is served to clients that prefer
it, and a request that fails before execution is then a 400 without `data`; legacy
application/json clients keep status 200."""

from typing import Any

import pytest

from tests.support.demo import LEADER
from tests.support.driver import Api

NEW = "application/graphql-response+json"
LEGACY = "application/json"


async def ask(
    api: Api, body: dict[str, Any], accept: str | None, user: str | None = None
) -> tuple[int, str, dict[str, Any]]:
    headers = {"accept": accept} if accept else {}
    if user:
        headers["authorization"] = f"Bearer {await api.token(user)}"
    response = await api.client.post("/graphql", json=body, headers=headers)
    answer: dict[str, Any] = response.json()
    return response.status_code, response.headers["content-type"], answer


REQUEST_ERRORS = [
    pytest.param({"query": "{ __typename "}, id="syntax"),
    pytest.param({"query": "{ noSuchField }"}, id="validation"),
    pytest.param(
        {"query": "query($n: Int!) { cases(first: $n) { totalCount } }", "variables": {"n": "x"}},
        id="variable-coercion",
    ),
    pytest.param({"query": "{ a: __typename } { b: __typename }"}, id="no-operation-name"),
    pytest.param({"query": "{ " + "__typename " * 6000 + "}"}, id="too-many-tokens"),
]


@pytest.mark.parametrize("body", REQUEST_ERRORS)
async def test_request_errors_are_400_without_data_for_the_new_type(
    api: Api, body: dict[str, Any]
) -> None:
    status, media, answer = await ask(api, body, NEW, user=LEADER)
    assert (status, media) == (400, NEW)
    assert "data" not in answer
    assert answer["errors"]


@pytest.mark.parametrize("body", REQUEST_ERRORS)
@pytest.mark.parametrize("accept", [LEGACY, None, "*/*"], ids=["json", "no-accept", "any"])
async def test_legacy_clients_get_200_and_json(
    api: Api, body: dict[str, Any], accept: str | None
) -> None:
    status, media, answer = await ask(api, body, accept, user=LEADER)
    assert (status, media) == (200, LEGACY)
    assert answer["errors"]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (NEW, NEW),
        (f"{LEGACY};q=0.5, {NEW}", NEW),
        (f"{NEW};q=0.5, {LEGACY}", LEGACY),
        (f"{LEGACY}, {NEW}", LEGACY),  # equal preference: the one both sides have always known
    ],
)
async def test_the_media_type_follows_the_clients_preference(
    api: Api, accept: str, media: str
) -> None:
    status, served, answer = await ask(api, {"query": "{ __typename }"}, accept)
    assert (status, served) == (200, media)
    assert answer == {"data": {"__typename": "Query"}}


async def test_a_field_error_is_200_with_data_for_the_new_type(api: Api) -> None:
    """Execution ran: the error belongs to a field, and the data says what did resolve."""
    status, media, answer = await ask(api, {"query": "{ me { username } }"}, NEW)
    assert (status, media) == (200, NEW)
    assert "data" in answer
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["UNAUTHENTICATED"]
