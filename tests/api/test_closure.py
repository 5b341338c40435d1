"""回访 before it counts (docs/CASE_FILE.md, "Follow-up before closure"): substantive and
procedural closures, the county setting that asks for a follow-up first, and a follow-up
that finds the matter unsettled reopening the case. Every refusal changes nothing."""

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, inputs_for, unchanged
from tests.support.policy import ADMIN

CLOSURE = """
query($id: ID!) { case(id: $id) { status closure { kind closedBy { username } }
  resolution { outcome } followUps { settled note }
  events(first: 50) { edges { node { type actor { username } note } } } } }
"""
SETTINGS = "{ countySettings { followUpBeforeClosure county { code } } }"
UPDATE = """
mutation($risks: [RiskLevel!]!) { updateCountySettings(followUpBeforeClosure: $risks) {
  followUpBeforeClosure } }
"""


async def resolved(lc: Lifecycle, risk: str) -> str:
    """A case of `risk` that 东湖村 registered and resolved; 东湖镇's leader closes it."""
    case_id = str((await lc.register())["id"])
    await lc.do("ASSESS", case_id, V11, {"riskLevel": risk})
    await lc.do("ACCEPT", case_id, V11, inputs_for("ACCEPT"))
    await lc.do("RESOLVE", case_id, V11, inputs_for("RESOLVE"))
    return case_id


async def closure(api: Api, case_id: str) -> dict[str, Any]:
    case: dict[str, Any] = (await api.ok(CLOSURE, {"id": case_id}, user=LEADER))["case"]
    return case


async def test_a_substantive_close_of_an_orange_case_needs_a_follow_up(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await resolved(lc, "ORANGE")
    before = await lc.stored(case_id)
    refused = await lc.attempt("CLOSE", case_id, "t1.leader", {"kind": "SUBSTANTIVE"})
    assert refused.code == "INVALID_TRANSITION", refused
    assert unchanged(before, await lc.stored(case_id)) == []

    await lc.do("FOLLOW_UP", case_id, V11, {"method": "VISIT", "note": "上门回访", "settled": True})
    await lc.do("CLOSE", case_id, "t1.leader", {"kind": "SUBSTANTIVE", "note": "案结事了"})
    case = await closure(api, case_id)
    assert case["status"] == "CLOSED"
    assert case["closure"] == {"kind": "SUBSTANTIVE", "closedBy": {"username": "t1.leader"}}
    assert case["followUps"] == [{"settled": True, "note": "上门回访"}]


async def test_a_procedural_close_and_a_blue_case_need_no_follow_up(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    orange = await resolved(lc, "ORANGE")
    await lc.do("CLOSE", orange, "t1.leader", {"kind": "PROCEDURAL", "note": "已引导诉讼"})
    assert (await closure(api, orange))["closure"]["kind"] == "PROCEDURAL"
    # Without a kind, nobody claimed it settled: procedural.
    omitted = await resolved(lc, "RED")
    await lc.do("CLOSE", omitted, LEADER, {})
    assert (await closure(api, omitted))["closure"]["kind"] == "PROCEDURAL"
    blue = await resolved(lc, "BLUE")
    await lc.do("CLOSE", blue, "t1.leader", {"kind": "SUBSTANTIVE"})
    assert (await closure(api, blue))["closure"]["kind"] == "SUBSTANTIVE"


async def test_a_follow_up_before_a_reopening_does_not_count_for_the_next_result(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await resolved(lc, "RED")
    await lc.do("FOLLOW_UP", case_id, V11, {"method": "PHONE", "note": "电话回访"})
    await lc.do("REOPEN", case_id, LEADER, {"reason": "复查"})
    await lc.do("RESOLVE", case_id, V11, inputs_for("RESOLVE"))
    refused = await lc.attempt("CLOSE", case_id, LEADER, {"kind": "SUBSTANTIVE"})
    assert refused.code == "INVALID_TRANSITION", refused


async def test_an_unsettled_follow_up_reopens_the_case(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await resolved(lc, "YELLOW")
    before = await lc.stored(case_id)
    inputs = {"method": "PHONE", "note": "群众反映围墙仍未拆除", "settled": False}
    done = await lc.do("FOLLOW_UP", case_id, "t1.leader", inputs)
    assert done["status"] == "IN_PROGRESS"
    case = await closure(api, case_id)
    assert (case["resolution"], case["closure"]) == (None, None)
    events = [e["node"] for e in case["events"]["edges"]][-2:]
    assert [(e["type"], e["actor"]["username"], e["note"]) for e in events] == [
        ("FOLLOWED_UP", "t1.leader", "群众反映围墙仍未拆除"),
        ("REOPENED", "t1.leader", "回访发现问题未解决，重新办理"),
    ]
    after = await lc.stored(case_id)
    assert after.version == before.version + 2  # one event, one version each


async def test_reopening_by_follow_up_needs_the_right_to_reopen(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await resolved(lc, "BLUE")
    before = await lc.stored(case_id)
    # The village handler may follow up, but only leaders reopen.
    inputs = {"method": "PHONE", "note": "未解决", "settled": False}
    refused = await lc.attempt("FOLLOW_UP", case_id, V11, inputs)
    assert refused.code == "FORBIDDEN", refused
    assert unchanged(before, await lc.stored(case_id)) == []
    # A settled follow-up by the same handler is fine.
    await lc.do("FOLLOW_UP", case_id, V11, {**inputs, "settled": True, "note": "已解决"})


async def test_the_county_setting_decides_which_risks_need_a_follow_up(
    api: Api, app: Starlette
) -> None:
    shown = (await api.ok(SETTINGS, user=ADMIN))["countySettings"]
    assert shown == {"followUpBeforeClosure": ["ORANGE", "RED"], "county": {"code": "990100"}}
    changed = await api.ok(UPDATE, {"risks": ["RED", "BLUE", "RED"]}, user=ADMIN)
    assert changed["updateCountySettings"]["followUpBeforeClosure"] == ["BLUE", "RED"]
    lc = await Lifecycle.create(api, app)
    orange = await resolved(lc, "ORANGE")
    await lc.do("CLOSE", orange, "t1.leader", {"kind": "SUBSTANTIVE"})
    blue = await resolved(lc, "BLUE")
    refused = await lc.attempt("CLOSE", blue, "t1.leader", {"kind": "SUBSTANTIVE"})
    assert refused.code == "INVALID_TRANSITION", refused


@pytest.mark.parametrize("user", [LEADER, V11, "county.viewer", "other.leader"])
async def test_only_administrators_read_or_change_settings(api: Api, user: str) -> None:
    for document, variables in ((SETTINGS, {}), (UPDATE, {"risks": []})):
        error = await api.error(document, variables, user=user)
        assert error["extensions"]["code"] == "FORBIDDEN", error
    shown = (await api.ok(SETTINGS, user=ADMIN))["countySettings"]
    assert shown["followUpBeforeClosure"] == ["ORANGE", "RED"]
