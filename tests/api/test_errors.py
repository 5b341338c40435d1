"""Every failure answers with one of the contract's codes, names the bad field, changes
nothing in the database, and leaks nothing about the server's insides."""

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.support.clock import Clock
from tests.support.demo import V11
from tests.support.driver import Api
from tests.support.secret import SECRET
from tests.support.sql import footprint
from yidi.demo import DEMO_PASSWORD

REGISTER = (
    "mutation($input: RegisterCaseInput!) { registerCase(input: $input) "
    "{ trackingCode case { id number } } }"
)
ME = "{ me { username } }"
LOGIN = (
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt } }"
)

# Strings that must never reach a client: stack traces, driver details, file paths.
LEAKS = ("Traceback", "sqlalchemy", "asyncpg", "psycopg", 'File "', "site-packages")
# SQL shows up upper-case in driver errors; "selection" in GraphQL's own messages is fine.
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")
FILE_PATH = re.compile(r"(/[\w.-]+){2,}\.py|[A-Za-z]:\\[\w\\.-]+\.py|\.py\b")


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def assert_clean(string: str) -> None:
    for leak in LEAKS:
        assert leak.lower() not in string.lower(), f"{leak!r} leaked: {string!r}"
    assert not SQL.search(string), f"SQL leaked: {string!r}"
    assert not FILE_PATH.search(string), f"file path leaked: {string!r}"


def assert_no_leak(body: Any, sent: Any = None) -> None:
    """Nothing in the errors (messages and extensions alike) betrays the implementation.
    What the client itself `sent` (its variables), quoted back in a coercion error, is not
    the server's to leak: a key '.py' of the client's own is no file path of ours."""
    echoed = sorted({s for s in strings_in(sent) if s}, key=len, reverse=True)
    for error in body.get("errors") or []:
        for string in strings_in(error):
            for own in echoed:
                string = string.replace(f"'{own}'", "''").replace(f'"{own}"', '""')
            assert_clean(string)
        assert "stacktrace" not in str(error.get("extensions", {})).lower()
        assert "exception" not in error.get("extensions", {})


async def refused_registration(
    api: Api, app: Any, variables: dict[str, Any], document: str = REGISTER
) -> dict[str, Any]:
    """The answer to a registration by 东湖村's handler that must fail: it wrote nothing (not
    even a case number) and leaked nothing."""
    await api.token(V11)  # logged in first, so only the registration is measured
    before = await footprint(app)
    body = await api.raw(document, variables, user=V11)
    assert_no_leak(body)
    assert await footprint(app) == before
    return body


def codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body["errors"]}


async def assert_refused_whole(api: Api, query: str, code: str) -> None:
    """The document is refused before anything runs: no data, errors of `code` only, and
    nothing of the server's insides in them."""
    body = await api.raw(query, user=V11)
    assert body.get("data") is None, body
    assert body["errors"]
    assert codes(body) == {code}, body
    assert_no_leak(body)


async def ids_by_code(api: Api, user: str = "county.leader") -> dict[str, str]:
    """Global ids of the demo's units and categories, keyed by code, as `user` sees them."""
    # Two requests, not two root fields in one: see test_several_root_fields_in_one_query.
    categories = await api.ok("{ categories { id code } }", user=user)
    tree = await api.ok(
        "{ me { unit { id code children { id code children { id code } } } } }", user=user
    )
    found = {f"category:{c['code']}": c["id"] for c in categories["categories"]}
    county = tree["me"]["unit"]
    found[f"unit:{county['code']}"] = county["id"]
    for township in county["children"]:
        found[f"unit:{township['code']}"] = township["id"]
        for village in township["children"]:
            found[f"unit:{village['code']}"] = village["id"]
    return found


def valid_input(ids: dict[str, str]) -> dict[str, Any]:
    return {
        "title": "楼上漏水引发邻里矛盾",
        "description": "群众反映：楼上漏水引发邻里矛盾，请尽快核实处理。",
        "categoryId": ids["category:DISPUTE.NEIGHBOR"],
        "channel": "VISIT",
        "locationUnitId": ids["unit:990100001001"],
        "partiesCount": 2,
        "reporter": {"name": "张三", "phone": "13812345678", "idNumber": "620102199001011233"},
    }


Patch = Callable[[dict[str, Any], dict[str, str]], None]


def set_(key: str, value: Any) -> Patch:
    def patch(data: dict[str, Any], _: dict[str, str]) -> None:
        data[key] = value

    return patch


def set_reporter(key: str, value: Any) -> Patch:
    def patch(data: dict[str, Any], _: dict[str, str]) -> None:
        data["reporter"][key] = value

    return patch


def set_id(key: str, id_key: str) -> Patch:
    """Put the global id of another object (e.g. a unit where a category belongs)."""

    def patch(data: dict[str, Any], ids: dict[str, str]) -> None:
        data[key] = ids[id_key]

    return patch


# Relay-style ids of objects that do not exist: base64 of "Category:999999" / "Unit:999999".
UNKNOWN_CATEGORY = "Q2F0ZWdvcnk6OTk5OTk5"
UNKNOWN_UNIT = "VW5pdDo5OTk5OTk"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        pytest.param(set_("title", "题" * 201), "title", id="title-201"),
        pytest.param(set_("title", ""), "title", id="title-empty"),
        pytest.param(set_("title", "  \n\t "), "title", id="title-blank"),
        pytest.param(set_("description", "述" * 10_001), "description", id="description-10001"),
        pytest.param(set_("description", " "), "description", id="description-blank"),
        pytest.param(set_("address", "址" * 501), "address", id="address-501"),
        pytest.param(set_reporter("phone", "12345"), "reporter.phone", id="phone-short"),
        pytest.param(set_reporter("phone", "12812345678"), "reporter.phone", id="phone-128"),
        pytest.param(set_reporter("phone", "phone"), "reporter.phone", id="phone-letters"),
        pytest.param(
            set_reporter("idNumber", "620102199001011234"),
            "reporter.idNumber",
            id="id-number-check-digit",
        ),
        pytest.param(
            set_reporter("idNumber", "62010219900101123"), "reporter.idNumber", id="id-number-17"
        ),
        pytest.param(set_reporter("name", "名" * 101), "reporter.name", id="name-101"),
        pytest.param(set_("categoryId", UNKNOWN_CATEGORY), "categoryId", id="category-unknown"),
        pytest.param(set_("categoryId", "garbage!"), "categoryId", id="category-garbage"),
        pytest.param(set_("categoryId", ""), "categoryId", id="category-empty"),
        pytest.param(
            set_id("categoryId", "unit:990100001001"), "categoryId", id="category-is-a-unit"
        ),
        pytest.param(
            set_id("categoryId", "other:category"), "categoryId", id="category-other-county"
        ),
        pytest.param(set_("locationUnitId", UNKNOWN_UNIT), "locationUnitId", id="unit-unknown"),
        pytest.param(set_("locationUnitId", "%%%"), "locationUnitId", id="unit-garbage"),
        pytest.param(
            set_id("locationUnitId", "category:CONSULT"),
            "locationUnitId",
            id="unit-is-a-category",
        ),
        pytest.param(
            set_id("locationUnitId", "other:unit"), "locationUnitId", id="unit-other-county"
        ),
        pytest.param(set_("partiesCount", 0), "partiesCount", id="parties-0"),
        pytest.param(set_("partiesCount", -3), "partiesCount", id="parties-negative"),
        pytest.param(set_("partiesCount", 10_001), "partiesCount", id="parties-10001"),
        pytest.param(set_("idempotencyKey", ""), "idempotencyKey", id="idempotency-key-empty"),
        pytest.param(set_("idempotencyKey", "k" * 201), "idempotencyKey", id="idempotency-key-201"),
    ],
)
async def test_register_bad_input(api: Api, app: Any, patch: Patch, field: str) -> None:
    ids = await ids_by_code(api)
    other = await ids_by_code(api, user="other.leader")
    ids["other:unit"] = other["unit:990200001001"]
    ids["other:category"] = next(v for k, v in other.items() if k.startswith("category:"))
    data = valid_input(ids)
    patch(data, ids)

    body = await refused_registration(api, app, {"input": data})

    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field, error
    assert error["message"]


async def test_valid_input_of_these_tests_registers(api: Api, app: Any) -> None:
    # Guards the table above: each case fails because of its patch, not the base input.
    before = await footprint(app)
    data = await api.ok(REGISTER, {"input": valid_input(await ids_by_code(api))}, user=V11)
    assert data["registerCase"]["case"]["number"]
    assert (await footprint(app))["cases"] == before["cases"] + 1


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        pytest.param(set_("title", "漏水\x00DROP"), "title", id="title-nul"),
        pytest.param(set_("description", "\x00"), "description", id="description-nul"),
        pytest.param(set_reporter("name", "张\x00三"), "reporter.name", id="name-nul"),
    ],
)
async def test_text_with_nul_is_bad_input(api: Api, app: Any, patch: Patch, field: str) -> None:
    # PostgreSQL cannot store U+0000 in text; that is the caller's malformed input,
    # not a server fault, and it must not burn a case number.
    ids = await ids_by_code(api)
    data = valid_input(ids)
    patch(data, ids)
    body = await refused_registration(api, app, {"input": data})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"].get("field") == field, error


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"input": {"title": "缺少字段"}}, id="missing-required-fields"),
        pytest.param({}, id="missing-variable"),
        pytest.param({"input": "not an object"}, id="wrong-type"),
    ],
)
async def test_malformed_variables_are_bad_input(
    api: Api, app: Any, variables: dict[str, Any]
) -> None:
    body = await refused_registration(api, app, variables)
    assert body["errors"]
    assert codes(body) == {"BAD_USER_INPUT"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("partiesCount", 2**31, id="parties-beyond-int32"),
        pytest.param("partiesCount", "three", id="parties-not-a-number"),
        pytest.param("channel", "PIGEON", id="unknown-channel"),
        pytest.param("riskLevel", "PURPLE", id="unknown-risk"),
        pytest.param("occurredAt", "yesterday", id="bad-datetime"),
    ],
)
async def test_values_the_schema_rejects_are_bad_input(
    api: Api, app: Any, field: str, value: Any
) -> None:
    data = valid_input(await ids_by_code(api))
    data[field] = value
    body = await refused_registration(api, app, {"input": data})
    assert body["errors"]
    assert codes(body) == {"BAD_USER_INPUT"}, body


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ categories { code } me { username } }", id="categories-and-me"),
        pytest.param(
            '{ a: unitByCode(code: "990100") { code } b: unitByCode(code: "990100001") { code } }',
            id="two-aliased-units",
        ),
    ],
)
async def test_several_root_fields_in_one_query(api: Api, query: str) -> None:
    # Sibling root fields are resolved concurrently; a valid query must still be answered,
    # never with INTERNAL_SERVER_ERROR.
    body = await api.raw(query, user="county.leader")
    assert_no_leak(body)
    assert not body.get("errors"), body["errors"]
    assert all(value is not None for value in body["data"].values())


# --- authentication ---------------------------------------------------------------------


async def post(api: Api, query: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.client.post("/graphql", json={"query": query}, headers=headers)
    body: dict[str, Any] = response.json()
    return body


def forged(key: str, **claims: Any) -> str:
    payload = {"sub": "1", "iss": "yidi", "exp": 4_102_444_800, **claims}  # exp: year 2100
    return jwt.encode(payload, key, algorithm="HS256")


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param("", id="empty-header"),
        pytest.param("Bearer", id="bearer-without-token"),
        pytest.param("Bearer    ", id="bearer-blank"),
        pytest.param("Bearer garbage", id="garbage-token"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic-auth"),
        pytest.param("Bearer " + forged("another-secret-another-secret-0000"), id="wrong-key"),
        pytest.param("Bearer " + forged(SECRET, iss="someone-else"), id="wrong-issuer"),
        pytest.param("Bearer " + forged(SECRET, sub="999999"), id="unknown-user"),
        pytest.param("Bearer " + forged(SECRET, sub="not-a-number"), id="bad-subject"),
        # An unsigned token ({"alg": "none"}) claiming to be user 1.
        pytest.param(
            "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
            "eyJzdWIiOiIxIiwiaXNzIjoieWlkaSIsImV4cCI6NDEwMjQ0NDgwMH0.",
            id="alg-none",
        ),
    ],
)
async def test_me_without_a_valid_token_is_unauthenticated(
    api: Api, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    body = await post(api, ME, headers)
    assert body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED", error
    assert_no_leak(body)


async def test_register_without_a_token_is_unauthenticated(api: Api, app: Any) -> None:
    data = valid_input(await ids_by_code(api))
    before = await footprint(app)
    error = await api.error(REGISTER, {"input": data})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert await footprint(app) == before


DISPATCH = "mutation($input: DispatchCaseInput!) { dispatchCase(input: $input) { case { id } } }"


async def test_a_case_action_authenticates_before_it_reads_its_input(api: Api) -> None:
    """Nothing about the input is judged for a caller who has not signed in."""
    error = await api.error(DISPATCH, {"input": {"caseId": "bad", "unitId": "bad"}})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_case_action_names_the_case_id_first(api: Api) -> None:
    """Ids are read in the order of the input: the case, then what the action names."""
    error = await api.error(
        DISPATCH, {"input": {"caseId": "bad", "unitId": "bad"}}, user="county.leader"
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "caseId"}


async def test_token_expires_after_eight_hours(api: Api, clock: Clock) -> None:
    issued = clock.current
    token = await api.token("v11.handler")
    headers = {"authorization": f"Bearer {token}"}

    clock.current = issued + timedelta(hours=8) - timedelta(seconds=1)
    assert (await post(api, ME, headers))["data"] == {"me": {"username": "v11.handler"}}

    clock.current = issued + timedelta(hours=8, seconds=1)
    body = await post(api, ME, headers)
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert_no_leak(body)


async def test_login_reports_its_expiry(api: Api, clock: Clock) -> None:
    data = await api.ok(LOGIN, {"u": "v11.handler", "p": DEMO_PASSWORD})
    expires = data["login"]["expiresAt"].replace("Z", "+00:00")
    assert datetime.fromisoformat(expires) == clock.current + timedelta(hours=8)


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("v11.handler", "wrong-password", id="wrong-password"),
        pytest.param("v11.handler", "", id="empty-password"),
        pytest.param("nobody.here", DEMO_PASSWORD, id="unknown-user"),
        pytest.param("", "", id="empty-both"),
        pytest.param("V11.HANDLER", DEMO_PASSWORD, id="username-other-case"),
    ],
)
async def test_bad_login_is_unauthenticated_and_reveals_nothing(
    api: Api, username: str, password: str
) -> None:
    reference = await api.error(LOGIN, {"u": "nobody.at.all", "p": "whatever"})
    body = await api.raw(LOGIN, {"u": username, "p": password})
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    # Same answer for a wrong password as for an unknown user: no username enumeration.
    assert error["message"] == reference["message"]
    assert error["extensions"] == reference["extensions"]
    assert_no_leak(body)


# --- malformed and abusive documents ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ me { username ", id="syntax-unclosed"),
        pytest.param("query { me { username } } }", id="syntax-extra-brace"),
        pytest.param("cases where status = open", id="not-graphql"),
        pytest.param("{ me { password } }", id="unknown-field"),
        pytest.param("{ nothingHere }", id="unknown-root-field"),
        pytest.param('{ unit(code: "990100") { id } }', id="unknown-argument"),
        pytest.param("{ me }", id="missing-selection"),
        pytest.param("query A { me { username } } query A { me { id } }", id="duplicate-op"),
        pytest.param("{ me { username @nonsense } }", id="unknown-directive"),
    ],
)
async def test_invalid_documents_are_bad_input(api: Api, query: str) -> None:
    await assert_refused_whole(api, query, "BAD_USER_INPUT")


def nested_parents(levels: int) -> str:
    selection = "code"
    for _ in range(levels):
        selection = f"parent {{ {selection} }}"
    return f'{{ unitByCode(code: "990100001001") {{ {selection} }} }}'


def case_event_cycle(rounds: int) -> str:
    """cases → events → node → case → events …: the graph's own cycle, `rounds` times."""
    selection = "type"
    for _ in range(rounds):
        selection = f"case {{ events {{ edges {{ node {{ {selection} }} }} }} }}"
    events = f"events {{ edges {{ node {{ {selection} }} }} }}"
    return f"{{ cases(first: 1) {{ edges {{ node {{ {events} }} }} }} }}"


async def test_moderately_nested_query_is_answered(api: Api) -> None:
    # 10 levels under the root field: deep enough for any real screen, within the limit.
    data = await api.ok(nested_parents(9), user="v11.handler")
    assert data["unitByCode"] is not None


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(nested_parents(20), id="unit-parent-chain"),
        pytest.param(case_event_cycle(4), id="case-events-cycle"),
        pytest.param(
            "query { ...A } fragment A on Query { me { unit { ...U } } } "
            "fragment U on Unit { parent { parent { parent { parent { parent { parent "
            "{ parent { parent { parent { parent { parent { parent { parent { code "
            "} } } } } } } } } } } } } }",
            id="through-fragments",
        ),
    ],
)
async def test_too_deep_queries_are_refused(api: Api, query: str) -> None:
    await assert_refused_whole(api, query, "QUERY_TOO_COMPLEX")


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


async def test_thirty_aliases_are_fine(api: Api) -> None:
    data = await api.ok(aliased(30), user="v11.handler")
    assert len(data) == 30


@pytest.mark.parametrize("count", [31, 200], ids=["31", "200"])
async def test_too_many_aliases_are_refused(api: Api, count: int) -> None:
    await assert_refused_whole(api, aliased(count), "QUERY_TOO_COMPLEX")


async def test_too_many_aliases_in_a_mutation_write_nothing(api: Api, app: Any) -> None:
    # Forty registrations in one document must be refused before any of them runs.
    ids = await ids_by_code(api)
    fields = " ".join(f"r{i}: registerCase(input: $input) {{ trackingCode }}" for i in range(40))
    document = f"mutation($input: RegisterCaseInput!) {{ {fields} }}"
    body = await refused_registration(api, app, {"input": valid_input(ids)}, document)
    assert codes(body) == {"QUERY_TOO_COMPLEX"}, body


async def test_too_many_tokens_are_refused(api: Api) -> None:
    # Without aliases or depth: a flat document of more than 5 000 tokens.
    await assert_refused_whole(api, "{ " + "__typename " * 6000 + "}", "QUERY_TOO_COMPLEX")


# --- transport -----------------------------------------------------------------------------


async def test_get_with_a_query_works(api: Api) -> None:
    response = await api.client.get("/graphql", params={"query": "{__typename}"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def inline_register(ids: dict[str, str]) -> str:
    return (
        "mutation Sneaky { registerCase(input: {"
        ' title: "GET请求", description: "不应执行",'
        f' categoryId: "{ids["category:CONSULT"]}", channel: VISIT,'
        f' locationUnitId: "{ids["unit:990100001001"]}",'
        ' reporter: { name: "张三" } }) { trackingCode } }'
    )


@pytest.mark.parametrize("operation_name", [None, "Sneaky"], ids=["single", "named"])
async def test_get_with_a_mutation_is_refused(
    api: Api, app: Any, operation_name: str | None
) -> None:
    ids = await ids_by_code(api)
    token = await api.token("v11.handler")
    document = inline_register(ids)
    if operation_name:
        # A harmless query next to the mutation must not smuggle it through.
        document = "query Harmless { __typename } " + document
    params = {"query": document}
    if operation_name:
        params["operationName"] = operation_name
    before = await footprint(app)
    response = await api.client.get(
        "/graphql", params=params, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code in (400, 405), response.text
    assert "trackingCode" not in response.text
    assert await footprint(app) == before
    # The same mutation over POST does run, so the refusal above is about the method.
    body = await api.raw(document, user="v11.handler") if not operation_name else None
    if body is not None:
        assert body["data"]["registerCase"]["trackingCode"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"json": {"query": ""}}, id="empty-query"),
        pytest.param({"json": {}}, id="no-query"),
        pytest.param(
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            id="not-json",
        ),
        pytest.param({"json": {"query": "{ __typename }", "variables": "x"}}, id="bad-variables"),
    ],
)
async def test_malformed_requests_are_client_errors(
    api: Api, request_kwargs: dict[str, Any]
) -> None:
    response = await api.client.post("/graphql", **request_kwargs)
    assert response.status_code == 400
    assert_clean(response.text)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_health_endpoints(api: Api, path: str) -> None:
    response = await api.client.get(path)
    assert response.status_code == 200


def test_what_the_client_sent_is_not_a_leak_but_the_rest_still_is() -> None:
    echoed = {"errors": [{"message": "Variable '$input' got invalid value {'.py': 1}"}]}
    assert_no_leak(echoed, sent={".py": 1})
    with pytest.raises(AssertionError, match="file path leaked"):
        assert_no_leak(echoed)
    leaked = {"errors": [{"message": "at /srv/yidi/persistence/cases.py line 3 {'.py': 1}"}]}
    with pytest.raises(AssertionError, match="file path leaked"):
        assert_no_leak(leaked, sent={".py": 1})
