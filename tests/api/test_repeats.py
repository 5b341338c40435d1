"""Repeat petitions (重复信访, docs/INTAKE.md) on a hand-built set: the same person at the
same place about another matter, near-identical text from another person, another county's
identical case (never a candidate), a case the caller may not view (never shown); the
window; confirming a repeat and counting confirmed repeats."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.api.test_query_count import recorded
from tests.support.clock import Clock
from tests.support.demo import LEADER, OTHER_VILLAGE, V11, VILLAGE, XILING_VILLAGE
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.lookups import unit_id
from tests.support.mutations import do
from tests.support.sql import rows, scalar

INTAKE = "county.intake"
PHONE, OTHER_PHONE, THIRD_PHONE = "13800002222", "13900003333", "13700004444"
BRIDGE = {
    "title": "村口桥梁护栏断裂存在安全隐患",
    "description": "村口石桥护栏断裂多日，夜间通行危险，请求尽快修复。",
}
DUPLICATES = """query($id: ID!) { case(id: $id) { isRepeat
  possibleDuplicates { case { id number } score reasons } } }"""
MARK = """mutation($input: MarkRepeatInput!) { markRepeat(input: $input) {
  case { id isRepeat version events { edges { node { type note } } } } } }"""
COUNT = "query($u: ID!) { repeatPetitionCount(unitId: $u) }"


def reporter(phone: str, name: str = "王五") -> dict[str, str]:
    return {"name": name, "phone": phone}


@dataclass(frozen=True)
class Petitions:
    original: str  # 东湖村, PHONE: the bridge
    same_person: str  # 东湖村, PHONE (written with spaces): another matter
    same_text: str  # 东湖村, another person: near-identical text
    unrelated: str  # 东湖村, another person, another matter
    elsewhere: str  # 西岭村, PHONE, registered by 西岭村: 东湖村 cannot view it
    other_county: str  # 白水县, PHONE, the same text word for word


async def _case(api: Api, user: str, location: str, phone: str, **text: str) -> str:
    case = await register(api, user, location, reporter=reporter(phone), **text)
    return str(case["id"])


@pytest.fixture
async def petitions(api: Api) -> Petitions:
    return Petitions(
        original=await _case(api, INTAKE, VILLAGE, PHONE, **BRIDGE),
        same_person=await _case(
            api,
            INTAKE,
            VILLAGE,
            "138 0000 2222",
            title="宅基地边界纠纷",
            description="与邻居因宅基地边界发生争执。",
        ),
        same_text=await _case(
            api,
            INTAKE,
            VILLAGE,
            OTHER_PHONE,
            title="村口桥梁护栏断裂有安全隐患",
            description="村口石桥的护栏断裂多日，晚上通行危险，请尽快修复。",
        ),
        unrelated=await _case(
            api,
            INTAKE,
            VILLAGE,
            THIRD_PHONE,
            title="低保申请材料咨询",
            description="咨询办理低保需要准备哪些材料。",
        ),
        elsewhere=await _case(
            api,
            "v21.handler",
            XILING_VILLAGE,
            PHONE,
            title="农田灌溉水渠堵塞",
            description="水渠堵塞影响灌溉。",
        ),
        other_county=await _case(api, "other.leader", OTHER_VILLAGE, PHONE, **BRIDGE),
    )


async def duplicates(api: Api, case_id: str, user: str) -> dict[str, tuple[float, list[str]]]:
    data = await api.ok(DUPLICATES, {"id": case_id}, user=user)
    return {d["case"]["id"]: (d["score"], d["reasons"]) for d in data["case"]["possibleDuplicates"]}


async def test_candidates_are_the_same_person_or_the_same_text_at_the_same_place(
    api: Api, petitions: Petitions
) -> None:
    found = await duplicates(api, petitions.original, LEADER)
    assert set(found) == {petitions.same_person, petitions.same_text, petitions.elsewhere}
    assert found[petitions.same_person] == (0.8, ["SAME_PHONE"])
    assert found[petitions.elsewhere] == (0.8, ["SAME_PHONE"])
    score, reasons = found[petitions.same_text]
    assert reasons == ["SIMILAR_TEXT_AT_SAME_PLACE"]
    assert 0.5 <= score < 1
    # The other way round: the same text is a candidate of the original, not of the matter
    # its reporter raised elsewhere.
    assert set(await duplicates(api, petitions.same_text, LEADER)) == {petitions.original}
    assert await duplicates(api, petitions.unrelated, LEADER) == {}


async def test_another_countys_case_is_never_a_candidate(
    api: Api, app: Starlette, petitions: Petitions
) -> None:
    assert petitions.other_county not in await duplicates(api, petitions.original, LEADER)
    assert await duplicates(api, petitions.other_county, "other.leader") == {}
    # The same phone is stored under unrelated keys in the two counties, never in clear
    # beside them: nothing could compare them.
    keys = await rows(
        app,
        "SELECT county_id, reporter_phone_key FROM cases WHERE title = :t",
        t=BRIDGE["title"],
    )
    assert len(keys) == 2
    assert keys[0][1] != keys[1][1]
    assert all(PHONE not in key for _, key in keys)


async def test_a_case_the_caller_may_not_view_is_never_shown(
    api: Api, petitions: Petitions
) -> None:
    # 东湖村 sees the cases located there, not 西岭村's, though the reporter is the same.
    found = await duplicates(api, petitions.original, V11)
    assert set(found) == {petitions.same_person, petitions.same_text}


async def test_the_window_keeps_out_old_finished_cases_but_not_open_ones(
    api: Api, clock: Clock, petitions: Petitions
) -> None:
    redirected = await _case(api, INTAKE, VILLAGE, PHONE, title="咨询社保", description="咨询。")
    await do(
        api,
        INTAKE,
        "REDIRECT",
        {"caseId": redirected, "reason": "不属受理范围", "guidance": "请向社保中心咨询"},
    )
    assert redirected in await duplicates(api, petitions.original, LEADER)
    clock.current += timedelta(days=10)
    api.tokens.clear()
    await api.ok(
        "mutation { updateIntakeSettings(repeatWindowDays: 5) { repeatWindowDays } }",
        user="county.admin",
    )
    found = await duplicates(api, petitions.original, LEADER)
    assert redirected not in found
    assert petitions.same_person in found  # still open: always compared


async def test_confirming_a_repeat_writes_an_event_and_counts(
    api: Api, app: Starlette, petitions: Petitions
) -> None:
    village = await unit_id(api, VILLAGE)
    assert (await api.ok(COUNT, {"u": village}, user=LEADER))["repeatPetitionCount"] == 0
    marked = await api.ok(
        MARK,
        {"input": {"caseId": petitions.same_text, "repeat": True, "ofCaseId": petitions.original}},
        user=INTAKE,
    )
    case: dict[str, Any] = marked["markRepeat"]["case"]
    assert case["isRepeat"] is True
    last = case["events"]["edges"][-1]["node"]
    assert last == {"type": "REPEAT_MARKED", "note": "确认为重复信访"}
    data = await scalar(
        app,
        "SELECT data FROM case_events WHERE type = 'REPEAT_MARKED' ORDER BY id DESC LIMIT 1",
    )
    assert data["repeat"] is True
    assert data["of"] > 0
    for unit, user in ((village, LEADER), (village, V11), (await unit_id(api, "990100"), LEADER)):
        assert (await api.ok(COUNT, {"u": unit}, user=user))["repeatPetitionCount"] == 1
    # 西岭村 is elsewhere: its own figure, not 东湖村's.
    xiling = await unit_id(api, XILING_VILLAGE)
    assert (await api.ok(COUNT, {"u": xiling}, user=LEADER))["repeatPetitionCount"] == 0
    # Withdrawn, it no longer counts; the timeline keeps both.
    withdrawn = await api.ok(
        MARK, {"input": {"caseId": petitions.same_text, "repeat": False}}, user=INTAKE
    )
    assert withdrawn["markRepeat"]["case"]["isRepeat"] is False
    assert (await api.ok(COUNT, {"u": village}, user=LEADER))["repeatPetitionCount"] == 0


async def test_marking_refusals_change_nothing(
    api: Api, app: Starlette, petitions: Petitions
) -> None:
    before = await scalar(app, "SELECT count(*) FROM case_events")
    refusals: list[tuple[str, dict[str, Any], str, str | None]] = [
        # Not visible: NOT_FOUND, never FORBIDDEN.
        (V11, {"caseId": petitions.elsewhere, "repeat": True}, "NOT_FOUND", None),
        # Visible, but the policy does not let a viewer or a handler confirm.
        ("county.viewer", {"caseId": petitions.original, "repeat": True}, "FORBIDDEN", None),
        ("t1.handler", {"caseId": petitions.original, "repeat": True}, "FORBIDDEN", None),
        # Another county's case is named like one that does not exist.
        (
            INTAKE,
            {"caseId": petitions.same_text, "repeat": True, "ofCaseId": petitions.other_county},
            "BAD_USER_INPUT",
            "ofCaseId",
        ),
        (
            INTAKE,
            {"caseId": petitions.same_text, "repeat": True, "ofCaseId": petitions.same_text},
            "BAD_USER_INPUT",
            "ofCaseId",
        ),
        (
            INTAKE,
            {"caseId": petitions.same_text, "repeat": False, "ofCaseId": petitions.original},
            "BAD_USER_INPUT",
            "ofCaseId",
        ),
        (INTAKE, {"caseId": petitions.same_text, "repeat": False}, "BAD_USER_INPUT", "repeat"),
        (INTAKE, {"caseId": "nonsense", "repeat": True}, "BAD_USER_INPUT", "caseId"),
        (
            INTAKE,
            {"caseId": petitions.same_text, "repeat": True, "expectedVersion": 99},
            "CONFLICT",
            None,
        ),
    ]
    for user, fields, code, field in refusals:
        error = await api.error(MARK, {"input": fields}, user=user)
        assert error["extensions"]["code"] == code, (user, fields, error)
        assert error["extensions"].get("field") == field, (user, fields, error)
    assert await scalar(app, "SELECT count(*) FROM case_events") == before
    assert await scalar(app, "SELECT count(*) FROM cases WHERE is_repeat") == 0


async def test_the_count_follows_the_dashboards_access(api: Api, petitions: Petitions) -> None:
    del petitions
    for user, unit, code in (
        (V11, XILING_VILLAGE, "FORBIDDEN"),  # a sibling village
        ("county.viewer", VILLAGE, "FORBIDDEN"),  # VIEW_STATS is not a viewer's
        ("other.leader", OTHER_VILLAGE, None),
    ):
        u = await unit_id(api, unit, user if code is None else LEADER)
        answer = await api.raw(COUNT, {"u": u}, user=user)
        if code is None:
            assert answer["data"]["repeatPetitionCount"] == 0
        else:
            assert answer["errors"][0]["extensions"]["code"] == code
    other_village = await unit_id(api, OTHER_VILLAGE, "other.leader")
    error = await api.error(COUNT, {"u": other_village}, user=LEADER)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_registration_answers_with_its_candidates(api: Api, petitions: Petitions) -> None:
    case = await register(
        api,
        INTAKE,
        VILLAGE,
        reporter=reporter(OTHER_PHONE),
        selection="id possibleDuplicates { case { id } reasons }",
        **BRIDGE,
    )
    found = {d["case"]["id"]: d["reasons"] for d in case["possibleDuplicates"]}
    assert found[petitions.original] == ["SIMILAR_TEXT_AT_SAME_PLACE"]
    assert found[petitions.same_text] == ["SAME_PHONE", "SIMILAR_TEXT_AT_SAME_PLACE"]


PAGE = """query($first: Int!) { cases(first: $first) { edges { node { id
  possibleDuplicates { case { number locationUnit { name } } score reasons }
  dispatchSuggestions { unit { name } rule score } } } } }"""


async def test_a_page_of_cases_costs_no_statement_per_case(api: Api, app: Starlette) -> None:
    # The newest cases, on every page: registered at the county, to be dispatched.
    for _ in range(2):
        await register(api, INTAKE, VILLAGE, category="LIVELIHOOD.ROAD", **BRIDGE)
    await api.ok(PAGE, {"first": 1}, user=LEADER)  # the county's policy loaded
    counts = []
    for first in (5, 50):
        with recorded(app) as statements:
            data = await api.ok(PAGE, {"first": first}, user=LEADER)
        nodes = [e["node"] for e in data["cases"]["edges"]]
        assert len(nodes) == first
        # The demo's cases repeat their templates at the same villages: candidates exist.
        assert any(n["possibleDuplicates"] for n in nodes)
        counts.append(len(statements))
        assert any(n["dispatchSuggestions"] for n in nodes[:2])
    assert counts[0] == counts[1], counts
