"""Login, `me` and the health endpoints."""

from tests.support.driver import Api


async def test_login_and_me(api: Api) -> None:
    data = await api.ok(
        "{ me { username displayName roles unit { code level kind } } }", user="v11.handler"
    )
    assert data["me"] == {
        "username": "v11.handler",
        "displayName": "郑网格",
        "roles": ["INTAKE", "HANDLER"],
        "unit": {"code": "990100001001", "level": "VILLAGE", "kind": "AREA"},
    }
