"""How the event writer stores a change (persistence/outbox.seal): the events'
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
from yidi.services.audit import verify_trails
from yidi.services.auth import load_actor
from yidi.services.transitions import transition

INTAKE = "county.intake"
COMMENT = """mutation($i: CommentCaseInput!) { commentCase(input: $i) { case { version } } }"""
# The case read; then the seal: the case's version checked, the county's event position
# (with its NOTIFY), the event's hash, its insert and the case's update. (A comment runs
# without a transaction: no BEGIN or COMMIT.)
STATEMENTS = 2
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
    assert " ".join(own[-1].split()).startswith("WITH guard AS (SELECT cases.id")
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


async def test_events_of_one_work_chain_in_the_seal(api: Api, app: Starlette, clock: Clock) -> None:
    """Several events of one case in one work: the seal hashes each with its position, the
    second linked to the first inside the statement; the trail verifies, the positions
    follow each other and the case's head is its last event's hash."""
    lc = await Lifecycle.create(api, app)
    first = pk_of(str((await lc.register())["id"]))
    second = pk_of(str((await lc.register())["id"]))
    leader = await scalar(app, "SELECT id FROM users WHERE username = :u", u=LEADER)
    async with app.state.yidi.sessions() as session:
        actor = await load_actor(session, leader)
    async with app.state.yidi.uow.begin(actor, now=clock()) as work:
        for case_id, note in ((first, "一"), (second, "二"), (first, "三")):
            await transition(work, Comment(case_id=case_id, note=note))
        pending = list(work.pending_events)
    stored = await rows(
        app,
        "SELECT case_id, note, position, chain_hash FROM case_events"
        " WHERE note IN ('一', '二', '三') ORDER BY position",
    )
    assert [(r.case_id, r.note) for r in stored] == [(first, "一"), (second, "二"), (first, "三")]
    assert [r.position for r in stored] == list(range(stored[0].position, stored[0].position + 3))
    assert [(e.position, e.chain_hash) for e in pending] == [
        (r.position, r.chain_hash) for r in stored
    ]
    for case_id in (first, second):
        assert (await rows(app, HEAD, id=case_id))[0].chained
    async with app.state.yidi.uow.read() as session:
        assert (await verify_trails(session, None)).broken is None


async def test_a_large_work_seals_in_one_statement(api: Api, app: Starlette, clock: Clock) -> None:
    """A work of many cases with several events each (a deadline sweep writes hundreds):
    one seal, consecutive positions in recorded order, every trail intact."""
    lc = await Lifecycle.create(api, app)
    cases = [pk_of(str((await lc.register())["id"])) for _ in range(40)]
    leader = await scalar(app, "SELECT id FROM users WHERE username = :u", u=LEADER)
    async with app.state.yidi.sessions() as session:
        actor = await load_actor(session, leader)
    before = await scalar(
        app,
        "SELECT last_position FROM event_positions"
        " WHERE county_id = (SELECT county_id FROM cases WHERE id = :c)",
        c=cases[0],
    )
    recorded_order = [(case_id, f"批量{round_}") for round_ in range(4) for case_id in cases]
    with recorded(app) as statements:
        async with app.state.yidi.uow.begin(actor, now=clock()) as work:
            for case_id, note in recorded_order:
                await transition(work, Comment(case_id=case_id, note=note))
    assert sum("INSERT INTO case_events" in s for s in statements) == 1
    stored = await rows(
        app,
        "SELECT case_id, note, position FROM case_events"
        " WHERE county_id = (SELECT county_id FROM cases WHERE id = :c) AND position > :p"
        " ORDER BY position",
        c=cases[0],
        p=before,
    )
    assert [(r.case_id, r.note) for r in stored] == recorded_order
    assert [r.position for r in stored] == list(range(before + 1, before + 1 + len(stored)))
    async with app.state.yidi.uow.read() as session:
        assert (await verify_trails(session, None)).broken is None
