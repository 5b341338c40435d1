"""The case file's story, end to end through GraphQL (issue 11, as far as this branch goes):
a RED dispute registered at a village is escalated to the county, a county leader takes it
on, a county department mediates with a lawyer-led team to an agreement, an extension is
approved on the way, the case is resolved as MEDIATED, followed up and closed substantively
— and the resident tracking it sees only the public milestones, while the dossier PDF
(民事办理书) read back to text holds every step."""

from typing import Any

from starlette.applications import Starlette

from tests.support.demo import HOUSING, LEADER, TOWNSHIP_OFFICE, V11
from tests.support.driver import Api
from tests.support.evidence import download, has_text, pdf_text
from tests.support.lifecycle import MEDIATION, Lifecycle

TIMELINE = """
query($id: ID!) { case(id: $id) { status owner { username } closure { kind }
  resolution { outcome } mediations { kind outcome agreement }
  extensions { status days } followUps { settled }
  summons { unit { code } state contribution }
  events(first: 50) { edges { node { type actor { username } owner { username } } } } } }
"""
TRACK = """
query($c: String!, $p: String!) { trackCase(trackingCode: $c, phoneLast4: $p) {
  status milestones { type } } }
"""


async def test_a_red_dispute_through_the_case_file(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    registered = await lc.register(title="宅基地界址纠纷引发冲突")
    case_id = str(registered["id"])
    departments = [lc.unit(HOUSING), lc.unit(TOWNSHIP_OFFICE)]
    summons = {"unitIds": departments, "reportInHours": 24, "note": "请住建局、司法所派员会商"}
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("ASSESS", V11, {"riskLevel": "RED", "note": "有激化风险"}),
        ("ESCALATE", V11, {"reason": "村级无法化解"}),
        ("ESCALATE", "t1.leader", {"reason": "需县级协调"}),
        ("TAKE_OWNERSHIP", LEADER, {"note": "县领导包案"}),
        # 中心吹哨、部门报到: the centre calls two departments in, each reports and contributes.
        ("SUMMON", LEADER, summons),
        ("REPORT_IN", "dept.housing", {"note": "住建局已派员"}),
        ("REPORT_IN", "t1.office", {}),
        ("CONTRIBUTE", "dept.housing", {"contribution": "现场测绘：围墙越界0.5米"}),
        ("CONTRIBUTE", "t1.office", {"contribution": "司法所释法：宅基地以确权图为准"}),
        ("DISPATCH", LEADER, {"unitId": lc.unit(HOUSING), "note": "请住建局牵头"}),
        ("ACCEPT", "dept.housing", {}),
        ("REQUEST_EXTENSION", "dept.housing", {"days": 10, "reason": "需组织测绘"}),
        ("DECIDE_EXTENSION", LEADER, {"approved": True, "note": "同意延期"}),
        ("RECORD_MEDIATION", "dept.housing", MEDIATION),
        ("RESOLVE", "dept.housing", {"outcome": "MEDIATED", "summary": "达成调解协议"}),
        ("FOLLOW_UP", LEADER, {"method": "VISIT", "note": "回访：协议已履行", "settled": True}),
        ("CLOSE", LEADER, {"kind": "SUBSTANTIVE", "note": "案结事了"}),
    ]
    for action, user, inputs in steps:
        await lc.do(action, case_id, user, inputs)

    case = (await api.ok(TIMELINE, {"id": case_id}, user=LEADER))["case"]
    assert case["status"] == "CLOSED"
    assert case["owner"] == {"username": LEADER}  # the owner of record stays
    assert case["closure"] == {"kind": "SUBSTANTIVE"}
    assert case["resolution"] == {"outcome": "MEDIATED"}
    assert case["mediations"] == [
        {"kind": "LAWYER", "outcome": "AGREEMENT", "agreement": MEDIATION["agreement"]}
    ]
    assert case["extensions"] == [{"status": "APPROVED", "days": 10}]
    assert case["followUps"] == [{"settled": True}]
    assert [(s["unit"]["code"], s["state"], s["contribution"]) for s in case["summons"]] == [
        (HOUSING, "CONTRIBUTED", "现场测绘：围墙越界0.5米"),
        (TOWNSHIP_OFFICE, "CONTRIBUTED", "司法所释法：宅基地以确权图为准"),
    ]
    timeline = [
        (e["node"]["type"], (e["node"]["actor"] or {}).get("username"))
        for e in case["events"]["edges"]
    ]
    assert timeline == [
        ("REGISTERED", V11),
        ("ASSESSED", V11),
        ("ESCALATED", V11),
        ("ESCALATED", "t1.leader"),
        ("OWNERSHIP_TAKEN", LEADER),
        ("SUMMONED", LEADER),
        ("REPORTED_IN", "dept.housing"),
        ("REPORTED_IN", "t1.office"),
        ("CONTRIBUTED", "dept.housing"),
        ("CONTRIBUTED", "t1.office"),
        ("DISPATCHED", LEADER),
        ("ACCEPTED", "dept.housing"),
        ("EXTENSION_REQUESTED", "dept.housing"),
        ("EXTENSION_DECIDED", LEADER),
        ("MEDIATION_RECORDED", "dept.housing"),
        ("RESOLVED", "dept.housing"),
        ("FOLLOWED_UP", LEADER),
        ("CLOSED", LEADER),
    ]

    tracked = (await api.ok(TRACK, {"c": registered["trackingCode"], "p": "1111"}))["trackCase"]
    assert tracked["status"] == "CLOSED"
    assert [m["type"] for m in tracked["milestones"]] == [
        "REGISTERED",
        "ESCALATED",
        "ESCALATED",
        "DISPATCHED",
        "ACCEPTED",
        "RESOLVED",
        "CLOSED",
    ]

    dossier = await download(api, f"/cases/{case_id}/dossier.pdf", LEADER)
    text = pdf_text(dossier.content)
    steps_in_words = ["上报", "领导包案", "县领导包案", "分流交办", "县住建局", "签收", "申请延期"]
    steps_in_words += ["需组织测绘", "延期审批", "律师调解", MEDIATION["agreement"], "调解成功"]
    steps_in_words += ["回访：协议已履行", "实质性结案", "案结事了", "红色"]
    # 中心吹哨、部门报到: who was called in, that they reported, what each contributed.
    steps_in_words += ["吹哨报到", "请住建局、司法所派员会商", "东湖镇司法所", "已提交意见"]
    steps_in_words += ["现场测绘：围墙越界0.5米", "司法所释法：宅基地以确权图为准"]
    assert [s for s in steps_in_words if not has_text(text, s)] == []
