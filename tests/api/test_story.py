"""The end-to-end story of the lifecycle issue, through GraphQL, event by event."""

from dataclasses import dataclass
from typing import Any

from tests.support.driver import Api
from tests.support.intake import submit
from tests.support.lifecycle import MEDIATION
from tests.support.lookups import category_id, unit_id
from tests.support.mutations import do

CASE_FIELDS = """
  id number status version riskLevel escalationCount
  handlingUnit { code name } intakeUnit { code } locationUnit { code }
  resolution { outcome summary resolvedByUnit { code } resolvedBy { username } }
  evaluation { satisfaction comment }
  allowedActions
"""

TIMELINE = """
query($id: ID!) { case(id: $id) { events(first: 50) { totalCount edges { node {
  type actor { username } fromUnit { code } toUnit { code } note } } } } }
"""


@dataclass
class Story:
    """One case's story: each step says who does what to the case, at which version."""

    api: Api
    case_id: str

    async def step(self, user: str, action: str, version: int, **fields: Any) -> dict[str, Any]:
        inputs = {"caseId": self.case_id, "expectedVersion": version, **fields}
        return await do(self.api, user, action, inputs, CASE_FIELDS)


async def test_resident_to_reopen_story(api: Api) -> None:
    village = await unit_id(api, "990100001001")  # 东湖村
    # 1. A resident submits a request without an account.
    resident = await submit(api, village)
    resident_case = await api.ok(
        "query($n: String!) { caseByNumber(number: $n) { status handlingUnit { code } "
        "category { code } channel } }",
        {"n": resident["number"]},
        user="v11.handler",
    )
    assert resident_case["caseByNumber"] == {
        "status": "REGISTERED",
        "handlingUnit": {"code": "990100001001"},
        "category": {"code": "UNCLASSIFIED"},
        "channel": "ONLINE",
    }

    # 2. The village registers another case itself.
    registered = await api.ok(
        """mutation($input: RegisterCaseInput!) { registerCase(input: $input) {
             trackingCode case { id number version status handlingUnit { code } } } }""",
        {
            "input": {
                "title": "相邻宅基地界址纠纷",
                "description": "两户因围墙位置发生争执。",
                "categoryId": await category_id(api, "DISPUTE.LAND", user="v11.handler"),
                "channel": "VISIT",
                "locationUnitId": village,
                "reporter": {"name": "张三", "phone": "13800001111"},
            }
        },
        user="v11.handler",
    )
    case = registered["registerCase"]["case"]
    tracking = registered["registerCase"]["trackingCode"]
    case_id = case["id"]
    story = Story(api, case_id)
    assert case["status"] == "REGISTERED"
    assert case["version"] == 1

    # 3. The village escalates to the township.
    case = await story.step("v11.handler", "ESCALATE", 1, reason="涉及多户，村级无法调解")
    assert case["handlingUnit"]["code"] == "990100001"
    assert case["status"] == "REGISTERED"
    assert case["escalationCount"] == 1

    # 4. The township dispatches to its own office, 东湖镇司法所, which returns it.
    office = await unit_id(api, "990100001901")
    case = await story.step("t1.leader", "DISPATCH", 2, unitId=office, note="请司法所调解")
    assert case["status"] == "DISPATCHED"
    assert case["handlingUnit"]["name"] == "东湖镇司法所"
    office_view = await api.ok(
        "query($id: ID!) { case(id: $id) { allowedActions } }", {"id": case_id}, user="t1.office"
    )
    assert office_view["case"]["allowedActions"] == [
        "VIEW",
        "ACCEPT",
        "RETURN",
        "ESCALATE",
        "COMMENT",
        "RECORD_MEDIATION",
        "REQUEST_EXTENSION",
    ]
    case = await story.step("t1.office", "RETURN", 3, reason="涉及土地确权，超出调解范围")
    assert case["status"] == "REGISTERED"
    assert case["handlingUnit"]["code"] == "990100001"

    # 5. The township escalates to the county, which dispatches to a county department.
    case = await story.step("t1.leader", "ESCALATE", 4, reason="需县级部门处理")
    assert case["handlingUnit"]["code"] == "990100"
    assert case["escalationCount"] == 2
    housing = await unit_id(api, "990100901")
    case = await story.step("county.leader", "DISPATCH", 5, unitId=housing)
    assert case["handlingUnit"]["code"] == "990100901"

    # 6. The department accepts, mediates to an agreement and resolves.
    case = await story.step("dept.housing", "ACCEPT", 6)
    assert case["status"] == "IN_PROGRESS"
    assert case["allowedActions"] == [
        "VIEW",
        "ESCALATE",
        "COMMENT",
        "RESOLVE",
        "RECORD_MEDIATION",
        "REQUEST_EXTENSION",
    ]
    case = await story.step("dept.housing", "RECORD_MEDIATION", 7, **MEDIATION)
    settled = "经现场测量，双方同意按原界址重建围墙。"
    case = await story.step("dept.housing", "RESOLVE", 8, outcome="MEDIATED", summary=settled)
    assert case["status"] == "RESOLVED"
    assert case["resolution"]["resolvedByUnit"]["code"] == "990100901"
    assert case["resolution"]["resolvedBy"]["username"] == "dept.housing"

    # 7. The county closes.
    case = await story.step("county.leader", "CLOSE", 9, note="结案")
    assert case["status"] == "CLOSED"

    # 8. The resident tracks and evaluates DISSATISFIED.
    tracked = await api.ok(
        """query($c: String!, $p: String!) { trackCase(trackingCode: $c, phoneLast4: $p) {
             number status handlingUnitName resolutionSummary canEvaluate
             milestones { type } } }""",
        {"c": tracking, "p": "1111"},
    )
    status = tracked["trackCase"]
    assert status["number"] == registered["registerCase"]["case"]["number"]
    assert status["status"] == "CLOSED"
    assert status["canEvaluate"] is True
    assert status["handlingUnitName"] == "县住建局"
    # Progress only: internal steps such as a return between offices stay internal.
    assert [m["type"] for m in status["milestones"]] == [
        "REGISTERED",
        "ESCALATED",
        "DISPATCHED",
        "ESCALATED",
        "DISPATCHED",
        "ACCEPTED",
        "RESOLVED",
        "CLOSED",
    ]
    evaluated = await api.ok(
        """mutation($input: PublicEvaluationInput!) { evaluateByTracking(input: $input) }""",
        {
            "input": {
                "trackingCode": tracking,
                "phoneLast4": "1111",
                "satisfaction": "DISSATISFIED",
                "comment": "围墙仍未重建",
            }
        },
    )
    assert evaluated["evaluateByTracking"] is True

    # 9. The county reopens.
    case = await story.step("county.leader", "REOPEN", 11, reason="群众不满意，重新办理")
    assert case["status"] == "IN_PROGRESS"
    assert case["resolution"] is None
    assert case["evaluation"] is None

    timeline = await api.ok(TIMELINE, {"id": case_id}, user="county.leader")
    events = [e["node"] for e in timeline["case"]["events"]["edges"]]
    assert timeline["case"]["events"]["totalCount"] == len(events) == 12
    summary = [
        (
            e["type"],
            e["actor"]["username"] if e["actor"] else None,
            e["fromUnit"]["code"] if e["fromUnit"] else None,
            e["toUnit"]["code"] if e["toUnit"] else None,
        )
        for e in events
    ]
    assert summary == [
        ("REGISTERED", "v11.handler", None, "990100001001"),
        ("ESCALATED", "v11.handler", "990100001001", "990100001"),
        ("DISPATCHED", "t1.leader", "990100001", "990100001901"),
        ("RETURNED", "t1.office", "990100001901", "990100001"),
        ("ESCALATED", "t1.leader", "990100001", "990100"),
        ("DISPATCHED", "county.leader", "990100", "990100901"),
        ("ACCEPTED", "dept.housing", None, "990100901"),
        ("MEDIATION_RECORDED", "dept.housing", None, "990100901"),
        ("RESOLVED", "dept.housing", "990100901", None),
        ("CLOSED", "county.leader", None, None),
        ("EVALUATED", None, None, None),
        ("REOPENED", "county.leader", None, "990100901"),
    ]
    assert events[7]["note"] == "律师调解（诉调对接）：达成调解协议"
    assert events[10]["note"] == "围墙仍未重建"
