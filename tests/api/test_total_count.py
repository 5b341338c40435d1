"""`totalCount` is exact for every caller and filter, and read from an index-backed source.

A county's leader sees every case of the county: the count is the sum of the county's
gapless number counters. Otherwise the count reads the caller's unit's range of
`case_reach` (one row per unit and case, kept by a trigger on `cases`) unless the filter
names a unit, a search or an owner, which only the cases themselves answer (and a county's
status-only filter, cheaper from its own index on `cases`). Each path
is checked against the list itself, paged through to the end, for every demo user.
"""

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.api.test_query_count import recorded
from tests.support.demo import COUNTY, HOUSING, LEADER, TOWNSHIP, USERS, V11, VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle
from tests.support.sql import REACH_DRIFT as DRIFT
from tests.support.sql import rows, scalar

COUNTED = """query($filter: CaseFilter, $after: String) {
  cases(first: 100, filter: $filter, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
OPEN = ["REGISTERED", "DISPATCHED", "IN_PROGRESS"]
FILTERS: list[dict[str, Any] | None] = [
    None,
    {"status": OPEN},
    {"riskLevel": ["ORANGE", "RED"]},
    {"status": ["RESOLVED", "CLOSED"], "riskLevel": ["BLUE", "YELLOW"]},
    {"channel": ["VISIT", "HOTLINE"], "overdue": False},
    {"overdue": True},
    {"registeredFrom": "2026-09-01T00:00:00+08:00", "registeredTo": "2026-11-01T00:00:00+08:00"},
    {"search": "纠纷"},
]


async def total_and_listed(api: Api, user: str, filter: dict[str, Any] | None) -> tuple[int, int]:
    """totalCount, and the number of cases the list hands out when paged to its end."""
    listed, after, total = 0, None, None
    while True:
        page = (await api.ok(COUNTED, {"filter": filter, "after": after}, user=user))["cases"]
        total = page["totalCount"] if total is None else total
        listed += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return int(total), listed
        after = page["pageInfo"]["endCursor"]


async def assert_exact(api: Api, users: list[str]) -> None:
    # A category with children: the filter covers its subtree.
    categories = (await api.ok("{ categories { id parent { id } } }", user=LEADER))["categories"]
    parents = {c["parent"]["id"] for c in categories if c["parent"]}
    by_category = {"categoryId": sorted(parents)[0], "status": [*OPEN, "RESOLVED"]}
    for user in users:
        for filter in [*FILTERS, by_category]:
            total, listed = await total_and_listed(api, user, filter)
            assert total == listed, f"{user} {filter}: totalCount {total}, list {listed}"


@pytest.mark.parametrize("user", sorted(USERS))
async def test_total_count_equals_the_list_for_every_caller_and_filter(api: Api, user: str) -> None:
    await assert_exact(api, [user])


async def test_the_reach_rows_follow_every_kind_of_change(api: Api, app: Starlette) -> None:
    """Registration, dispatch down the tree, acceptance, resolution, closure, a risk grade,
    co-handling and an escalation each move a case's relations or filter columns; the
    trigger's rows must match the cases after each, and the counts stay exact."""
    life = await Lifecycle.create(api, app)
    assert await scalar(app, DRIFT) == 0
    for status in ("REGISTERED", "DISPATCHED", "IN_PROGRESS", "RESOLVED", "CLOSED"):
        await life.bring_to(status, merge_target="")
    graded = str((await life.register())["id"])
    await life.do("ASSESS", graded, LEADER, {"riskLevel": "RED"})
    shared = str((await life.register(location=VILLAGE))["id"])
    await life.do(
        "DISPATCH",
        shared,
        LEADER,
        {"unitId": life.unit(TOWNSHIP), "coHandlingUnitIds": [life.unit(HOUSING)]},
    )
    await life.do("ACCEPT", shared, "t1.handler", {})
    await life.do("ESCALATE", shared, "t1.handler", {"reason": "涉及多个部门，需县级协调。"})
    assert await scalar(app, DRIFT) == 0
    await assert_exact(api, [LEADER, "t1.leader", "t2.leader", V11, "dept.housing"])


async def test_a_county_counts_one_case_per_number(api: Api, app: Starlette) -> None:
    """The county-wide count rests on this: every case holds exactly one of its county's
    gapless numbers, taken in the case's own transaction."""
    life = await Lifecycle.create(api, app)
    await life.register()
    await life.bring_to("DISPATCHED", merge_target="")
    counted = await rows(
        app,
        "SELECT u.code, (SELECT count(*) FROM cases c WHERE c.county_id = u.id),"
        " (SELECT coalesce(sum(last_value), 0) FROM case_sequences s WHERE s.county_id = u.id)"
        " FROM units u WHERE u.parent_id IS NULL",
    )
    assert len(counted) >= 2
    assert all(cases == numbers for _, cases, numbers in counted), counted
    assert {code: cases for code, cases, _ in counted}[COUNTY] > 300


@pytest.mark.parametrize(
    ("user", "filter", "source"),
    [
        (LEADER, None, "case_sequences"),
        ("t1.leader", None, "case_reach"),
        (V11, {"status": OPEN}, "case_reach"),
        ("dept.housing", {"riskLevel": ["RED"]}, "case_reach"),
        (LEADER, {"status": OPEN}, "FROM cases"),
        (LEADER, {"riskLevel": ["RED"]}, "case_reach"),
        ("t1.leader", {"channel": ["VISIT"], "overdue": True}, "case_reach"),
        (V11, {"registeredFrom": "2026-01-01T00:00:00Z"}, "case_reach"),
        ("t1.leader", {"search": "纠纷"}, "FROM cases"),
    ],
)
async def test_each_count_reads_its_source(
    api: Api, app: Starlette, user: str, filter: dict[str, Any] | None, source: str
) -> None:
    await api.ok(COUNTED, {"filter": filter}, user=user)  # caller and policy loaded
    with recorded(app) as statements:
        await api.ok(
            "query($f: CaseFilter) { cases(first: 1, filter: $f) { totalCount } }",
            {"f": filter},
            user=user,
        )
    counting = [" ".join(s.split()) for s in statements if "count(" in s or "sum(" in s]
    assert len(counting) == 1, statements
    assert source in counting[0], counting[0]
