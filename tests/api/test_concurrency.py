"""Optimistic concurrency, races at the database, idempotent retries and atomic failures.

The in-process ASGI client runs requests concurrently on one event loop against a real
PostgreSQL with a connection pool of 10 + 10, so `asyncio.gather` here is real
concurrency at the database: row locks, advisory locks and isolation are what is tested.
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.demo import HOUSING, LEADER, PARENT, V11, VILLAGE
from tests.support.deployment import demo_settings
from tests.support.driver import Api
from tests.support.intake import submit
from tests.support.lifecycle import (
    Lifecycle,
    Outcome,
    actor_for,
    global_id,
    inputs_for,
    unchanged,
)
from tests.support.oracles import EVENT_OF, TRANSITIONS
from tests.support.sql import footprint, scalar
from yidi.config import Settings

ACTION_OF_EVENT = {event: action for action, event in EVENT_OF.items()}


@pytest.fixture
def settings() -> Settings:
    # Resident submissions are limited to 5 per address per 10 minutes; these tests retry
    # one submission many times from the one test address to test idempotency, not the limit.
    return demo_settings(submit_per_10min=1000)


async def warm_up(api: Api, *users: str) -> None:
    # Log in before a burst, so the burst measures the mutations and not the logins.
    for user in users:
        await api.token(user)


# --- (a) expectedVersion --------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    ["ASSESS", "DISPATCH", "ACCEPT", "ESCALATE", "REDIRECT", "MERGE"],
    ids=["assess", "dispatch", "accept", "escalate", "redirect", "merge"],
)
async def test_expected_version_mismatch_is_conflict(api: Api, app: Starlette, action: str) -> None:
    lc = await Lifecycle.create(api, app)
    original = str((await lc.register())["id"])
    case_id = str((await lc.register())["id"])
    # Someone else changes the case first: version 1 -> 2.
    await lc.do("COMMENT", case_id, LEADER, inputs_for("COMMENT", target=""))
    before = await lc.stored(case_id)
    assert before.version == 2
    inputs = inputs_for(action, target=lc.unit(HOUSING), into=original)
    actor = actor_for(action, VILLAGE)  # the case lies with 东湖村

    for stale in (1, 3, 0):
        outcome = await lc.attempt(action, case_id, actor, inputs, expected_version=stale)
        assert outcome.code == "CONFLICT", (stale, outcome)
        assert unchanged(before, await lc.stored(case_id)) == [], stale

    # The same request with the current version goes through: only the version stopped it.
    done = await lc.attempt(action, case_id, actor, inputs, expected_version=2)
    assert done.ok, done.error
    assert (await lc.stored(case_id)).version == 3


@pytest.mark.parametrize(
    ("winner", "loser"),
    [(("DISPATCH", LEADER), ("ACCEPT", V11)), (("ESCALATE", V11), ("ACCEPT", V11))],
    ids=["accept-after-dispatch", "accept-after-escalate"],
)
async def test_stale_version_is_conflict_even_when_the_case_moved_away(
    api: Api, app: Starlette, winner: tuple[str, str], loser: tuple[str, str]
) -> None:
    """A client that read version 1 acts on it after someone else moved the case.

    This is the deterministic form of the race below. The claimed version no longer
    matches, so the answer is CONFLICT: "reload and try again". The move also took away
    the loser's right to act, but that is what the reload shows (the button is gone);
    FORBIDDEN would tell a stale client it was never allowed. Answering CONFLICT first
    reveals nothing, as the case is still visible to the loser.
    """
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    assert "ACCEPT" in await lc.allowed(case_id, V11)  # what the loser saw at version 1
    await lc.do(winner[0], case_id, winner[1], inputs_for(winner[0], target=lc.unit(HOUSING)))
    before = await lc.stored(case_id)
    outcome = await lc.attempt(
        loser[0], case_id, loser[1], inputs_for(loser[0], target=""), expected_version=1
    )
    assert unchanged(before, await lc.stored(case_id)) == []
    assert outcome.code == "CONFLICT", outcome.error


# --- (b) races on one case ------------------------------------------------------------

# Each burst runs at 20 racers (what the pool of 10 + 10 must survive) and at 5 (well
# inside it), so a failure at 20 alone points at connection handling, not at the locking.
RACERS = [5, 20]
RACER_IDS = ["5-racers", "20-racers"]

MIXES: dict[str, list[tuple[str, str]]] = {
    "dispatch-only": [("DISPATCH", LEADER)],
    "accept-only": [("ACCEPT", V11)],
    "dispatch-accept-escalate": [("DISPATCH", LEADER), ("ACCEPT", V11), ("ESCALATE", V11)],
}


@pytest.mark.parametrize("racers", RACERS, ids=RACER_IDS)
@pytest.mark.parametrize("mix", list(MIXES), ids=list(MIXES))
async def test_racers_with_one_expected_version_one_wins(
    api: Api, app: Starlette, mix: str, racers: int
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await warm_up(api, LEADER, V11)
    before = await lc.stored(case_id)
    calls = [MIXES[mix][i % len(MIXES[mix])] for i in range(racers)]

    outcomes: list[Outcome] = await asyncio.gather(
        *(
            lc.attempt(a, case_id, u, inputs_for(a, target=lc.unit(HOUSING)), expected_version=1)
            for a, u in calls
        )
    )

    refusals = Counter(o.code for o in outcomes if not o.ok)
    odd = [o.error for o in outcomes if o.code not in (None, "CONFLICT", "INVALID_TRANSITION")]
    winners = [a for (a, _), o in zip(calls, outcomes, strict=True) if o.ok]
    after = await lc.stored(case_id)
    events = await lc.event_types(case_id)
    # Atomicity first: whatever the losers were told, one change and one event at most.
    assert len(winners) <= 1, winners
    assert after.version == before.version + len(winners)
    assert events == ["REGISTERED", *(EVENT_OF[a] for a in winners)]
    # Then the answers: exactly one winner; the rest told their version is stale.
    assert len(winners) == 1, f"no winner; refusals {dict(refusals)}: {odd[:1]}"
    assert after.status == TRANSITIONS["REGISTERED"][winners[0]]
    assert odd == [], f"winner {winners[0]}; refusals {dict(refusals)}; first odd: {odd[0]}"


def replay(events: list[str]) -> tuple[str, str]:
    """Status and handling unit the event log implies, per DESIGN.md (from 东湖村)."""
    status, unit = "REGISTERED", VILLAGE
    for event in events:
        action = ACTION_OF_EVENT[event]
        assert action in TRANSITIONS[status], f"log has {event} while {status}: {events}"
        status = TRANSITIONS[status][action]
        if action == "ESCALATE":
            unit = PARENT[unit]
        elif action == "DISPATCH":
            unit = HOUSING
    return status, unit


MIXED_WITHOUT_VERSION = [
    ("ACCEPT", V11),
    ("ESCALATE", V11),
    ("REDIRECT", LEADER),
    ("DISPATCH", LEADER),
    ("COMMENT", LEADER),
    ("SUPERVISE", LEADER),
    ("ASSESS", LEADER),
]


@pytest.mark.parametrize("racers", RACERS, ids=RACER_IDS)
async def test_mixed_racers_without_version_leave_a_consistent_log(
    api: Api, app: Starlette, racers: int
) -> None:
    """Without expectedVersion each request is judged against the state it finds; whatever
    the interleaving, every success appends exactly one event and the stored case is what
    its log says. Three rounds, each racing a different action first."""
    lc = await Lifecycle.create(api, app)
    await warm_up(api, LEADER, V11)
    for round_ in range(3):
        case_id = str((await lc.register())["id"])
        calls = [MIXED_WITHOUT_VERSION[(i + round_) % 7] for i in range(racers)]
        outcomes: list[Outcome] = await asyncio.gather(
            *(lc.attempt(a, case_id, u, inputs_for(a, target=lc.unit(HOUSING))) for a, u in calls)
        )
        succeeded = [a for (a, _), o in zip(calls, outcomes, strict=True) if o.ok]
        events = (await lc.event_types(case_id))[1:]
        stored = await lc.stored(case_id)
        assert Counter(events) == Counter(EVENT_OF[a] for a in succeeded), round_
        assert stored.version == 1 + len(events)
        assert sorted(o.case["version"] for o in outcomes if o.case) == list(
            range(2, 2 + len(succeeded))
        )
        assert replay(events) == (stored.status, stored.handling)
        # FORBIDDEN is right here: no version was claimed, and the case may have left the unit.
        odd = [o.error for o in outcomes if o.code not in (None, "INVALID_TRANSITION", "FORBIDDEN")]
        assert odd == [], f"round {round_}: {len(odd)} odd refusals, first: {odd[0]}"


@pytest.mark.parametrize("racers", RACERS, ids=RACER_IDS)
async def test_concurrent_comments_and_supervision_lose_no_update(
    api: Api, app: Starlette, racers: int
) -> None:
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await warm_up(api, LEADER)
    calls = ["COMMENT", "SUPERVISE"] * (racers // 2) + ["COMMENT"] * (racers % 2)
    outcomes: list[Outcome] = await asyncio.gather(
        *(lc.attempt(a, case_id, LEADER, inputs_for(a, target="")) for a in calls)
    )
    succeeded = [a for a, o in zip(calls, outcomes, strict=True) if o.ok]
    stored = await lc.stored(case_id)
    assert stored.version == stored.events == 1 + len(succeeded)
    assert stored.row["supervision_count"] == succeeded.count("SUPERVISE")
    assert [o.error for o in outcomes if not o.ok] == []


@pytest.mark.parametrize("race", ["merge-each-other", "merge-into-redirected"])
async def test_merge_races_leave_an_original(api: Api, app: Starlette, race: str) -> None:
    """A merged case joins an original. Two cases merged into each other would leave no
    original at all; a case merged into a redirected one points at a dead end. Each pair
    races two requests only, well inside the connection pool."""
    lc = await Lifecycle.create(api, app)
    await warm_up(api, LEADER)
    problems: list[str] = []
    # Ten rounds: enough for the interleaving that goes wrong to show up on most runs.
    for round_ in range(10):
        a = str((await lc.register())["id"])
        b = str((await lc.register())["id"])
        second = (
            lc.attempt("MERGE", b, LEADER, {"intoCaseId": a})
            if race == "merge-each-other"
            else lc.attempt("REDIRECT", b, LEADER, inputs_for("REDIRECT", target=""))
        )
        outcomes = await asyncio.gather(lc.attempt("MERGE", a, LEADER, {"intoCaseId": b}), second)
        first, other = await lc.stored(a), await lc.stored(b)
        if first.status == "MERGED" and other.status in ("MERGED", "REDIRECTED"):
            problems.append(f"round {round_}: merged into a {other.status} case")
        for stored in (first, other):
            if stored.version != stored.events:
                problems.append(f"round {round_}: version {stored.version}, {stored.events} events")
        for outcome in outcomes:
            if outcome.code not in (None, "INVALID_TRANSITION", "BAD_USER_INPUT"):
                problems.append(f"round {round_}: {outcome.code}: {outcome.error}")
    assert problems == [], "\n".join(problems)


# --- (c) idempotent retries -----------------------------------------------------------


async def count_cases(app: Starlette, title: str | None = None) -> int:
    if title is None:
        return int(await scalar(app, "SELECT count(*) FROM cases"))
    return int(await scalar(app, "SELECT count(*) FROM cases WHERE title = :t", t=title))


async def retried(
    send: Callable[[], Awaitable[dict[str, Any]]], *, concurrent: bool, tries: int
) -> list[Any]:
    """`tries` sends of one request, all at once (answers or exceptions) or one by one."""
    if concurrent:
        return await asyncio.gather(*(send() for _ in range(tries)), return_exceptions=True)
    return [await send() for _ in range(tries)]


def answered(results: list[Any]) -> list[dict[str, Any]]:
    """Every retry's answer; the first failure, if any retry failed."""
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == [], f"{len(failures)} of {len(results)} retries failed: {failures[0]}"
    return list(results)


RETRIES = pytest.mark.parametrize(
    ("concurrent", "tries"),
    [(False, 3), (True, 5), (True, 10)],
    ids=["sequential-x3", "concurrent-x5", "concurrent-x10"],
)


@RETRIES
async def test_register_retry_with_one_key_makes_one_case(
    api: Api, app: Starlette, concurrent: bool, tries: int
) -> None:
    lc = await Lifecycle.create(api, app)
    await warm_up(api, V11, "v12.handler")
    total = await count_cases(app)
    title = "重试登记的同一事项"

    def retry() -> Awaitable[dict[str, Any]]:
        return lc.register(V11, key="station-7/2026-11-20/0001", title=title)

    results = await retried(retry, concurrent=concurrent, tries=tries)

    # Never a second case, whatever else went wrong; then every retry got the first one.
    assert await count_cases(app, title) == 1
    assert await count_cases(app) == total + 1
    answers = answered(results)
    assert {(a["id"], a["number"], a["trackingCode"]) for a in answers} == {
        (answers[0]["id"], answers[0]["number"], answers[0]["trackingCode"])
    }
    assert await lc.event_types(str(answers[0]["id"])) == ["REGISTERED"]

    # The key belongs to the user who sent it: another station's key is its own.
    other = await lc.register(
        "v12.handler", "990100001002", key="station-7/2026-11-20/0001", title=title
    )
    assert other["id"] != answers[0]["id"]
    assert await count_cases(app, title) == 2


@RETRIES
async def test_submit_retry_with_one_key_and_phone_makes_one_case(
    api: Api, app: Starlette, concurrent: bool, tries: int
) -> None:
    lc = await Lifecycle.create(api, app)
    total = await count_cases(app)
    title = "路灯损坏重复提交"

    def send(phone: str) -> Awaitable[dict[str, str]]:
        return submit(
            api,
            lc.unit(VILLAGE),
            title=title,
            description="夜间出行不便。",
            reporter={"name": "刘大爷", "phone": phone},
            idempotencyKey="app-install-42/req-1",
        )

    results = await retried(lambda: send("13912345678"), concurrent=concurrent, tries=tries)
    assert await count_cases(app, title) == 1
    assert await count_cases(app) == total + 1
    answers = answered(results)
    assert {(a["number"], a["trackingCode"]) for a in answers} == {
        (answers[0]["number"], answers[0]["trackingCode"])
    }

    # A key alone is no secret: the same key with another phone is another request.
    other = await send("13700000000")
    assert other["number"] != answers[0]["number"]
    assert await count_cases(app, title) == 2


@pytest.mark.parametrize("racers", RACERS, ids=RACER_IDS)
async def test_concurrent_registrations_get_distinct_consecutive_numbers(
    api: Api, app: Starlette, racers: int
) -> None:
    lc = await Lifecycle.create(api, app)
    await warm_up(api, V11)
    answers = await asyncio.gather(*(lc.register(V11) for _ in range(racers)))
    sequences = sorted(int(a["number"].rsplit("-", 1)[1]) for a in answers)
    assert sequences == list(range(sequences[0], sequences[0] + racers))
    assert len({a["id"] for a in answers}) == racers


# --- (d) a failed mutation leaves nothing ---------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A mutation that must fail, prepared on a fresh 东湖村 case."""

    action: str
    actor: str
    inputs: Callable[[Lifecycle, str], dict[str, Any]]
    code: str
    field: str | None = None
    # Steps run first (action, actor, inputs), e.g. to hand the case to a township office.
    setup: tuple[tuple[str, str, Callable[[Lifecycle], dict[str, Any]]], ...] = ()


def _dispatch_to(code: str, **extra: Any) -> Callable[[Lifecycle, str], dict[str, Any]]:
    return lambda lc, _case: {"unitId": lc.unit(code), **extra}


FAILURES: dict[str, Failure] = {
    # 西岭村 lies outside 东湖镇: a township hands work only to units below it.
    "dispatch-outside-subtree": Failure(
        "DISPATCH", "t1.leader", _dispatch_to("990100002001"), "FORBIDDEN"
    ),
    "co-handler-outside-subtree": Failure(
        "DISPATCH",
        "t1.leader",
        lambda lc, _c: {
            "unitId": lc.unit("990100001002"),
            "coHandlingUnitIds": [lc.unit("990100002001")],
        },
        "FORBIDDEN",
    ),
    "reassign-outside-subtree": Failure(
        "REASSIGN",
        "t1.leader",
        lambda lc, _c: {"unitId": lc.unit(HOUSING), "reason": "改派县住建局"},
        "FORBIDDEN",
        setup=(("DISPATCH", "t1.leader", lambda lc: {"unitId": lc.unit("990100001002")}),),
    ),
    "unknown-unit": Failure(
        "DISPATCH",
        LEADER,
        lambda _lc, _c: {"unitId": global_id("Unit", 987654321)},
        "BAD_USER_INPUT",
        "unitId",
    ),
    "unit-of-another-county": Failure(
        "DISPATCH", LEADER, _dispatch_to("990200001"), "BAD_USER_INPUT", "unitId"
    ),
    "malformed-unit-id": Failure(
        "DISPATCH", LEADER, lambda _lc, _c: {"unitId": "no-such-id"}, "BAD_USER_INPUT", "unitId"
    ),
    # The handler has already moved the case in memory when the assignee check fails.
    "assignee-outside-target": Failure(
        "DISPATCH",
        LEADER,
        lambda lc, _c: {"unitId": lc.unit(HOUSING), "assigneeId": lc.user(V11)},
        "BAD_USER_INPUT",
        "assigneeId",
    ),
    "reassign-to-unknown-unit": Failure(
        "REASSIGN",
        LEADER,
        lambda _lc, _c: {"unitId": global_id("Unit", 987654321), "reason": "改派"},
        "BAD_USER_INPUT",
        "unitId",
        setup=(("DISPATCH", LEADER, lambda lc: {"unitId": lc.unit(HOUSING)}),),
    ),
    "merge-into-itself": Failure(
        "MERGE", LEADER, lambda _lc, case: {"intoCaseId": case}, "BAD_USER_INPUT", "intoCaseId"
    ),
    # ESCALATE finds the parent before it checks the reason.
    "escalate-blank-reason": Failure(
        "ESCALATE", V11, lambda _lc, _c: {"reason": "   "}, "BAD_USER_INPUT", "reason"
    ),
}


@pytest.mark.parametrize("name", list(FAILURES), ids=list(FAILURES))
async def test_failed_mutation_leaves_nothing(api: Api, app: Starlette, name: str) -> None:
    failure = FAILURES[name]
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    for action, actor, inputs in failure.setup:
        await lc.do(action, case_id, actor, inputs(lc))
    before = await lc.stored(case_id)
    counts = await footprint(app)

    outcome = await lc.attempt(
        failure.action, case_id, failure.actor, failure.inputs(lc, case_id), expected_version=None
    )

    assert (outcome.code, outcome.field) == (failure.code, failure.field), outcome.error
    assert unchanged(before, await lc.stored(case_id)) == []
    assert await footprint(app) == counts
    # And what clients read agrees with the table.
    seen = await api.ok(
        "query($id: ID!) { case(id: $id) { version status handlingUnit { code } } }",
        {"id": case_id},
        user=LEADER,
    )
    assert seen["case"] == {
        "version": before.version,
        "status": before.status,
        "handlingUnit": {"code": before.handling},
    }
