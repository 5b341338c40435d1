"""中心吹哨、部门报到 through GraphQL (docs/CASE_FILE.md, "Summons"): the handling unit calls
units of its county in; each reports in and contributes; they co-handle the case (see it,
list it) for its lifetime while the handling unit keeps leading it. Every refusal changes
nothing.
"""

from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock, instant
from tests.support.demo import (
    COUNTY,
    HOUSING,
    LABOUR,
    LEADER,
    OTHER_VILLAGE,
    TOWNSHIP_OFFICE,
    USERS,
    V11,
    V21,
    VILLAGE,
    lineage,
)
from tests.support.driver import Api
from tests.support.lifecycle import MEDIATION, Lifecycle, inputs_for, pk_of, unchanged
from tests.support.oracles import policy_allows, relations
from tests.support.policy import county_policy, replace_county_policy
from tests.support.sql import execute, scalar
from yidi.deadlines.sweeper import sweep_once

SUMMONS = """
query($id: ID!) { case(id: $id) {
  status version handlingUnit { code } allowedActions
  summons { unit { code } state note reportBy summonedAt summonedBy { username }
    reportedAt reportedBy { username } reportNote missedAt
    contributedAt contributedBy { username } contribution }
  events(first: 50) { edges { node { type actor { username } note fromUnit { code }
    toUnit { code } summons { unit { code } state } } } }
} }
"""
LIST = "{ cases(first: 100) { edges { node { id } } } }"
CENTRE_NOTE = "请住建、司法所派员到场会商围墙越界纠纷"


async def summons_of(api: Api, case_id: str, user: str = LEADER) -> dict[str, Any] | None:
    case: dict[str, Any] | None = (await api.ok(SUMMONS, {"id": case_id}, user=user))["case"]
    return case


async def listed(api: Api, user: str) -> set[str]:
    return {e["node"]["id"] for e in (await api.ok(LIST, user=user))["cases"]["edges"]}


async def summons_count(app: Starlette) -> int:
    return int(await scalar(app, "SELECT count(*) FROM case_summons"))


async def centre_case(lc: Lifecycle) -> str:
    """A dispute at 东湖村 that the county centre registered, and so handles itself."""
    return str((await lc.register(user="county.intake"))["id"])


def summon_input(lc: Lifecycle, *codes: str, hours: int = 24) -> dict[str, Any]:
    return {"unitIds": [lc.unit(c) for c in codes], "reportInHours": hours, "note": CENTRE_NOTE}


def events(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in case["events"]["edges"]]


async def test_the_centre_summons_two_departments_who_report_in_and_contribute(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc)
    for outsider in ("dept.housing", "t1.office"):
        assert await summons_of(api, case_id, outsider) is None
        assert case_id not in await listed(api, outsider)

    summoned = await lc.do("SUMMON", case_id, LEADER, summon_input(lc, HOUSING, TOWNSHIP_OFFICE))
    assert (summoned["status"], summoned["handlingUnit"]) == ("REGISTERED", {"code": COUNTY})
    case = await summons_of(api, case_id)
    assert case is not None
    assert [(s["unit"]["code"], s["state"]) for s in case["summons"]] == [
        (HOUSING, "SUMMONED"),
        (TOWNSHIP_OFFICE, "SUMMONED"),
    ]
    for s in case["summons"]:
        assert instant(s["reportBy"]) == clock() + timedelta(hours=24)
        assert instant(s["summonedAt"]) == clock()
        assert (s["note"], s["summonedBy"], s["reportedAt"]) == (
            CENTRE_NOTE,
            {"username": LEADER},
            None,
        )
    summoned_event = events(case)[-1]
    assert summoned_event == {
        "type": "SUMMONED",
        "actor": {"username": LEADER},
        "note": CENTRE_NOTE,
        "fromUnit": {"code": COUNTY},
        "toUnit": None,
        "summons": [
            {"unit": {"code": HOUSING}, "state": "SUMMONED"},
            {"unit": {"code": TOWNSHIP_OFFICE}, "state": "SUMMONED"},
        ],
    }

    # Co-handlers now: each sees the case and lists it; the rest of the county does not.
    for member in ("dept.housing", "t1.office"):
        seen = await summons_of(api, case_id, member)
        assert seen is not None
        assert "REPORT_IN" in seen["allowedActions"]
        assert "CONTRIBUTE" not in seen["allowedActions"]
        assert case_id in await listed(api, member)
    for outsider in (V21, "t2.leader", "other.leader"):
        assert await summons_of(api, case_id, outsider) is None
        assert case_id not in await listed(api, outsider)

    await lc.do("REPORT_IN", case_id, "dept.housing", {"note": "已派员到场"})
    clock.current += timedelta(hours=1)
    api.tokens.clear()
    await lc.do("REPORT_IN", case_id, "t1.office", {})
    seen = await summons_of(api, case_id, "dept.housing")
    assert seen is not None
    assert "REPORT_IN" not in seen["allowedActions"]
    assert "CONTRIBUTE" in seen["allowedActions"]
    measured, explained = "经测量，围墙越界0.5米。", "司法所已释法，双方同意调解。"
    await lc.do("CONTRIBUTE", case_id, "dept.housing", {"contribution": measured})
    await lc.do("CONTRIBUTE", case_id, "t1.office", {"contribution": explained})

    case = await summons_of(api, case_id)
    assert case is not None
    assert case["handlingUnit"] == {"code": COUNTY}  # the lead unit stays the handler
    housing, office = case["summons"]
    assert (housing["state"], housing["reportedBy"], housing["reportNote"]) == (
        "CONTRIBUTED",
        {"username": "dept.housing"},
        "已派员到场",
    )
    assert (housing["contribution"], housing["contributedBy"], housing["missedAt"]) == (
        "经测量，围墙越界0.5米。",
        {"username": "dept.housing"},
        None,
    )
    assert instant(office["reportedAt"]) == clock()
    assert (office["state"], office["reportNote"], office["contribution"]) == (
        "CONTRIBUTED",
        None,
        "司法所已释法，双方同意调解。",
    )
    answers = [
        (e["type"], e["actor"]["username"], e["note"], e["fromUnit"]["code"], e["toUnit"]["code"])
        for e in events(case)[-4:]
    ]
    assert answers == [
        ("REPORTED_IN", "dept.housing", "已派员到场", HOUSING, COUNTY),
        ("REPORTED_IN", "t1.office", None, TOWNSHIP_OFFICE, COUNTY),
        ("CONTRIBUTED", "dept.housing", measured, HOUSING, COUNTY),
        ("CONTRIBUTED", "t1.office", explained, TOWNSHIP_OFFICE, COUNTY),
    ]
    assert [e["summons"] for e in events(case)[-4:]] == [
        [{"unit": {"code": HOUSING}, "state": "CONTRIBUTED"}],
        [{"unit": {"code": TOWNSHIP_OFFICE}, "state": "CONTRIBUTED"}],
    ] * 2
    # Other events carry no summons.
    assert events(case)[0]["summons"] is None
    # Done answering, still co-handling: the case stays in their view and lists.
    for member in ("dept.housing", "t1.office"):
        seen = await summons_of(api, case_id, member)
        assert seen is not None
        assert not {"REPORT_IN", "CONTRIBUTE"} & set(seen["allowedActions"])
        assert case_id in await listed(api, member)


async def test_a_summoned_department_co_handles_but_does_not_lead(api: Api, app: Starlette) -> None:
    """Summoned by 东湖镇, 县住建局 sees the case for its lifetime — through a dispatch that
    replaces the co-handling units, a result and a closure — but never dispatches, resolves
    or closes it."""
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register(user="t1.leader", location="990100001002"))["id"])
    await lc.do("SUMMON", case_id, "t1.leader", summon_input(lc, HOUSING))
    await lc.do("REPORT_IN", case_id, "dept.housing", {})
    seen = await summons_of(api, case_id, "dept.housing")
    assert seen is not None
    assert not {"DISPATCH", "ACCEPT", "RESOLVE", "CLOSE", "SUMMON"} & set(seen["allowedActions"])
    before = await lc.stored(case_id)
    for action in ("DISPATCH", "ACCEPT", "SUMMON"):
        inputs = inputs_for(action, target=lc.unit(VILLAGE), summoned=lc.unit(LABOUR))
        refused = await lc.attempt(action, case_id, "dept.housing", inputs)
        assert refused.code == "FORBIDDEN", (action, refused)
    assert unchanged(before, await lc.stored(case_id)) == []

    # The township hands the case to 东湖村 with no co-handlers: the summoned unit stays.
    await lc.do("DISPATCH", case_id, "t1.leader", {"unitId": lc.unit(VILLAGE)})
    await lc.do("ACCEPT", case_id, V11, {})
    refused = await lc.attempt("RESOLVE", case_id, "dept.housing", inputs_for("RESOLVE"))
    assert refused.code == "FORBIDDEN", refused
    await lc.do("CONTRIBUTE", case_id, "dept.housing", {"contribution": "已核实。"})
    await lc.do("RECORD_MEDIATION", case_id, V11, MEDIATION)
    await lc.do("RESOLVE", case_id, V11, inputs_for("RESOLVE"))
    refused = await lc.attempt("CLOSE", case_id, "dept.housing", {})
    assert refused.code == "FORBIDDEN", refused
    await lc.do("CLOSE", case_id, "t1.leader", {})
    seen = await summons_of(api, case_id, "dept.housing")
    assert seen is not None
    assert (seen["status"], seen["handlingUnit"]) == ("CLOSED", {"code": VILLAGE})
    assert case_id in await listed(api, "dept.housing")


@pytest.mark.parametrize(
    ("user", "handled_by"),
    [
        (V11, "village"),  # the handling unit, but a village: the policy says no
        ("t1.leader", "centre"),  # sees it (location below 东湖镇), not its handler
        ("t1.handler", "centre"),
        ("county.viewer", "centre"),
        ("county.leader", "village"),  # above the handler, not the handler
    ],
)
async def test_only_the_handling_township_or_centre_summons(
    api: Api, app: Starlette, user: str, handled_by: str
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc) if handled_by == "centre" else str((await lc.register())["id"])
    before, count = await lc.stored(case_id), await summons_count(app)
    refused = await lc.attempt("SUMMON", case_id, user, summon_input(lc, HOUSING))
    assert refused.code == "FORBIDDEN", refused
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await summons_count(app) == count
    assert "SUMMON" not in await lc.allowed(case_id, user)


async def test_a_county_admin_decides_who_summons(api: Api, app: Starlette) -> None:
    """SUMMON is a policy action: the county may let village staff blow the whistle, or take
    it from its own centre."""
    revision, rules = await county_policy(api)
    kept = [r for r in rules if not (r["action"] == "SUMMON" and r["role"] == "LEADER")]
    assert len(kept) == len(rules) - 1
    village_rule = {
        "role": "HANDLER",
        "level": "VILLAGE",
        "relation": "SAME",
        "action": "SUMMON",
        "risk": "*",
    }
    await replace_county_policy(api, [*kept, village_rule], revision)
    lc = await Lifecycle.create(api, app)
    village_case = str((await lc.register())["id"])
    assert "SUMMON" in await lc.allowed(village_case, V11)
    await lc.do("SUMMON", village_case, V11, summon_input(lc, TOWNSHIP_OFFICE))
    centre = await centre_case(lc)
    refused = await lc.attempt("SUMMON", centre, LEADER, summon_input(lc, HOUSING))
    assert refused.code == "FORBIDDEN", refused
    await lc.do("SUMMON", centre, "county.intake", summon_input(lc, HOUSING))


@pytest.mark.parametrize("status", ["RESOLVED", "CLOSED", "REDIRECTED", "MERGED"])
async def test_only_an_open_case_summons_or_is_answered(
    api: Api, app: Starlette, status: str
) -> None:
    """The summons actions in every status that refuses them; a policy letting the
    village's and the department's staff summon leaves the status the only reason."""
    revision, rules = await county_policy(api)
    wider = {"role": "HANDLER", "level": "*", "relation": "SAME", "action": "SUMMON", "risk": "*"}
    await replace_county_policy(api, [*rules, wider], revision)
    lc = await Lifecycle.create(api, app)
    original = str((await lc.register())["id"])
    case_id = str((await lc.register())["id"])
    await lc.do("SUMMON", case_id, V11, summon_input(lc, TOWNSHIP_OFFICE))
    await lc.move_to(case_id, status, original)
    handler = V11 if status in ("REDIRECTED", "MERGED") else "dept.housing"
    before, count = await lc.stored(case_id), await summons_count(app)
    attempts = [
        ("SUMMON", handler, summon_input(lc, LABOUR)),
        ("REPORT_IN", "t1.office", {}),
        ("CONTRIBUTE", "t1.office", {"contribution": "已核实。"}),
    ]
    for action, user, inputs in attempts:
        refused = await lc.attempt(action, case_id, user, inputs)
        assert refused.code == "INVALID_TRANSITION", (action, refused)
        assert action not in await lc.allowed(case_id, user)
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await summons_count(app) == count


BAD = [
    pytest.param({"unitIds": []}, "unitIds", id="no-unit"),
    pytest.param({"unitIds": ["nonsense"]}, "unitIds", id="malformed-unit"),
    pytest.param({"unitIds": [OTHER_VILLAGE]}, "unitIds", id="unit-of-another-county"),
    pytest.param({"unitIds": ["990200001"]}, "unitIds", id="township-of-another-county"),
    pytest.param({"unitIds": [COUNTY]}, "unitIds", id="the-handling-unit-itself"),
    pytest.param({"unitIds": [LABOUR, COUNTY]}, "unitIds", id="handling-unit-among-others"),
    pytest.param({"unitIds": [HOUSING]}, "unitIds", id="already-summoned-and-pending"),
    pytest.param({"reportInHours": 0}, "reportInHours", id="zero-hours"),
    pytest.param({"reportInHours": 73}, "reportInHours", id="more-than-72-hours"),
    pytest.param({"note": "  "}, "note", id="empty-note"),
]


@pytest.mark.parametrize(("patch", "field"), BAD)
async def test_bad_input_names_the_field(
    api: Api, app: Starlette, patch: dict[str, Any], field: str
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc)
    await lc.do("SUMMON", case_id, LEADER, summon_input(lc, HOUSING))
    units = patch.get("unitIds")
    if units:
        patch = {"unitIds": [u if u == "nonsense" else lc.unit(u) for u in units]}
    before, count = await lc.stored(case_id), await summons_count(app)
    refused = await lc.attempt("SUMMON", case_id, LEADER, {**summon_input(lc, LABOUR), **patch})
    assert (refused.code, refused.field) == ("BAD_USER_INPUT", field), refused
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await summons_count(app) == count


async def test_a_department_of_another_county_stays_out(api: Api, app: Starlette) -> None:
    """A department of 白水县 is answered like no unit at all, and its county never sees
    the case."""
    await execute(
        app,
        "INSERT INTO units (county_id, code, name, level, kind, parent_id, path) "
        "SELECT id, '990200901', '白水县住建局', 'COUNTY', 'DEPARTMENT', id, ARRAY[id] "
        "FROM units WHERE code = '990200'",
    )
    await execute(
        app,
        "UPDATE units SET path = path || id WHERE code = '990200901'",
    )
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc)
    before, count = await lc.stored(case_id), await summons_count(app)
    refused = await lc.attempt("SUMMON", case_id, LEADER, summon_input(lc, "990200901"))
    assert refused.error is not None
    assert (refused.code, refused.field, refused.error["message"]) == (
        "BAD_USER_INPUT",
        "unitIds",
        "No such unit.",
    )
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await summons_count(app) == count
    assert await summons_of(api, case_id, "other.leader") is None


async def test_only_the_summoned_unit_answers_and_in_order(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc)
    await lc.do("SUMMON", case_id, LEADER, summon_input(lc, TOWNSHIP_OFFICE))
    contribution = {"contribution": "已核实。"}

    async def refused(action: str, user: str, inputs: dict[str, Any], code: str) -> None:
        before, count = await lc.stored(case_id), await summons_count(app)
        outcome = await lc.attempt(action, case_id, user, inputs)
        assert outcome.code == code, (action, user, outcome)
        assert unchanged(before, await lc.stored(case_id)) == []
        assert await summons_count(app) == count

    # Not of the summoned unit: the village of the location, the township above 司法所
    # (INVOLVED like it, but not summoned), the county centre; a viewer by the policy.
    for user in (V11, "t1.leader", LEADER, "county.viewer"):
        await refused("REPORT_IN", user, {}, "FORBIDDEN")
        await refused("CONTRIBUTE", user, contribution, "FORBIDDEN")
    # The summoned unit, out of order: a contribution before reporting in, twice each.
    await refused("CONTRIBUTE", "t1.office", contribution, "INVALID_TRANSITION")
    await lc.do("REPORT_IN", case_id, "t1.office", {})
    await refused("REPORT_IN", "t1.office", {}, "INVALID_TRANSITION")
    await refused("CONTRIBUTE", "t1.office", {"contribution": " "}, "BAD_USER_INPUT")
    await lc.do("CONTRIBUTE", case_id, "t1.office", contribution)
    await refused("CONTRIBUTE", "t1.office", contribution, "INVALID_TRANSITION")
    await refused("REPORT_IN", "t1.office", {}, "INVALID_TRANSITION")
    # Done, it may be summoned again: a new summons of its own.
    await lc.do("SUMMON", case_id, LEADER, summon_input(lc, TOWNSHIP_OFFICE))
    case = await summons_of(api, case_id)
    assert case is not None
    assert [s["state"] for s in case["summons"]] == ["CONTRIBUTED", "SUMMONED"]
    assert "REPORT_IN" in await lc.allowed(case_id, "t1.office")


async def test_a_missed_report_in_is_alerted_once(api: Api, app: Starlette, clock: Clock) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc)
    await lc.do("SUMMON", case_id, LEADER, summon_input(lc, HOUSING, TOWNSHIP_OFFICE, hours=2))
    await lc.do("REPORT_IN", case_id, "t1.office", {})
    uow = app.state.yidi.uow

    async def missed() -> int:
        sql = "SELECT count(*) FROM case_events WHERE case_id = :id AND type = 'REPORT_IN_MISSED'"
        return int(await scalar(app, sql, id=pk_of(case_id)))

    result = await sweep_once(uow, clock() + timedelta(hours=1, minutes=59))
    assert result is not None
    assert result.missed_report_ins == 0
    assert await missed() == 0
    late = clock() + timedelta(hours=2, minutes=1)
    first = await sweep_once(uow, late)
    second = await sweep_once(uow, late + timedelta(hours=1))
    assert first is not None
    assert second is not None
    assert (first.missed_report_ins, second.missed_report_ins) == (1, 0)
    assert await missed() == 1

    clock.current = late
    api.tokens.clear()
    case = await summons_of(api, case_id)
    assert case is not None
    alert = events(case)[-1]
    assert alert == {
        "type": "REPORT_IN_MISSED",
        "actor": None,
        "note": None,
        "fromUnit": {"code": HOUSING},
        "toUnit": {"code": COUNTY},
        "summons": [{"unit": {"code": HOUSING}, "state": "MISSED"}],
    }
    housing, office = case["summons"]
    assert (housing["state"], instant(housing["missedAt"])) == ("MISSED", late)
    assert (office["state"], office["missedAt"]) == ("REPORTED", None)  # it reported in time
    # Late is better than never: it reports in, and the miss stays on record.
    assert "REPORT_IN" in await lc.allowed(case_id, "dept.housing")
    await lc.do("REPORT_IN", case_id, "dept.housing", {"note": "迟到报到"})
    case = await summons_of(api, case_id)
    assert case is not None
    assert (case["summons"][0]["state"], case["summons"][0]["missedAt"]) == (
        "REPORTED",
        housing["missedAt"],
    )
    assert await sweep_once(uow, late + timedelta(hours=3)) is not None
    assert await missed() == 1


async def test_no_alert_once_the_case_has_its_result(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc)
    await lc.do("SUMMON", case_id, LEADER, summon_input(lc, HOUSING, hours=1))
    await lc.do("ACCEPT", case_id, LEADER, {})
    await lc.do("RESOLVE", case_id, LEADER, inputs_for("RESOLVE"))
    result = await sweep_once(app.state.yidi.uow, clock() + timedelta(hours=2))
    assert result is not None
    assert result.missed_report_ins == 0
    assert "REPORT_IN_MISSED" not in await lc.event_types(case_id)
    case = await summons_of(api, case_id)
    assert case is not None
    assert [(s["state"], s["missedAt"]) for s in case["summons"]] == [("SUMMONED", None)]


async def test_list_and_single_case_agree_for_every_demo_user(api: Api, app: Starlette) -> None:
    """Summoned units join INVOLVED: who may view the case (the design's table over the
    demo tree) is exactly who gets it from `case` and finds it in `cases`."""
    lc = await Lifecycle.create(api, app)
    case_id = await centre_case(lc)
    await lc.do("SUMMON", case_id, LEADER, summon_input(lc, HOUSING, TOWNSHIP_OFFICE))
    involved = (COUNTY, VILLAGE, HOUSING, TOWNSHIP_OFFICE)  # intake, location, summoned
    mismatches = []
    for username, user in USERS.items():
        standing = relations(user.unit, COUNTY, involved, lineage)
        may_view = policy_allows(user, "VIEW", standing, "BLUE")
        single = await summons_of(api, case_id, username) is not None
        got = (single, case_id in await listed(api, username))
        if got != (may_view, may_view):
            mismatches.append(f"{username}: may view {may_view}, (case, cases) {got}")
    assert not mismatches, "\n".join(mismatches)
