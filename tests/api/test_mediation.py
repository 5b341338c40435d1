"""Mediation records through GraphQL (docs/CASE_FILE.md, "Mediation"): recording a session,
reading it back masked per the reader's right to personal data, its event, every refusal,
and the rule that resolving as MEDIATED needs a mediation that reached agreement."""

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock, instant
from tests.support.demo import COUNTY, LEADER, V11
from tests.support.driver import Api
from tests.support.lifecycle import MEDIATION, Lifecycle, inputs_for, unchanged
from tests.support.policy import county_policy, replace_county_policy
from tests.support.sql import scalar

MEDIATIONS = """
query($id: ID!) { case(id: $id) {
  mediations { kind linkage heldAt place outcome partiesPresent transcript agreement
    recordedAt recordedBy { username } staffMediators { username }
    outsideMediators { name role organization } }
  events(first: 50) { edges { node { type actor { username } note toUnit { code }
    mediation { kind outcome partiesPresent transcript } } } }
} }
"""


async def read(api: Api, case_id: str, user: str) -> dict[str, Any]:
    case: dict[str, Any] = (await api.ok(MEDIATIONS, {"id": case_id}, user=user))["case"]
    return case


async def mediation_count(app: Starlette) -> int:
    return int(await scalar(app, "SELECT count(*) FROM case_mediations"))


async def test_a_lawyer_led_mediation_is_recorded_and_read_back(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])  # 东湖村 registers and handles it
    staff = [lc.user("t1.office")]
    done = await lc.do("RECORD_MEDIATION", case_id, V11, {**MEDIATION, "staffMediatorIds": staff})
    assert done["status"] == "REGISTERED"

    case = await read(api, case_id, V11)  # the handling unit: personal data in clear
    (mediation,) = case["mediations"]
    assert mediation == {
        "kind": "LAWYER",
        "linkage": "COURT",
        "heldAt": mediation["heldAt"],
        "place": "东湖村调解室",
        "outcome": "AGREEMENT",
        "partiesPresent": ["张三", "李四"],
        "transcript": MEDIATION["transcript"],
        "agreement": MEDIATION["agreement"],
        "recordedAt": mediation["recordedAt"],
        "recordedBy": {"username": V11},
        "staffMediators": [{"username": "t1.office"}],
        "outsideMediators": [
            {"name": "刘律师", "role": "LAWYER", "organization": "青山律师事务所"},
            {"name": "老周", "role": "RESPECTED_LOCAL", "organization": None},
            {"name": "党员李明", "role": "PARTY_MEMBER", "organization": None},
        ],
    }
    assert instant(mediation["heldAt"]) == instant(MEDIATION["heldAt"])
    assert instant(mediation["recordedAt"]) == clock()

    last = case["events"]["edges"][-1]["node"]
    assert (last["type"], last["actor"], last["toUnit"]) == (
        "MEDIATION_RECORDED",
        {"username": V11},
        {"code": "990100001001"},
    )
    # The note says what happened, never who or what was said.
    assert last["note"] == "律师调解（诉调对接）：达成调解协议"
    assert last["mediation"] == {
        "kind": "LAWYER",
        "outcome": "AGREEMENT",
        "partiesPresent": ["张三", "李四"],
        "transcript": MEDIATION["transcript"],
    }


async def test_personal_data_in_a_mediation_is_masked_for_those_without_the_right(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await lc.do("RECORD_MEDIATION", case_id, V11, MEDIATION)
    # county.viewer views (INVOLVED) but may not see personal data.
    case = await read(api, case_id, "county.viewer")
    (mediation,) = case["mediations"]
    assert mediation["partiesPresent"] == ["张*", "李*"]
    assert (mediation["transcript"], mediation["agreement"]) == (None, None)
    event = case["events"]["edges"][-1]["node"]["mediation"]
    assert (event["partiesPresent"], event["transcript"]) == (["张*", "李*"], None)
    # A leader above the handling unit may: in clear.
    (clear,) = (await read(api, case_id, LEADER))["mediations"]
    assert clear["agreement"] == MEDIATION["agreement"]
    # Another county does not see the case at all.
    assert (await api.ok(MEDIATIONS, {"id": case_id}, user="other.leader"))["case"] is None


async def test_resolving_as_mediated_needs_a_mediation_that_reached_agreement(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await lc.do("ACCEPT", case_id, V11, inputs_for("ACCEPT"))
    mediated = {"outcome": "MEDIATED", "summary": "双方和解"}

    before = await lc.stored(case_id)
    refused = await lc.attempt("RESOLVE", case_id, V11, mediated)
    assert (refused.code, refused.field) == ("BAD_USER_INPUT", "outcome"), refused
    assert unchanged(before, await lc.stored(case_id)) == []

    # A mediation without agreement does not count.
    adjourned = {**MEDIATION, "outcome": "ADJOURNED", "agreement": None}
    await lc.do("RECORD_MEDIATION", case_id, V11, adjourned)
    before = await lc.stored(case_id)
    refused = await lc.attempt("RESOLVE", case_id, V11, mediated)
    assert (refused.code, refused.field) == ("BAD_USER_INPUT", "outcome"), refused
    assert unchanged(before, await lc.stored(case_id)) == []

    # A partial agreement does.
    partial = {**MEDIATION, "outcome": "PARTIAL", "agreement": "围墙问题达成一致，赔偿另议。"}
    await lc.do("RECORD_MEDIATION", case_id, V11, partial)
    resolved = await lc.do("RESOLVE", case_id, V11, mediated)
    assert resolved["status"] == "RESOLVED"
    outcomes = [m["outcome"] for m in (await read(api, case_id, V11))["mediations"]]
    assert outcomes == ["ADJOURNED", "PARTIAL"]


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("county.viewer", "FORBIDDEN"),
        ("county.admin", "FORBIDDEN"),
        ("dept.housing", "NOT_FOUND"),
        ("t2.leader", "NOT_FOUND"),
        ("other.leader", "NOT_FOUND"),
    ],
)
async def test_who_may_not_record_a_mediation(
    api: Api, app: Starlette, user: str, code: str
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    before, count = await lc.stored(case_id), await mediation_count(app)
    refused = await lc.attempt("RECORD_MEDIATION", case_id, user, MEDIATION)
    assert refused.code == code, refused
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await mediation_count(app) == count


@pytest.mark.parametrize("status", ["RESOLVED", "CLOSED", "REDIRECTED"])
async def test_only_an_open_case_is_mediated(api: Api, app: Starlette, status: str) -> None:
    lc = await Lifecycle.create(api, app)
    original = str((await lc.register())["id"])
    case_id = await lc.bring_to(status, original)
    before, count = await lc.stored(case_id), await mediation_count(app)
    refused = await lc.attempt("RECORD_MEDIATION", case_id, LEADER, MEDIATION)
    assert refused.code == "INVALID_TRANSITION", refused
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await mediation_count(app) == count


BAD = [
    pytest.param({"place": "  "}, "place", id="empty-place"),
    pytest.param({"place": "地" * 201}, "place", id="long-place"),
    pytest.param({"transcript": ""}, "transcript", id="empty-transcript"),
    pytest.param({"transcript": "录" * 20_001}, "transcript", id="long-transcript"),
    pytest.param({"partiesPresent": []}, "partiesPresent", id="no-parties"),
    pytest.param({"partiesPresent": ["张三", " "]}, "partiesPresent", id="blank-party"),
    pytest.param({"heldAt": "2026-11-21T00:00:00Z"}, "heldAt", id="held-in-the-future"),
    pytest.param({"agreement": None}, "agreement", id="agreement-missing"),
    pytest.param(
        {"outcome": "NO_AGREEMENT"}, "agreement", id="agreement-without-agreement-outcome"
    ),
    pytest.param({"outsideMediators": []}, "staffMediatorIds", id="no-mediator"),
    pytest.param(
        {"outsideMediators": [{"name": " ", "role": "LAWYER"}]},
        "outsideMediators",
        id="nameless-mediator",
    ),
    pytest.param({"staffMediatorIds": ["nonsense"]}, "staffMediatorIds", id="malformed-user"),
    pytest.param({"staffMediatorIds": ["other.leader"]}, "staffMediatorIds", id="other-county"),
    pytest.param({"staffMediatorIds": ["unit"]}, "staffMediatorIds", id="not-a-user-id"),
]


@pytest.mark.parametrize(("patch", "field"), BAD)
async def test_bad_input_names_the_field(
    api: Api, app: Starlette, patch: dict[str, Any], field: str
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    staff = patch.get("staffMediatorIds")
    if staff == ["other.leader"]:
        patch = {**patch, "staffMediatorIds": [lc.user("other.leader")]}
    elif staff == ["unit"]:
        patch = {**patch, "staffMediatorIds": [lc.unit(COUNTY)]}
    before, count = await lc.stored(case_id), await mediation_count(app)
    refused = await lc.attempt("RECORD_MEDIATION", case_id, V11, {**MEDIATION, **patch})
    assert (refused.code, refused.field) == ("BAD_USER_INPUT", field), refused
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await mediation_count(app) == count


async def test_a_county_admin_can_withdraw_the_right_to_record(api: Api, app: Starlette) -> None:
    revision, rules = await county_policy(api)
    kept = [r for r in rules if not (r["action"] == "RECORD_MEDIATION" and r["role"] == "HANDLER")]
    assert len(kept) == len(rules) - 1
    await replace_county_policy(api, kept, revision)
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register(user="t1.leader", location="990100001002"))["id"])
    refused = await lc.attempt("RECORD_MEDIATION", case_id, "t1.handler", MEDIATION)
    assert refused.code == "FORBIDDEN", refused
    await lc.do("RECORD_MEDIATION", case_id, "t1.leader", MEDIATION)
