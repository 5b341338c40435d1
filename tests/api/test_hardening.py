"""Regressions from trying the service as an attacker would: each input here once made the
server answer wrongly (a 500, a second name for one object) or stall."""

import asyncio
import base64
import json
import threading
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest

from tests.support.clock import Clock
from tests.support.demo import LEADER
from tests.support.driver import Api
from tests.support.secret import SECRET
from yidi.services import auth

CASE = "query($id: ID!) { case(id: $id) { id } }"
ASSESS = "mutation($input: AssessCaseInput!) { assessCase(input: $input) { case { id } } }"


def raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_the_canonical_id_still_finds_its_case(api: Api) -> None:
    first = await api.ok("{ cases(first: 1) { edges { node { id } } } }", user=LEADER)
    case_id = first["cases"]["edges"][0]["node"]["id"]
    assert (await api.ok(CASE, {"id": case_id}, user=LEADER))["case"] == {"id": case_id}


@pytest.mark.parametrize(
    "alias",
    [
        raw_id("Case:01"),
        raw_id("Case:+1"),
        raw_id("Case:1_0"),
        raw_id("Case: 1"),
        raw_id("Case:١"),  # an Arabic-Indic digit one
        raw_id("Case:１"),  # a full-width digit one
        raw_id("Case:1") + "==",  # padding our ids never carry
    ],
)
async def test_an_object_has_one_id_only(api: Api, alias: str) -> None:
    assert (await api.ok(CASE, {"id": alias}, user=LEADER))["case"] is None
    error = await api.error(ASSESS, {"input": {"caseId": alias}}, user=LEADER)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "caseId"}


@pytest.mark.parametrize("subject", ["99999999999999999999", "0", "-5"])
async def test_a_signed_token_for_an_impossible_user_is_unauthenticated(
    api: Api, clock: Clock, subject: str
) -> None:
    claims = {"sub": subject, "iss": "yidi", "exp": clock.current + timedelta(hours=1)}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    response = await api.client.post(
        "/graphql",
        json={"query": "{ me { username } }"},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_password_checks_leave_the_event_loop_free(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login's Argon2 check runs beside the event loop: a health check sent while a slow
    check is under way is answered before the login is."""
    checking = threading.Event()
    real = auth._hasher

    class SlowHasher:
        def verify(self, stored: str, password: str) -> bool:
            checking.set()
            time.sleep(0.5)  # blocks whichever thread runs it
            return real.verify(stored, password)

    monkeypatch.setattr(auth, "_hasher", SlowHasher())
    finished: list[str] = []

    async def login() -> None:
        await api.raw('mutation { login(username: "county.leader", password: "wrong") { token } }')
        finished.append("login")

    async def health() -> None:
        while not checking.is_set():
            await asyncio.sleep(0.01)
        assert (await api.client.get("/healthz")).status_code == 200
        finished.append("healthz")

    await asyncio.gather(login(), health())
    assert finished == ["healthz", "login"]


LONE_SURROGATE = "\ud800"


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (
            "query($s: String!) { cases(filter: {search: $s}) { totalCount } }",
            {"s": f"a{LONE_SURROGATE}"},
            "variables.s",
        ),
        (
            "query($c: String!) { unitByCode(code: $c) { id } }",
            {"c": LONE_SURROGATE},
            "variables.c",
        ),
        (
            'query($t: String!) { trackCase(trackingCode: $t, phoneLast4: "1234") { number } }',
            {"t": LONE_SURROGATE},
            "variables.t",
        ),
        (
            'mutation($p: String!) { login(username: "county.leader", password: $p) { token } }',
            {"p": LONE_SURROGATE},
            "variables.p",
        ),
        # In the document itself it is a syntax error: bad input, no field to name.
        ('{ unitByCode(code: "\\ud800") { id } }', {}, None),
        ('{ unitByCode(code: "' + LONE_SURROGATE + '") { id } }', {}, None),
    ],
)
async def test_text_that_is_not_unicode_is_bad_input(
    api: Api, query: str, variables: dict[str, Any], field: str | None
) -> None:
    """JSON may carry a lone surrogate; it is refused naming where, never a server error."""
    # Sent as a client may: JSON with the surrogate escaped, as json.dumps writes it.
    body = json.dumps({"query": query, "variables": variables})
    response = await api.client.post(
        "/graphql",
        content=body,
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {await api.token(LEADER)}",
        },
    )
    (error,) = response.json()["errors"]
    expected = {"code": "BAD_USER_INPUT"} | ({"field": field} if field else {})
    assert error["extensions"] == expected
