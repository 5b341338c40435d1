"""Every status x every mutation action, through GraphQL on a real database.

For each cell a fresh case is brought to the status the way DESIGN.md describes, and the
action is tried by an actor the default policy allows, so the status is the only reason
it may fail. Allowed cells must move the case as DESIGN.md says, bump `version` by one and
append exactly one event of the matching type; refused cells must answer
INVALID_TRANSITION and leave the stored row, its events and follow-ups untouched.
`allowedActions` must name exactly the actions that then succeed.

The summons actions (SUMMON, REPORT_IN, CONTRIBUTE) are not in this walk: the default
policy gives SUMMON to township and county units only and the answers need a summons, so
tests/api/test_summons.py tries them in every status with a policy and summons that let
only the status refuse (and tests/domain/test_lifecycle_table.py checks every cell).
"""

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.demo import COUNTY, HOUSING, LABOUR, LEADER, PARENT, TOWNSHIP, V11, VILLAGE
from tests.support.driver import Api
from tests.support.lifecycle import Lifecycle, actor_for, inputs_for, unchanged
from tests.support.oracles import ACTIONS, EVENT_OF, STATUSES, SUMMONS_ACTIONS, TRANSITIONS
from tests.support.policy import county_policy, replace_county_policy
from tests.support.sql import scalar


def target_for(action: str, handling: str, lifecycle: Lifecycle) -> str:
    """A DISPATCH or REASSIGN target other than the current unit, inside the county."""
    if action == "REASSIGN" or handling == HOUSING:
        return lifecycle.unit(LABOUR)
    return lifecycle.unit(HOUSING)


def handling_after(action: str, before: str, inputs: dict[str, Any], lc: Lifecycle) -> str:
    """Where DESIGN.md says the case lies after a successful `action`."""
    if action in ("DISPATCH", "REASSIGN"):
        return next(code for code, uid in lc.units.items() if lc.unit(code) == inputs["unitId"])
    if action == "ESCALATE":
        return PARENT[before]
    if action == "RETURN":
        # Back to the unit that dispatched it: the county, in every prepared case.
        return COUNTY
    return before


@pytest.mark.parametrize("status", STATUSES, ids=[s.lower() for s in STATUSES])
async def test_every_action_from_status(api: Api, app: Starlette, status: str) -> None:
    lc = await Lifecycle.create(api, app)
    original = str((await lc.register(title="原始事项（合并目标）"))["id"])
    allowed_here = TRANSITIONS[status]
    problems: list[str] = []
    leader_allowed: set[str] | None = None
    leader_succeeded: set[str] = set()

    for action in ACTIONS:
        if action in SUMMONS_ACTIONS:
            continue  # tried in every status by tests/api/test_summons.py
        cell = f"{status} x {action}"
        case_id = await lc.bring_to(status, original)
        before = await lc.stored(case_id)
        assert before.status == status, f"{cell}: preparation reached {before.status}"
        actor = actor_for(action, before.handling)
        target = target_for(action, before.handling, lc)
        inputs = inputs_for(action, target=target, into=original)

        # allowedActions is what frontends draw buttons from: it must match what succeeds.
        shown = await lc.allowed(case_id, LEADER)
        if leader_allowed is None:
            leader_allowed = shown
        elif shown != leader_allowed:
            problems.append(f"{cell}: county.leader allowedActions {shown} != {leader_allowed}")
        actor_shown = shown if actor == LEADER else await lc.allowed(case_id, actor)

        if actor != LEADER:
            # The policy keeps county.leader from SAME-unit actions on a case below it;
            # trying anyway must fail without a trace, and agree with allowedActions.
            side = await lc.attempt(action, case_id, LEADER, inputs)
            if side.ok:
                leader_succeeded.add(action)
                problems.append(f"{cell}: county.leader succeeded though the policy says SAME")
                continue
            if side.code not in ("FORBIDDEN", "INVALID_TRANSITION"):
                problems.append(f"{cell}: county.leader got {side.error}")
            problems += [
                f"{cell}: county.leader {p}" for p in unchanged(before, await lc.stored(case_id))
            ]

        outcome = await lc.attempt(action, case_id, actor, inputs)
        after = await lc.stored(case_id)
        if outcome.ok and actor == LEADER:
            leader_succeeded.add(action)
        if (action in actor_shown) != outcome.ok:
            problems.append(
                f"{cell}: allowedActions of {actor} {'lists' if action in actor_shown else 'omits'}"
                f" {action}, but it {'succeeded' if outcome.ok else 'failed'}"
            )

        expected_status = allowed_here.get(action)
        if expected_status is None:
            if outcome.ok:
                problems.append(f"{cell}: {actor} succeeded; DESIGN.md does not allow it")
                continue
            if outcome.code != "INVALID_TRANSITION":
                problems.append(f"{cell}: expected INVALID_TRANSITION, got {outcome.error}")
            problems += [f"{cell}: {p}" for p in unchanged(before, after)]
            continue

        if not outcome.ok:
            problems.append(f"{cell}: {actor} was refused: {outcome.error}")
            continue
        assert outcome.case is not None
        want_unit = handling_after(action, before.handling, inputs, lc)
        got = (after.status, after.version, after.events, after.last_event, after.last_actor)
        want = (expected_status, before.version + 1, before.events + 1, EVENT_OF[action], actor)
        if got != want:
            problems.append(
                f"{cell}: stored (status, version, events, last, actor) {got} != {want}"
            )
        if after.handling != want_unit:
            problems.append(f"{cell}: handling unit {after.handling}, expected {want_unit}")
        payload = (outcome.case["status"], outcome.case["version"])
        if payload != (after.status, after.version):
            problems.append(f"{cell}: payload {payload} differs from stored state")
        if (after.follow_ups - before.follow_ups) != (1 if action == "FOLLOW_UP" else 0):
            problems.append(f"{cell}: follow-ups {before.follow_ups}->{after.follow_ups}")

    assert leader_allowed is not None
    if leader_allowed - {"VIEW"} != leader_succeeded:
        problems.append(
            f"county.leader allowedActions {sorted(leader_allowed - {'VIEW'})} != "
            f"actions that succeeded {sorted(leader_succeeded)}"
        )
    assert "VIEW" in leader_allowed
    assert not problems, "\n".join(problems)


async def widen_policy_to_county_escalation(api: Api) -> None:
    """Let a county LEADER escalate, so only the status rule can refuse a county."""
    revision, rules = await county_policy(api)
    rules.append(
        {"role": "LEADER", "level": "COUNTY", "relation": "SAME", "action": "ESCALATE", "risk": "*"}
    )
    await replace_county_policy(api, rules, revision)


@pytest.mark.parametrize("status", ["REGISTERED", "IN_PROGRESS"], ids=["registered", "in-progress"])
async def test_county_cannot_escalate(api: Api, app: Starlette, status: str) -> None:
    """DESIGN.md: "A county cannot escalate" — nobody lies above it."""
    lc = await Lifecycle.create(api, app)
    # Registered by the county centre for a 东湖镇 village: the county handles it.
    case_id = str((await lc.register(user="county.intake"))["id"])
    if status == "IN_PROGRESS":
        await lc.do("ACCEPT", case_id, LEADER, inputs_for("ACCEPT"))
    before = await lc.stored(case_id)
    assert (before.status, before.handling) == (status, COUNTY)
    reason = inputs_for("ESCALATE")

    # Under the default policy a county-level actor may not escalate at all.
    refused = await lc.attempt("ESCALATE", case_id, LEADER, reason)
    assert refused.code in ("FORBIDDEN", "INVALID_TRANSITION"), refused
    assert unchanged(before, await lc.stored(case_id)) == []
    assert "ESCALATE" not in await lc.allowed(case_id, LEADER)

    # With the policy widened, the status rule alone must still refuse it.
    await widen_policy_to_county_escalation(api)
    refused = await lc.attempt("ESCALATE", case_id, LEADER, reason)
    assert refused.code == "INVALID_TRANSITION", refused
    assert unchanged(before, await lc.stored(case_id)) == []
    assert "ESCALATE" not in await lc.allowed(case_id, LEADER)

    # The widened rule does work where a parent exists: a township-handled case.
    below = str((await lc.register()).get("id"))
    await lc.do("ESCALATE", below, V11, reason)
    assert (await lc.stored(below)).handling == TOWNSHIP


TRACKED_EVALUATION = """
mutation($input: PublicEvaluationInput!) { evaluateByTracking(input: $input) }
"""


@pytest.mark.parametrize("status", ["RESOLVED", "CLOSED"], ids=["resolved", "closed"])
@pytest.mark.parametrize("second", ["staff", "reporter"], ids=["then-staff", "then-reporter"])
async def test_evaluate_only_once(api: Api, app: Starlette, status: str, second: str) -> None:
    """A result is evaluated once; a second evaluation would overwrite the first."""
    lc = await Lifecycle.create(api, app)
    registered = await lc.register()
    case_id = str(registered["id"])
    await lc.move_to(case_id, status)
    first = await lc.attempt("EVALUATE", case_id, LEADER, inputs_for("EVALUATE"))
    assert first.ok, first.error
    assert "EVALUATE" not in await lc.allowed(case_id, LEADER)
    before = await lc.stored(case_id)

    if second == "staff":
        again = await lc.attempt(
            "EVALUATE", case_id, LEADER, {"satisfaction": "DISSATISFIED", "comment": "改评"}
        )
        code = again.code
    else:
        error = await api.error(
            TRACKED_EVALUATION,
            {
                "input": {
                    "trackingCode": registered["trackingCode"],
                    "phoneLast4": "1111",
                    "satisfaction": "DISSATISFIED",
                }
            },
        )
        code = error["extensions"]["code"]
    assert code == "INVALID_TRANSITION"
    assert unchanged(before, await lc.stored(case_id)) == []
    satisfaction = await scalar(
        app, "SELECT evaluation_satisfaction FROM cases WHERE number = :n", n=registered["number"]
    )
    assert satisfaction == "SATISFIED"


async def test_reopened_case_may_be_evaluated_again(api: Api, app: Starlette) -> None:
    """After REOPEN the old evaluation belongs to the old result; the new one is open."""
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await lc.move_to(case_id, "RESOLVED")
    await lc.do("EVALUATE", case_id, LEADER, {"satisfaction": "DISSATISFIED"})
    await lc.do("REOPEN", case_id, LEADER, inputs_for("REOPEN"))
    await lc.do("RESOLVE", case_id, "dept.housing", inputs_for("RESOLVE"))
    assert "EVALUATE" in await lc.allowed(case_id, LEADER)
    await lc.do("EVALUATE", case_id, LEADER, inputs_for("EVALUATE"))
    assert await lc.event_types(case_id) == [
        "REGISTERED",
        "DISPATCHED",
        "ACCEPTED",
        "RESOLVED",
        "EVALUATED",
        "REOPENED",
        "RESOLVED",
        "EVALUATED",
    ]


async def test_escalation_walks_up_one_level_at_a_time(api: Api, app: Starlette) -> None:
    """ESCALATE hands the case to the parent unit and leaves it REGISTERED there."""
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    reason = inputs_for("ESCALATE")
    await lc.do("ESCALATE", case_id, V11, reason)
    at_township = await lc.stored(case_id)
    assert (at_township.status, at_township.handling) == ("REGISTERED", TOWNSHIP)
    await lc.do("ESCALATE", case_id, "t1.leader", reason)
    at_county = await lc.stored(case_id)
    assert (at_county.status, at_county.handling) == ("REGISTERED", COUNTY)
    assert at_county.version == 3
    assert VILLAGE not in (at_township.handling, at_county.handling)
