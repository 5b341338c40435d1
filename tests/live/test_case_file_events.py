"""The case file's events reach subscribers like every other event, carrying what a timeline
needs (the owner, the mediation) and masked for a reader without personal-data rights."""

import pytest
from starlette.applications import Starlette

from tests.support.demo import COUNTY, HOUSING, LEADER, TOWNSHIP_OFFICE, V11
from tests.support.driver import Api
from tests.support.lifecycle import MEDIATION, Lifecycle
from tests.support.live import Subscription, subscribers_reach

CASE_FILE_EVENTS = """
subscription($id: ID!) { caseEvents(caseId: $id) {
  type note actor { username } owner { username }
  mediation { kind outcome partiesPresent transcript } } }
"""


@pytest.mark.parametrize(
    ("viewer", "parties", "transcript"),
    [
        (LEADER, ["张三", "李四"], MEDIATION["transcript"]),
        ("county.viewer", ["张*", "李*"], None),  # may view, not see personal data
    ],
)
async def test_ownership_and_mediation_events_arrive_live(
    api: Api, app: Starlette, url: str, viewer: str, parties: list[str], transcript: str | None
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    token = await api.token(viewer)
    async with Subscription(url, token, CASE_FILE_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        await lc.do("TAKE_OWNERSHIP", case_id, "t1.leader", {"note": "包案"})
        await lc.do("RECORD_MEDIATION", case_id, V11, MEDIATION)
        await lc.do("RELEASE_OWNERSHIP", case_id, LEADER, {"reason": "改由县领导协调"})
        taken, mediated, released = await live.take(3)
    assert (taken["type"], taken["owner"], taken["note"]) == (
        "OWNERSHIP_TAKEN",
        {"username": "t1.leader"},
        "包案",
    )
    assert mediated["type"] == "MEDIATION_RECORDED"
    assert mediated["note"] == "律师调解（诉调对接）：达成调解协议"
    assert mediated["mediation"] == {
        "kind": "LAWYER",
        "outcome": "AGREEMENT",
        "partiesPresent": parties,
        "transcript": transcript,
    }
    assert (released["type"], released["actor"], released["owner"]) == (
        "OWNERSHIP_RELEASED",
        {"username": LEADER},
        {"username": "t1.leader"},
    )


SUMMONS_EVENTS = """
subscription($id: ID!) { caseEvents(caseId: $id) {
  type note actor { username } fromUnit { code } toUnit { code }
  summons { unit { code } state reportBy } } }
"""


async def test_summons_events_arrive_live(api: Api, app: Starlette, url: str) -> None:
    """吹哨报到: the summoned department follows the case it was called to, and every step
    reaches it with the units and deadline a timeline shows."""
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register(user="county.intake"))["id"])
    summon = {"unitIds": [lc.unit(HOUSING)], "reportInHours": 4, "note": "请派员会商"}
    await lc.do("SUMMON", case_id, LEADER, summon)
    token = await api.token("dept.housing")  # may follow it now: it co-handles the case
    async with Subscription(url, token, SUMMONS_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        await lc.do("REPORT_IN", case_id, "dept.housing", {"note": "已到场"})
        await lc.do("CONTRIBUTE", case_id, "dept.housing", {"contribution": "已核实越界。"})
        await lc.do("SUMMON", case_id, LEADER, {**summon, "unitIds": [lc.unit(TOWNSHIP_OFFICE)]})
        reported, contributed, summoned = await live.take(3)
    assert [(e["type"], e["actor"]["username"], e["note"]) for e in (reported, contributed)] == [
        ("REPORTED_IN", "dept.housing", "已到场"),
        ("CONTRIBUTED", "dept.housing", "已核实越界。"),
    ]
    assert (reported["fromUnit"], reported["toUnit"]) == ({"code": HOUSING}, {"code": COUNTY})
    assert [s["unit"] for s in contributed["summons"]] == [{"code": HOUSING}]
    assert (summoned["type"], summoned["note"], summoned["fromUnit"]) == (
        "SUMMONED",
        "请派员会商",
        {"code": COUNTY},
    )
    (called,) = summoned["summons"]
    assert (called["unit"], called["state"]) == ({"code": TOWNSHIP_OFFICE}, "SUMMONED")
    assert called["reportBy"] is not None


UNIT_EVENTS = """
subscription($unit: ID!) { unitCaseEvents(unitId: $unit) {
  type note case { id } summons { unit { code } } } }
"""


async def test_a_summoned_department_hears_of_it_on_its_own_unit_feed(
    api: Api, app: Starlette, url: str
) -> None:
    """A case the centre handles at a village lies outside 县住建局's subtree; once summoned,
    its events reach the department's unit feed, the SUMMONED event first."""
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register(user="county.intake"))["id"])
    token = await api.token("dept.housing")
    async with Subscription(url, token, UNIT_EVENTS, {"unit": lc.unit(HOUSING)}) as live:
        await subscribers_reach(app, 1)
        summon = {"unitIds": [lc.unit(HOUSING)], "reportInHours": 4, "note": "请派员会商"}
        await lc.do("SUMMON", case_id, LEADER, summon)
        (summoned,) = await live.take(1)
        await lc.do("REPORT_IN", case_id, "dept.housing", {})
        (reported,) = await live.take(1)
    assert (summoned["type"], summoned["note"], summoned["case"]) == (
        "SUMMONED",
        "请派员会商",
        {"id": case_id},
    )
    assert summoned["summons"] == [{"unit": {"code": HOUSING}}]
    assert (reported["type"], reported["case"]) == ("REPORTED_IN", {"id": case_id})
