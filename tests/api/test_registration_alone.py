"""A registration without an idempotency key runs without a transaction
(services/unit_of_work.run_alone): its first read takes the new case's id, its seal inserts
the case — numbered, chained, written once — and commits by itself. What must hold: the
case answers exactly as one read back does, numbering stays gapless, a seal that fails
writes nothing at all, and a registration that writes more (an idempotency record, an
automatic dispatch) runs in a transaction as before."""

import pytest
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette

from tests.api.test_numbering_last import _actor, _command, _last_number
from tests.api.test_observability import samples
from tests.api.test_plain_rows import CASE, CASE_ALONE
from tests.support.driver import Api
from tests.support.lookups import category_id, unit_id
from tests.support.routing import UPDATE_SETTINGS
from tests.support.sql import rows, scalar
from yidi.services import intake
from yidi.services.audit import verify_trails
from yidi.services.work import Work

USER, VILLAGE = "county.intake", "990100001001"
REGISTER = (
    "mutation($input: RegisterCaseInput!) { registerCase(input: $input) { case { " + CASE + " } } }"
)
REACH = "SELECT unit_id, handles, above, involved, intake FROM case_reach WHERE case_id = :c"


async def outcomes(api: Api) -> dict[str, float]:
    found = samples((await api.client.get("/metrics")).text).get("yidi_writes_alone", [])
    return {s.labels["outcome"]: s.value for s in found if s.name.endswith("_total")}


async def registration(api: Api, **extra: object) -> dict[str, object]:
    return {
        "title": "邻里噪音纠纷",
        "description": "楼上装修噪音扰民。",
        "categoryId": await category_id(api, "DISPUTE.NEIGHBOR", USER),
        "channel": "VISIT",
        "locationUnitId": await unit_id(api, VILLAGE, USER),
        "reporter": {"name": "张三", "phone": "13800001111"},
        **extra,
    }


async def test_a_registration_seals_alone_and_answers_as_its_case_reads(
    api: Api, app: Starlette
) -> None:
    fields = await registration(api)
    await api.ok(REGISTER, {"input": fields}, user=USER)  # the county's policy is loaded
    before = await outcomes(api)
    alone = (await api.ok(REGISTER, {"input": fields}, user=USER))["registerCase"]["case"]
    after = await outcomes(api)
    assert after.get("sealed", 0) == before.get("sealed", 0) + 1
    assert after.get("transaction", 0) == before.get("transaction", 0)
    # Every field the payload gives — columns the seal wrote, server defaults it returned,
    # columns left NULL — equals the case read back.
    assert (await api.ok(CASE_ALONE, {"id": alone["id"]}, user=USER))["node"] == alone
    # Under an idempotency key the same registration runs in a transaction from the start
    # (the key's record is a row of its own; never tried alone, so never counted): the two
    # cases stand alike in the index of who may see them.
    keyed = await api.ok(REGISTER, {"input": {**fields, "idempotencyKey": "k-1"}}, user=USER)
    assert await outcomes(api) == after
    by_number = "SELECT id FROM cases WHERE number = :n"
    case = await scalar(app, by_number, n=alone["number"])
    other = await scalar(app, by_number, n=keyed["registerCase"]["case"]["number"])
    assert sorted(await rows(app, REACH, c=case)) == sorted(await rows(app, REACH, c=other))
    assert await rows(app, REACH, c=case)
    async with app.state.yidi.uow.read() as session:
        assert (await verify_trails(session, None)).broken is None


async def test_an_automatically_routed_registration_runs_in_a_transaction(api: Api) -> None:
    await api.ok(UPDATE_SETTINGS, {"auto": True}, user="county.admin")
    fields = await registration(api)
    await api.ok(REGISTER, {"input": fields}, user=USER)
    before = await outcomes(api)
    case = (await api.ok(REGISTER, {"input": fields}, user=USER))["registerCase"]["case"]
    after = await outcomes(api)
    # Stopped after its first read (routing reads the new case back), then run as before.
    assert after.get("transaction", 0) == before.get("transaction", 0) + 1
    assert after.get("sealed", 0) == before.get("sealed", 0)
    assert case["version"] == 2, "registered and dispatched"


async def test_a_seal_that_fails_writes_nothing(
    app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case's insert is part of the seal: when it fails (here a tracking code taken
    already), no number, position, event or case row is left behind."""
    actor = await _actor(app, USER)
    command = await _command(app, actor)
    monkeypatch.setattr(intake, "new_tracking_code", lambda: "ABCD-EFGH-JKLM")

    async def register(work: Work) -> intake.Registered:
        return await intake.register_case(work, command)

    uow = app.state.yidi.uow
    first = await uow.run_alone(actor, register)
    number = await _last_number(app, actor.county_id)
    counts = "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events)"
    before = await rows(app, counts)
    positions = "SELECT last_position FROM event_positions WHERE county_id = :c"
    position = await scalar(app, positions, c=actor.county_id)
    with pytest.raises(IntegrityError):
        await uow.run_alone(actor, register)
    assert await rows(app, counts) == before
    assert await _last_number(app, actor.county_id) == number
    assert await scalar(app, positions, c=actor.county_id) == position
    assert first.case.number.endswith(f"-{number:06d}")
