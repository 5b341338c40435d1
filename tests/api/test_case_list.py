"""`cases`: filters, ordering and cursor pagination as the contract describes them.

Every expectation is computed here, in Python, from the raw rows (units and categories as
trees by parent_id), never with the application's query code. county.leader sees every case
of 青山县 (it sits at the root of the tree), so its list is the county's cases, filtered.
"""

import base64
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import DEMO_NOW, Clock
from tests.support.demo import COUNTY, LEADER, OTHER_COUNTY
from tests.support.deployment import deployment
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.lookups import unit_id
from tests.support.oracles import OPEN
from tests.support.sql import rows
from tests.support.tree import Tree, load_tree

RISK_ORDER = ["BLUE", "YELLOW", "ORANGE", "RED"]

LIST = """
query($filter: CaseFilter, $orderBy: CaseOrder, $first: Int, $after: String) {
  cases(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id number isOverdue } }
  }
}
"""

# Titles with LIKE's wildcard and escape characters, which a search must take literally.
SEARCH_CASES = {
    "percent": "水费收取比例100%不合理",
    "underscore": "井_盖缺失无人修",
    "backslash": "系统显示a\\b错误",
}


@dataclass(frozen=True)
class Row:
    number: str
    title: str
    description: str
    status: str
    risk: str
    channel: str
    category: int
    handling: int
    registered_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class World:
    rows: list[Row]
    units: Tree
    categories: Tree

    def numbers(self, keep: Callable[[Row], bool]) -> set[str]:
        return {r.number for r in self.rows if keep(r)}

    def row(self, number: str) -> Row:
        return next(r for r in self.rows if r.number == number)


async def load_world(app: Starlette) -> World:
    units = await load_tree(app)
    categories = await load_tree(
        app,
        "SELECT c.id, c.parent_id, c.code FROM categories c "
        f"JOIN units u ON u.id = c.county_id WHERE u.code = '{COUNTY}'",
    )
    cases = await rows(
        app,
        "SELECT number, title, description, status, risk_level, channel, category_id, "
        "handling_unit_id, registered_at, due_at, location_unit_id FROM cases",
    )
    # county.leader's cases: those whose location lies in 青山县's tree.
    mine = [Row(*c[:10]) for c in cases if units.under(c.location_unit_id, COUNTY)]
    return World(mine, units, categories)


@dataclass
class Setup:
    api: Api
    clock: Clock
    world: World
    category_ids: dict[str, str]  # code → global id
    unit_ids: dict[str, str]  # code → global id
    search_numbers: dict[str, str]  # SEARCH_CASES key → case number


UNIT_CODES = [
    "990100",
    "990100001",
    "990100002",
    "990100003",
    "990100001001",
    "990100002001",
    "990100003001",
    "990100901",
    "990100001901",
]


@pytest.fixture(scope="module")
async def setup(server_url: str, template_url: str) -> AsyncIterator[Setup]:
    """A database of the module's own: these tests only read (the clock is reset after each
    use), and ~80 of them each re-creating the database would take minutes."""
    clock = Clock()
    async with deployment(server_url, "yidi_case_list", clock) as (api, app):
        categories = (await api.ok("{ categories { id code } }", user=LEADER))["categories"]
        category_ids = {c["code"]: c["id"] for c in categories}
        unit_ids = {code: await unit_id(api, code) for code in UNIT_CODES}
        # other.leader for 白水县's unit: 青山县's staff are not told it exists.
        unit_ids[OTHER_COUNTY] = await unit_id(api, OTHER_COUNTY, "other.leader")
        search_numbers: dict[str, str] = {}
        for key, title in SEARCH_CASES.items():
            case = await register(
                api,
                "county.intake",
                "990100003001",
                category="LIVELIHOOD.WATER",
                selection="number",
                title=title,
                description=f"{title}。",
                channel="HOTLINE",
                reporter={"name": "测试人", "phone": "13900002222"},
            )
            search_numbers[key] = case["number"]
        world = await load_world(app)
        yield Setup(api, clock, world, category_ids, unit_ids, search_numbers)


async def walk(
    setup: Setup,
    *,
    filter: dict[str, Any] | None = None,
    order: tuple[str, str] | None = None,
    first: int = 100,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All nodes of a list paged to its end, and each page's connection (for pageInfo)."""
    variables: dict[str, Any] = {"filter": filter, "first": first}
    if order is not None:
        variables["orderBy"] = {"field": order[0], "direction": order[1]}
    pages = [page async for page in setup.api.pages(LIST, variables, user=LEADER)]
    return [e["node"] for page in pages for e in page["edges"]], pages


def numbers_of(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["number"] for n in nodes]


# ---------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class FilterCase:
    """A filter (with codes standing in for ids) and the rule it must implement."""

    filter: dict[str, Any]
    keep: Callable[[Row, World], bool]
    # Most filters must split the data, or a filter that does nothing would pass.
    splits: bool = True


def status_is(*statuses: str) -> FilterCase:
    return FilterCase({"status": list(statuses)}, lambda r, w: r.status in statuses)


def risk_is(*risks: str) -> FilterCase:
    return FilterCase({"riskLevel": list(risks)}, lambda r, w: r.risk in risks)


def channel_is(*channels: str) -> FilterCase:
    return FilterCase({"channel": list(channels)}, lambda r, w: r.channel in channels)


def category(code: str, splits: bool = True) -> FilterCase:
    return FilterCase(
        {"categoryCode": code}, lambda r, w: w.categories.under(r.category, code), splits
    )


def unit(code: str, splits: bool = True) -> FilterCase:
    return FilterCase({"unitCode": code}, lambda r, w: w.units.under(r.handling, code), splits)


FILTERS = {
    "status=REGISTERED": status_is("REGISTERED"),
    "status=CLOSED": status_is("CLOSED"),
    "status=RESOLVED,CLOSED": status_is("RESOLVED", "CLOSED"),
    "status=open": status_is(*OPEN),
    "status=REDIRECTED": status_is("REDIRECTED"),
    "status=MERGED": FilterCase({"status": ["MERGED"]}, lambda r, w: False, splits=False),
    "risk=RED": risk_is("RED"),
    "risk=BLUE": risk_is("BLUE"),
    "risk=YELLOW,ORANGE": risk_is("YELLOW", "ORANGE"),
    "channel=VISIT": channel_is("VISIT"),
    "channel=HOTLINE,ONLINE": channel_is("HOTLINE", "ONLINE"),
    "category=DISPUTE": category("DISPUTE"),
    "category=DISPUTE.NEIGHBOR": category("DISPUTE.NEIGHBOR"),
    "category=DISPUTE.FAMILY": category("DISPUTE.FAMILY"),
    "category=DISPUTE.LAND": category("DISPUTE.LAND"),
    "category=DISPUTE.LABOR": category("DISPUTE.LABOR"),
    "category=LIVELIHOOD": category("LIVELIHOOD"),
    "category=LIVELIHOOD.ROAD": category("LIVELIHOOD.ROAD"),
    "category=LIVELIHOOD.WATER": category("LIVELIHOOD.WATER"),
    "category=PETITION": category("PETITION"),
    "category=CONSULT": category("CONSULT"),
    "category=UNCLASSIFIED": category("UNCLASSIFIED", splits=False),
    "unit=county": unit("990100", splits=False),
    "unit=东湖镇": unit("990100001"),
    "unit=西岭镇": unit("990100002"),
    "unit=城关街道": unit("990100003", splits=False),
    "unit=东湖村": unit("990100001001"),
    "unit=西岭村": unit("990100002001"),
    "unit=县住建局": unit("990100901"),
    "unit=东湖镇司法所": unit("990100001901"),
    "unit=白水县": FilterCase({"unitCode": "990200"}, lambda r, w: False, splits=False),
    "combined": FilterCase(
        {"status": ["CLOSED", "RESOLVED"], "riskLevel": ["BLUE"], "unitCode": "990100001"},
        lambda r, w: (
            r.status in ("CLOSED", "RESOLVED")
            and r.risk == "BLUE"
            and w.units.under(r.handling, "990100001")
        ),
    ),
}


def to_graphql(filter: dict[str, Any], setup: Setup) -> dict[str, Any]:
    resolved = dict(filter)
    if "categoryCode" in resolved:
        resolved["categoryId"] = setup.category_ids[resolved.pop("categoryCode")]
    if "unitCode" in resolved:
        resolved["unitId"] = setup.unit_ids[resolved.pop("unitCode")]
    return resolved


@pytest.mark.parametrize("name", FILTERS, ids=list(FILTERS))
async def test_filter(setup: Setup, name: str) -> None:
    spec = FILTERS[name]
    expected = setup.world.numbers(lambda r: spec.keep(r, setup.world))
    if spec.splits:
        assert 0 < len(expected) < len(setup.world.rows), "the demo data should split here"
    nodes, pages = await walk(setup, filter=to_graphql(spec.filter, setup))
    assert sorted(numbers_of(nodes)) == sorted(expected)
    assert {p["totalCount"] for p in pages} == {len(expected)}


async def test_category_includes_descendants(setup: Setup) -> None:
    """DISPUTE is the parent of DISPUTE.NEIGHBOR: filtering by it includes the child's cases."""
    dispute, _ = await walk(setup, filter={"categoryId": setup.category_ids["DISPUTE"]})
    neighbour, _ = await walk(setup, filter={"categoryId": setup.category_ids["DISPUTE.NEIGHBOR"]})
    assert neighbour
    assert set(numbers_of(neighbour)) < set(numbers_of(dispute))


# Clock positions: the demo's now, three months earlier (fewer overdue), a year later (every
# open case overdue).
CLOCKS = {
    "now": DEMO_NOW,
    "earlier": DEMO_NOW - timedelta(days=90),
    "later": DEMO_NOW + timedelta(days=365),
}


@asynccontextmanager
async def clock_at(setup: Setup, when: datetime) -> AsyncIterator[None]:
    """Move the service clock; tokens are judged by it, so log in afresh on both sides."""
    setup.clock.current = when
    setup.api.tokens.clear()
    try:
        yield
    finally:
        setup.clock.current = DEMO_NOW
        setup.api.tokens.clear()


@pytest.mark.parametrize("overdue", [True, False], ids=["overdue", "not-overdue"])
@pytest.mark.parametrize("when", CLOCKS, ids=list(CLOCKS))
async def test_overdue(setup: Setup, when: str, overdue: bool) -> None:
    """Overdue = open (REGISTERED, DISPATCHED, IN_PROGRESS) and past dueAt at the service's now."""
    now = CLOCKS[when]

    def is_overdue(r: Row) -> bool:
        return r.status in OPEN and r.due_at is not None and r.due_at < now

    expected = setup.world.numbers(lambda r: is_overdue(r) is overdue)
    assert expected
    async with clock_at(setup, now):
        nodes, pages = await walk(setup, filter={"overdue": overdue})
    assert sorted(numbers_of(nodes)) == sorted(expected)
    assert {p["totalCount"] for p in pages} == {len(expected)}
    assert {n["isOverdue"] for n in nodes} == {overdue}


async def test_overdue_moves_with_the_clock(setup: Setup) -> None:
    """The same data has more overdue cases later: the filter reads the clock, not a column."""
    counts = []
    for when in CLOCKS.values():
        async with clock_at(setup, when):
            data = await setup.api.ok(LIST, {"filter": {"overdue": True}, "first": 0}, user=LEADER)
        counts.append(data["cases"]["totalCount"])
    earlier, now, later = counts[1], counts[0], counts[2]
    assert earlier < now < later
    assert later == len(setup.world.numbers(lambda r: r.status in OPEN))


def boundaries(world: World) -> tuple[Row, Row]:
    """Two demo registration instants a third and two thirds of the way through."""
    ordered = sorted(world.rows, key=lambda r: r.registered_at)
    return ordered[len(ordered) // 3], ordered[2 * len(ordered) // 3]


SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("bounds", "offset"),
    [
        ("from", UTC),
        ("to", UTC),
        ("both", UTC),
        ("both", SHANGHAI),
    ],
    ids=["from", "to", "from-to", "from-to+08:00"],
)
async def test_registered_range_is_half_open(setup: Setup, bounds: str, offset: timezone) -> None:
    """[registeredFrom, registeredTo): a case registered exactly at `from` is in, at `to` out,
    whatever offset the instants are written with."""
    low, high = boundaries(setup.world)
    filter: dict[str, Any] = {}
    if bounds in ("from", "both"):
        filter["registeredFrom"] = low.registered_at.astimezone(offset).isoformat()
    if bounds in ("to", "both"):
        filter["registeredTo"] = high.registered_at.astimezone(offset).isoformat()
    expected = setup.world.numbers(
        lambda r: (
            (bounds == "to" or r.registered_at >= low.registered_at)
            and (bounds == "from" or r.registered_at < high.registered_at)
        )
    )
    nodes, pages = await walk(setup, filter=filter)
    got = set(numbers_of(nodes))
    assert got == expected
    assert {p["totalCount"] for p in pages} == {len(expected)}
    if bounds != "to":
        assert low.number in got
    if bounds != "from":
        assert high.number not in got


async def test_registered_range_on_shared_instant(setup: Setup) -> None:
    """The search cases were all registered at the same instant (the fixed clock)."""
    instant = DEMO_NOW.isoformat()
    at_or_after, _ = await walk(setup, filter={"registeredFrom": instant})
    before, _ = await walk(setup, filter={"registeredTo": instant})
    assert set(numbers_of(at_or_after)) == set(setup.search_numbers.values())
    assert not set(numbers_of(before)) & set(setup.search_numbers.values())
    assert len(at_or_after) + len(before) == len(setup.world.rows)


SEARCHES: dict[str, tuple[str, set[str] | None]] = {
    # name: (term, the SEARCH_CASES keys it must find exactly, or None to compute it)
    "title-substring": ("漏水", None),
    "place": ("东湖村", None),
    "description-only": ("请尽快核实", None),
    "percent-literal": ("%", {"percent"}),
    "percent-in-word": ("100%不", {"percent"}),
    "double-percent": ("%%", set()),
    "underscore-literal": ("_", {"underscore"}),
    "underscore-in-word": ("井_盖", {"underscore"}),
    "underscore-not-wildcard": ("井x盖", set()),
    "backslash-literal": ("\\", {"backslash"}),
    "backslash-in-word": ("a\\b", {"backslash"}),
}


@pytest.mark.parametrize("name", SEARCHES, ids=list(SEARCHES))
async def test_search(setup: Setup, name: str) -> None:
    """Search matches number, title or description, taking LIKE's special characters
    literally (a `%` or `_` that acted as a wildcard would match almost every case)."""
    term, keys = SEARCHES[name]
    expected = setup.world.numbers(
        lambda r: term == r.number or term in r.title or term in r.description
    )
    if keys is not None:
        assert expected == {setup.search_numbers[k] for k in keys}
    else:
        assert 0 < len(expected) < len(setup.world.rows)
    nodes, pages = await walk(setup, filter={"search": term})
    assert sorted(numbers_of(nodes)) == sorted(expected)
    assert {p["totalCount"] for p in pages} == {len(expected)}


async def test_search_by_number(setup: Setup) -> None:
    rows = sorted(setup.world.rows, key=lambda r: r.number)
    for row in (rows[0], rows[len(rows) // 2], rows[-1]):
        nodes, _ = await walk(setup, filter={"search": row.number})
        assert numbers_of(nodes) == [row.number]


# ---------------------------------------------------------------------------------------------
# Ordering and pagination


def sort_key(field: str, row: Row) -> Any:
    if field == "REGISTERED_AT":
        return row.registered_at
    if field == "DUE_AT":
        return row.due_at
    return RISK_ORDER.index(row.risk)


ORDERS = [(f, d) for f in ("REGISTERED_AT", "DUE_AT", "RISK_LEVEL") for d in ("ASC", "DESC")]


@pytest.mark.parametrize("order", ORDERS, ids=[f"{f}-{d}" for f, d in ORDERS])
async def test_order(setup: Setup, order: tuple[str, str]) -> None:
    """Sorted by the field in the direction asked; ties (many: 4 risk levels, due dates at
    the end of a working day, the search cases' shared instant) broken the same way whatever
    the page size, so paging never skips or repeats a case."""
    field, direction = order
    world = setup.world
    small, _ = await walk(setup, order=order, first=17)
    large, _ = await walk(setup, order=order, first=100)
    sequence = numbers_of(small)
    assert sorted(sequence) == sorted(r.number for r in world.rows)  # each case exactly once
    keys = [sort_key(field, world.row(n)) for n in sequence]
    assert keys == sorted(keys, reverse=direction == "DESC")
    # Ties must actually occur, or this would not test the tie-break.
    assert len(set(keys)) < len(keys)
    assert numbers_of(large) == sequence, "tie order depends on the page size"


async def test_default_order_is_stable(setup: Setup) -> None:
    first, _ = await walk(setup, first=100)
    again, _ = await walk(setup, first=13)
    assert numbers_of(first) == numbers_of(again)


WALKS: dict[str, tuple[dict[str, Any] | None, Callable[[Row], bool]]] = {
    "all": (None, lambda r: True),
    "blue-yellow": ({"riskLevel": ["BLUE", "YELLOW"]}, lambda r: r.risk in ("BLUE", "YELLOW")),
    "closed": ({"status": ["CLOSED"]}, lambda r: r.status == "CLOSED"),
}


@pytest.mark.parametrize("name", WALKS, ids=list(WALKS))
async def test_pagination_walk(setup: Setup, name: str) -> None:
    """first: 7 to the end: no duplicates, no gaps, hasNextPage true on every page but the
    last, totalCount the same on every page."""
    filter, keep = WALKS[name]
    expected = setup.world.numbers(keep)
    nodes, pages = await walk(setup, filter=filter, first=7)
    sequence = numbers_of(nodes)
    assert len(sequence) == len(set(sequence)), "a case appeared twice"
    assert set(sequence) == expected, "a case was skipped or does not belong"
    assert {p["totalCount"] for p in pages} == {len(expected)}
    assert [len(p["edges"]) for p in pages[:-1]] == [7] * (len(pages) - 1)
    assert 1 <= len(pages[-1]["edges"]) <= 7
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True] * (len(pages) - 1) + [False]
    assert len(pages) == -(-len(expected) // 7)
    # endCursor is the last edge's cursor, which is what the next page starts after.
    for page in pages:
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


async def test_exact_last_page(setup: Setup) -> None:
    """Asking for all but one, then the rest: hasNextPage true then false, and resuming after
    the last cursor gives an empty page, not an error or a repeat."""
    filter = {"riskLevel": ["ORANGE", "RED"]}
    total = len(setup.world.numbers(lambda r: r.risk in ("ORANGE", "RED")))
    assert 1 < total <= 100
    head = (await setup.api.ok(LIST, {"filter": filter, "first": total - 1}, user=LEADER))["cases"]
    assert len(head["edges"]) == total - 1
    assert head["pageInfo"]["hasNextPage"] is True
    variables = {"filter": filter, "first": 100, "after": head["pageInfo"]["endCursor"]}
    rest = (await setup.api.ok(LIST, variables, user=LEADER))["cases"]
    assert len(rest["edges"]) == 1
    assert rest["pageInfo"]["hasNextPage"] is False
    variables["after"] = rest["pageInfo"]["endCursor"]
    beyond = (await setup.api.ok(LIST, variables, user=LEADER))["cases"]
    assert beyond["edges"] == []
    assert beyond["pageInfo"]["hasNextPage"] is False
    assert {head["totalCount"], rest["totalCount"], beyond["totalCount"]} == {total}
    whole = (await setup.api.ok(LIST, {"filter": filter, "first": total}, user=LEADER))["cases"]
    assert len(whole["edges"]) == total
    assert whole["pageInfo"]["hasNextPage"] is False


async def test_first_zero_counts_without_edges(setup: Setup) -> None:
    data = await setup.api.ok(LIST, {"first": 0}, user=LEADER)
    assert data["cases"]["edges"] == []
    assert data["cases"]["totalCount"] == len(setup.world.rows)
    # Relay: with `first`, hasNextPage says whether more edges exist beyond those returned.
    assert data["cases"]["pageInfo"]["hasNextPage"] is True


async def test_first_default_and_maximum(setup: Setup) -> None:
    default = await setup.api.ok("{ cases { edges { node { id } } } }", user=LEADER)
    assert len(default["cases"]["edges"]) == 20  # the contract's default
    maximum = await setup.api.ok(LIST, {"first": 100}, user=LEADER)
    assert len(maximum["cases"]["edges"]) == 100


@pytest.mark.parametrize("first", [101, 1000, -1], ids=["101", "1000", "negative"])
async def test_first_out_of_range(setup: Setup, first: int) -> None:
    error = await setup.api.error(LIST, {"first": first}, user=LEADER)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "first"


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Malformed cursors: not base64, not JSON, the wrong JSON, or right-looking with bad values.
GARBAGE_CURSORS = {
    "word": "garbage",
    "empty": "",
    "not-base64": "!!!",
    "list-of-one": b64("[1]"),
    "json-object": b64('{"a": 1}'),
    "bad-timestamp": b64('["REGISTERED_AT", "yesterday", 1]'),
    "id-overflow": b64('["REGISTERED_AT", "2026-06-01T00:00:00+00:00", 99999999999999999999]'),
    "id-as-text": b64('["REGISTERED_AT", "2026-06-01T00:00:00+00:00", "1"]'),
    "id-as-bool": b64('["REGISTERED_AT", "2026-06-01T00:00:00+00:00", true]'),
}


@pytest.mark.parametrize("after", GARBAGE_CURSORS.values(), ids=list(GARBAGE_CURSORS))
async def test_garbage_after(setup: Setup, after: str) -> None:
    error = await setup.api.error(LIST, {"first": 5, "after": after}, user=LEADER)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "after"


RISK_CURSORS = {
    "float": b64('["RISK_LEVEL", 1.5, 1]'),
    "bool": b64('["RISK_LEVEL", true, 1]'),
    "name": b64('["RISK_LEVEL", "RED", 1]'),
}


@pytest.mark.parametrize("after", RISK_CURSORS.values(), ids=list(RISK_CURSORS))
async def test_garbage_risk_cursor(setup: Setup, after: str) -> None:
    variables = {"first": 5, "after": after, "orderBy": {"field": "RISK_LEVEL", "direction": "ASC"}}
    error = await setup.api.error(LIST, variables, user=LEADER)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "after"


FIELDS = ["REGISTERED_AT", "DUE_AT", "RISK_LEVEL"]
CROSS = [(a, b) for a in FIELDS for b in FIELDS if a != b]


@pytest.mark.parametrize(("taken", "used"), CROSS, ids=[f"{a}->{b}" for a, b in CROSS])
async def test_cursor_from_another_ordering(setup: Setup, taken: str, used: str) -> None:
    """A cursor encodes a position in one ordering; in another it means nothing."""
    data = await setup.api.ok(
        LIST, {"first": 5, "orderBy": {"field": taken, "direction": "ASC"}}, user=LEADER
    )
    cursor = data["cases"]["pageInfo"]["endCursor"]
    error = await setup.api.error(
        LIST,
        {"first": 5, "after": cursor, "orderBy": {"field": used, "direction": "ASC"}},
        user=LEADER,
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "after"


async def test_event_cursor_is_not_a_case_cursor(setup: Setup) -> None:
    data = await setup.api.ok(
        "{ cases(first: 1) { edges { node { events(first: 1) { edges { cursor } } } } } }",
        user=LEADER,
    )
    cursor = data["cases"]["edges"][0]["node"]["events"]["edges"][0]["cursor"]
    error = await setup.api.error(LIST, {"first": 5, "after": cursor}, user=LEADER)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_unauthenticated(setup: Setup) -> None:
    error = await setup.api.error("{ cases { totalCount } }")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    response = await setup.api.client.post(
        "/graphql",
        json={"query": "{ cases { totalCount } }"},
        headers={"authorization": "Bearer not-a-token"},
    )
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
