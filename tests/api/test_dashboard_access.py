"""Who may see a unit's figures (VIEW_STATS, docs/DASHBOARDS.md): NOT_FOUND for a unit of
another county or no unit at all, FORBIDDEN for one outside the actor's subtree or where the
policy denies it; and the statements one unitStats call costs do not grow with its children.
"""

import pytest
from starlette.applications import Starlette

from tests.api.test_query_count import recorded
from tests.support.demo import COUNTY, HOUSING, OTHER_COUNTY, TOWNSHIP, VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, global_id
from tests.support.policy import county_policy, replace_county_policy
from yidi.domain.enums import UnitLevel
from yidi.persistence.models import Unit
from yidi.services import org

QUERIES = {
    "unitStats": 'query($u: ID!) { unitStats(unitId: $u, from: "2026-01-01T00:00:00Z",'
    ' to: "2026-12-01T00:00:00Z") { received children { received } } }',
    "zeroFilingUnits": "query($u: ID!) { zeroFilingUnits(unitId: $u, level: VILLAGE,"
    ' from: "2026-01-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { code } }',
    "caseTrend": 'query($u: ID!) { caseTrend(unitId: $u, from: "2026-01-01T00:00:00Z",'
    ' to: "2026-12-01T00:00:00Z", interval: MONTH) { received } }',
}
XILING = "990100002"  # a sibling township of 东湖镇

# (user, unit code, expected code or None for an answer)
CASES = [
    ("county.leader", COUNTY, None),  # own unit
    ("county.leader", VILLAGE, None),  # a unit below
    ("county.intake", TOWNSHIP, None),
    ("t1.leader", TOWNSHIP, None),  # own unit
    ("t1.handler", VILLAGE, None),  # a unit below
    ("t1.leader", COUNTY, "FORBIDDEN"),  # the parent
    ("t1.leader", XILING, "FORBIDDEN"),  # a sibling township
    ("v11.handler", VILLAGE, None),
    ("v11.handler", "990100001002", "FORBIDDEN"),  # a sibling village
    ("dept.housing", HOUSING, None),  # a department, its own figures
    ("dept.housing", COUNTY, "FORBIDDEN"),
    ("t1.leader", OTHER_COUNTY, "NOT_FOUND"),  # another county
    ("county.leader", OTHER_COUNTY, "NOT_FOUND"),
    ("other.leader", VILLAGE, "NOT_FOUND"),
    ("county.viewer", COUNTY, "FORBIDDEN"),  # VIEWER is no staff role
    ("county.admin", COUNTY, "FORBIDDEN"),
]


async def test_who_sees_which_figures(api: Api, app: Starlette) -> None:
    """Every demo user and unit of the table, through each of the three queries."""
    lc = await Lifecycle.create(api, app)
    for user, code, expected in CASES:
        for field, query in QUERIES.items():
            body = await api.raw(query, {"u": lc.unit(code)}, user=user)
            if expected is None:
                assert not body.get("errors"), (user, code, field, body)
                assert body["data"][field] is not None
            else:
                (error,) = body["errors"]
                assert error["extensions"] == {"code": expected}, (user, code, field)
                assert body["data"] is None


@pytest.mark.parametrize("unit", ["VW5pdDo5OTk5OTk", "not-an-id", global_id("Case", 1)])
async def test_an_unknown_unit_is_not_found(api: Api, unit: str) -> None:
    error = await api.error(QUERIES["unitStats"], {"u": unit}, user="county.leader")
    assert error["extensions"] == {"code": "NOT_FOUND"}


async def test_a_county_that_denies_view_stats(api: Api, app: Starlette) -> None:
    """青山县's admin removes every VIEW_STATS rule: its leader is refused, while 白水县,
    whose policy is its own, still answers."""
    lc = await Lifecycle.create(api, app)
    revision, rules = await county_policy(api)
    kept = [r for r in rules if r["action"] != "VIEW_STATS"]
    assert len(kept) < len(rules)
    await replace_county_policy(api, kept, revision)
    error = await api.error(QUERIES["unitStats"], {"u": lc.unit(COUNTY)}, user="county.leader")
    assert error["extensions"] == {"code": "FORBIDDEN"}
    data = await api.ok(QUERIES["unitStats"], {"u": lc.unit(OTHER_COUNTY)}, user="other.leader")
    assert data["unitStats"]["received"] >= 0
    # Own unit only: SAME without ANCESTOR lets the leader see the county but not below.
    own = {**kept[0], "role": "LEADER", "level": "*", "relation": "SAME", "action": "VIEW_STATS"}
    await replace_county_policy(api, [*kept, {**own, "risk": "*"}], revision + 1)
    assert await api.ok(QUERIES["unitStats"], {"u": lc.unit(COUNTY)}, user="county.leader")
    error = await api.error(QUERIES["unitStats"], {"u": lc.unit(TOWNSHIP)}, user="county.leader")
    assert error["extensions"] == {"code": "FORBIDDEN"}


async def test_statements_do_not_grow_with_children(api: Api, app: Starlette) -> None:
    """One unitStats with children costs the same statements for 3 townships as for 13."""
    lc = await Lifecycle.create(api, app)
    query = QUERIES["unitStats"]
    await api.ok(query, {"u": lc.unit(COUNTY)}, user="county.leader")  # policy loaded, warm
    with recorded(app) as before:
        small = await api.ok(query, {"u": lc.unit(COUNTY)}, user="county.leader")
    async with app.state.yidi.sessions.begin() as session:
        county = await session.get(Unit, lc.units[COUNTY])
        assert county is not None
        for t in range(10):
            await org.create_unit(
                session, f"990100{100 + t:03d}", f"新镇{t}", UnitLevel.TOWNSHIP, parent=county
            )
    with recorded(app) as after:
        large = await api.ok(query, {"u": lc.unit(COUNTY)}, user="county.leader")
    assert len(small["unitStats"]["children"]) == 3
    assert len(large["unitStats"]["children"]) == 13
    assert small["unitStats"]["received"] == large["unitStats"]["received"] > 0
    assert len(before) == len(after), "\n\n".join(after)
    # The unit, its children, the figures: nothing per child.
    assert len(after) <= 4, "\n\n".join(after)
