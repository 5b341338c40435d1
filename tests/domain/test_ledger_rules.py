"""The 民声登记簿 layout, mapping file and row check (domain/ledger.py), and the trail a row
gets (domain/ledger_trail.py): pure, no database."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yidi.domain.calendar import SHANGHAI
from yidi.domain.enums import CaseEventType, CaseStatus, Channel, ClosureKind, UnitLevel
from yidi.domain.ledger import CategoryRef, Place, Reference, check_rows
from yidi.domain.ledger_layout import (
    Layout,
    MappingError,
    find_header_row,
    instant_of,
    normalize_header,
    parse_mapping,
)
from yidi.domain.ledger_trail import trail

NOW = datetime(2026, 11, 20, tzinfo=UTC)
COUNTY = Place(1, 1, "990100", "青山县", UnitLevel.COUNTY, None)
TOWN = Place(2, 1, "990100001", "东湖镇", UnitLevel.TOWNSHIP, 1)
VILLAGE = Place(3, 1, "990100001001", "东湖村", UnitLevel.VILLAGE, 2)
OTHER_TOWN = Place(4, 1, "990100002", "西岭镇", UnitLevel.TOWNSHIP, 1)
SAME_NAME = Place(5, 1, "990100002009", "东湖村", UnitLevel.VILLAGE, 4)
REFERENCE = Reference(
    1,
    [COUNTY, TOWN, VILLAGE, OTHER_TOWN, SAME_NAME],
    [CategoryRef(7, "DISPUTE.NEIGHBOR", "邻里纠纷", 10)],
)
HEADER = ["登记编号", "登记时间", "所属镇(街道)", "所属村(社区)", "事项类别", "标题", "办理状态",
          "办理结果", "办结时间"]  # fmt: skip


def check(*cells: list[object]) -> tuple[list[object], list[tuple[int, str, str]]]:
    checked = check_rows(
        HEADER, 1, [(n, c) for n, c in enumerate(cells, start=2)], Layout(), REFERENCE, NOW
    )
    return list(checked.rows), [(e.row, e.column, e.why) for e in checked.errors]


def test_headers_match_as_clerks_type_them() -> None:
    assert normalize_header("所属村（社区） ") == normalize_header("所属村(社区)")


def test_the_header_row_is_found_below_a_title_row() -> None:
    rows = [["青山县民声登记簿"], [], ["登记编号", "登记时间", "标题"], ["1", "2025-01-01", "x"]]
    assert find_header_row(Layout(), rows) == 3
    assert find_header_row(Layout(header_row=2), rows) == 2


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2025-03-08 09:30", datetime(2025, 3, 8, 9, 30, tzinfo=SHANGHAI)),
        ("2025/3/8", datetime(2025, 3, 8, tzinfo=SHANGHAI)),
        ("2025年3月8日", datetime(2025, 3, 8, tzinfo=SHANGHAI)),
        (datetime(2025, 3, 8, 9, 30), datetime(2025, 3, 8, 9, 30, tzinfo=SHANGHAI)),
    ],
)
def test_dates_are_read_as_beijing_time(cell: object, expected: datetime) -> None:
    assert instant_of(cell) == expected  # type: ignore[arg-type]


def test_a_village_is_found_within_its_township_and_ambiguity_is_an_error() -> None:
    good, errors = check(["1", "2025-01-02", "东湖镇", "东湖村", "邻里纠纷", "t", "", "", ""])
    assert errors == []
    assert good[0].location == VILLAGE  # type: ignore[attr-defined]
    _, errors = check(["2", "2025-01-02", "", "东湖村", "邻里纠纷", "t", "", "", ""])
    assert errors == [(2, "所属村(社区)", "several villages are named '东湖村'")]


def test_a_row_in_a_state_the_register_cannot_give_is_refused() -> None:
    _, errors = check(["1", "2025-01-02", "东湖镇", "", "邻里纠纷", "t", "MERGED", "", ""])
    assert errors == [(2, "办理状态", "a ledger row cannot arrive MERGED")]
    _, errors = check(
        ["1", "2025-01-09", "东湖镇", "", "邻里纠纷", "t", "已办结", "好", "2025-01-02"]
    )
    assert errors == [(2, "办结时间", "before 登记时间")]


def test_errors_hold_back_every_row() -> None:
    good, errors = check(
        ["1", "2025-01-02", "东湖镇", "", "邻里纠纷", "t", "", "", ""],
        ["2", "", "东湖镇", "", "邻里纠纷", "t", "", "", ""],
    )
    assert good == []
    assert errors == [(3, "登记时间", "must not be empty")]


@pytest.mark.parametrize(
    ("status", "events"),
    [
        ("待办", ["REGISTERED"]),
        ("办理中", ["REGISTERED", "ACCEPTED"]),
        ("已办结", ["REGISTERED", "ACCEPTED", "RESOLVED"]),
        ("已结案", ["REGISTERED", "ACCEPTED", "RESOLVED", "CLOSED"]),
    ],
)
def test_a_row_arrives_in_its_state_through_the_lifecycle(status: str, events: list[str]) -> None:
    done = status in ("已办结", "已结案")
    cells = ["1", "2025-01-02 08:00", "东湖镇", "东湖村", "邻里纠纷", "t", status,
             "已处理" if done else "", "2025-01-05" if done else ""]  # fmt: skip
    good, errors = check(cells)
    assert errors == []
    row = good[0]
    steps = trail(row, VILLAGE.id, ClosureKind.SUBSTANTIVE)  # type: ignore[arg-type]
    assert [e.type.value for e in steps] == events
    assert steps[0].data == {"externalNumber": "1"}
    assert row.channel is Channel.LEDGER_IMPORT  # type: ignore[attr-defined]
    if done:
        assert steps[-1].at == datetime(2025, 1, 5, tzinfo=SHANGHAI)
    assert (row.status is CaseStatus.CLOSED) == (steps[-1].type is CaseEventType.CLOSED)  # type: ignore[attr-defined]


def test_a_mapping_file_extends_the_default_words() -> None:
    layout = parse_mapping(
        '[columns]\n"编号" = "external_number"\n[values.status]\n"完成" = "CLOSED"\n'
    )
    assert layout.columns == {"编号": "external_number"}
    assert layout.values["status"]["完成"] == "CLOSED"
    assert layout.values["status"]["已结案"] == "CLOSED"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[columns", "not valid TOML"),
        ("[columns]\n", r"needs a \[columns\] table"),
        ('[columns]\n"a" = "colour"\n', "unknown field 'colour'"),
        ('[columns]\n"a" = "title"\n"b" = "title"\n', "same field"),
        ('[columns]\n"a" = "title"\n[values.status]\n"x" = "MERGED"\n', "not one of ours"),
        ('[columns]\n"a" = "title"\n[values.colour]\n"x" = "y"\n', "unknown value map"),
        ('header_row = 0\n[columns]\n"a" = "title"\n', "header_row"),
        ('[sheet]\n[columns]\n"a" = "title"\n', "unknown sections"),
    ],
)
def test_a_bad_mapping_file_is_refused_whole(text: str, why: str) -> None:
    with pytest.raises(MappingError, match=why):
        parse_mapping(text)


_CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(["东湖镇", "东湖村", "邻里纠纷", "已结案", "2025-01-02", "990100001001"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELLS, min_size=0, max_size=len(HEADER) + 2), max_size=6))
def test_any_cells_give_rows_or_row_errors_never_a_crash(cells: list[list[object]]) -> None:
    """Whatever a clerk's sheet holds, the check answers rows or errors naming a row and a
    header; and a row it accepts carries nothing PostgreSQL cannot store."""
    good, errors = check(*cells)
    assert not (good and errors)
    for row_number, column, why in errors:
        assert 2 <= row_number <= len(cells) + 1
        assert column in HEADER
        assert why
    for row in good:
        for text in (row.external_number, row.title, row.description):  # type: ignore[attr-defined]
            assert "\x00" not in text
