"""Each definition of docs/DASHBOARDS.md, on cases made for it through the API.

The clock is moved past the demo data (which ends at DEMO_NOW), so a window after it holds
only the cases a test registers; the figures are then known exactly.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import COUNTY, HOUSING, LEADER, TOWNSHIP, V11, VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, inputs_for

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)

STATS = """
query($u: ID!, $f: DateTime!, $t: DateTime!) { unitStats(unitId: $u, from: $f, to: $t) {
  unit { code } received resolved closed overdue escalated
  resolutionRate onTimeRate satisfactionRate averageResolutionHours
  resolvedAtLevel { level count } byRisk { riskLevel count } byStatus { status count }
  byCategory { category { code } count }
  children { unit { code kind } received resolved escalated children { unit { code } } }
} }
"""
TREND = """
query($u: ID!, $f: DateTime!, $t: DateTime!, $i: Interval!) {
  caseTrend(unitId: $u, from: $f, to: $t, interval: $i) { start received resolved } }
"""
ZERO = """
query($u: ID!, $l: UnitLevel!, $f: DateTime!, $t: DateTime!) {
  zeroFilingUnits(unitId: $u, level: $l, from: $f, to: $t) { code } }
"""


def iso(at: datetime) -> str:
    return at.isoformat()


async def stats(
    api: Api, lc: Lifecycle, code: str, start: datetime, end: datetime, user: str = LEADER
) -> dict[str, Any]:
    data = await api.ok(STATS, {"u": lc.unit(code), "f": iso(start), "t": iso(end)}, user=user)
    result: dict[str, Any] = data["unitStats"]
    return result


def move_clock(api: Api, clock: Clock, to: datetime) -> None:
    """Tokens expire within hours: users log in again at the new instant."""
    clock.current = to
    api.tokens.clear()


@pytest.fixture
async def lc(api: Api, app: Starlette, clock: Clock) -> Lifecycle:
    clock.current = START + timedelta(hours=2)
    return await Lifecycle.create(api, app)


async def test_an_empty_window_lists_every_child_with_zeros_and_null_rates(
    api: Api, lc: Lifecycle
) -> None:
    figures = await stats(api, lc, COUNTY, START, START + DAY)
    assert figures["unit"]["code"] == COUNTY
    assert figures["received"] == figures["resolved"] == figures["overdue"] == 0
    assert figures["resolutionRate"] is None
    assert figures["onTimeRate"] is None
    assert figures["satisfactionRate"] is None
    assert figures["averageResolutionHours"] is None
    assert figures["byRisk"] == figures["byStatus"] == figures["byCategory"] == []
    # Every township, never a department, in code order; children's children not computed.
    assert [c["unit"]["code"] for c in figures["children"]] == [
        "990100001",
        "990100002",
        "990100003",
    ]
    assert all(c["received"] == 0 and c["children"] == [] for c in figures["children"])
    zero = await api.ok(
        ZERO,
        {"u": lc.unit(COUNTY), "l": "TOWNSHIP", "f": iso(START), "t": iso(START + DAY)},
        user=LEADER,
    )
    assert [u["code"] for u in zero["zeroFilingUnits"]] == ["990100001", "990100002", "990100003"]


async def test_the_past_demo_window_matches_the_children_and_zero_filing(
    api: Api, lc: Lifecycle
) -> None:
    """Over the demo's six months: the children add up to the county (every demo case is
    located in a village), and zeroFilingUnits(county, TOWNSHIP) is exactly the children
    with received = 0."""
    start, end = START - timedelta(days=200), START
    figures = await stats(api, lc, COUNTY, start, end)
    assert figures["received"] > 100
    assert sum(c["received"] for c in figures["children"]) == figures["received"]
    assert sum(c["resolved"] for c in figures["children"]) == figures["resolved"]
    assert sum(n["count"] for n in figures["byStatus"]) == figures["received"]
    assert sum(n["count"] for n in figures["resolvedAtLevel"]) == figures["resolved"]
    assert figures["resolutionRate"] == pytest.approx(figures["resolved"] / figures["received"])
    zero = await api.ok(
        ZERO, {"u": lc.unit(COUNTY), "l": "VILLAGE", "f": iso(start), "t": iso(end)}, user=LEADER
    )
    # The villages of 城关街道 with no case are exactly its zero-filing villages.
    idle = {u["code"] for u in zero["zeroFilingUnits"]}
    township = await stats(api, lc, "990100003", start, end)
    assert idle >= {c["unit"]["code"] for c in township["children"] if c["received"] == 0}
    assert all(c["unit"]["code"] not in idle for c in township["children"] if c["received"] > 0)


async def test_a_merged_duplicate_is_one_matter(api: Api, lc: Lifecycle) -> None:
    original = await lc.register()
    duplicate = await lc.register()
    await lc.do("MERGE", duplicate["id"], LEADER, inputs_for("MERGE", into=original["id"]))
    for code in (VILLAGE, TOWNSHIP, COUNTY):
        figures = await stats(api, lc, code, START, START + DAY)
        assert figures["received"] == 1, code
        assert figures["byStatus"] == [{"status": "REGISTERED", "count": 1}]


async def test_an_escalated_case_stays_with_its_location(api: Api, lc: Lifecycle) -> None:
    """Escalated from 东湖村 to 东湖镇 and resolved there: it still counts for the village
    (where it is located), as escalated, and as resolved at TOWNSHIP level."""
    case = await lc.register()
    await lc.do("ESCALATE", case["id"], V11, inputs_for("ESCALATE"))
    await lc.do("ACCEPT", case["id"], "t1.handler", inputs_for("ACCEPT"))
    await lc.do("RESOLVE", case["id"], "t1.handler", inputs_for("RESOLVE"))
    await lc.register()  # a second, open case in the same village
    village = await stats(api, lc, VILLAGE, START, START + DAY)
    assert (village["received"], village["resolved"], village["escalated"]) == (2, 1, 1)
    assert village["resolvedAtLevel"] == [{"level": "TOWNSHIP", "count": 1}]
    assert village["resolutionRate"] == 0.5
    assert village["onTimeRate"] == 1.0
    assert village["averageResolutionHours"] == 0.0  # resolved at the registration instant
    assert village["satisfactionRate"] is None  # resolved, but nobody evaluated yet
    county = await stats(api, lc, COUNTY, START, START + DAY)
    (east,) = [c for c in county["children"] if c["unit"]["code"] == TOWNSHIP]
    assert (east["received"], east["resolved"], east["escalated"]) == (2, 1, 1)
    others = [c for c in county["children"] if c["unit"]["code"] != TOWNSHIP]
    assert all(c["received"] == 0 for c in others)


async def test_reopened_and_evaluated_cases_count_by_first_resolution_and_latest_evaluation(
    api: Api, lc: Lifecycle, clock: Clock
) -> None:
    case = await lc.register()
    await lc.move_to(case["id"], "RESOLVED")
    clock.current += timedelta(hours=3)
    await lc.do("EVALUATE", case["id"], LEADER, {"satisfaction": "DISSATISFIED"})
    await lc.do("REOPEN", case["id"], LEADER, inputs_for("REOPEN"))
    clock.current += timedelta(hours=3)
    await lc.do("RESOLVE", case["id"], "dept.housing", inputs_for("RESOLVE"))
    await lc.do("EVALUATE", case["id"], LEADER, {"satisfaction": "BASICALLY_SATISFIED"})
    await lc.do("CLOSE", case["id"], LEADER, inputs_for("CLOSE"))
    figures = await stats(api, lc, VILLAGE, START, START + DAY)
    assert (figures["received"], figures["resolved"], figures["closed"]) == (1, 1, 1)
    assert figures["averageResolutionHours"] == 0.0  # the first resolution, not the second
    assert figures["satisfactionRate"] == 1.0  # the latest evaluation only
    assert figures["resolvedAtLevel"] == [{"level": "COUNTY", "count": 1}]  # a county department


async def test_a_department_counts_what_was_handed_to_it_in_the_window(
    api: Api, lc: Lifecycle, clock: Clock
) -> None:
    early = await lc.register()
    await lc.do("DISPATCH", early["id"], LEADER, inputs_for("DISPATCH", target=lc.unit(HOUSING)))
    move_clock(api, clock, clock.current + 2 * DAY)
    late = await lc.register()  # registered on another day, dispatched in the window
    await lc.do("DISPATCH", late["id"], LEADER, inputs_for("DISPATCH", target=lc.unit(HOUSING)))
    housing = await stats(api, lc, HOUSING, START + 2 * DAY, START + 3 * DAY, user="dept.housing")
    assert housing["received"] == 1
    assert housing["children"] == []
    both = await stats(api, lc, HOUSING, START, START + 3 * DAY, user="dept.housing")
    assert both["received"] == 2
    # The village counts by registration, whoever handles the case.
    village = await stats(api, lc, VILLAGE, START + 2 * DAY, START + 3 * DAY)
    assert village["received"] == 1


async def test_overdue_is_open_now_and_past_due(api: Api, lc: Lifecycle, clock: Clock) -> None:
    open_case = await lc.register()
    done = await lc.register()
    await lc.move_to(done["id"], "RESOLVED")
    move_clock(api, clock, clock.current + timedelta(days=60))  # past every time limit
    figures = await stats(api, lc, VILLAGE, START, START + DAY)
    assert figures["overdue"] == 1
    assert figures["onTimeRate"] == 1.0
    assert open_case["status"] == "REGISTERED"


async def test_the_shanghai_day_boundary(api: Api, lc: Lifecycle, clock: Clock) -> None:
    """16:30 UTC on 1 December is 00:30 on 2 December in Shanghai: the case falls in the
    2 December bucket, whose start is Shanghai midnight."""
    move_clock(api, clock, datetime(2026, 12, 1, 16, 30, tzinfo=UTC))
    await lc.register()
    start = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 1 December, 00:00 in Shanghai
    data = await api.ok(
        TREND,
        {"u": lc.unit(VILLAGE), "f": iso(start), "t": iso(start + 2 * DAY), "i": "DAY"},
        user=LEADER,
    )
    points = data["caseTrend"]
    assert [p["start"] for p in points] == [
        "2026-12-01T00:00:00+08:00",
        "2026-12-02T00:00:00+08:00",
    ]
    assert [p["received"] for p in points] == [0, 1]


async def test_week_buckets_cross_the_year_boundary(api: Api, lc: Lifecycle, clock: Clock) -> None:
    move_clock(api, clock, datetime(2027, 1, 1, 4, 0, tzinfo=UTC))  # a Friday
    case = await lc.register()
    move_clock(api, clock, datetime(2027, 1, 5, 4, 0, tzinfo=UTC))
    await lc.move_to(case["id"], "RESOLVED")
    start = datetime(2026, 12, 30, tzinfo=UTC)  # a Wednesday
    data = await api.ok(
        TREND,
        {"u": lc.unit(COUNTY), "f": iso(start), "t": iso(start + 14 * DAY), "i": "WEEK"},
        user=LEADER,
    )
    points = data["caseTrend"]
    assert [p["start"] for p in points] == [
        "2026-12-28T00:00:00+08:00",
        "2027-01-04T00:00:00+08:00",
        "2027-01-11T00:00:00+08:00",
    ]
    assert [(p["received"], p["resolved"]) for p in points] == [(1, 0), (0, 1), (0, 0)]
    months = await api.ok(
        TREND,
        {"u": lc.unit(COUNTY), "f": iso(start), "t": iso(start + 14 * DAY), "i": "MONTH"},
        user=LEADER,
    )
    assert [p["start"][:10] for p in months["caseTrend"]] == ["2026-12-01", "2027-01-01"]


@pytest.mark.parametrize(
    ("start", "end", "interval", "field"),
    [
        ("2026-12-02T00:00:00Z", "2026-12-01T00:00:00Z", "DAY", "to"),
        ("2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z", "DAY", "to"),
        ("2020-01-01T00:00:00Z", "2026-12-01T00:00:00Z", "MONTH", "to"),
        ("2021-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "DAY", "to"),
    ],
)
async def test_a_bad_window_is_bad_user_input(
    api: Api, lc: Lifecycle, start: str, end: str, interval: str, field: str
) -> None:
    error = await api.error(
        TREND, {"u": lc.unit(COUNTY), "f": start, "t": end, "i": interval}, user=LEADER
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    error = await api.error(STATS, {"u": lc.unit(COUNTY), "f": start, "t": end}, user=LEADER)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
