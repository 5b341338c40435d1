"""A restart of PostgreSQL under a running server: connections the pool held die with it.

The pool does not ping a connection before each use (that was a round trip per request,
docs/OPERATIONS.md "Connections after a database restart"); SQLAlchemy recognises the
disconnect error of a dead connection and invalidates the whole pool, so at most the
request that met a dead connection fails (cleanly, no internals), and the next ones run
on fresh connections.
"""

from pathlib import Path

import httpx
import pytest

from tests.support.driver import Api
from tests.support.servers import postmaster, serve_demo, stop, wait_ready
from yidi.database.embedded import embedded_server
from yidi.database.embedded_tenancy import stop_postgres

pytestmark = pytest.mark.slow

USER = "county.leader"
CATEGORIES = "{ categories { code } }"
# Both the use case's connection and the read connection are taken from the pool.
COMMENT = """mutation($i: CommentCaseInput!) { commentCase(input: $i) { case { version } } }"""
FIRST_CASE = """{ cases(first: 1, filter: { status: [REGISTERED, DISPATCHED, IN_PROGRESS] })
  { edges { node { id } } } }"""


async def test_the_server_recovers_after_postgres_restarts(data_dir: Path, tmp_path: Path) -> None:
    server = serve_demo(data_dir, tmp_path / "serve.log")
    try:
        await wait_ready(server)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            api = Api(client)
            case_id = (await api.ok(FIRST_CASE, user=USER))["cases"]["edges"][0]["node"]["id"]
            comment = {"i": {"caseId": case_id, "note": "重启前"}}
            # Several connections in the pool, all of which the restart will kill.
            for _ in range(5):
                await api.ok(CATEGORIES, user=USER)
                await api.ok(COMMENT, comment, user=USER)
            before = postmaster(data_dir)
            assert before is not None
            assert stop_postgres(data_dir)
            embedded_server(data_dir)  # started again on the same data directory
            after = postmaster(data_dir)
            assert after is not None
            assert after.pid != before.pid

            for attempt in range(6):
                note = {"i": {**comment["i"], "note": f"重启后{attempt}"}}
                body = await api.raw(COMMENT, note, user=USER)
                if body.get("errors"):
                    assert attempt < 2, f"still failing after a restart: {body['errors']}"
                    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
                    text = str(body["errors"])
                    for leak in ("Traceback", "asyncpg", "sqlalchemy", "SELECT", "connection"):
                        assert leak not in text, text
                else:
                    assert body["data"]["commentCase"]["case"]["version"] > 0
            assert (await api.ok(CATEGORIES, user=USER))["categories"]
    finally:
        stop(server)
