"""How the event writer stores a change (persistence/outbox.store_positioned): the events'
insert with each case's update in its WITH clause, one statement, guarded by the version."""

import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from tests.api.test_query_count import recorded
from tests.support.clock import Clock
from tests.support.demo import LEADER, VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, pk_of
from tests.support.sql import footprint, rows, scalar
from yidi.authz.actor import Actor
from yidi.domain.commands import Comment
from yidi.domain.errors import Conflict
from yidi.services.auth import load_actor
from yidi.services.transitions import transition

INTAKE = "county.intake"
COMMENT = """mutation($i: CommentCaseInput!) { commentCase(input: $i) { case { version } } }"""
# The case row locked and read, the county's event position (with its NOTIFY), the event's
# insert with the case's update. (BEGIN and COMMIT are not counted.)
STATEMENTS = 3
# Fields answered from the case object the registration wrote, columns with server defaults
# (isRepeat, the summonses, partiesCount) among them.
FIELDS = """number title status riskLevel track partiesCount address registeredAt dueAt
  acceptedAt supervisionCount escalationCount isRepeat externalNumber version
  coHandlingUnits { id } summons { unit { id } } handlingUnit { id } assignee { id }"""
REGISTER = f"""mutation($input: RegisterCaseInput!) {{
  registerCase(input: $input) {{ case {{ id {FIELDS} }} }} }}"""
READ = f"""query($id: ID!) {{ node(id: $id) {{ ... on Case {{ id {FIELDS} }} }} }}"""
HEAD = """SELECT c.version, c.chain_head = (SELECT e.chain_hash FROM case_events e
  WHERE e.case_id = c.id ORDER BY e.position DESC LIMIT 1) AS chained,
  (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events
FROM cases c WHERE c.id = :id"""


async def test_a_lifecycle_action_stores_its_change_in_one_statement(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    case = await lc.register()
    note = {"i": {"caseId": case["id"], "note": "先到先记"}}
    await api.ok(COMMENT, note, user=LEADER)  # the county's policy is loaded
    with recorded(app) as statements:
        data = await api.ok(COMMENT, note, user=LEADER)
    own = [s for s in statements if "FROM users JOIN units" not in s]  # the caller, if reloaded
    assert len(own) == STATEMENTS, "\n\n".join(" ".join(s.split())[:200] for s in own)
    assert " ".join(own[-1].split()).startswith("WITH case_0 AS (UPDATE cases SET version=")
    # What the payload says is what is stored: the version, and the chain head is the hash
    # of the case's last event (nothing was left for a second write).
    stored = (await rows(app, HEAD, id=pk_of(str(case["id"]))))[0]
    assert stored.version == data["commentCase"]["case"]["version"] == stored.events
    assert stored.chained


async def test_a_registration_answers_what_it_stored(api: Api, app: Starlette) -> None:
    """The new case's row is inserted by Core and the object handed to the session as if
    read: every field the payload answers from it equals a fresh read of the row."""
    lc = await Lifecycle.create(api, app)
    fields = {
        "title": "新登记的事项",
        "description": "核对登记后的字段。",
        "categoryId": lc.category,
        "channel": "VISIT",
        "locationUnitId": lc.unit(VILLAGE),
        "reporter": {"name": "张三", "phone": "13800001111"},
    }
    written = (await api.ok(REGISTER, {"input": fields}, user=INTAKE))["registerCase"]["case"]
    read = (await api.ok(READ, {"id": written["id"]}, user=INTAKE))["node"]
    assert written == read
    assert written["number"].startswith("990100-")
    assert written["isRepeat"] is False
    assert written["version"] == 1


async def test_a_version_changed_under_the_work_fails_it_and_stores_nothing(
    api: Api, app: Starlette, clock: Clock
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = pk_of(str((await lc.register())["id"]))
    leader = await scalar(app, "SELECT id FROM users WHERE username = :u", u=LEADER)
    async with app.state.yidi.sessions() as session:
        actor = await load_actor(session, leader)
    before = await footprint(app)
    stored_before = (await rows(app, HEAD, id=case_id))[0]
    with pytest.raises(Conflict):
        await comment_under_a_moved_version(app, actor, case_id, clock)
    assert await footprint(app) == before
    assert (await rows(app, HEAD, id=case_id))[0] == stored_before


async def comment_under_a_moved_version(
    app: Starlette, actor: Actor, case_id: int, clock: Clock
) -> None:
    async with app.state.yidi.uow.begin(actor, now=clock()) as work:
        await transition(work, Comment(case_id=case_id, note="来迟一步"))
        # Something other than the writer moved the row's version (a bug, not a race: the
        # row is locked by this very transaction).
        await work.session.execute(
            text("UPDATE cases SET version = version + 5 WHERE id = :id"), {"id": case_id}
        )
