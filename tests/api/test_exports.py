"""GET /export/… (docs/DASHBOARDS.md, "Export"): the workbooks and CSV files hold what the
GraphQL queries answer the same user — the same figures, the same cases under the same
filter and scope, personal data masked the same way — and are refused the same way."""

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest

from tests.support.demo import COUNTY, OTHER_COUNTY, TOWNSHIP, VILLAGE
from tests.support.driver import Api
from tests.support.lookups import unit_id

END = datetime(2026, 11, 21, tzinfo=UTC)
START = END - timedelta(days=400)
STATS = """query($u: ID!, $f: DateTime!, $t: DateTime!) { unitStats(unitId: $u, from: $f, to: $t) {
  unit { code } received resolved closed overdue escalated resolutionRate
  children { unit { code } received resolved resolutionRate } } }"""
CASES = """query($f: CaseFilter, $after: String) {
  cases(filter: $f, first: 100, after: $after) { totalCount
  pageInfo { hasNextPage endCursor } edges { node { number reporter { name phone } } } } }"""


async def get(api: Api, path: str, user: str | None, **params: Any) -> Any:
    headers = {"authorization": f"Bearer {await api.token(user)}"} if user else {}
    return await api.client.get(path, params=params, headers=headers)


def window(unit: str) -> dict[str, str]:
    return {"unitId": unit, "from": START.isoformat(), "to": END.isoformat()}


async def test_unit_stats_workbook_has_the_figures_a_row_per_child_and_charts(
    api: Api,
) -> None:
    county = await unit_id(api, COUNTY)
    response = await get(api, "/export/unit-stats.xlsx", "county.leader", **window(county))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    expected = (
        await api.ok(
            STATS, {"u": county, "f": START.isoformat(), "t": END.isoformat()}, user="county.leader"
        )
    )["unitStats"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["指标"].iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "代码", "受理")
    assert rows[1][1:5] == (COUNTY, expected["received"], expected["resolved"], expected["closed"])
    assert [(r[1], r[2], r[3]) for r in rows[2:]] == [
        (c["unit"]["code"], c["received"], c["resolved"]) for c in expected["children"]
    ]
    assert rows[2][7] == pytest.approx(expected["children"][0]["resolutionRate"])
    trend = list(book["趋势"].iter_rows(values_only=True))
    assert sum(r[1] for r in trend[1:]) == expected["received"]
    # openpyxl does not read charts back: the package must hold two native chart parts,
    # each drawn on its sheet.
    parts = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml"} <= set(parts)
    assert sum(p.startswith("xl/drawings/drawing") for p in parts) == 2


async def test_unit_stats_csv_holds_the_same_rows(api: Api) -> None:
    township = await unit_id(api, TOWNSHIP)
    response = await get(api, "/export/unit-stats.csv", "t1.leader", **window(township))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    expected = (
        await api.ok(
            STATS, {"u": township, "f": START.isoformat(), "t": END.isoformat()}, user="t1.leader"
        )
    )["unitStats"]
    assert rows[1][1:3] == [TOWNSHIP, str(expected["received"])]
    assert [r[1] for r in rows[2 : 2 + len(expected["children"])]] == [
        c["unit"]["code"] for c in expected["children"]
    ]


async def _graphql_ledger(api: Api, user: str, filter_: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    async for page in api.pages(CASES, {"f": filter_}, user=user):
        for edge in page["edges"]:
            node = edge["node"]
            reporter = node["reporter"] or {}
            found[node["number"]] = [reporter.get("name") or "", reporter.get("phone") or ""]
    return found


@pytest.mark.parametrize(
    ("user", "params", "filter_"),
    [
        ("county.leader", {}, {}),
        ("v11.handler", {}, {}),  # a village's scope, personal data of others masked
        ("t1.leader", {"status": ["CLOSED", "RESOLVED"]}, {"status": ["CLOSED", "RESOLVED"]}),
    ],
)
async def test_the_ledger_is_the_cases_list_of_the_same_user_and_filter(
    api: Api, user: str, params: dict[str, Any], filter_: dict[str, Any]
) -> None:
    expected = await _graphql_ledger(api, user, filter_)
    assert expected
    workbook = await get(api, "/export/cases.xlsx", user, **params)
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["民声登记簿"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号"
    assert {r[0]: [r[9] or "", r[10] or ""] for r in rows[1:]} == expected
    assert len(rows) - 1 == len(expected)  # each case once
    listed = await get(api, "/export/cases.csv", user, **params)
    assert listed.status_code == 200
    lines = list(csv.reader(io.StringIO(listed.content.decode("utf-8").lstrip("\ufeff"))))
    assert {r[0]: [r[9], r[10]] for r in lines[1:]} == expected


async def test_masking_is_the_apis(api: Api) -> None:
    """A village handler sees some reporters' phones only masked: the export shows exactly
    those masks, never the number."""
    masked = {
        number: phone
        for number, (_, phone) in (await _graphql_ledger(api, "v11.handler", {})).items()
        if "*" in phone
    }
    assert masked, "the demo must give v11.handler some masked reporters"
    response = await get(api, "/export/cases.csv", "v11.handler")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert {r[0]: r[10] for r in lines[1:] if r[0] in masked} == masked


@pytest.mark.parametrize(
    ("path", "user", "code", "field", "status"),
    [
        ("/export/unit-stats.xlsx", None, "UNAUTHENTICATED", None, 401),
        ("/export/cases.xlsx", None, "UNAUTHENTICATED", None, 401),
        ("/export/cases.csv", None, "UNAUTHENTICATED", None, 401),
        ("/export/unit-stats.xlsx", "other.leader", "NOT_FOUND", None, 404),  # another county
        ("/export/unit-stats.csv", "county.viewer", "FORBIDDEN", None, 403),  # VIEW_STATS denied
        ("/export/unit-stats.xlsx", "v11.handler", "FORBIDDEN", None, 403),  # above its unit
    ],
)
async def test_refusals_are_the_queries_refusals(
    api: Api, path: str, user: str | None, code: str, field: str | None, status: int
) -> None:
    county = await unit_id(api, COUNTY)
    response = await get(api, path, user, **window(county))
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code


async def test_bad_windows_and_filters_name_the_field(api: Api) -> None:
    village = await unit_id(api, VILLAGE)
    cases = [
        ("/export/unit-stats.xlsx", {**window(village), "from": "yesterday"}, "from"),
        ("/export/unit-stats.csv", {**window(village), "to": "2026-11-01T00:00:00"}, "to"),
        ("/export/unit-stats.xlsx", {**window(village), "from": END.isoformat()}, "to"),
        ("/export/cases.xlsx", {"overdue": "maybe"}, "overdue"),
        ("/export/cases.csv", {"status": "LOST"}, "status"),
        ("/export/cases.xlsx", {"categoryId": "nonsense"}, "filter.categoryId"),
    ]
    for path, params, field in cases:
        response = await get(api, path, "county.leader", **params)
        assert response.status_code == 400, (path, params, response.text)
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, path


async def test_another_countys_unit_is_not_found_for_a_leader(api: Api) -> None:
    response = await get(
        api, "/export/unit-stats.csv", "county.leader", **window("VW5pdDo5OTk5OTk=")
    )
    assert response.status_code == 404
    assert OTHER_COUNTY  # the other county's units are refused the same way (above)
