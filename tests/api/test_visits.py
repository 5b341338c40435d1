"""Visit report sheets (民意报告单, docs/INTAKE.md): each item kind, a resend under the same
client key, a failing item rolling back the whole sheet, and every refusal."""

from typing import Any

from starlette.applications import Starlette

from tests.support.demo import OTHER_COUNTY, V11, VILLAGE, XILING_VILLAGE
from tests.support.driver import Api
from tests.support.lookups import category_id, unit_id
from tests.support.sql import scalar

SUBMIT = """mutation($input: SubmitVisitReportInput!) { submitVisitReport(input: $input) {
  replayed
  report { id clientKey households channel place locationUnit { code } submittedBy { username }
    items { kind title case { id status channel handlingUnit { code }
      resolution { outcome summary } events { edges { node { type } } } } } } } }"""
VISITED_AT = "2026-11-19T08:30:00+08:00"


async def sheet(api: Api, user: str = V11, **overrides: Any) -> dict[str, Any]:
    """A sheet from 东湖村 with one item of each kind."""
    consult = await category_id(api, "CONSULT", user)
    return {
        "clientKey": "sheet-2026-11-19-01",
        "locationUnitId": await unit_id(api, VILLAGE, user),
        "visitedAt": VISITED_AT,
        "households": 12,
        "place": "东湖村三组",
        "items": [
            {
                "kind": "CASE",
                "title": "三组排水沟堵塞",
                "description": "雨后积水进院，需清淤。",
                "categoryId": await category_id(api, "LIVELIHOOD.ROAD", user),
                "reporter": {"name": "李四", "phone": "13700001111"},
            },
            {
                "kind": "ANSWERED",
                "title": "咨询医保缴费",
                "description": "老人询问医保缴费时间。",
                "categoryId": consult,
                "answer": "当场说明：每年9月至12月缴费，可在村便民服务点代缴。",
            },
            {"kind": "NOTED", "title": "独居老人", "description": "王奶奶独居，身体尚可。"},
        ],
        **overrides,
    }


async def footprint(app: Starlette) -> tuple[int, ...]:
    return tuple(
        [
            await scalar(app, f"SELECT count(*) FROM {table}")
            for table in ("cases", "case_events", "visit_reports", "visit_report_items")
        ]
    )


async def test_each_item_kind(api: Api, app: Starlette) -> None:
    data = await api.ok(SUBMIT, {"input": await sheet(api)}, user=V11)
    answer = data["submitVisitReport"]
    assert answer["replayed"] is False
    report = answer["report"]
    assert (report["households"], report["channel"], report["place"]) == (
        12,
        "CADRE_VISIT",
        "东湖村三组",
    )
    assert report["locationUnit"]["code"] == VILLAGE
    assert report["submittedBy"]["username"] == V11
    case, answered, noted = report["items"]
    assert case["kind"] == "CASE"
    assert case["case"]["status"] == "REGISTERED"
    assert case["case"]["channel"] == "CADRE_VISIT"
    assert [e["node"]["type"] for e in case["case"]["events"]["edges"]] == ["REGISTERED"]
    assert answered["case"]["status"] == "RESOLVED"
    assert answered["case"]["handlingUnit"]["code"] == VILLAGE
    assert answered["case"]["resolution"] == {
        "outcome": "EXPLAINED",
        "summary": "当场说明：每年9月至12月缴费，可在村便民服务点代缴。",
    }
    types = [e["node"]["type"] for e in answered["case"]["events"]["edges"]]
    assert types == ["REGISTERED", "ACCEPTED", "RESOLVED"]
    assert noted == {"kind": "NOTED", "title": "独居老人", "case": None}
    stored = await scalar(
        app, "SELECT count(*) FROM visit_report_items WHERE case_id IS NULL AND kind = 'NOTED'"
    )
    assert stored == 1


async def test_a_grid_workers_round(api: Api) -> None:
    value = await sheet(api, channel="GRID_PATROL")
    data = await api.ok(SUBMIT, {"input": value}, user=V11)
    items = data["submitVisitReport"]["report"]["items"]
    assert {i["case"]["channel"] for i in items if i["case"]} == {"GRID_PATROL"}


async def test_a_resend_returns_the_first_sheet(api: Api, app: Starlette) -> None:
    value = await sheet(api)
    first = (await api.ok(SUBMIT, {"input": value}, user=V11))["submitVisitReport"]
    before = await footprint(app)
    again = (await api.ok(SUBMIT, {"input": value}, user=V11))["submitVisitReport"]
    assert again["replayed"] is True
    assert again["report"] == first["report"]
    assert await footprint(app) == before
    # The same key with other content is not a resend.
    changed = {**value, "households": 13}
    error = await api.error(SUBMIT, {"input": changed}, user=V11)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "clientKey"}
    assert await footprint(app) == before
    # Keys are the sender's own: another worker's sheet under the same key is new.
    other = await api.ok(SUBMIT, {"input": await sheet(api, "county.intake")}, user="county.intake")
    assert other["submitVisitReport"]["replayed"] is False


async def test_a_failing_item_rolls_back_the_whole_sheet(api: Api, app: Starlette) -> None:
    before = await footprint(app)
    value = await sheet(api)
    other_category = await category_id(api, "CONSULT", "other.leader")
    bad_items: list[tuple[int, dict[str, Any], str]] = [
        (
            2,
            {"kind": "CASE", "title": "t", "description": "d", "categoryId": other_category},
            "items.2.categoryId",
        ),
        (2, {"kind": "CASE", "title": "t", "description": "d"}, "items.2.categoryId"),
        (2, {**value["items"][0], "reporter": {"phone": "12345"}}, "items.2.reporter.phone"),
        (2, {**value["items"][0], "title": " "}, "items.2.title"),
        (2, {**value["items"][0], "locationUnitId": await unit_id(api, XILING_VILLAGE)}, None),
        (1, {**value["items"][1], "answer": None}, "items.1.answer"),
        (1, {**value["items"][1], "outcome": "MEDIATED"}, "items.1.outcome"),
        (0, {**value["items"][0], "answer": "x"}, "items.0.answer"),
        (2, {"kind": "NOTED", "title": "", "description": "d"}, "items.2.title"),
    ]
    for index, item, field in bad_items:
        items = list(value["items"])
        items[index] = item
        error = await api.error(SUBMIT, {"input": {**value, "items": items}}, user=V11)
        if field is None:  # a case located outside the sender's area
            assert error["extensions"]["code"] == "FORBIDDEN", error
        else:
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
        assert await footprint(app) == before
    # Nothing of the failed attempts holds the key: the good sheet goes through.
    done = await api.ok(SUBMIT, {"input": value}, user=V11)
    assert done["submitVisitReport"]["replayed"] is False


async def test_refusals(api: Api, app: Starlette) -> None:
    before = await footprint(app)
    value = await sheet(api)
    for user, fields, code, field in [
        ("county.viewer", {}, "FORBIDDEN", None),
        (V11, {"locationUnitId": await unit_id(api, XILING_VILLAGE)}, "FORBIDDEN", None),
        (
            V11,
            {"locationUnitId": await unit_id(api, OTHER_COUNTY, "other.leader")},
            "BAD_USER_INPUT",
            "locationUnitId",
        ),
        (V11, {"locationUnitId": "nonsense"}, "BAD_USER_INPUT", "locationUnitId"),
        (V11, {"channel": "VISIT"}, "BAD_USER_INPUT", "channel"),
        (V11, {"households": 0}, "BAD_USER_INPUT", "households"),
        (V11, {"items": []}, "BAD_USER_INPUT", "items"),
        (V11, {"clientKey": " "}, "BAD_USER_INPUT", "clientKey"),
        (V11, {"visitedAt": "2030-01-01T00:00:00+08:00"}, "BAD_USER_INPUT", "visitedAt"),
        # A handler without REGISTER reports visits but registers no case.
        ("t1.handler", {}, "FORBIDDEN", None),
    ]:
        error = await api.error(SUBMIT, {"input": {**value, **fields}}, user=user)
        assert error["extensions"]["code"] == code, (user, fields, error)
        assert error["extensions"].get("field") == field, (user, fields, error)
    assert await footprint(app) == before
    noted_only = {**value, "items": value["items"][2:]}
    township = await unit_id(api, "990100001", "t1.handler")
    done = await api.ok(
        SUBMIT, {"input": {**noted_only, "locationUnitId": township}}, user="t1.handler"
    )
    assert [i["kind"] for i in done["submitVisitReport"]["report"]["items"]] == ["NOTED"]


async def test_with_automatic_routing_only_cases_are_routed(api: Api) -> None:
    await api.ok(
        "mutation { updateIntakeSettings(autoRoute: true) { autoRoute } }", user="county.admin"
    )
    leader = "t1.leader"  # 东湖镇: the township's rules send a dispute to its village
    value = await sheet(api, leader)
    value["items"][0]["categoryId"] = await category_id(api, "DISPUTE.NEIGHBOR", leader)
    data = await api.ok(SUBMIT, {"input": value}, user=leader)
    case, answered, _ = data["submitVisitReport"]["report"]["items"]
    assert case["case"]["status"] == "DISPATCHED"
    assert case["case"]["handlingUnit"]["code"] == VILLAGE
    assert answered["case"]["status"] == "RESOLVED"
    assert answered["case"]["handlingUnit"]["code"] == "990100001"


async def test_the_sheet_is_stored_trimmed(api: Api, app: Starlette) -> None:
    # Limits count the trimmed text; the stored text is the trimmed one.
    value = await sheet(api, clientKey=" k-1 ", place=" " + "组" * 200 + " ")
    data = await api.ok(SUBMIT, {"input": value}, user=V11)
    assert data["submitVisitReport"]["report"]["place"] == "组" * 200
    assert data["submitVisitReport"]["report"]["clientKey"] == "k-1"
    again = await api.ok(SUBMIT, {"input": {**value, "clientKey": "k-1"}}, user=V11)
    assert again["submitVisitReport"]["replayed"] is True
