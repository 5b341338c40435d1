"""An Open311 GeoReport v2 client bound to the app in-process, as an app or kiosk speaks it:
form-encoded POSTs, JSON replies, the county's api_key."""

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from tests.support.demo import COUNTY, VILLAGE
from tests.support.sql import scalar
from yidi.services import open311

V2 = "/open311/v2"
PHONE = "13900001234"
LAST4 = PHONE[-4:]
SERVICE = "LIVELIHOOD.ROAD"


def request_form(**overrides: str) -> dict[str, str]:
    """A complete POST requests.json form (without the api_key)."""
    return {
        "jurisdiction_id": COUNTY,
        "service_code": SERVICE,
        "attribute[village]": VILLAGE,
        "description": "东湖村三组路灯已坏一周，夜间出行不便。",
        "address_string": "东湖村三组",
        "lat": "30.512300",
        "long": "114.301200",
        "first_name": "芳",
        "last_name": "王",
        "phone": PHONE,
        **overrides,
    }


@dataclass
class Open311Client:
    client: httpx.AsyncClient
    api_key: str

    async def file(self, form: dict[str, str] | None = None, **overrides: str) -> httpx.Response:
        body = {"api_key": self.api_key, **(form if form is not None else request_form())}
        return await self.client.post(f"{V2}/requests.json", data={**body, **overrides})

    async def filed(self, **overrides: str) -> str:
        """POST a request that must succeed; its service_request_id."""
        response = await self.file(request_form(**overrides))
        assert response.status_code == 200, response.text
        return str(response.json()[0]["service_request_id"])

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.client.get(f"{V2}/{path}", params=params)

    async def one(self, request_id: str, last4: str = LAST4, **params: str) -> httpx.Response:
        return await self.get(f"requests/{request_id}.json", phone_last4=last4, **params)


async def issue_key(app: Starlette, county: str = COUNTY, name: str = "随手拍") -> str:
    return (await open311.issue_key(app.state.yidi.uow, county, name)).key


async def case_count(app: Starlette) -> int:
    return int(await scalar(app, "SELECT count(*) FROM cases"))


def refusal(response: httpx.Response, status: int) -> str:
    """The description of a GeoReport v2 error answered with `status`."""
    assert response.status_code == status, response.text
    body: Any = response.json()
    assert isinstance(body, list), body
    assert len(body) == 1, body
    assert body[0]["code"] == status, body
    assert isinstance(body[0]["description"], str), body
    assert body[0]["description"], body
    return str(body[0]["description"])
