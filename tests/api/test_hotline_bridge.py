"""The 12345 hotline bridge (docs/HOTLINE.md): signed work orders register a case once;
unsigned, stale, replayed or malformed ones change nothing; the case's acceptance,
resolution and closure are owed back as callbacks, delivered in order and retried."""

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, global_id, inputs_for
from tests.support.sql import rows, scalar
from yidi.domain.hotline import signature
from yidi.services import hotline
from yidi.services.hotline_delivery import deliver_due

ORDERS = "/hotline/12345/orders"
CALLBACK_URL = "https://hotline.example/callbacks"
RETRY_BASE = timedelta(seconds=5)


def order(**overrides: Any) -> dict[str, Any]:
    return {
        "orderId": f"12345-{uuid.uuid4().hex[:12]}",
        "title": "小区路灯不亮",
        "content": "东湖村三组路灯已坏一周，夜间出行不便。",
        "locationCode": "990100001001",
        "address": "东湖村三组",
        "caller": {"name": "王女士", "phone": "13900001234"},
        **overrides,
    }


class Platform:
    """The hotline platform's side: signs what it pushes."""

    def __init__(self, api: Api, clock: Clock, secret: str) -> None:
        self.api, self.clock, self.secret = api, clock, secret

    async def push(
        self,
        body: dict[str, Any] | bytes,
        *,
        nonce: str | None = None,
        at: datetime | None = None,
        secret: str | None = None,
        county: str = "990100",
    ) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        timestamp = str(int((at or self.clock.current).timestamp()))
        nonce = nonce or uuid.uuid4().hex
        headers = {
            "content-type": "application/json",
            "x-hotline-county": county,
            "x-hotline-timestamp": timestamp,
            "x-hotline-nonce": nonce,
            "x-hotline-signature": signature(secret or self.secret, timestamp, nonce, raw),
        }
        return await self.api.client.post(ORDERS, content=raw, headers=headers)


@pytest.fixture
async def platform(api: Api, app: Starlette, clock: Clock) -> Platform:
    secret = await hotline.configure(app.state.yidi.uow, "990100", CALLBACK_URL, new_secret=True)
    assert secret is not None
    return Platform(api, clock, secret)


async def case_of(app: Starlette, number: str) -> str:
    """The global id of the case with `number`."""
    return global_id("Case", await scalar(app, "SELECT id FROM cases WHERE number = :n", n=number))


async def case_count(app: Starlette) -> int:
    return int(await scalar(app, "SELECT count(*) FROM cases"))


async def test_a_signed_order_registers_one_case_and_its_resends_get_it_back(
    platform: Platform, api: Api, app: Starlette
) -> None:
    body = order(categoryCode="LIVELIHOOD.ROAD")
    first = await platform.push(body)
    assert first.status_code == 201, first.text
    number = first.json()["caseNumber"]
    assert first.json() == {"orderId": body["orderId"], "caseNumber": number}
    before = await case_count(app)
    again = await platform.push(body)  # the platform resends (a new nonce, as it must)
    assert again.status_code == 200
    assert again.json()["caseNumber"] == number
    assert await case_count(app) == before

    found = await api.ok(
        "query($n: String!) { caseByNumber(number: $n) { channel title status category { code } "
        "locationUnit { code } reporter { phone } events(first: 5) { edges { node { type } } } } }",
        {"n": number},
        user=LEADER,
    )
    case = found["caseByNumber"]
    assert case["channel"] == "HOTLINE_12345"
    assert case["title"] == body["title"]
    assert case["status"] == "REGISTERED"
    assert case["category"]["code"] == "LIVELIHOOD.ROAD"
    assert case["locationUnit"]["code"] == "990100001001"
    assert case["reporter"]["phone"] == "13900001234"
    assert [e["node"]["type"] for e in case["events"]["edges"]] == ["REGISTERED"]


async def test_unsigned_stale_and_replayed_requests_change_nothing(
    platform: Platform, app: Starlette, clock: Clock
) -> None:
    before = await case_count(app)
    refused = [
        await platform.push(order(), secret="not-the-secret"),
        await platform.push(order(), county="990200"),  # a county with no link
        await platform.push(order(), county="990100001"),  # not a county
        await platform.push(order(), at=clock.current - timedelta(minutes=6)),
        await platform.push(order(), at=clock.current + timedelta(minutes=6)),
        await platform.push(order(), nonce="short"),
    ]
    for response in refused:
        assert response.status_code == 401, response.text
        assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}

    nonce = uuid.uuid4().hex
    body = order()
    assert (await platform.push(body, nonce=nonce)).status_code == 201
    replay = await platform.push(body, nonce=nonce)
    assert replay.status_code == 409
    assert replay.json()["errors"][0]["extensions"] == {"code": "CONFLICT"}
    assert await case_count(app) == before + 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[1, 2]", "body"),
        ({k: v for k, v in order().items() if k != "orderId"}, "orderId"),
        (order(orderId="x" * 65), "orderId"),
        (order(title="  "), "title"),
        (order(locationCode="990200001001"), "locationCode"),  # another county's village
        (order(locationCode="990100"), "locationCode"),  # the county itself
        (order(caller={"name": "王女士"}), "caller.phone"),
        (order(caller="王女士"), "caller"),
        (order(categoryCode="NO.SUCH"), "categoryCode"),
    ],
)
async def test_a_malformed_order_names_its_field_and_changes_nothing(
    platform: Platform, app: Starlette, body: dict[str, Any] | bytes, field: str
) -> None:
    before = await case_count(app)
    response = await platform.push(body)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await case_count(app) == before


class Receiver:
    """The platform's callback endpoint: answers from a script, records every request."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[str, bytes, dict[str, str]]] = []

    async def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        self.requests.append((url, body, headers))
        return self.statuses.pop(0) if self.statuses else 200


async def test_acceptance_resolution_and_closure_are_called_back_in_order(
    platform: Platform, api: Api, app: Starlette, clock: Clock
) -> None:
    body = order()
    number = (await platform.push(body)).json()["caseNumber"]
    case_id = global_id(
        "Case", await scalar(app, "SELECT id FROM cases WHERE number = :n", n=number)
    )
    life = await Lifecycle.create(api, app)
    await life.do("ACCEPT", case_id, V11, inputs_for("ACCEPT"))
    await life.do("RESOLVE", case_id, V11, inputs_for("RESOLVE"))
    await life.do("CLOSE", case_id, LEADER, inputs_for("CLOSE"))
    owed = await rows(app, "SELECT kind, state FROM hotline_callbacks ORDER BY id")
    assert [tuple(r) for r in owed] == [
        ("ACCEPTED", "PENDING"),
        ("RESOLVED", "PENDING"),
        ("CLOSED", "PENDING"),
    ]

    receiver = Receiver()
    uow = app.state.yidi.uow
    while await deliver_due(uow, receiver, clock.current, RETRY_BASE):
        pass
    sent = [json.loads(b) for _, b, _ in receiver.requests]
    assert [s["event"] for s in sent] == ["ACCEPTED", "RESOLVED", "CLOSED"]
    assert {s["orderId"] for s in sent} == {body["orderId"]}
    assert {s["caseNumber"] for s in sent} == {number}
    assert sent[1]["resolutionSummary"] == inputs_for("RESOLVE")["summary"]
    for url, raw, headers in receiver.requests:
        assert url == CALLBACK_URL
        expected = signature(
            platform.secret, headers["x-hotline-timestamp"], headers["x-hotline-nonce"], raw
        )
        assert headers["x-hotline-signature"] == expected
    keys = [headers["idempotency-key"] for _, _, headers in receiver.requests]
    assert len(set(keys)) == 3
    states = await rows(app, "SELECT state, attempts FROM hotline_callbacks ORDER BY id")
    assert [tuple(r) for r in states] == [("DELIVERED", 1)] * 3


async def test_a_failing_platform_is_retried_with_growing_waits(
    platform: Platform, api: Api, app: Starlette, clock: Clock
) -> None:
    number = (await platform.push(order())).json()["caseNumber"]
    case_id = global_id(
        "Case", await scalar(app, "SELECT id FROM cases WHERE number = :n", n=number)
    )
    await (await Lifecycle.create(api, app)).do("ACCEPT", case_id, V11, inputs_for("ACCEPT"))
    receiver, uow, start = Receiver(500, 503), app.state.yidi.uow, clock.current

    assert await deliver_due(uow, receiver, start, RETRY_BASE) == 0
    assert await deliver_due(uow, receiver, start + timedelta(seconds=4), RETRY_BASE) == 0
    assert len(receiver.requests) == 1  # not due again before its wait
    assert await deliver_due(uow, receiver, start + timedelta(seconds=5), RETRY_BASE) == 0
    assert await deliver_due(uow, receiver, start + timedelta(seconds=14), RETRY_BASE) == 0
    assert len(receiver.requests) == 2  # the second wait is twice the first
    assert await deliver_due(uow, receiver, start + timedelta(seconds=15), RETRY_BASE) == 1
    assert len(receiver.requests) == 3
    state = await rows(app, "SELECT state, attempts, last_error FROM hotline_callbacks")
    assert [tuple(r) for r in state] == [("DELIVERED", 3, "HTTP 503")]


async def test_the_callbacks_are_the_county_admins_to_see(
    platform: Platform, api: Api, app: Starlette
) -> None:
    number = (await platform.push(order())).json()["caseNumber"]
    case_id = global_id(
        "Case", await scalar(app, "SELECT id FROM cases WHERE number = :n", n=number)
    )
    await (await Lifecycle.create(api, app)).do("ACCEPT", case_id, V11, inputs_for("ACCEPT"))
    query = "{ hotlineCallbacks { orderId kind state attempts case { number } } }"
    (callback,) = (await api.ok(query, user="county.admin"))["hotlineCallbacks"]
    assert callback["kind"] == "ACCEPTED"
    assert callback["state"] == "PENDING"
    assert callback["attempts"] == 0
    assert callback["case"] == {"number": number}  # as `case` answers the admin
    pending = await api.ok("{ hotlineCallbacks(state: DELIVERED) { kind } }", user="county.admin")
    assert pending["hotlineCallbacks"] == []
    for user in (LEADER, V11, "other.leader"):
        error = await api.error(query, user=user)
        assert error["extensions"]["code"] == "FORBIDDEN", user
