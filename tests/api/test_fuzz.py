"""Property: whatever a client sends — any document the served schema allows, with any
literal values; documents it does not allow; any JSON as variables — the answer is never a
server error, signed in or not.

The budget is fixed and small in CI; `YIDI_FUZZ_EXAMPLES=2000 pytest tests/api/test_fuzz.py`
runs longer.
"""

import os
from datetime import UTC
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from tests.api.test_errors import assert_no_leak
from tests.support.demo import LEADER
from tests.support.driver import Api
from yidi.cli import schema_sdl

EXAMPLES = int(os.environ.get("YIDI_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SDL = schema_sdl()
SCALARS = {
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat()))
    | st.text(max_size=30).map(nodes.String),
    # A document can only name a file by some literal: attachEvidence refuses it (the bytes
    # come in a multipart request), which must still be a contract error.
    "Upload": st.text(max_size=10).map(nodes.String),
}

# Operations that take variables, for random JSON in their place.
WITH_VARIABLES = [
    "query($f: CaseFilter, $o: CaseOrder, $n: Int, $a: String) "
    "{ cases(filter: $f, orderBy: $o, first: $n, after: $a) { totalCount edges { node { id } } } }",
    "query($id: ID!) { node(id: $id) { id } case(id: $id) { id } }",
    "mutation($input: RegisterCaseInput!) { registerCase(input: $input) { trackingCode } }",
    "mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { number } }",
    "mutation($input: AssessCaseInput!) { assessCase(input: $input) { case { id } } }",
    "query($c: String!, $p: String!) { trackCase(trackingCode: $c, phoneLast4: $p) { number } }",
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
variables = st.dictionaries(
    st.sampled_from(["f", "o", "n", "a", "id", "input", "c", "p", "u"]), json_values
)


async def assert_no_server_error(
    api: Api, query: str, variables: dict[str, Any] | None, user: str | None
) -> None:
    headers = {"authorization": f"Bearer {await api.token(user)}"} if user else {}
    response = await api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code < 500, (query, variables, response.text)
    body = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, (query, variables, body)
    assert None not in codes, body  # every error carries a contract code
    assert_no_leak(body, sent=variables)


@pytest.mark.parametrize("user", [None, LEADER], ids=["anonymous", "signed-in"])
@FUZZ
@given(document=from_schema(SDL, custom_scalars=SCALARS))
async def test_any_valid_document_is_answered_without_a_server_error(
    api: Api, user: str | None, document: str
) -> None:
    await assert_no_server_error(api, document, None, user)


@FUZZ
@given(document=from_schema(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
async def test_any_invalid_document_is_answered_without_a_server_error(
    api: Api, document: str
) -> None:
    await assert_no_server_error(api, document, None, LEADER)


@pytest.mark.parametrize("user", [None, LEADER], ids=["anonymous", "signed-in"])
@FUZZ
@given(query=st.sampled_from(WITH_VARIABLES), values=variables)
async def test_any_json_as_variables_is_answered_without_a_server_error(
    api: Api, user: str | None, query: str, values: dict[str, Any]
) -> None:
    await assert_no_server_error(api, query, values, user)
