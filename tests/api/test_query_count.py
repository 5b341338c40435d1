"""A page of cases costs a fixed number of SQL statements, however many cases it holds.

Nested fields (units, categories, users, events, permissions) must load in batches, one
statement per kind and depth, never one per case (N+1). Counted with SQLAlchemy's
before_cursor_execute hook on the app's own engine, around a single GraphQL request.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from tests.support.demo import LEADER, V11, V21, XILING_VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import MEDIATION, Lifecycle

PAGE = """
query($first: Int!) {
  cases(first: $first) {
    totalCount
    edges {
      node {
        id
        handlingUnit { name parent { name } }
        intakeUnit { name }
        locationUnit { name }
        category { name parent { name } }
        assignee { username }
        reporter { name phone }
        allowedActions
        events(first: 3) {
          totalCount
          edges { node { type actor { username } toUnit { name } } }
        }
      }
    }
  }
}
"""
LIMIT = 10


def is_background(statement: str) -> bool:
    """The policy watcher polls every revision twice a second on the same engine
    (yidi/policy_watch.py); that poll is not part of any request."""
    flat = " ".join(statement.split()).lower()
    return "from policy_revisions" in flat and " where " not in flat


@contextmanager
def recorded(
    app: Starlette, describe: Callable[[Any, str], Any] = lambda _conn, statement: statement
) -> Iterator[list[Any]]:
    """Every SQL statement the app sends while the block runs, background polls left out, as
    `describe(connection, statement)` makes of it (the statement itself by default)."""
    statements: list[Any] = []

    def record(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not is_background(statement):
            statements.append(describe(conn, statement))

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def count(api: Api, app: Starlette, user: str, first: int) -> tuple[int, list[str]]:
    with recorded(app) as statements:
        data = await api.ok(PAGE, {"first": first}, user=user)
    edges = data["cases"]["edges"]
    # The page must really be that large, or equal counts would prove nothing.
    assert len(edges) == first, f"{user} sees only {len(edges)} cases"
    assert any(e["node"]["events"]["edges"] for e in edges)
    return len(statements), list(statements)


@pytest.mark.parametrize("user", ["county.leader", "t1.leader"])
async def test_case_page_is_not_n_plus_one(api: Api, app: Starlette, user: str) -> None:
    # Log in outside the counted window: only the query itself is measured.
    await api.token(user)
    # The first request of a county loads its Casbin policy into the process; count that
    # separately and then measure requests that find it cached, as nearly all requests do.
    cold, cold_statements = await count(api, app, user, 5)
    small, small_statements = await count(api, app, user, 5)
    large, large_statements = await count(api, app, user, 50)
    print(f"\n{user}: cold first:5 = {cold}, warm first:5 = {small}, first:50 = {large}")
    for statement in large_statements:
        print("   ", " ".join(statement.split())[:160])
    assert small == large, "\n\n".join(
        ["first: 5", *small_statements, "first: 50", *large_statements]
    )
    assert large <= LIMIT, "\n\n".join(large_statements)
    # One-off loads may cost a little more, but never per case: the policy (revision and
    # rules) and the caller (remembered for `actor_cache_seconds`, resolvers/actor_cache.py).
    assert cold - small <= 3, "\n\n".join(cold_statements)


def counts_in(statements: list[str]) -> int:
    """Statements that count a scope: a count(*), or the sum of a county's number counters
    (tests/api/test_total_count.py)."""
    flat = [" ".join(s.split()).lower() for s in statements]
    return sum("count(" in s or "sum(case_sequences" in s for s in flat)


@pytest.mark.parametrize("user", ["county.leader", "v11.handler"])
async def test_total_count_is_counted_only_when_selected(
    api: Api, app: Starlette, user: str
) -> None:
    """Counting reads the caller's whole scope (every case of a county for its leader):
    a page that does not ask for totalCount must not pay for it."""
    await api.token(user)
    await api.ok("{ cases(first: 1) { totalCount } }", user=user)  # policy loaded, warm
    with recorded(app) as without:
        plain = await api.ok("{ cases(first: 5) { edges { node { id } } } }", user=user)
    with recorded(app) as with_total:
        counted = await api.ok(
            "{ cases(first: 5) { totalCount edges { node { id } } } }", user=user
        )
    assert plain["cases"]["edges"] == counted["cases"]["edges"]
    assert counted["cases"]["totalCount"] >= len(counted["cases"]["edges"]) > 0
    assert counts_in(without) == 0, "\n\n".join(without)
    assert counts_in(with_total) == 1, "\n\n".join(with_total)
    assert len(with_total) == len(without) + 1


MERGED_PAGE = """{ cases(first: 20, filter: { status: [MERGED] }) { edges { node {
  number events { edges { node { type note } } } } } } }"""


@pytest.mark.parametrize("user", [LEADER, V11])
async def test_merged_notes_cost_no_statement_per_event(
    api: Api, app: Starlette, user: str
) -> None:
    """A MERGED event's note names the original only to who may view it, so it reads the
    original: in one batch for the whole page, however many MERGED events it holds."""
    lc = await Lifecycle.create(api, app)

    async def merge_one() -> None:
        original = await lc.register(V21, XILING_VILLAGE)
        duplicate = await lc.register(V11)
        await lc.do("MERGE", duplicate["id"], LEADER, {"intoCaseId": original["id"]})

    async def page() -> tuple[list[str], list[str]]:
        with recorded(app) as statements:
            data = await api.ok(MERGED_PAGE, user=user)
        notes = [
            event["node"]["note"]
            for case in data["cases"]["edges"]
            for event in case["node"]["events"]["edges"]
            if event["node"]["type"] == "MERGED"
        ]
        return notes, statements

    await merge_one()
    await page()  # the policy loaded, warm
    one_note, one = await page()
    for _ in range(4):
        await merge_one()
    five_notes, five = await page()
    assert (len(one_note), len(five_notes)) == (1, 5)
    # Each note really read its original (named to the leader, not to 东湖村).
    assert all(note.startswith("合并至 990100-") for note in five_notes) == (user == LEADER)
    assert len(one) == len(five), "\n\n".join(["one merged", *one, "five merged", *five])


CASE_FILE_PAGE = """{ cases(first: 20, filter: { owned: true }) { edges { node {
  owner { username } closure { kind closedBy { username } }
  mediations { partiesPresent transcript staffMediators { username } recordedBy { username } }
  extensions { status requestedBy { username } decidedBy { username } }
  pauses { workingDays pausedBy { username } resumedBy { username } }
  events(first: 20) { edges { node { type owner { username }
    mediation { kind partiesPresent } extension { days } pause { workingDays } } } } } } } }"""


async def test_the_case_file_costs_no_statement_per_case(api: Api, app: Starlette) -> None:
    """Owners, mediations, extensions and pauses of a page of cases load in batches
    (docs/CASE_FILE.md), also from the events that name them."""
    lc = await Lifecycle.create(api, app)

    async def case_file() -> None:
        case_id = str((await lc.register())["id"])
        await lc.do("TAKE_OWNERSHIP", case_id, LEADER, {})
        await lc.do("RECORD_MEDIATION", case_id, V11, MEDIATION)
        await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 2, "reason": "材料未齐"})
        await lc.do("DECIDE_EXTENSION", case_id, "t1.leader", {"approved": True})
        await lc.do("PAUSE", case_id, LEADER, {"reason": "COURT", "note": "等待裁判"})
        await lc.do("RESUME", case_id, LEADER, {})

    async def page() -> tuple[int, list[str]]:
        with recorded(app) as statements:
            data = await api.ok(CASE_FILE_PAGE, user=LEADER)
        cases = [edge["node"] for edge in data["cases"]["edges"]]
        assert all(c["mediations"] and c["extensions"] and c["pauses"] for c in cases)
        return len(cases), statements

    await case_file()
    await page()  # the policy loaded, warm
    one_case, one = await page()
    for _ in range(4):
        await case_file()
    five_cases, five = await page()
    assert (one_case, five_cases) == (1, 5)
    assert len(one) == len(five), "\n\n".join(["one case", *one, "five cases", *five])


SUMMONS_PAGE = """{ cases(first: 20, filter: { search: "吹哨报到计数" }) { edges { node {
  summons { state unit { code } summonedBy { username } reportedBy { username }
    contributedBy { username } }
  events(first: 20) { edges { node { type summons { state unit { code } } } } } } } } }"""


async def test_summonses_cost_no_statement_per_case(api: Api, app: Starlette) -> None:
    """Summonses of a page of cases, their units and users load in batches
    (docs/CASE_FILE.md, "Summons"), also from the events that name them."""
    lc = await Lifecycle.create(api, app)
    called = {"unitIds": [lc.unit("990100901"), lc.unit("990100001901")], "reportInHours": 8}

    async def summoned_case() -> None:
        case = await lc.register(user="t1.leader", location="990100001002", title="吹哨报到计数")
        case_id = str(case["id"])
        await lc.do("SUMMON", case_id, "t1.leader", {**called, "note": "请派员会商"})
        await lc.do("REPORT_IN", case_id, "dept.housing", {})
        await lc.do("CONTRIBUTE", case_id, "dept.housing", {"contribution": "已核实。"})

    async def page() -> tuple[int, list[str]]:
        with recorded(app) as statements:
            data = await api.ok(SUMMONS_PAGE, user="t1.leader")
        cases = [edge["node"] for edge in data["cases"]["edges"]]
        assert all(len(c["summons"]) == 2 for c in cases)
        return len(cases), statements

    await summoned_case()
    await page()  # the policy loaded, warm
    one_case, one = await page()
    for _ in range(4):
        await summoned_case()
    five_cases, five = await page()
    assert (one_case, five_cases) == (1, 5)
    assert len(one) == len(five), "\n\n".join(["one case", *one, "five cases", *five])
