"""Open311 GeoReport v2 (docs/OPEN311.md): a filed request is a resident's submitRequest on
channel OPEN311; following it needs trackCase's proof and shows no more than trackCase;
every refusal has the spec's shape and changes nothing."""

import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import COUNTY, OTHER_COUNTY, OTHER_VILLAGE, XILING_VILLAGE
from tests.support.deployment import demo_settings
from tests.support.driver import Api, in_process
from tests.support.lifecycle import Lifecycle, global_id
from tests.support.open311 import (
    LAST4,
    PHONE,
    SERVICE,
    Open311Client,
    case_count,
    issue_key,
    refusal,
    request_form,
)
from tests.support.sql import rows, scalar
from yidi.config import Settings
from yidi.domain.numbering import hash_tracking_code
from yidi.services import open311

STAFF_VIEW = """query($n: String!) { caseByNumber(number: $n) { id channel title description
  status address category { code } locationUnit { code } reporter { name phone }
  events(first: 5) { edges { node { type } } } } }"""
SUMMARY = "已更换灯具，恢复照明。"


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """The configured limits, unless a test asks for others through indirect parametrize."""
    overrides: dict[str, Any] = getattr(request, "param", {})
    return demo_settings(**overrides)


@pytest.fixture
async def kiosk(api: Api, app: Starlette) -> Open311Client:
    return Open311Client(api.client, await issue_key(app))


@pytest.fixture
async def elsewhere(app: Starlette) -> AsyncIterator[Open311Client]:
    """Another client address, holding the other county's key."""
    async with in_process(app, address=("10.0.0.9", 123)) as other:
        yield Open311Client(other.client, await issue_key(app, OTHER_COUNTY))


async def number_of(app: Starlette, tracking_code: str) -> str:
    """The case number of a service_request_id (only its hash is stored)."""
    return str(
        await scalar(
            app,
            "SELECT number FROM cases WHERE tracking_code_hash = :h",
            h=hash_tracking_code(tracking_code),
        )
    )


async def test_a_filed_request_is_a_case_on_channel_open311(
    kiosk: Open311Client, api: Api, app: Starlette
) -> None:
    response = await kiosk.file()
    assert response.status_code == 200, response.text
    [filed] = response.json()
    number = await number_of(app, filed["service_request_id"])
    assert number in filed["service_notice"]
    assert filed["account_id"] is None

    case = (await api.ok(STAFF_VIEW, {"n": number}, user="county.leader"))["caseByNumber"]
    assert case["channel"] == "OPEN311"
    assert case["title"] == "东湖村三组路灯已坏一周，夜间出行不便。"
    assert case["description"] == request_form()["description"]
    assert case["address"] == "东湖村三组 (30.512300,114.301200)"
    assert case["category"]["code"] == SERVICE
    assert case["locationUnit"]["code"] == request_form()["attribute[village]"]
    assert case["reporter"] == {"name": "王芳", "phone": PHONE}
    assert [e["node"]["type"] for e in case["events"]["edges"]] == ["REGISTERED"]


async def test_a_resend_with_its_idempotency_key_gets_the_same_request(
    kiosk: Open311Client, app: Starlette
) -> None:
    first = await kiosk.filed(idempotency_key="kiosk-7-0001")
    before = await case_count(app)
    again = await kiosk.filed(idempotency_key="kiosk-7-0001")
    assert again == first
    assert await case_count(app) == before


async def test_following_a_request_shows_its_progress_and_outcome(
    kiosk: Open311Client, api: Api, app: Starlette, clock: Clock
) -> None:
    request_id = await kiosk.filed()
    [opened] = (await kiosk.one(request_id)).json()
    assert opened["status"] == "open"
    assert opened["status_notes"] == "受理登记"
    assert opened["agency_responsible"] == "东湖村"

    case_id = global_id(
        "Case",
        int(
            await scalar(
                app, "SELECT id FROM cases WHERE number = :n", n=await number_of(app, request_id)
            )
        ),
    )
    lifecycle = Lifecycle(api, app)
    clock.current += timedelta(hours=2)
    await lifecycle.do("ACCEPT", case_id, "v11.handler", {})
    await lifecycle.do("RESOLVE", case_id, "v11.handler", {"outcome": "SOLVED", "summary": SUMMARY})

    answer = await kiosk.one(request_id.lower())  # codes are read in any case
    [resolved] = answer.json()
    assert resolved["service_request_id"] == request_id
    assert resolved["status"] == "closed"  # RESOLVED is not open (docs/OPEN311.md)
    assert resolved["status_notes"] == SUMMARY
    assert resolved["updated_datetime"] > opened["updated_datetime"]
    listed = await kiosk.get("requests.json", service_request_id=request_id, phone_last4=LAST4)
    assert listed.json() == answer.json()


async def test_a_reply_carries_nothing_tracking_withholds(
    kiosk: Open311Client, app: Starlette
) -> None:
    """No reporter data, description, address or coordinates, however they were filed."""
    request_id = await kiosk.filed()
    text = (await kiosk.one(request_id)).text
    form = request_form()
    for private in (PHONE, "王芳", "芳", form["description"], form["address_string"], "30.5123"):
        assert private not in text, private


async def test_a_wrong_proof_and_an_unknown_id_look_the_same(kiosk: Open311Client) -> None:
    request_id = await kiosk.filed()
    wrong_phone = await kiosk.one(request_id, last4="0000")
    unknown = await kiosk.one("ZZZZZZZZZZZZ")
    assert refusal(wrong_phone, 404) == refusal(unknown, 404)
    assert wrong_phone.json() == unknown.json()
    listed = await kiosk.get("requests.json", service_request_id=request_id, phone_last4="0000")
    assert listed.status_code == 200
    assert listed.json() == []


async def test_no_request_is_ever_listed_without_its_id_and_proof(
    kiosk: Open311Client,
) -> None:
    await kiosk.filed()
    unlisted = await kiosk.get("requests.json", jurisdiction_id=COUNTY)
    assert "service_request_id" in refusal(unlisted, 400)
    no_proof = await kiosk.get("requests.json", service_request_id="ZZZZZZZZZZZZ")
    assert "phone_last4" in refusal(no_proof, 400)


async def test_another_countys_request_is_never_visible(
    kiosk: Open311Client, elsewhere: Open311Client
) -> None:
    ours = await kiosk.filed()
    theirs = await elsewhere.filed(
        jurisdiction_id=OTHER_COUNTY, service_code=SERVICE, **{"attribute[village]": OTHER_VILLAGE}
    )
    # Its own proof, but asked under our jurisdiction: as absent as an unknown id.
    refusal(await elsewhere.one(theirs, jurisdiction_id=COUNTY), 404)
    both = await kiosk.get(
        "requests.json",
        service_request_id=f"{ours},{theirs}",
        phone_last4=LAST4,
        jurisdiction_id=COUNTY,
    )
    assert [r["service_request_id"] for r in both.json()] == [ours]
    # Our key files nothing in their county, nor at their villages.
    refusal(await kiosk.file(request_form(jurisdiction_id=OTHER_COUNTY)), 403)
    refusal(await kiosk.file(request_form(jurisdiction_id="999999")), 403)
    stray = await kiosk.file(request_form(**{"attribute[village]": OTHER_VILLAGE}))
    assert "attribute[village]" in refusal(stray, 400)


@pytest.mark.parametrize(
    ("key", "status"),
    [
        pytest.param(None, 403, id="missing"),
        pytest.param("o311_not-a-key", 403, id="unknown"),
    ],
)
async def test_posts_without_a_valid_key_are_refused(
    api: Api, app: Starlette, key: str | None, status: int
) -> None:
    before = await case_count(app)
    form = request_form() if key is None else {**request_form(), "api_key": key}
    response = await api.client.post("/open311/v2/requests.json", data=form)
    assert "api_key" in refusal(response, status)
    assert await case_count(app) == before


async def test_a_revoked_key_stops_working_at_once(kiosk: Open311Client, app: Starlette) -> None:
    await kiosk.filed()
    [key] = await open311.keys(app.state.yidi.uow, COUNTY)
    await open311.revoke_key(app.state.yidi.uow, key.id)
    assert "api_key" in refusal(await kiosk.file(), 403)
    assert (await open311.keys(app.state.yidi.uow, COUNTY))[0].revoked_at is not None


@pytest.mark.parametrize(
    ("form", "field"),
    [
        pytest.param({"service_code": ""}, "service_code", id="no-service"),
        pytest.param({"service_code": "NO.SUCH"}, "service_code", id="unknown-service"),
        pytest.param({"attribute[village]": ""}, "attribute[village]", id="no-village"),
        pytest.param(
            {"attribute[village]": XILING_VILLAGE[:9] + "9"},
            "attribute[village]",
            id="unknown-village",
        ),
        pytest.param({"attribute[village]": "990100901"}, "attribute[village]", id="department"),
        pytest.param({"attribute[village]": "990100001001\x00"}, "attribute[village]", id="nul"),
        pytest.param({"service_code": "LIVELIHOOD.ROAD\x00"}, "service_code", id="nul-service"),
        pytest.param({"description": " "}, "description", id="no-description"),
        pytest.param({"description": "x" * 10_001}, "description", id="long-description"),
        pytest.param({"phone": ""}, "phone", id="no-phone"),
        pytest.param({"phone": "12345"}, "phone", id="bad-phone"),
        pytest.param({"lat": "north"}, "lat", id="bad-lat"),
        pytest.param({"address_string": "a" * 600}, "address_string", id="long-address"),
    ],
)
async def test_bad_forms_are_refused_naming_the_field(
    kiosk: Open311Client, app: Starlette, form: dict[str, str], field: str
) -> None:
    before = await case_count(app)
    description = refusal(await kiosk.file(request_form(**form)), 400)
    assert description.startswith(field), description
    assert await case_count(app) == before


async def test_a_post_that_is_not_form_encoded_is_refused(
    kiosk: Open311Client, api: Api, app: Starlette
) -> None:
    before = await case_count(app)
    as_json = await api.client.post(
        "/open311/v2/requests.json", json={"api_key": kiosk.api_key, **request_form()}
    )
    assert "Content-Type" in refusal(as_json, 400)
    assert await case_count(app) == before


@pytest.mark.parametrize("settings", [{"submit_per_10min": 2}], indirect=True)
async def test_posts_share_submit_requests_rate_limit(
    kiosk: Open311Client, api: Api, app: Starlette, clock: Clock
) -> None:
    submit = "mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { trackingCode } }"
    village = global_id(
        "Unit",
        int(
            await scalar(
                app, "SELECT id FROM units WHERE code = :c", c=request_form()["attribute[village]"]
            )
        ),
    )
    await kiosk.filed()
    await api.ok(
        submit,
        {
            "i": {
                "title": "路灯",
                "description": "路灯不亮",
                "locationUnitId": village,
                "reporter": {"phone": PHONE},
            }
        },
    )
    before = await case_count(app)
    limited = await kiosk.file()
    refusal(limited, 429)
    assert 0 < int(limited.headers["retry-after"]) <= 600
    assert await case_count(app) == before
    metrics = {
        f.name: f.samples
        for f in text_string_to_metric_families((await api.client.get("/metrics")).text)
    }
    [refusals] = [s for s in metrics["yidi_rate_limited"] if s.name.endswith("_total")]
    assert refusals.value == 1
    assert any(
        s.labels["path"] == "/open311" and s.labels["outcome"] == "http_429"
        for s in metrics["yidi_requests"]
    )
    clock.current += timedelta(minutes=10)
    await kiosk.filed()


@pytest.mark.parametrize("settings", [{"track_misses_per_15min": 2}], indirect=True)
async def test_guessing_ids_locks_the_address_out_as_tracking_does(
    kiosk: Open311Client,
) -> None:
    request_id = await kiosk.filed()
    for guess in ("ZZZZZZZZZZZZ", "YYYYYYYYYYYY"):
        refusal(await kiosk.one(guess), 404)
    refusal(await kiosk.one(request_id), 429)  # even the right proof, for the window


@pytest.mark.parametrize("settings", [{"max_body_bytes": 4_000}], indirect=True)
async def test_an_oversized_body_is_refused_in_the_open311_shape(
    kiosk: Open311Client, app: Starlette
) -> None:
    before = await case_count(app)
    response = await kiosk.file(request_form(description="路灯" * 3_000))
    assert "larger than" in refusal(response, 413)
    assert await case_count(app) == before


async def test_services_need_a_known_jurisdiction(kiosk: Open311Client) -> None:
    assert "jurisdiction_id" in refusal(await kiosk.get("services.json"), 400)
    refusal(await kiosk.get("services.json", jurisdiction_id="999999"), 404)
    refusal(await kiosk.get("services.json", jurisdiction_id="990100001"), 404)  # a township
    unknown = await kiosk.get("services/NO.SUCH.json", jurisdiction_id=COUNTY)
    assert "service_code" in refusal(unknown, 404)
    assert "XML" in refusal(await kiosk.get("services.xml", jurisdiction_id=COUNTY), 404)


async def test_services_are_the_countys_categories_and_its_places(
    kiosk: Open311Client, app: Starlette
) -> None:
    services = (await kiosk.get("services.json", jurisdiction_id=COUNTY)).json()
    stored = await rows(
        app,
        "SELECT c.code FROM categories c JOIN units u ON u.id = c.county_id WHERE u.code = :c",
        c=COUNTY,
    )
    assert sorted(s["service_code"] for s in services) == sorted(code for (code,) in stored)
    road = next(s for s in services if s["service_code"] == SERVICE)
    parent = await scalar(
        app,
        "SELECT p.name FROM categories c JOIN categories p ON p.id = c.parent_id "
        "JOIN units u ON u.id = c.county_id WHERE u.code = :county AND c.code = :code",
        county=COUNTY,
        code=SERVICE,
    )
    assert road["group"] == parent

    definition = (await kiosk.get(f"services/{SERVICE}.json", jurisdiction_id=COUNTY)).json()
    [village] = definition["attributes"]
    places = await rows(
        app,
        "SELECT code FROM units WHERE county_id = (SELECT id FROM units WHERE code = :c) "
        "AND kind = 'AREA' AND level IN ('TOWNSHIP', 'VILLAGE') ORDER BY code",
        c=COUNTY,
    )
    assert [v["key"] for v in village["values"]] == [code for (code,) in places]
    assert OTHER_VILLAGE not in {v["key"] for v in village["values"]}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"%ff%fe=%zz&description=%80%81", id="bad-percent-and-utf8"),
        pytest.param(b"&&&===&attribute[village]", id="empty-fields"),
        pytest.param(b"service_code=" + b"A" * 5000, id="long-code"),
        pytest.param(b"attribute%5Bvillage%5D=990100001001%00", id="nul"),
        pytest.param(b"description=\x00\x01&phone=13900001234", id="control-characters"),
    ],
)
async def test_garbled_forms_are_refused_cleanly(
    kiosk: Open311Client, api: Api, app: Starlette, body: bytes
) -> None:
    """Whatever the bytes, a 400 in the spec's shape that names a field, and nothing written."""
    before = await case_count(app)
    response = await api.client.post(
        "/open311/v2/requests.json",
        content=body + b"&api_key=" + kiosk.api_key.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    description = refusal(response, 400)
    assert "Traceback" not in description
    assert await case_count(app) == before


async def test_logs_never_hold_a_tracking_code_or_a_proof(
    kiosk: Open311Client, caplog: pytest.LogCaptureFixture
) -> None:
    """The id is in the path and the proof in the query: the access log keeps neither."""
    request_id = await kiosk.filed()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="yidi.access"):
        await kiosk.one(request_id)
    [record] = [r for r in caplog.records if r.name == "yidi.access"]
    assert record.path == "/open311"  # type: ignore[attr-defined]
    # Not LAST4 itself: four digits may turn up in a timestamp or a process id by chance.
    logged = json.dumps(record.__dict__, default=str)
    assert request_id not in logged
    assert "phone_last4" not in logged
