"""Responsibility lists (责任清单, docs/INTAKE.md) over the demo county's default list:
suggestions by category subtree, shared duties, only units the caller may dispatch to,
automatic routing on and off, a bad list refused whole, and versioning."""

from typing import Any

from starlette.applications import Starlette

from tests.support.demo import COUNTY, HOUSING, LABOUR, LEADER, TOWNSHIP, TOWNSHIP_OFFICE, VILLAGE
from tests.support.demo import XILING_VILLAGE as XILING
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.lookups import category_id, unit_id
from tests.support.mutations import do
from tests.support.policy import county_policy, replace_county_policy
from tests.support.routing import (
    ADMIN,
    REPLACE,
    SETTINGS,
    UPDATE_SETTINGS,
    responsibility_list,
    rule_input,
    set_auto_route,
    suggestions,
)
from tests.support.sql import scalar

XILING_TOWNSHIP = "990100002"
INTAKE = "county.intake"
CASE = """query($id: ID!) { case(id: $id) { status handlingUnit { code }
  coHandlingUnits { code } events { edges { node { type note toUnit { code } } } } } }"""


async def _county_case(api: Api, category: str, location: str = XILING) -> str:
    """A case registered at the county centre, located at `location`."""
    case = await register(api, INTAKE, location, category=category)
    return str(case["id"])


async def test_the_demo_county_starts_with_its_list(api: Api) -> None:
    found = await responsibility_list(api)
    assert found["revision"] == 1
    assert found["county"]["code"] == COUNTY
    shared = [r for r in found["rules"] if r["duty"] == "SHARED"]
    assert {(r["category"]["code"], r["responsible"]) for r in shared} == {
        ("DISPUTE.LABOR", "DEPARTMENT"),
        ("DISPUTE.LABOR", "LOCATION_TOWNSHIP"),
    }


async def test_a_rule_on_a_category_covers_its_subtree_and_the_closest_rule_ranks_first(
    api: Api,
) -> None:
    # 供水供电 has no rule of its own: 民生诉求's rule (its parent) names the township.
    water = await _county_case(api, "LIVELIHOOD.WATER")
    assert await suggestions(api, water, LEADER) == [(XILING_TOWNSHIP, 0.5)]
    # 道路设施 has its own rule (县住建局), ranked above the parent's.
    road = await _county_case(api, "LIVELIHOOD.ROAD")
    assert await suggestions(api, road, LEADER) == [(HOUSING, 1.0), (XILING_TOWNSHIP, 0.5)]
    data = await api.ok(
        "query($id: ID!) { case(id: $id) { dispatchSuggestions { rule } } }",
        {"id": road},
        user=LEADER,
    )
    rules = [s["rule"] for s in data["case"]["dispatchSuggestions"]]
    assert rules == [
        "rule 5: LIVELIHOOD.ROAD at COUNTY -> department 990100901 (DEPARTMENT)",
        "rule 4: LIVELIHOOD at COUNTY -> the township of the location (TOWNSHIP_OWN)",
    ]


async def test_a_shared_duty_suggests_each_unit_sharing_it(api: Api) -> None:
    labour = await _county_case(api, "DISPUTE.LABOR")
    # 劳资纠纷: 县人社局 and the township share it (条块协同); 矛盾纠纷's own rule names the
    # township again, which is not suggested twice.
    assert await suggestions(api, labour, LEADER) == [(LABOUR, 1.0), (XILING_TOWNSHIP, 1.0)]


async def test_only_units_the_caller_may_dispatch_to_are_suggested(api: Api) -> None:
    # 婚姻家庭纠纷 at a township: 东湖镇司法所 (1.0), else the location's village (0.5).
    here = await _county_case(api, "DISPUTE.FAMILY", VILLAGE)
    await do(api, LEADER, "DISPATCH", {"caseId": here, "unitId": await unit_id(api, TOWNSHIP)})
    assert await suggestions(api, here, "t1.leader") == [(TOWNSHIP_OFFICE, 1.0), (VILLAGE, 0.5)]
    # 西岭镇 may not dispatch to 东湖镇's office: it is left out, not shown.
    there = await _county_case(api, "DISPUTE.FAMILY", XILING)
    await do(
        api, LEADER, "DISPATCH", {"caseId": there, "unitId": await unit_id(api, XILING_TOWNSHIP)}
    )
    assert await suggestions(api, there, "t2.leader") == [(XILING, 0.5)]
    # Above the township, the county leader may send it on as well (REASSIGN).
    assert await suggestions(api, here, LEADER) == [(TOWNSHIP_OFFICE, 1.0), (VILLAGE, 0.5)]
    # Whoever may not send the case on gets no suggestion: a viewer, the handling
    # township's handler, the village that sees it because it arose there.
    for user in ("county.viewer", "t1.handler", "v11.handler"):
        assert await suggestions(api, here, user) == []
    # Once the village has it, the county's rules for villages apply: none.
    await do(
        api,
        "t1.leader",
        "REASSIGN",
        {"caseId": here, "unitId": await unit_id(api, VILLAGE), "reason": "属地化解"},
    )
    assert await suggestions(api, here, "t1.leader") == []


async def _case(api: Api, case_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.ok(CASE, {"id": case_id}, user=LEADER))["case"]
    return found


async def test_without_automatic_routing_a_new_case_stays_with_its_registrar(api: Api) -> None:
    road = await _county_case(api, "LIVELIHOOD.ROAD")
    case = await _case(api, road)
    assert case["status"] == "REGISTERED"
    assert case["handlingUnit"]["code"] == COUNTY


async def test_automatic_routing_dispatches_through_the_dispatch_path(
    api: Api, app: Starlette
) -> None:
    await set_auto_route(api, True)
    road = await _county_case(api, "LIVELIHOOD.ROAD")
    case = await _case(api, road)
    assert case["status"] == "DISPATCHED"
    assert case["handlingUnit"]["code"] == HOUSING
    events = [e["node"] for e in case["events"]["edges"]]
    assert [e["type"] for e in events] == ["REGISTERED", "DISPATCHED"]
    assert events[1]["toUnit"]["code"] == HOUSING
    assert "LIVELIHOOD.ROAD" in events[1]["note"]
    # A shared duty: the best unit handles it, its partner co-handles.
    labour = await _case(api, await _county_case(api, "DISPUTE.LABOR"))
    assert labour["handlingUnit"]["code"] == LABOUR
    assert [u["code"] for u in labour["coHandlingUnits"]] == [XILING_TOWNSHIP]
    # A village registering in its own village has nowhere to dispatch: nothing happens.
    own = await register(api, "v11.handler", VILLAGE, selection="id status")
    assert own["status"] == "REGISTERED"
    # The dispatch is the registrar's, written by the one event writer (with its position).
    actor = await scalar(
        app,
        "SELECT u.username FROM case_events e JOIN users u ON u.id = e.actor_id "
        "WHERE e.type = 'DISPATCHED' ORDER BY e.id DESC LIMIT 1",
    )
    assert actor == INTAKE


async def test_automatic_routing_follows_the_policy(api: Api) -> None:
    """A registrar the policy does not let dispatch gets the case registered, not routed."""
    await set_auto_route(api, True)
    revision, rules = await county_policy(api)
    kept = [r for r in rules if not (r["action"] == "DISPATCH" and r["role"] == "INTAKE")]
    await replace_county_policy(api, kept, revision)
    road = await _county_case(api, "LIVELIHOOD.ROAD")
    assert (await _case(api, road))["status"] == "REGISTERED"


async def test_a_bad_list_is_refused_whole_naming_the_failing_rule(
    api: Api, app: Starlette
) -> None:
    before = await responsibility_list(api)
    good = await rule_input(api, "DISPUTE", "COUNTY", "LOCATION_TOWNSHIP", "TOWNSHIP_OWN")
    other_county_category = await category_id(api, "DISPUTE", "other.leader")
    bad_lists: list[tuple[list[dict[str, Any]], str]] = [
        ([good, {**good, "responsible": "DEPARTMENT"}], "rules.1.departmentId"),
        ([good, {**good, "categoryId": other_county_category}], "rules.1.categoryId"),
        ([{**good, "categoryId": "not-an-id"}], "rules.0.categoryId"),
        ([good, {**good, "duty": "SHARED", "level": "TOWNSHIP"}], "rules.1.duty"),
        ([good, {**good, "duty": "DEPARTMENT"}], "rules.1.duty"),
        ([good, good], "rules.1"),
        (
            [
                good,
                await rule_input(
                    api, "DISPUTE", "COUNTY", "LOCATION_VILLAGE", "TOWNSHIP_OWN", HOUSING
                ),
            ],
            "rules.1.departmentId",
        ),
        (
            [await rule_input(api, "DISPUTE", "COUNTY", "DEPARTMENT", "DEPARTMENT", VILLAGE)],
            "rules.0.departmentId",
        ),
    ]
    for rules, field in bad_lists:
        error = await api.error(REPLACE, {"rules": rules}, user=ADMIN)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, rules
    assert await responsibility_list(api) == before
    count = await scalar(app, "SELECT count(*) FROM responsibility_rules")
    assert count == len(before["rules"])


async def test_the_list_is_versioned(api: Api) -> None:
    first = await responsibility_list(api)
    only_housing = [
        await rule_input(api, "LIVELIHOOD", "COUNTY", "DEPARTMENT", "DEPARTMENT", HOUSING)
    ]
    data = await api.ok(REPLACE, {"rules": only_housing, "rev": first["revision"]}, user=ADMIN)
    assert data["replaceResponsibilityList"]["revision"] == first["revision"] + 1
    # A second admin editing the list as it was is told to reload, and changes nothing.
    stale = await api.error(REPLACE, {"rules": [], "rev": first["revision"]}, user=ADMIN)
    assert stale["extensions"]["code"] == "CONFLICT"
    now = await responsibility_list(api)
    assert now["revision"] == first["revision"] + 1
    assert [(r["category"]["code"], r["department"]["code"]) for r in now["rules"]] == [
        ("LIVELIHOOD", HOUSING)
    ]
    # Suggestions follow the list at once.
    water = await _county_case(api, "LIVELIHOOD.WATER")
    assert await suggestions(api, water, LEADER) == [(HOUSING, 0.5)]
    # An empty list is a list: nothing is suggested.
    await api.ok(REPLACE, {"rules": []}, user=ADMIN)
    assert await suggestions(api, water, LEADER) == []


async def test_managing_the_list_is_a_policy_action(api: Api) -> None:
    for user in (LEADER, INTAKE, "county.viewer"):
        error = await api.error("{ responsibilityList { revision } }", user=user)
        assert error["extensions"]["code"] == "FORBIDDEN"
        error = await api.error(REPLACE, {"rules": []}, user=user)
        assert error["extensions"]["code"] == "FORBIDDEN"
    revision, rules = await county_policy(api)
    widened = [
        *rules,
        {
            "role": "LEADER",
            "level": "COUNTY",
            "relation": "*",
            "action": "MANAGE_RESPONSIBILITIES",
            "risk": "*",
        },
    ]
    await replace_county_policy(api, widened, revision)
    assert (await responsibility_list(api, LEADER))["county"]["code"] == COUNTY


async def test_intake_settings_are_checked_and_kept(api: Api) -> None:
    default = (await api.ok(f"{{ {SETTINGS} }}", user=ADMIN))["intakeSettings"]
    assert default == {
        "autoRoute": False,
        "repeatWindowDays": 180,
        "repeatSimilarity": 0.5,
        "county": {"code": COUNTY},
    }
    for variables, field in (
        ({"days": 0}, "repeatWindowDays"),
        ({"days": 4000}, "repeatWindowDays"),
        ({"sim": 0.0}, "repeatSimilarity"),
        ({"sim": 1.5}, "repeatSimilarity"),
    ):
        error = await api.error(UPDATE_SETTINGS, variables, user=ADMIN)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    changed = await api.ok(UPDATE_SETTINGS, {"days": 30}, user=ADMIN)
    assert changed["updateIntakeSettings"] == {
        "autoRoute": False,
        "repeatWindowDays": 30,
        "repeatSimilarity": 0.5,
    }
    error = await api.error(UPDATE_SETTINGS, {"auto": True}, user=LEADER)
    assert error["extensions"]["code"] == "FORBIDDEN"
