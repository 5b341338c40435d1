"""The ledger import (docs/IMPORT.md) on a real database: a good register becomes cases with
their original times, numbers and histories, visible and filtered like any case; a register
with bad rows writes nothing; a re-run doubles nothing and reports changed rows; a mapping
file reads another layout; a dry run writes nothing."""

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.demo import LEADER, V11, V21
from tests.support.driver import Api
from tests.support.ledger import HEADER, row, workbook
from tests.support.sql import REACH_DRIFT, footprint, rows, scalar
from yidi.domain.ledger_layout import Layout, parse_mapping
from yidi.services.audit import verify_trails
from yidi.services.ledger_files import import_file
from yidi.services.ledger_import import Report

COUNTY = "990100"
CLOSED_ROW = row(
    "DH-2025-0003",
    **{
        "办理状态": "已结案",
        "办理结果": "经调解双方达成协议，已拆除加盖部分。",
        "办结时间": datetime(2025, 3, 20, 16, 0),
    },
)
GOOD = [
    row("DH-2025-0001"),
    row("DH-2025-0002", **{"办理状态": "办理中", "登记时间": datetime(2024, 12, 30, 10, 0)}),
    CLOSED_ROW,
    row(
        "XL-2025-0001",
        **{
            "所属镇（街道）": "",
            "所属村（社区）": "",
            "单位编码": "990100002001",
            "事项类别": "LIVELIHOOD.ROAD",
            "标题": "村道路面塌陷需修复",
            "办理状态": "已办结",
            "办理结果": "已修复路面。",
            "办结时间": "2025/04/02 11:00",
        },
    ),
]

CASE = """query($n: String!) { caseByNumber(number: $n) {
  number externalNumber status channel registeredAt closedAt
  locationUnit { code } events { edges { node { type at note } } } } }"""
BY_EXTERNAL = """query($s: String) { cases(filter: {search: $s}, first: 50) {
  totalCount edges { node { number externalNumber } } } }"""


async def run(app: Starlette, data: bytes, layout: Layout | None = None, **kw: Any) -> Report:
    return await import_file(app.state.yidi.uow, data, COUNTY, layout or Layout(), **kw)


async def numbers(app: Starlette) -> dict[str, str]:
    found = await rows(app, "SELECT external_number, number FROM cases WHERE external_number <> ''")
    return {r[0]: r[1] for r in found}


async def test_a_good_register_becomes_cases_with_their_past(app: Starlette, api: Api) -> None:
    before = await footprint(app)
    report = await run(app, workbook(GOOD, title="青山县东湖镇民声登记簿"))
    assert (report.ok, report.rows, report.imported, report.unchanged) == (True, 4, 4, 0)
    imported = await numbers(app)
    assert set(imported) == {"DH-2025-0001", "DH-2025-0002", "DH-2025-0003", "XL-2025-0001"}
    # Numbered by the county's gapless counter of the registration's year.
    assert imported["DH-2025-0002"].startswith("990100-2024-")
    sequences_2025 = sorted(int(imported[k][-6:]) for k in imported if k != "DH-2025-0002")
    assert sequences_2025 == list(range(sequences_2025[0], sequences_2025[0] + 3))
    after = await footprint(app)
    assert after["cases"] == before["cases"] + 4
    assert after["events"] == before["events"] + 1 + 2 + 4 + 3

    closed = (await api.ok(CASE, {"n": imported["DH-2025-0003"]}, user=LEADER))["caseByNumber"]
    assert closed["externalNumber"] == "DH-2025-0003"
    assert closed["status"] == "CLOSED"
    assert closed["channel"] == "LEDGER_IMPORT"
    # Beijing time 09:30 on the register is 01:30 UTC.
    assert closed["registeredAt"].startswith("2025-03-08T01:30:00")
    assert closed["closedAt"].startswith("2025-03-20T08:00:00")
    events = [e["node"] for e in closed["events"]["edges"]]
    assert [e["type"] for e in events] == ["REGISTERED", "ACCEPTED", "RESOLVED", "CLOSED"]
    assert events[2]["note"] == "经调解双方达成协议，已拆除加盖部分。"
    assert all(e["at"] < "2025-03-21" for e in events)

    road = (await api.ok(CASE, {"n": imported["XL-2025-0001"]}, user=LEADER))["caseByNumber"]
    assert (road["status"], road["locationUnit"]["code"]) == ("RESOLVED", "990100002001")

    # Filtered like any case: 东湖村 sees its own, not 西岭村's; 西岭村 not 东湖村's.
    v11 = await api.ok(CASE, {"n": imported["DH-2025-0001"]}, user=V11)
    assert v11["caseByNumber"]["externalNumber"] == "DH-2025-0001"
    assert (await api.ok(CASE, {"n": imported["XL-2025-0001"]}, user=V11))["caseByNumber"] is None
    assert (await api.ok(CASE, {"n": imported["DH-2025-0001"]}, user=V21))["caseByNumber"] is None

    async with app.state.yidi.uow.read() as session:
        audit = await verify_trails(session, COUNTY)
    assert audit.broken is None
    assert audit.cases == await scalar(
        app, "SELECT count(*) FROM cases c JOIN units u ON u.id = c.county_id WHERE u.code = :c",
        c=COUNTY,
    )  # fmt: skip
    # What the counts read stays exact: one number per case, and `case_reach` as the
    # trigger on `cases` writes it (tests/api/test_total_count.py).
    assert audit.cases == await scalar(
        app,
        "SELECT sum(last_value) FROM case_sequences s JOIN units u ON u.id = s.county_id"
        " WHERE u.code = :c",
        c=COUNTY,
    )
    assert await scalar(app, REACH_DRIFT) == 0


async def test_a_register_with_bad_rows_writes_nothing_and_says_where(app: Starlette) -> None:
    bad = [
        row("A-1"),
        row("A-2", **{"标题": ""}),
        row("A-3", **{"登记时间": "2025-02-30"}),
        row("A-1"),
        row("A-5", **{"所属村（社区）": "不存在村"}),
        row("A-6", **{"单位编码": "990200001001"}),
        row("A-7", **{"事项类别": "天气"}),
        row("A-8", **{"办理状态": "已结案"}),
        row("A-9", **{"联系电话": "12345"}),
        row("A-10", **{"登记时间": datetime(2027, 1, 1)}),
    ]
    before = await footprint(app)
    report = await run(app, workbook(bad))
    assert await footprint(app) == before
    assert report.imported == 0
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "标题"),
        (4, "登记时间"),
        (5, "登记编号"),
        (6, "所属村（社区）"),
        (7, "单位编码"),
        (8, "事项类别"),
        (9, "办结时间"),
        (9, "办理结果"),
        (10, "联系电话"),
        (11, "登记时间"),
    }
    why = {(e.row, e.column): e.why for e in report.errors}
    assert why[(5, "登记编号")] == "also on row 2 of the file"
    assert "another county" in why[(7, "单位编码")]


async def test_a_missing_column_is_reported_on_the_header_row(app: Starlette) -> None:
    header = [h for h in HEADER if h != "标题"]
    data = workbook([[c for h, c in zip(HEADER, row("B-1"), strict=True) if h != "标题"]], header)
    report = await run(app, data)
    assert [(e.row, e.column) for e in report.errors] == [(1, "标题")]


async def test_a_rerun_doubles_nothing_and_reports_changed_rows(app: Starlette) -> None:
    data = workbook(GOOD)
    await run(app, data)
    first = await numbers(app)
    before = await footprint(app)
    again = await run(app, data)
    assert (again.ok, again.imported, again.unchanged, again.changed) == (True, 0, 4, [])
    assert await footprint(app) == before

    # The register moved on: one row was edited, one added. The edit is reported with the
    # case it became, not written over it; the new row is imported.
    edited = [*GOOD[:3], row("XL-2025-0001", **{"标题": "改过的标题"}), row("DH-2025-0009")]
    report = await run(app, workbook(edited))
    assert (report.imported, report.unchanged) == (1, 3)
    assert [(c.row, c.external_number, c.case_number) for c in report.changed] == [
        (5, "XL-2025-0001", first["XL-2025-0001"])
    ]
    title = await scalar(app, "SELECT title FROM cases WHERE external_number = 'XL-2025-0001'")
    assert title == "村道路面塌陷需修复"
    assert (await footprint(app))["cases"] == before["cases"] + 1


async def test_a_mapping_file_reads_another_layout(app: Starlette, api: Api) -> None:
    mapping = parse_mapping(
        """
        header_row = 2
        [columns]
        "序号" = "external_number"
        "受理日期" = "registered_at"
        "群众姓名" = "reporter_name"
        "村别" = "unit_code"
        "问题类型" = "category"
        "反映问题" = "title"
        "处理情况" = "status"
        "答复内容" = "result"
        "完成日期" = "resolved_at"
        [values.status]
        "完成" = "CLOSED"
        "跟进" = "IN_PROGRESS"
        [values.category]
        "修路" = "LIVELIHOOD.ROAD"
        """
    )
    header = ["序号", "受理日期", "群众姓名", "村别", "问题类型", "反映问题", "处理情况",
              "答复内容", "完成日期"]  # fmt: skip
    sheet = [
        ["M-1", "2025年6月1日", "李某", "990100001002", "修路", "路灯损坏", "完成", "已更换",
         "2025-06-03"],
        ["M-2", datetime(2025, 6, 2, 8), "赵某", "990100001002", "修路", "路面积水", "跟进", "",
         ""],
    ]  # fmt: skip
    report = await run(app, workbook(sheet, header, title="柳林村台账"), mapping)
    assert (report.ok, report.imported) == (True, 2), report.errors
    found = await rows(
        app, "SELECT external_number, status, registered_at FROM cases"
        " WHERE external_number LIKE 'M-%' ORDER BY 1",
    )  # fmt: skip
    assert [(r[0], r[1]) for r in found] == [("M-1", "CLOSED"), ("M-2", "IN_PROGRESS")]
    assert found[0][2] == datetime(2025, 5, 31, 16, 0, tzinfo=UTC)


async def test_a_dry_run_checks_and_counts_but_writes_nothing(app: Starlette) -> None:
    before = await footprint(app)
    report = await run(app, workbook(GOOD), dry_run=True)
    assert (report.ok, report.dry_run, report.imported) == (True, True, 4)
    assert await footprint(app) == before


async def test_csv_in_gb18030_reads_as_excel_saves_it(app: Starlette) -> None:
    lines = [",".join(HEADER)]
    for cells in GOOD[:1]:
        lines.append(",".join(str(c) if not isinstance(c, datetime) else "2025-03-08 09:30"
                              for c in cells))  # fmt: skip
    report = await run(app, ("\r\n".join(lines) + "\r\n").encode("gb18030"))
    assert (report.ok, report.imported) == (True, 1), report.errors


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not a zip"])
async def test_a_file_that_is_no_register_is_bad_input(app: Starlette, data: bytes) -> None:
    from yidi.domain.errors import BadInput

    with pytest.raises(BadInput) as refused:
        await run(app, data)
    assert refused.value.field == "file"


async def test_lookups_take_any_number_of_keys_in_one_statement(app: Starlette) -> None:
    """A 100,000-row register asks about 100,000 numbers: more than the 32,767 parameters a
    statement may carry, so they go as one array."""
    from yidi.persistence import ledger as store

    many = [f"X-{i}" for i in range(40_000)]
    county_id = await scalar(app, "SELECT id FROM units WHERE code = :c", c=COUNTY)
    async with app.state.yidi.uow.read() as session:
        assert await store.imported_rows(session, county_id, many) == {}
        found = await store.units_by_codes(session, [*many, "990100001001"])
    assert [u.code for u in found] == ["990100001001"]


async def test_a_county_that_asks_a_follow_up_gets_closed_rows_closed_procedurally(
    app: Starlette,
) -> None:
    """The register records no 回访: where the county asks one before a substantive close of a
    BLUE case, a closed row is closed PROCEDURAL rather than claiming what it cannot show."""
    from tests.support.sql import execute

    await execute(
        app,
        "INSERT INTO county_settings (county_id, follow_up_before_closure, updated_at)"
        " SELECT id, ARRAY['BLUE'], now() FROM units WHERE code = :c",
        c=COUNTY,
    )
    report = await run(app, workbook([CLOSED_ROW]))
    assert report.imported == 1
    kind = await scalar(app, "SELECT closure_kind FROM cases WHERE external_number = :n",
                        n="DH-2025-0003")  # fmt: skip
    assert kind == "PROCEDURAL"
    data = await scalar(
        app,
        "SELECT e.data->>'kind' FROM case_events e JOIN cases c ON c.id = e.case_id"
        " WHERE c.external_number = 'DH-2025-0003' AND e.type = 'CLOSED'",
    )
    assert data == "PROCEDURAL"
