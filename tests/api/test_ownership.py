"""领导包案 through GraphQL: a township or county leader takes a case on and gives it up
(docs/CASE_FILE.md, "Leader ownership"). Every refusal leaves the case as it was."""

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock, instant
from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, inputs_for, unchanged
from tests.support.policy import county_policy, replace_county_policy

OWNERSHIP = """
query($id: ID!) { case(id: $id) {
  owner { username } ownedSince version allowedActions
  events(first: 50) { edges { node { type actor { username } owner { username } note
    toUnit { code } } } }
} }
"""
OWNED_LIST = """
query($f: CaseFilter) { cases(filter: $f, first: 100) { edges { node { id } } } }
"""


async def ownership(api: Api, case_id: str, user: str = LEADER) -> dict[str, Any]:
    case: dict[str, Any] = (await api.ok(OWNERSHIP, {"id": case_id}, user=user))["case"]
    return case


async def listed(api: Api, user: str, filter_: dict[str, Any]) -> set[str]:
    data = await api.ok(OWNED_LIST, {"f": filter_}, user=user)
    return {edge["node"]["id"] for edge in data["cases"]["edges"]}


async def test_a_township_leader_takes_a_case_on_and_gives_it_up(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])  # 东湖村 handles it; 东湖镇 lies above
    other_id = str((await lc.register())["id"])
    assert "TAKE_OWNERSHIP" in (await ownership(api, case_id, "t1.leader"))["allowedActions"]

    taken = await lc.do("TAKE_OWNERSHIP", case_id, "t1.leader", {"note": "本人包案"})
    assert taken["status"] == "REGISTERED"  # ownership does not move the case
    case = await ownership(api, case_id)
    assert case["owner"] == {"username": "t1.leader"}
    assert instant(case["ownedSince"]) == clock()
    last = case["events"]["edges"][-1]["node"]
    assert last == {
        "type": "OWNERSHIP_TAKEN",
        "actor": {"username": "t1.leader"},
        "owner": {"username": "t1.leader"},
        "note": "本人包案",
        "toUnit": {"code": "990100001001"},
    }
    # One owner at a time: nobody else may take it, and the owner may release it.
    assert "TAKE_OWNERSHIP" not in case["allowedActions"]
    assert "RELEASE_OWNERSHIP" in (await ownership(api, case_id, "t1.leader"))["allowedActions"]

    # The owned-cases filter, for the leader's own list and for the county's.
    t1 = lc.user("t1.leader")
    assert await listed(api, LEADER, {"ownerId": t1}) == {case_id}
    assert case_id in await listed(api, LEADER, {"owned": True})
    assert other_id not in await listed(api, LEADER, {"owned": True})
    assert case_id not in await listed(api, LEADER, {"owned": False})
    assert other_id in await listed(api, LEADER, {"owned": False})
    # The filter narrows the caller's scope, never widens it: 西岭镇 sees none of 东湖村's.
    assert await listed(api, "t2.leader", {"ownerId": t1}) == set()

    await lc.do("RELEASE_OWNERSHIP", case_id, "t1.leader", {"reason": "工作调整"})
    case = await ownership(api, case_id)
    assert (case["owner"], case["ownedSince"]) == (None, None)
    last = case["events"]["edges"][-1]["node"]
    assert (last["type"], last["actor"], last["owner"], last["note"]) == (
        "OWNERSHIP_RELEASED",
        {"username": "t1.leader"},
        {"username": "t1.leader"},
        "工作调整",
    )
    assert await listed(api, LEADER, {"ownerId": t1}) == set()
    # Released, it can be taken on again, by another leader.
    await lc.do("TAKE_OWNERSHIP", case_id, LEADER, {})
    assert (await ownership(api, case_id))["owner"] == {"username": LEADER}


async def test_a_leader_above_the_owner_may_end_the_ownership(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await lc.do("TAKE_OWNERSHIP", case_id, "t1.leader", {})
    await lc.do("RELEASE_OWNERSHIP", case_id, LEADER, {"reason": "另行安排包案领导"})
    case = await ownership(api, case_id)
    assert case["owner"] is None
    last = case["events"]["edges"][-1]["node"]
    # The timeline says who ended whose ownership.
    assert (last["actor"], last["owner"]) == ({"username": LEADER}, {"username": "t1.leader"})


async def test_a_leader_below_the_owner_may_not_end_the_ownership(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await lc.do("TAKE_OWNERSHIP", case_id, LEADER, {})
    before = await lc.stored(case_id)
    refused = await lc.attempt("RELEASE_OWNERSHIP", case_id, "t1.leader", {"reason": "我来包"})
    assert refused.code == "FORBIDDEN", refused
    assert unchanged(before, await lc.stored(case_id)) == []


@pytest.mark.parametrize(
    ("user", "code"),
    [
        (V11, "FORBIDDEN"),  # a handler, not a leader
        ("county.viewer", "FORBIDDEN"),
        ("county.admin", "FORBIDDEN"),
        ("dept.housing", "NOT_FOUND"),  # no relation to a 东湖村 case
        ("t2.leader", "NOT_FOUND"),  # another township: the case is not in its view
        ("other.leader", "NOT_FOUND"),  # another county
    ],
)
async def test_who_may_not_take_a_case_on(api: Api, app: Starlette, user: str, code: str) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    before = await lc.stored(case_id)
    refused = await lc.attempt("TAKE_OWNERSHIP", case_id, user, {"note": "包案"})
    assert refused.code == code, refused
    assert unchanged(before, await lc.stored(case_id)) == []


async def test_status_refusals(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    # Releasing a case nobody owns.
    before = await lc.stored(case_id)
    refused = await lc.attempt("RELEASE_OWNERSHIP", case_id, LEADER, {"reason": "无"})
    assert refused.code == "INVALID_TRANSITION", refused
    assert unchanged(before, await lc.stored(case_id)) == []
    # Taking a case someone owns, even one's own.
    await lc.do("TAKE_OWNERSHIP", case_id, "t1.leader", {})
    before = await lc.stored(case_id)
    for user in (LEADER, "t1.leader"):
        refused = await lc.attempt("TAKE_OWNERSHIP", case_id, user, {})
        assert refused.code == "INVALID_TRANSITION", (user, refused)
    assert unchanged(before, await lc.stored(case_id)) == []
    # A closed case is taken on by nobody; its owner of record stays in the file.
    await lc.move_to(case_id, "CLOSED")
    before = await lc.stored(case_id)
    for action, inputs in (("TAKE_OWNERSHIP", {}), ("RELEASE_OWNERSHIP", {"reason": "结案"})):
        refused = await lc.attempt(action, case_id, "t1.leader", inputs)
        assert refused.code == "INVALID_TRANSITION", (action, refused)
    assert unchanged(before, await lc.stored(case_id)) == []
    assert (await ownership(api, case_id))["owner"] == {"username": "t1.leader"}


@pytest.mark.parametrize(
    ("action", "inputs", "field"),
    [
        ("RELEASE_OWNERSHIP", {"reason": "   "}, "reason"),
        ("RELEASE_OWNERSHIP", {"reason": "长" * 2001}, "reason"),
        ("TAKE_OWNERSHIP", {"note": "长" * 2001}, "note"),
        ("TAKE_OWNERSHIP", {"caseId": "not-an-id"}, "caseId"),
    ],
)
async def test_bad_input_names_the_field(
    api: Api, app: Starlette, action: str, inputs: dict[str, Any], field: str
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    if action == "RELEASE_OWNERSHIP":
        await lc.do("TAKE_OWNERSHIP", case_id, LEADER, {})
    before = await lc.stored(case_id)
    refused = await lc.attempt(action, inputs.pop("caseId", case_id), LEADER, inputs)
    assert (refused.code, refused.field) == ("BAD_USER_INPUT", field), refused
    assert unchanged(before, await lc.stored(case_id)) == []


async def test_a_stale_version_is_a_conflict(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    version = (await lc.stored(case_id)).version
    await lc.do("COMMENT", case_id, LEADER, inputs_for("COMMENT"))
    before = await lc.stored(case_id)
    refused = await lc.attempt("TAKE_OWNERSHIP", case_id, LEADER, {}, expected_version=version)
    assert refused.code == "CONFLICT", refused
    assert unchanged(before, await lc.stored(case_id)) == []


async def test_the_owner_filter_checks_its_id(api: Api) -> None:
    error = await api.error(OWNED_LIST, {"f": {"ownerId": "nonsense"}}, user=LEADER)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.ownerId"}


async def test_a_county_admin_can_change_who_takes_cases_on(api: Api, app: Starlette) -> None:
    """TAKE_OWNERSHIP is a policy action: without its township rule, a township leader
    is refused, and a county leader still may."""
    revision, rules = await county_policy(api)
    kept = [
        r
        for r in rules
        if not (r["action"] == "TAKE_OWNERSHIP" and "TOWNSHIP" in r["level"].split("|"))
    ]
    assert len(kept) < len(rules)
    kept.append(
        {
            "role": "LEADER",
            "level": "COUNTY",
            "relation": "SAME|ANCESTOR|INVOLVED",
            "action": "TAKE_OWNERSHIP",
            "risk": "*",
        }
    )
    await replace_county_policy(api, kept, revision)
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    refused = await lc.attempt("TAKE_OWNERSHIP", case_id, "t1.leader", {})
    assert refused.code == "FORBIDDEN", refused
    assert "TAKE_OWNERSHIP" not in (await ownership(api, case_id, "t1.leader"))["allowedActions"]
    await lc.do("TAKE_OWNERSHIP", case_id, LEADER, {})
    assert (await ownership(api, case_id))["owner"] == {"username": LEADER}
