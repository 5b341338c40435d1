"""Every bad input the field report found answered with a 500 (or accepted) is now a 4xx
with one of the contract's codes, naming the field where one is at fault, and changes
nothing."""

import base64
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.api.test_errors import (
    Patch,
    assert_no_leak,
    ids_by_code,
    refused_registration,
    set_,
    set_reporter,
    valid_input,
)
from tests.support.demo import LEADER
from tests.support.driver import Api, in_process
from tests.support.intake import SUBMIT, request_input
from tests.support.sql import footprint

CASES_AFTER = "query($a: String) { cases(first: 1, after: $a) { totalCount } }"


async def post(api: Api, body: bytes, **headers: str) -> tuple[int, dict[str, Any]]:
    response = await api.client.post(
        "/graphql", content=body, headers={"content-type": "application/json", **headers}
    )
    assert response.headers["content-type"].startswith("application/json"), response.text
    answer: dict[str, Any] = response.json()
    assert_no_leak(answer)
    return response.status_code, answer


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"null", id="null"),
        pytest.param(b'"x"', id="a-string"),
        pytest.param(b"[]", id="a-list"),
        pytest.param(b"42", id="a-number"),
        pytest.param(b'{"query": "{ __typename }"\xff}', id="invalid-utf-8"),
        pytest.param(b'{"query": ', id="malformed-json"),
        pytest.param(b"", id="empty"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": {"v": ' + nested(5000).encode() + b"}}",
            id="variables-nested-5000-deep",
        ),
        pytest.param(b'{"query": 5}', id="query-not-a-string"),
        pytest.param(b'{"query": "{ __typename }", "variables": 5}', id="variables-not-an-object"),
    ],
)
async def test_bodies_that_are_not_a_graphql_request_are_400(api: Api, body: bytes) -> None:
    status, answer = await post(api, body)
    assert status == 400
    assert codes(answer) == ["BAD_USER_INPUT"]


async def test_a_body_over_its_limit_is_413(api: Api) -> None:
    """filter.status with 100,000 entries: 1.4 MB, refused before it is parsed."""
    statuses = ",".join(['"REGISTERED"'] * 100_000)
    body = (
        '{"query": "query($s: [CaseStatus!]) { cases(filter: {status: $s}) { totalCount } }", '
        f'"variables": {{"s": [{statuses}]}}}}'
    ).encode()
    status, answer = await post(api, body, authorization=f"Bearer {await api.token(LEADER)}")
    assert status == 413
    assert codes(answer) == ["QUERY_TOO_COMPLEX"]


async def test_get_variables_nested_deep_are_400(api: Api) -> None:
    response = await api.client.get(
        "/graphql", params={"query": "{ __typename }", "variables": nested(5000)}
    )
    assert response.status_code == 400
    assert codes(response.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(base64.urlsafe_b64encode(nested(5000).encode()).decode(), id="5000-brackets"),
        pytest.param(base64.urlsafe_b64encode(nested(200).encode()).decode(), id="200-brackets"),
    ],
)
async def test_a_cursor_nested_absurdly_deep_is_bad_input_on_after(api: Api, cursor: str) -> None:
    error = await api.error(CASES_AFTER, {"a": cursor}, user=LEADER)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_a_client_address_that_is_not_an_ip_is_bad_input(api: Api, app: Starlette) -> None:
    """Behind a trusted proxy uvicorn takes the address from X-Forwarded-For: 200+ characters
    of anything once reached the rate-limit table and failed there."""
    unit = await api.ok('{ unitByCode(code: "990100001001") { id } }', user=LEADER)
    async with in_process(app, address=("x" * 250, 1)) as stranger:
        before = await footprint(app)
        error = await stranger.error(SUBMIT, {"input": request_input(unit["unitByCode"]["id"])})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "X-Forwarded-For"}
        assert await footprint(app) == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        pytest.param(
            set_reporter("idNumber", "620102209902301234"),
            "reporter.idNumber",
            id="id-number-born-2099-02-30",
        ),
        pytest.param(
            set_reporter("idNumber", "620102209901011235"),
            "reporter.idNumber",
            id="id-number-born-in-the-future",
        ),
        pytest.param(set_("occurredAt", "9999-12-31T00:00:00Z"), "occurredAt", id="occurred-9999"),
        pytest.param(set_("occurredAt", "1066-10-14T09:00:00Z"), "occurredAt", id="occurred-1066"),
        pytest.param(set_("title", "\u200b\u200b\u200b"), "title", id="title-zero-width-spaces"),
        pytest.param(set_("title", "\u200d\ufeff\u2060 "), "title", id="title-joiners-and-bom"),
        pytest.param(set_("title", "漏水\x07\x1b[2J"), "title", id="title-control-characters"),
        pytest.param(set_("description", "述\x00"), "description", id="description-nul"),
        pytest.param(set_reporter("name", "张\x08三"), "reporter.name", id="name-backspace"),
    ],
)
async def test_registration_rules_the_report_found_missing(
    api: Api, app: Any, patch: Patch, field: str
) -> None:
    ids = await ids_by_code(api)
    data = valid_input(ids)
    patch(data, ids)
    body = await refused_registration(api, app, {"input": data})
    assert [e["extensions"] for e in body["errors"]] == [{"code": "BAD_USER_INPUT", "field": field}]


async def test_line_breaks_and_tabs_stay_allowed(api: Api) -> None:
    ids = await ids_by_code(api)
    data = valid_input(ids) | {"description": "第一行\n第二行\r\n\t缩进", "title": "漏水 \u200b"}
    document = (
        "mutation($input: RegisterCaseInput!) { registerCase(input: $input) { trackingCode } }"
    )
    assert (await api.ok(document, {"input": data}, user="v11.handler"))["registerCase"]


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        ("query($n: Int!) { cases(first: $n) { totalCount } }", {"n": "x"}, "variables.n"),
        ("query($n: Int!) { cases(first: $n) { totalCount } }", {}, "variables.n"),
        (
            "query($f: CaseFilter) { cases(filter: $f) { totalCount } }",
            {"f": {"status": ["REGISTERED", "NOPE"]}},
            "variables.f.status.1",
        ),
        (
            "mutation($i: RegisterCaseInput!) { registerCase(input: $i) { trackingCode } }",
            {"i": {"title": 5}},
            "variables.i.title",
        ),
    ],
)
async def test_variable_coercion_errors_name_the_field(
    api: Api, query: str, variables: dict[str, Any], field: str
) -> None:
    body = await api.raw(query, variables, user=LEADER)
    assert body.get("data") is None
    first = body["errors"][0]["extensions"]
    assert first == {"code": "BAD_USER_INPUT", "field": field}
    assert all(e["extensions"]["field"].startswith("variables.") for e in body["errors"])


async def test_two_operations_without_operation_name_run_neither(api: Api, app: Any) -> None:
    """GraphQL over HTTP: the document's operation to run must be named; the first is not
    picked silently."""
    ids = await ids_by_code(api)
    document = (
        "mutation A($input: RegisterCaseInput!) { registerCase(input: $input) { trackingCode } } "
        "query B { __typename }"
    )
    token = await api.token("v11.handler")
    before = await footprint(app)
    # Status 200 for legacy application/json clients, 400 for those taking the new type.
    for accept, status in [("application/json", 200), ("application/graphql-response+json", 400)]:
        response = await api.client.post(
            "/graphql",
            json={"query": document, "variables": {"input": valid_input(ids)}},
            headers={"authorization": f"Bearer {token}", "accept": accept},
        )
        assert response.status_code == status
        assert [e["extensions"] for e in response.json()["errors"]] == [
            {"code": "BAD_USER_INPUT", "field": "operationName"}
        ]
    assert await footprint(app) == before
    named = await api.client.post("/graphql", json={"query": document, "operationName": "B"})
    assert named.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("name", [5, True, ["B"], {"name": "B"}])
async def test_an_operation_name_that_is_not_a_string_is_a_bad_request(
    api: Api, name: object
) -> None:
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }", "operationName": name}
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "`operationName` must be a string or null" in error["message"]
