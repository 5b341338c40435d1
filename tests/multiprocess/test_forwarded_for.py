"""Against a real `yidi serve`, where uvicorn takes the client address from
X-Forwarded-For (trusted from 127.0.0.1 by default): a value of any length or shape is
BAD_USER_INPUT on the public operations, never a 500."""

from pathlib import Path

import httpx
import pytest

from tests.support.demo import LEADER
from tests.support.driver import Api
from tests.support.intake import SUBMIT, request_input
from tests.support.servers import serving

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("forwarded", ["x" * 250, "1.2.3.4" + "9" * 200, "1.2.3.4%" + "z" * 250])
async def test_a_forwarded_address_that_is_not_an_ip_is_bad_input(
    database_url: str, tmp_path: Path, forwarded: str
) -> None:
    async with (
        serving(database_url, tmp_path) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as client,
    ):
        api = Api(client)
        unit = await api.ok('{ unitByCode(code: "990100001001") { id } }', user=LEADER)
        response = await client.post(
            "/graphql",
            json={"query": SUBMIT, "variables": {"input": request_input(unit["unitByCode"]["id"])}},
            headers={"x-forwarded-for": forwarded},
        )
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "X-Forwarded-For"}


async def test_a_scoped_ipv6_address_counts_without_its_scope(
    database_url: str, tmp_path: Path
) -> None:
    """ "::1%" and 250 characters is a valid scoped address: its scope is dropped, so it is
    stored (and rate-limited) as ::1 instead of overflowing the bucket."""
    async with (
        serving(database_url, tmp_path) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as client,
    ):
        api = Api(client)
        unit = await api.ok('{ unitByCode(code: "990100001001") { id } }', user=LEADER)
        response = await client.post(
            "/graphql",
            json={"query": SUBMIT, "variables": {"input": request_input(unit["unitByCode"]["id"])}},
            headers={"x-forwarded-for": "::1%" + "z" * 250},
        )
    assert response.json()["data"]["submitRequest"]["number"]
