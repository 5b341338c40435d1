"""What a subscriber may not follow is refused with the contract's codes, never left
silent; connections without a valid token are closed with 4401; personal data inside
delivered events is masked exactly as in queries."""

from datetime import timedelta

from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import LEADER, OTHER_VILLAGE, TOWNSHIP, V11, XILING_VILLAGE
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.lifecycle import Lifecycle, global_id
from tests.support.live import (
    CASE_EVENTS,
    UNIT_CASE_EVENTS,
    Subscription,
    close_code,
    close_code_of,
    refusal,
    subscribers_reach,
)


async def test_a_case_the_subscriber_cannot_see_is_not_found(
    api: Api, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register(V11))["id"])
    for user, case in (("v21.handler", case_id), (V11, global_id("Case", 2**62))):
        error = await refusal(url, await api.token(user), CASE_EVENTS, {"id": case})
        assert error["extensions"]["code"] == "NOT_FOUND", (user, error)
    error = await refusal(url, await api.token(V11), CASE_EVENTS, {"id": "Case:x"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "caseId"}


async def test_units_outside_the_subscribers_subtree_are_refused(
    api: Api, url: str, life: Lifecycle
) -> None:
    cases = [
        ("t2.leader", life.unit(TOWNSHIP), "FORBIDDEN"),  # a sibling township
        (V11, life.unit(TOWNSHIP), "FORBIDDEN"),  # its own parent
        ("v21.handler", life.unit(XILING_VILLAGE), None),  # its own unit: allowed
        (LEADER, life.unit(OTHER_VILLAGE), "NOT_FOUND"),  # another county
        (LEADER, global_id("Unit", 2**62), "NOT_FOUND"),
    ]
    for user, unit, code in cases:
        token = await api.token(user)
        if code is None:
            async with Subscription(url, token, UNIT_CASE_EVENTS, {"id": unit}) as live:
                await live.quiet_for(0.3)  # accepted: no error arrives
            continue
        error = await refusal(url, token, UNIT_CASE_EVENTS, {"id": unit})
        assert error["extensions"]["code"] == code, (user, unit, error)


async def test_unknown_and_foreign_cursors_are_bad_input(
    api: Api, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register(V11))["id"])
    foreign = await register(
        api, "other.leader", OTHER_VILLAGE, selection="events(first: 1) { edges { cursor } }"
    )
    foreign_cursor = foreign["events"]["edges"][0]["cursor"]
    token = await api.token(V11)
    for after in ("bm90LWEtY3Vyc29y", foreign_cursor, '["e",99999999]'):
        error = await refusal(url, token, CASE_EVENTS, {"id": case_id, "after": after})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, after


async def test_connections_without_a_valid_token_close_with_4401(api: Api, url: str) -> None:
    assert await close_code(url, None) == 4401
    assert await close_code(url, "not-a-token") == 4401
    assert await close_code(url, None, authorization="Bearer nope") == 4401
    token = await api.token(LEADER)
    assert await close_code(url, None, authorization=f"Bearer {token}") is None


async def test_a_connection_closes_with_4401_when_its_token_expires(
    api: Api, app: Starlette, url: str, clock: Clock, life: Lifecycle
) -> None:
    case_id = str((await life.register(V11))["id"])
    token = await api.token(LEADER)
    ttl = timedelta(minutes=app.state.yidi.settings.token_ttl_minutes)
    clock.current += ttl - timedelta(seconds=1)  # one second of validity left
    async with Subscription(url, token, CASE_EVENTS, {"id": case_id}) as live:
        failure = await live.failure(timeout=5)
    assert close_code_of(failure) == 4401


async def test_delivered_events_mask_personal_data_as_queries_do(
    api: Api, app: Starlette, url: str, life: Lifecycle
) -> None:
    case_id = str((await life.register(V11, phone="13812345678"))["id"])
    document = "subscription($id: ID!) { caseEvents(caseId: $id) { case { reporter { phone } } } }"
    async with (
        Subscription(url, await api.token("county.viewer"), document, {"id": case_id}) as viewer,
        Subscription(url, await api.token(LEADER), document, {"id": case_id}) as leader,
    ):
        await subscribers_reach(app, 2)
        await life.do("COMMENT", case_id, LEADER, {"note": "请核实"})
        assert (await viewer.next())["case"]["reporter"]["phone"] == "138****5678"
        assert (await leader.next())["case"]["reporter"]["phone"] == "13812345678"
