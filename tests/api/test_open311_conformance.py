"""Conformance with the Open311 GeoReport v2 specification (wiki.open311.org/GeoReport_v2):
its documented example requests are replayed against the app, and each answer must have the
example's field names, JSON types, nesting and status code.

The examples are written here as the specification shows them (the repository stands
alone); where the spec's JSON is not valid JSON (`"service_code":001`) the value is written as
the string its XML form and its field table call it. Values that name San Francisco's
services and places are replaced by the demo county's, and nothing else.
"""

import re
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.demo import COUNTY, VILLAGE
from tests.support.driver import Api
from tests.support.open311 import LAST4, PHONE, SERVICE, Open311Client, issue_key

# GET services.json — the spec's example answer (first element).
SERVICES_EXAMPLE: list[dict[str, Any]] = [
    {
        "service_code": "001",
        "service_name": "Cans left out 24x7",
        "description": "Garbage or recycling cans that have been left out for more than 24 "
        "hours after collection. Violators will be cited.",
        "metadata": True,
        "type": "realtime",
        "keywords": "lorem, ipsum, dolor",
        "group": "sanitation",
    }
]
# GET services/{service_code}.json
DEFINITION_EXAMPLE: dict[str, Any] = {
    "service_code": "DMV66",
    "attributes": [
        {
            "variable": True,
            "code": "WHISHETN",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "What is the ticket/tag/DL number?",
            "values": [{"key": 123, "name": "Ford"}, {"key": 124, "name": "Chrysler"}],
        }
    ],
}
# POST requests.json — the spec's example request (form-encoded, repeated attribute
# included) and its answer.
POST_EXAMPLE: list[tuple[str, str]] = [
    ("api_key", "xyz"),
    ("jurisdiction_id", "city.gov"),
    ("service_code", "001"),
    ("lat", "37.76524078"),
    ("long", "-122.4212043"),
    ("address_string", "1234 5th street"),
    ("email", "smit222@sfgov.edu"),
    ("device_id", "tt222111"),
    ("account_id", "123456"),
    ("first_name", "john"),
    ("last_name", "smith"),
    ("phone", "111111111"),
    ("description", "A large sinkhole is destroying the street"),
    ("media_url", "http://www.city.gov/media/12345.jpg"),
    ("attribute[WHISHETN]", "123"),
    ("attribute[ASDKJH]", "a1"),
    ("attribute[ASDKJH]", "a2"),
]
POST_ANSWER_EXAMPLE: list[dict[str, Any]] = [
    {
        "service_request_id": 293944,
        "service_notice": "The City will inspect and require the responsible party to correct "
        "within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public "
        "Works Code",
        "account_id": None,
    }
]
# GET requests.json and GET requests/{id}.json
REQUESTS_EXAMPLE: list[dict[str, Any]] = [
    {
        "service_request_id": 638344,
        "status": "closed",
        "status_notes": "Duplicate request.",
        "service_name": "Sidewalk and Curb Issues",
        "service_code": "006",
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": "2010-04-14T06:37:38-08:00",
        "updated_datetime": "2010-04-14T06:37:38-08:00",
        "expected_datetime": "2010-04-15T06:37:38-08:00",
        "address": "8TH AVE and JUDAH ST",
        "address_id": 545483,
        "zipcode": 94122,
        "lat": 37.762221815,
        "long": -122.4651145,
        "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
    }
]
# Errors, for every method.
ERROR_EXAMPLE: list[dict[str, Any]] = [{"code": 403, "description": "Invalid api_key"}]

# The spec's field tables: what a server may leave empty (null).
OPTIONAL = {
    "description",
    "keywords",
    "group",
    "datatype_description",
    "values",
    "service_notice",
    "account_id",
    "status_notes",
    "agency_responsible",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
DATETIMES = {"requested_datetime", "updated_datetime", "expected_datetime"}
# The W3C note's profile of ISO 8601, with the offset the spec requires.
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
# Identifiers the spec shows as numbers in JSON and as strings in XML: either is conformant.
IDENTIFIERS = {"service_request_id", "service_code", "key"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def conforms(answer: Any, example: Any, path: str = "$") -> list[str]:
    """Where `answer` differs from the spec's `example` in names, types or nesting."""
    if isinstance(example, list):
        if not isinstance(answer, list):
            return [f"{path}: a list expected, got {_kind(answer)}"]
        if not answer:
            return [f"{path}: an empty list cannot show its shape"]
        return [
            p for i, item in enumerate(answer) for p in conforms(item, example[0], f"{path}[{i}]")
        ]
    if isinstance(example, dict):
        if not isinstance(answer, dict):
            return [f"{path}: an object expected, got {_kind(answer)}"]
        problems = [f"{path}: missing {k}" for k in example if k not in answer]
        problems += [f"{path}: {k} is not a spec field" for k in answer if k not in example]
        for key in example.keys() & answer.keys():
            value, spec = answer[key], example[key]
            where = f"{path}.{key}"
            if value is None:
                if key not in OPTIONAL and spec is not None:
                    problems.append(f"{where}: required, got null")
            elif key in DATETIMES:
                if not (isinstance(value, str) and W3C.match(value)):
                    problems.append(f"{where}: not a W3C datetime: {value!r}")
            elif key in IDENTIFIERS and isinstance(value, str | int):
                continue
            elif spec is None:
                if not isinstance(value, str):
                    problems.append(f"{where}: text expected, got {_kind(value)}")
            elif isinstance(spec, list | dict):
                problems += conforms(value, spec, where)
            elif _kind(value) != _kind(spec):
                problems.append(f"{where}: {_kind(spec)} expected, got {_kind(value)}")
        return problems
    return [] if _kind(answer) == _kind(example) else [f"{path}: {_kind(example)} expected"]


def json_of(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


@pytest.fixture
async def kiosk(api: Api, app: Starlette) -> Open311Client:
    return Open311Client(api.client, await issue_key(app))


def our_post(api_key: str) -> list[tuple[str, str]]:
    """The spec's example POST with the demo county's jurisdiction, service, place and a
    phone our rules accept; every other field as the spec sends it."""
    ours = {"api_key": api_key, "jurisdiction_id": COUNTY, "service_code": SERVICE}
    ours["phone"] = PHONE
    replaced = [(k, ours.get(k, v)) for k, v in POST_EXAMPLE]
    return [*replaced, ("attribute[village]", VILLAGE)]


async def post_form(client: httpx.AsyncClient, fields: list[tuple[str, str]]) -> httpx.Response:
    """Form-encoded as the spec sends it, repeated fields included."""
    return await client.post(
        "/open311/v2/requests.json",
        content=urlencode(fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def filed(kiosk: Open311Client) -> str:
    response = await post_form(kiosk.client, our_post(kiosk.api_key))
    body = json_of(response, 200)
    return str(body[0]["service_request_id"])


async def test_get_service_list(kiosk: Open311Client) -> None:
    body = json_of(await kiosk.get("services.json", jurisdiction_id=COUNTY), 200)
    assert conforms(body, SERVICES_EXAMPLE) == []
    assert {s["type"] for s in body} <= {"realtime", "batch", "blackbox"}


async def test_get_service_definition(kiosk: Open311Client) -> None:
    answer = await kiosk.get(f"services/{SERVICE}.json", jurisdiction_id=COUNTY)
    body = json_of(answer, 200)
    assert conforms(body, DEFINITION_EXAMPLE) == []
    datatypes = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
    assert {a["datatype"] for a in body["attributes"]} <= datatypes
    assert body["service_code"] == SERVICE


async def test_post_service_request(kiosk: Open311Client) -> None:
    response = await post_form(kiosk.client, our_post(kiosk.api_key))
    assert conforms(json_of(response, 200), POST_ANSWER_EXAMPLE) == []


async def test_get_service_requests(kiosk: Open311Client) -> None:
    request_id = await filed(kiosk)
    answer = await kiosk.get("requests.json", service_request_id=request_id, phone_last4=LAST4)
    body = json_of(answer, 200)
    assert conforms(body, REQUESTS_EXAMPLE) == []
    assert body[0]["status"] in {"open", "closed"}


async def test_get_service_request(kiosk: Open311Client) -> None:
    request_id = await filed(kiosk)
    body = json_of(await kiosk.one(request_id), 200)
    assert conforms(body, REQUESTS_EXAMPLE) == []
    assert len(body) == 1
    assert body[0]["service_request_id"] == request_id


@pytest.mark.parametrize(
    ("method", "path", "params", "status"),
    [
        pytest.param("POST", "requests.json", {"api_key": "xyz"}, 403, id="post-bad-key"),
        pytest.param("GET", "services.json", {}, 400, id="services-no-jurisdiction"),
        pytest.param(
            "GET",
            "services.json",
            {"jurisdiction_id": "city.gov"},
            404,
            id="services-unknown-jurisdiction",
        ),
        pytest.param(
            "GET",
            "services/DMV66.json",
            {"jurisdiction_id": COUNTY},
            404,
            id="definition-unknown-service",
        ),
        pytest.param(
            "GET", "requests/638344.json", {"phone_last4": LAST4}, 404, id="request-unknown-id"
        ),
        pytest.param(
            "GET", "requests.json", {"jurisdiction_id": COUNTY}, 400, id="requests-unlisted"
        ),
    ],
)
async def test_errors(
    api: Api, method: str, path: str, params: dict[str, str], status: int
) -> None:
    url = f"/open311/v2/{path}"
    if method == "POST":
        response = await api.client.post(url, data=params)
    else:
        response = await api.client.get(url, params=params)
    assert conforms(json_of(response, status), ERROR_EXAMPLE) == []
    assert response.json()[0]["code"] == status


def test_the_checker_catches_what_the_spec_forbids() -> None:
    """The shape check must be able to fail: names, types, nesting, datetimes, nulls."""
    good = dict(REQUESTS_EXAMPLE[0])
    assert conforms([good], REQUESTS_EXAMPLE) == []
    assert conforms([{**good, "status_note": "x"}], REQUESTS_EXAMPLE) != []
    assert conforms([{k: v for k, v in good.items() if k != "lat"}], REQUESTS_EXAMPLE) != []
    assert conforms([{**good, "lat": "37.7"}], REQUESTS_EXAMPLE) != []
    assert conforms([{**good, "requested_datetime": "2010-04-14 06:37"}], REQUESTS_EXAMPLE) != []
    assert conforms([{**good, "status": None}], REQUESTS_EXAMPLE) != []
    assert conforms(good, REQUESTS_EXAMPLE) != []
    definition = {**DEFINITION_EXAMPLE, "attributes": {"code": "x"}}
    assert conforms(definition, DEFINITION_EXAMPLE) != []
