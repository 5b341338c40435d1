"""A note names another case only to whoever may view that case (docs/DECISIONS.md, "A note
names another case only to whoever may view it"; docs/LIFECYCLE.md, MERGE).

The scene: 东湖村 registered a duplicate of a matter 西岭村 registered, and the county leader
merged the duplicate into 西岭村's case. 东湖村's handler sees the duplicate but not the
original; 西岭村's handler sees the original but not the duplicate; the county leader sees
both. The expected wording is the design's, written out here.
"""

import json
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from tests.support.demo import LEADER, V11, V21, XILING_VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, global_id, pk_of
from tests.support.sql import execute, rows

MERGED_UNSEEN = "合并至另一事项（该事项不在您的查看范围内）"
DUPLICATE_MERGED = "重复事项已并入本事项"

# Everything a staff client could ask about a case and its timeline that might mention
# another case.
CASE = """query($id: ID!) { case(id: $id) {
  id number title status mergedInto { id number title }
  handlingUnit { name } intakeUnit { name } locationUnit { name } coHandlingUnits { name }
  events { totalCount edges { cursor node {
    id type note actor { username } fromUnit { name } toUnit { name } case { id number }
  } } }
} }"""
EVENT = """query($id: ID!) { node(id: $id) { ... on CaseEvent { id type note } } }"""
TRACK = """query($code: String!, $phone: String!) {
  trackCase(trackingCode: $code, phoneLast4: $phone) {
    number status handlingUnitName resolutionSummary milestones { type at } canEvaluate
  } }"""


@dataclass(frozen=True)
class Merge:
    duplicate: dict[str, Any]
    original: dict[str, Any]

    def traces_of(self, side: str) -> list[str]:
        """What would identify that case: its id, number and title."""
        case = self.original if side == "original" else self.duplicate
        return [case["id"], case["number"], case["title"]]


async def merged_across_villages(lc: Lifecycle) -> Merge:
    titles = {"original": "西岭村道路积水反映", "duplicate": "东湖村反映同一处积水"}
    original = await lc.register(V21, XILING_VILLAGE, title=titles["original"])
    duplicate = await lc.register(V11, title=titles["duplicate"], phone="13800005678")
    await lc.do("MERGE", duplicate["id"], LEADER, {"intoCaseId": original["id"]})
    return Merge(
        {**duplicate, "title": titles["duplicate"]}, {**original, "title": titles["original"]}
    )


async def case_as(api: Api, user: str, case_id: str) -> tuple[dict[str, Any], str]:
    """`user`'s answer about the case, and the whole response as text."""
    body = await api.raw(CASE, {"id": case_id}, user=user)
    assert "errors" not in body, body
    case: dict[str, Any] = body["data"]["case"]
    assert case is not None, f"{user} cannot see {case_id}"
    return case, json.dumps(body, ensure_ascii=False)


def note_of(case: dict[str, Any], event_type: str) -> str | None:
    (note,) = [
        e["node"]["note"] for e in case["events"]["edges"] if e["node"]["type"] == event_type
    ]
    return note


async def event_id(app: Starlette, case_id: str, event_type: str) -> str:
    (row,) = await rows(
        app,
        "SELECT id FROM case_events WHERE case_id = :id AND type = :type",
        id=pk_of(case_id),
        type=event_type,
    )
    return global_id("CaseEvent", row.id)


def leaks(response: str, traces: list[str]) -> list[str]:
    return [trace for trace in traces if trace in response]


async def assert_hygienic(api: Api, app: Starlette, merge: Merge) -> None:
    """What each of the three readers is told, however the merge events are stored."""
    duplicate_id, original_id = merge.duplicate["id"], merge.original["id"]
    original_number = merge.original["number"]

    # 东湖村 sees its duplicate merged into "another case", and nothing of which one.
    case, response = await case_as(api, V11, duplicate_id)
    assert case["status"] == "MERGED"
    assert case["mergedInto"] is None
    assert note_of(case, "MERGED") == MERGED_UNSEEN
    assert leaks(response, merge.traces_of("original")) == []
    merged_event = await event_id(app, duplicate_id, "MERGED")
    node = await api.raw(EVENT, {"id": merged_event}, user=V11)
    assert node["data"]["node"]["note"] == MERGED_UNSEEN
    assert leaks(json.dumps(node, ensure_ascii=False), merge.traces_of("original")) == []

    # 西岭村 sees that a duplicate joined its case, and nothing of which one.
    case, response = await case_as(api, V21, original_id)
    assert note_of(case, "DUPLICATE_MERGED") == DUPLICATE_MERGED
    assert leaks(response, merge.traces_of("duplicate")) == []

    # The county leader sees both, and the MERGED event names the original.
    case, _ = await case_as(api, LEADER, duplicate_id)
    assert case["mergedInto"]["number"] == original_number
    assert note_of(case, "MERGED") == f"合并至 {original_number}"
    node = await api.raw(EVENT, {"id": merged_event}, user=LEADER)
    assert node["data"]["node"]["note"] == f"合并至 {original_number}"
    case, _ = await case_as(api, LEADER, original_id)
    assert note_of(case, "DUPLICATE_MERGED") == DUPLICATE_MERGED

    # The duplicate's reporter follows their own case: merged, and nothing of the original.
    tracked = await api.raw(TRACK, {"code": merge.duplicate["trackingCode"], "phone": "5678"})
    status = tracked["data"]["trackCase"]
    assert status["status"] == "MERGED"
    assert "MERGED" in [m["type"] for m in status["milestones"]]
    assert leaks(json.dumps(tracked, ensure_ascii=False), merge.traces_of("original")) == []


async def test_a_merge_names_the_original_only_to_who_may_see_it(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    merge = await merged_across_villages(lc)
    # The readers are the ones the scene needs: each village sees its own case only.
    assert (await api.ok(CASE, {"id": merge.original["id"]}, user=V11))["case"] is None
    assert (await api.ok(CASE, {"id": merge.duplicate["id"]}, user=V21))["case"] is None
    await assert_hygienic(api, app, merge)


async def test_stored_merge_events_hold_ids_not_numbers(api: Api, app: Starlette) -> None:
    lc = await Lifecycle.create(api, app)
    merge = await merged_across_villages(lc)
    stored = await rows(
        app,
        "SELECT type, note, data FROM case_events WHERE case_id IN (:dup, :orig) "
        "AND type LIKE '%MERGED' ORDER BY id",
        dup=pk_of(merge.duplicate["id"]),
        orig=pk_of(merge.original["id"]),
    )
    assert [(r.type, r.data) for r in stored] == [
        ("MERGED", {"into": pk_of(merge.original["id"])}),
        ("DUPLICATE_MERGED", {"duplicate": pk_of(merge.duplicate["id"])}),
    ]
    for row in stored:
        text = json.dumps([row.note, row.data], ensure_ascii=False)
        assert merge.original["number"] not in text
        assert merge.duplicate["number"] not in text


async def test_merge_events_stored_the_old_way_do_not_leak(api: Api, app: Starlette) -> None:
    """Rows written before this rule named the other case's number in the note and the data
    (the timeline is never edited, so they stay): no reader who may not see that case reads
    it from them."""
    lc = await Lifecycle.create(api, app)
    merge = await merged_across_villages(lc)
    duplicate_number, original_number = merge.duplicate["number"], merge.original["number"]
    old_style = [
        ("MERGED", merge.duplicate, f"合并至 {original_number}", {"into": original_number}),
        (
            "DUPLICATE_MERGED",
            merge.original,
            f"重复事项 {duplicate_number} 已并入",
            {"duplicate": duplicate_number},
        ),
    ]
    for event_type, case, note, data in old_style:
        await execute(
            app,
            "UPDATE case_events SET note = :note, data = CAST(:data AS jsonb) "
            "WHERE case_id = :id AND type = :type",
            note=note,
            data=json.dumps(data),
            id=pk_of(case["id"]),
            type=event_type,
        )
    await assert_hygienic(api, app, merge)
