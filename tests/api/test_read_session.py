"""A request's reads run in autocommit (persistence/session.begin_reading): no BEGIN and
ROLLBACK around them, while a mutation's work still runs in one transaction (but for the
actions whose only write is their seal: tests/api/test_run_alone.py)."""

from contextlib import AbstractContextManager
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.api.test_query_count import recorded
from tests.support.clock import Clock
from tests.support.demo import LEADER
from tests.support.deployment import running_app
from tests.support.driver import Api, in_process
from tests.support.mutations import do
from yidi.config import Settings
from yidi.database.engine import make_session_factory
from yidi.persistence.cases import cases_by_ids
from yidi.persistence.session import begin_reading

# A case ASSESS applies to: an action that runs in a transaction.
REGISTERED = "{ cases(first: 1, filter: { status: [REGISTERED] }) { edges { node { id } } } }"
PAGE = """{ cases(first: 10) { totalCount edges { node { id number handlingUnit { name }
  category { name } events(first: 2) { edges { node { type } } } } } } }"""


def in_transaction(app: Starlette) -> AbstractContextManager[list[tuple[str, bool]]]:
    """Each statement the app sends, with whether its connection was inside a transaction."""

    def describe(conn: Any, statement: str) -> tuple[str, bool]:
        driver = conn.connection.driver_connection
        return " ".join(statement.split()), driver.is_in_transaction()

    return recorded(app, describe)


async def test_queries_read_outside_a_transaction_and_mutations_inside_one(
    api: Api, app: Starlette
) -> None:
    page = await api.ok(PAGE, user=LEADER)  # signs in, and warms the caches
    with in_transaction(app) as reads:
        assert await api.ok(PAGE, user=LEADER) == page
    assert len(reads) >= 4  # the page, its count, units, categories, events
    assert not [statement for statement, inside in reads if inside]

    new_case = await api.ok(REGISTERED, user=LEADER)
    case_id = new_case["cases"]["edges"][0]["node"]["id"]
    with in_transaction(app) as work:
        await do(api, LEADER, "ASSESS", {"caseId": case_id, "note": "checked"})
    writes = [statement for statement, inside in work if "INSERT" in statement.upper()]
    assert writes
    assert all(inside for statement, inside in work if "INSERT" in statement.upper())


async def test_a_connection_that_read_goes_back_to_the_pool_transactional(
    settings: Settings, database_url: str, clock: Clock
) -> None:
    """A small pool, its connections reused: the mutation after a query runs on a
    connection that had read in autocommit, and still inside its transaction."""
    one = settings.model_copy(update={"database_pool_size": 1})

    def describe(conn: Any, statement: str) -> tuple[str, bool, int]:
        driver = conn.connection.driver_connection
        return " ".join(statement.split()), driver.is_in_transaction(), id(driver)

    async with running_app(one, database_url, clock) as app, in_process(app, clock) as api:
        with recorded(app, describe) as seen:
            await api.ok(PAGE, user=LEADER)
            assert await api.ok(PAGE, user=LEADER)
            new_case = await api.ok(REGISTERED, user=LEADER)
            case_id = new_case["cases"]["edges"][0]["node"]["id"]
            await do(api, LEADER, "ASSESS", {"caseId": case_id, "note": "checked"})
        inserts = [
            (inside, conn) for statement, inside, conn in seen if "INSERT" in statement.upper()
        ]
        assert inserts
        assert all(inside for inside, _ in inserts)
        readers = {conn for statement, inside, conn in seen if not inside}
        assert {conn for _, conn in inserts} <= readers


async def test_a_reading_session_refuses_to_write(app: Starlette) -> None:
    sessions = make_session_factory(app.state.engine)
    session = sessions()
    try:
        await begin_reading(session)
        case = (await cases_by_ids(session, [1]))[1]
        case.title = "changed through a read"
        with pytest.raises(RuntimeError, match="reads in autocommit"):
            await session.flush()
    finally:
        await session.close()
    check = sessions()
    try:
        assert (await cases_by_ids(check, [1]))[1].title != "changed through a read"
    finally:
        await check.close()
