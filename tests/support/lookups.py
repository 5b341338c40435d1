"""Global ids of demo units and categories, looked up by code through GraphQL.

Ids are opaque to clients; tests name units and categories by their codes, as DESIGN.md does.
"""

from tests.support.demo import LEADER
from tests.support.driver import Api


async def unit_id(api: Api, code: str, user: str = LEADER) -> str:
    """The unit `code` as `user` finds it (a unit of another county is not found)."""
    data = await api.ok(
        "query($c: String!) { unitByCode(code: $c) { id } }", {"c": code}, user=user
    )
    assert data["unitByCode"] is not None, code
    found: str = data["unitByCode"]["id"]
    return found


async def category_id(api: Api, code: str, user: str = LEADER) -> str:
    """The category `code` of `user`'s county."""
    data = await api.ok("{ categories { id code } }", user=user)
    found: str = next(c["id"] for c in data["categories"] if c["code"] == code)
    return found
