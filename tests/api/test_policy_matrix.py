"""Who may do what: every demo user against every mutation, through GraphQL.

The expected answers come from DESIGN.md's default policy table (role @ level x relation) and
its lifecycle, as tests/support/oracles.py writes them down, over the demo tree of
tests/support/demo.py, plus the structural rules below. The application's authz code is never
asked: if it and the oracle disagree, one of them is wrong.

Cases are put in position in-process (the use cases, as demo users), because a fresh copy
of a situation is needed after every attempt that succeeds; the attempts themselves go
through GraphQL, so the error codes are the contract's.
"""

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.clock import Clock
from tests.support.demo import (
    HOUSING,
    LABOUR,
    OTHER_VILLAGE,
    PARENT,
    TOWNSHIP_OFFICE,
    USERS,
    DemoUser,
    lineage,
)
from tests.support.driver import Api
from tests.support.intake import ID_MASKED, ID_NUMBER, PHONE, PHONE_MASKED, register
from tests.support.lifecycle import inputs_for
from tests.support.mutations import MUTATIONS, act, mutation
from tests.support.oracles import (
    DEADLINE_OPEN,
    DEFAULT_POLICY,
    RELEASE_ALLOWS,
    STATUS_ALLOWS,
    SUMMONS_ANSWERS,
    policy_allows,
    relations,
)
from yidi.authz.actor import Actor
from yidi.domain import commands as c
from yidi.domain.enums import CaseAction, Channel, Outcome, PauseReason, RiskLevel
from yidi.persistence.models import Case, Category, Unit, User
from yidi.persistence.session import SessionFactory
from yidi.resolvers.ids import to_global_id
from yidi.services.auth import load_actor
from yidi.services.intake import RegisterCommand, ReporterInput, register_case
from yidi.services.transitions import transition
from yidi.services.unit_of_work import UnitOfWork

MUTATING = tuple(a.value for a in CaseAction if a is not CaseAction.VIEW)


@dataclass(frozen=True)
class Facts:
    """Where a case stands, in unit codes."""

    status: str
    handling: str
    intake: str
    location: str
    co_handling: tuple[str, ...]
    risk: str
    owner: str | None = None  # the leader who owns the case (领导包案), by username
    requester: str | None = None  # who asked for the pending extension (延期), if any
    paused: bool = False  # the clock stands still (中止)
    # 吹哨报到: units ever summoned (INVOLVED), and those whose report-in or contribution
    # is due now.
    summoned: tuple[str, ...] = ()
    awaiting_report: tuple[str, ...] = ()
    awaiting_contribution: tuple[str, ...] = ()


def table_allows(user: DemoUser, action: str, facts: Facts) -> bool:
    """The default policy's answer, for the relations the user's unit stands in to the case."""
    involved = (facts.intake, facts.location, *facts.co_handling, *facts.summoned)
    standing = relations(user.unit, facts.handling, involved, lineage)
    return policy_allows(user, action, standing, facts.risk)


# Dispatch and reassign targets: the first of these strictly below the actor's unit.
TARGETS = ("990100003001", "990100003002", "990100001003", "990100002003")
# For actors with nothing below them: a unit outside their subtree (the structural rule).
OUTSIDE_TARGET = "990100003003"


def target_for(user: DemoUser, facts: Facts) -> tuple[str, bool]:
    """(target unit, whether it lies in the actor's subtree)."""
    for code in TARGETS:
        if code != facts.handling and code != user.unit and user.unit in lineage(code):
            return code, True
    return OUTSIDE_TARGET, False


def status_allows(action: str, facts: Facts) -> bool:
    """The lifecycle's answer (oracles.TRANSITIONS for a case in its first state), and
    CASE_FILE.md's: one owner, one pending extension, one pause at a time; a paused case is
    resumed before it is resolved."""
    if action == "RELEASE_OWNERSHIP":
        return facts.owner is not None and facts.status in RELEASE_ALLOWS
    if action == "DECIDE_EXTENSION":
        return facts.requester is not None and facts.status in DEADLINE_OPEN
    if action == "RESUME":
        return facts.paused and facts.status in DEADLINE_OPEN
    if facts.status not in STATUS_ALLOWS[action]:
        return False
    refused_by_state = {
        "TAKE_OWNERSHIP": facts.owner is not None,
        "REQUEST_EXTENSION": facts.requester is not None,
        "PAUSE": facts.paused,
        "RESOLVE": facts.paused,
    }
    return not refused_by_state.get(action, False)


def expected(username: str, action: str, facts: Facts) -> str:
    """The answer to an attempt: OK, or the contract's error code, checked in the
    contract's order (NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, then the handler's rules)."""
    user = USERS[username]
    if not table_allows(user, "VIEW", facts):
        return "NOT_FOUND"  # invisible, also across counties: never reveal it exists
    if not table_allows(user, action, facts):
        return "FORBIDDEN"
    if not status_allows(action, facts):
        return "INVALID_TRANSITION"
    # CASE_FILE.md: the owner, or a leader above the owner's unit, releases; nobody decides
    # their own request for more time.
    if action == "DECIDE_EXTENSION" and username == facts.requester:
        return "FORBIDDEN"
    if action == "RELEASE_OWNERSHIP" and username != facts.owner:
        owner_unit = USERS[str(facts.owner)].unit
        if user.unit == owner_unit or user.unit not in lineage(owner_unit):
            return "FORBIDDEN"
    # CASE_FILE.md, "Summons": only a summoned unit answers (FORBIDDEN for the rest, the
    # units above it included), and only what its summons awaits now.
    if action in SUMMONS_ANSWERS:
        if user.unit not in facts.summoned:
            return "FORBIDDEN"
        due = facts.awaiting_report if action == "REPORT_IN" else facts.awaiting_contribution
        if user.unit not in due:
            return "INVALID_TRANSITION"
    if action == "ESCALATE" and PARENT[facts.handling] is None:
        return "INVALID_TRANSITION"  # a county cannot escalate
    if action in ("DISPATCH", "REASSIGN") and not target_for(user, facts)[1]:
        return "FORBIDDEN"  # the target must lie in the actor's subtree
    return "OK"


def expected_allowed(username: str, facts: Facts) -> set[str]:
    """What `allowedActions` must list: VIEW plus every action that would succeed."""
    if not table_allows(USERS[username], "VIEW", facts):
        return set()
    return {"VIEW"} | {a for a in MUTATING if expected(username, a, facts) == "OK"}


# ---------------------------------------------------------------------------------------
# Positions a case can be put in, by the demo users, along the lifecycle.
@dataclass(frozen=True)
class Position:
    handling: str
    registrar: str  # registers the case; the intake unit is theirs
    location: str
    worker: str  # a staff member of the handling unit: accepts and resolves
    dispatcher: str | None = None  # hands it from the intake unit to the handling unit
    co_handling: tuple[str, ...] = ()


POSITIONS: dict[str, Position] = {
    # Registered where it is handled.
    "county": Position("990100", "county.intake", "990100002002", "county.leader"),
    "township-own": Position("990100001", "t1.leader", "990100001002", "t1.handler"),
    "village-own": Position("990100001001", "v11.handler", "990100001001", "v11.handler"),
    # Dispatched from where it was registered.
    "village": Position(
        "990100001001",
        "t1.leader",
        "990100001001",
        "v11.handler",
        dispatcher="t1.leader",
        co_handling=("990100001901",),
    ),
    "township": Position(
        "990100001",
        "county.intake",
        "990100001002",
        "t1.handler",
        dispatcher="county.leader",
        co_handling=("990100002001",),
    ),
    "county-dept": Position(
        "990100901", "v21.handler", "990100002001", "dept.housing", dispatcher="county.leader"
    ),
    "township-dept": Position(
        "990100001901", "v11.handler", "990100001001", "t1.office", dispatcher="t1.leader"
    ),
}
REGISTERED_AT = ("county", "township-own", "village-own")
# 吹哨报到: the units summoned where a situation has a summons, and who summons them (the
# handling unit's leader: only townships and the county summon by default).
SUMMONED_UNITS = (HOUSING, TOWNSHIP_OFFICE)
SUMMONER = {"county": "county.leader", "township": "t1.leader"}
DISPATCHED_TO = ("village", "township", "county-dept", "township-dept")
WORKED_AT = ("county", *DISPATCHED_TO)


def positions_for(status: str) -> tuple[str, ...]:
    if status == "REGISTERED":
        return REGISTERED_AT
    if status == "DISPATCHED":
        return DISPATCHED_TO
    return WORKED_AT


@dataclass(frozen=True)
class Situation:
    status: str
    position: str
    risk: str = "BLUE"
    owner: str | None = None
    extension_requested: bool = False  # the worker asked for more time
    paused: bool = False  # county.leader stopped the clock
    summoned: bool = False  # the handling unit summoned SUMMONED_UNITS
    reported: bool = False  # …and both reported in

    def __str__(self) -> str:
        owned = f"/owned-by-{self.owner}" if self.owner else ""
        extended = "/extension-requested" if self.extension_requested else ""
        paused = "/paused" if self.paused else ""
        summoned = ("/reported" if self.reported else "/summoned") if self.summoned else ""
        return f"{self.status}@{self.position}/{self.risk}{owned}{extended}{paused}{summoned}"

    @property
    def facts(self) -> Facts:
        p = POSITIONS[self.position]
        return Facts(
            status=self.status,
            handling=p.handling,
            intake=USERS[p.registrar].unit,
            location=p.location,
            co_handling=p.co_handling,
            risk=self.risk,
            owner=self.owner,
            requester=p.worker if self.extension_requested else None,
            paused=self.paused,
            summoned=SUMMONED_UNITS if self.summoned else (),
            awaiting_report=SUMMONED_UNITS if self.summoned and not self.reported else (),
            awaiting_contribution=SUMMONED_UNITS if self.reported else (),
        )


@dataclass
class World:
    """The demo database of one test, and in-process handles to put cases in place."""

    api: Api
    uow: UnitOfWork  # the server's own, so cases are put in place as the service would
    clock: Clock
    units: dict[str, int]
    users: dict[str, int]
    actors: dict[str, Actor]
    categories: dict[int, int]  # county id -> a category of that county

    @property
    def sessions(self) -> SessionFactory:
        return self.uow.sessions

    def gid(self, code: str) -> str:
        return to_global_id("Unit", self.units[code])


_titles = itertools.count()


@pytest.fixture
async def world(api: Api, app: Any, clock: Clock) -> World:
    # Every demo user logs in up front (the driver reuses each token across tests).
    for username in USERS:
        await api.token(username)
    state = app.state.yidi
    async with state.sessions() as session:
        units = {u.code: u.id for u in await session.scalars(select(Unit))}
        users = {u.username: u.id for u in await session.scalars(select(User))}
        actors = {name: await load_actor(session, users[name]) for name in USERS}
        categories = {
            c.county_id: c.id
            for c in await session.scalars(select(Category).where(Category.code == "DISPUTE"))
        }
    return World(api, state.uow, clock, units, users, actors, categories)


async def step(world: World, username: str, command: c.CaseCommand) -> None:
    async with world.uow.begin(world.actors[username], now=world.clock()) as work:
        await transition(work, command)


async def make_case(world: World, situation: Situation) -> int:
    """A new case in `situation`, walked there by the demo users; checked before use."""
    p = POSITIONS[situation.position]
    actor = world.actors[p.registrar]
    command = RegisterCommand(
        title=f"矩阵测试 {next(_titles)}",
        description="权限矩阵测试用事项。",
        category_id=world.categories[actor.county_id],
        channel=Channel.VISIT,
        location_unit_id=world.units[p.location],
        address=None,
        occurred_at=None,
        parties_count=1,
        reporter=ReporterInput("张三", PHONE, ID_NUMBER, False),
        risk_level=RiskLevel(situation.risk),
        idempotency_key=None,
    )
    async with world.uow.begin(actor, now=world.clock()) as work:
        case_id = (await register_case(work, command)).case.id
    status = situation.status
    if p.dispatcher is not None:
        co = [world.units[c] for c in p.co_handling]
        dispatch = c.Dispatch(
            case_id=case_id, unit_id=world.units[p.handling], co_handling_unit_ids=tuple(co)
        )
        await step(world, p.dispatcher, dispatch)
    if status in ("IN_PROGRESS", "RESOLVED", "CLOSED"):
        await step(world, p.worker, c.Accept(case_id=case_id))
    if status in ("RESOLVED", "CLOSED"):
        resolve = c.Resolve(case_id=case_id, outcome=Outcome.SOLVED, summary="已办结。")
        await step(world, p.worker, resolve)
    if status == "CLOSED":
        await step(world, "county.leader", c.Close(case_id=case_id))
    if situation.owner is not None:
        await step(world, situation.owner, c.TakeOwnership(case_id=case_id))
    if situation.extension_requested:
        ask = c.RequestExtension(case_id=case_id, days=5, reason="材料未齐")
        await step(world, p.worker, ask)
    if situation.paused:
        stop = c.Pause(case_id=case_id, reason=PauseReason.COURT, note="等待法院裁判")
        await step(world, "county.leader", stop)
    if situation.summoned:
        units = tuple(world.units[u] for u in SUMMONED_UNITS)
        call = c.Summon(case_id=case_id, unit_ids=units, report_in_hours=24, note="请派员报到")
        await step(world, SUMMONER[situation.position], call)
    if situation.reported:
        for username in ("dept.housing", "t1.office"):
            await step(world, username, c.ReportIn(case_id=case_id))
    facts = situation.facts
    async with world.sessions() as session:
        case = await session.get_one(Case, case_id)
        placed = (
            case.status,
            case.handling_unit_id,
            case.intake_unit_id,
            case.location_unit_id,
            sorted(case.co_handling_unit_ids),
            case.risk_level,
        )
    assert placed == (
        status,
        world.units[facts.handling],
        world.units[facts.intake],
        world.units[facts.location],
        sorted(world.units[c] for c in facts.co_handling),
        situation.risk,
    ), f"could not put a case in {situation}"
    return case_id


async def version_of(world: World, case_id: int) -> int:
    async with world.sessions() as session:
        return (await session.get_one(Case, case_id)).version


# ---------------------------------------------------------------------------------------
# Attempts through GraphQL.
def action_input(
    action: str, case: str, *, target: str = "", into: str = "", summoned: str = ""
) -> dict[str, Any]:
    """A well-formed input for each action, so only authorization and status can refuse."""
    return {"caseId": case, **inputs_for(action, target=target, into=into, summoned=summoned)}


async def attempt(api: Api, username: str, action: str, variables: dict[str, Any]) -> str:
    """OK, or the code of the single error the mutation failed with."""
    body = await act(api, username, action, variables)
    if not body.get("errors"):
        assert body["data"][MUTATIONS[action][0]]["case"]["id"] == variables["caseId"], body
        return "OK"
    assert len(body["errors"]) == 1, body["errors"]
    return str(body["errors"][0]["extensions"]["code"])


async def run_attempt(
    world: World, username: str, action: str, situation: Situation, case_id: int, into: int
) -> str:
    target, _ = target_for(USERS[username], situation.facts)
    variables = action_input(
        action,
        to_global_id("Case", case_id),
        target=world.gid(target),
        into=to_global_id("Case", into),
        summoned=world.gid(LABOUR),  # no situation summons or hands a case to 县人社局
    )
    return await attempt(world.api, username, action, variables)


CASE_VIEW = "query($id: ID!) { case(id: $id) { id allowedActions } }"


async def allowed_actions(world: World, username: str, case_id: int) -> list[str] | None:
    data = await world.api.ok(CASE_VIEW, {"id": to_global_id("Case", case_id)}, user=username)
    case = data["case"]
    return None if case is None else list(case["allowedActions"])


class Copies:
    """Fresh copies of one situation: a copy is replaced once an attempt has changed it."""

    def __init__(self, world: World, situation: Situation, *, with_merge_target: bool) -> None:
        self.world = world
        self.situation = situation
        self.with_merge_target = with_merge_target
        self.case_id = 0
        self.into = 0
        self.version = 0

    async def current(self) -> tuple[int, int]:
        if self.case_id == 0:
            self.case_id = await make_case(self.world, self.situation)
            # MERGE needs a second case the actor sees exactly as it sees the first.
            self.into = (
                await make_case(self.world, self.situation)
                if self.with_merge_target
                else self.case_id
            )
            self.version = await version_of(self.world, self.case_id)
        return self.case_id, self.into

    def spent(self) -> None:
        self.case_id = 0

    async def untouched(self) -> bool:
        """A failed mutation leaves nothing: the copy is as it was made."""
        return self.case_id == 0 or await version_of(self.world, self.case_id) == self.version


# ---------------------------------------------------------------------------------------
# 1. The matrix: every demo user x every mutation, on cases in a status that allows it.
TRIED_IN: dict[str, str] = {
    **dict.fromkeys(("ASSESS", "DISPATCH", "REDIRECT", "MERGE"), "REGISTERED"),
    **dict.fromkeys(("ACCEPT", "RETURN", "SUPERVISE"), "DISPATCHED"),
    **dict.fromkeys(("ESCALATE", "REASSIGN", "COMMENT", "RESOLVE"), "IN_PROGRESS"),
    **dict.fromkeys(("CLOSE", "EVALUATE"), "RESOLVED"),
    **dict.fromkeys(("REOPEN", "FOLLOW_UP"), "CLOSED"),
    **dict.fromkeys(("TAKE_OWNERSHIP", "RELEASE_OWNERSHIP", "RECORD_MEDIATION"), "IN_PROGRESS"),
    **dict.fromkeys(("REQUEST_EXTENSION", "DECIDE_EXTENSION", "PAUSE", "RESUME"), "IN_PROGRESS"),
    **dict.fromkeys(("SUMMON", *SUMMONS_ANSWERS), "IN_PROGRESS"),
}
# Releasing needs an owner: county.leader, the one leader who sees every position, owns
# those cases (so everyone else is refused by the rule on whose ownership one may end).
OWNER_IN: dict[str, str] = {"RELEASE_OWNERSHIP": "county.leader"}


def tried(action: str, position: str) -> Situation:
    return Situation(
        TRIED_IN[action],
        position,
        owner=OWNER_IN.get(action),
        # Deciding needs a pending request (by the handling unit's worker), resuming a pause.
        extension_requested=action == "DECIDE_EXTENSION",
        paused=action == "RESUME",
        # Answering needs a summons (reported in, to contribute).
        summoned=action in SUMMONS_ANSWERS,
        reported=action == "CONTRIBUTE",
    )


def positions_of(action: str) -> tuple[str, ...]:
    """Where `action` is tried: a summons needs a unit that may summon (SUMMONER)."""
    if action in SUMMONS_ANSWERS:
        return tuple(SUMMONER)
    return positions_for(TRIED_IN[action])


@pytest.mark.parametrize("action", MUTATING, ids=str)
async def test_every_demo_user_against_every_action(world: World, action: str) -> None:
    mismatches: list[str] = []
    for position in positions_of(action):
        situation = tried(action, position)
        copies = Copies(world, situation, with_merge_target=action == "MERGE")
        for username in USERS:
            case_id, into = await copies.current()
            want = expected(username, action, situation.facts)
            got = await run_attempt(world, username, action, situation, case_id, into)
            if got != want:
                mismatches.append(f"{situation} {username}: expected {want}, got {got}")
            if got == "OK":
                copies.spent()
            elif not await copies.untouched():
                mismatches.append(f"{situation} {username}: a refused {action} changed the case")
    assert not mismatches, "\n".join(mismatches)


def test_the_table_covers_every_user_and_relation() -> None:
    """Guards the matrix itself: each action is allowed to someone and refused to someone,
    and every demo user is allowed something somewhere (else the matrix proves little)."""
    assert set(MUTATING) == set(STATUS_ALLOWS) == set(DEFAULT_POLICY) - {"VIEW"} == set(MUTATIONS)
    outcomes: dict[str, set[str]] = {a: set() for a in MUTATING}
    allowed_users: set[str] = set()
    for action in MUTATING:
        for position in positions_of(action):
            facts = tried(action, position).facts
            for username in USERS:
                outcome = expected(username, action, facts)
                outcomes[action].add(outcome)
                if outcome == "OK":
                    allowed_users.add(username)
    assert all({"OK", "FORBIDDEN", "NOT_FOUND"} <= seen for seen in outcomes.values()), outcomes
    assert allowed_users == set(USERS) - {"county.viewer", "county.admin", "other.leader"}


# ---------------------------------------------------------------------------------------
# 2. allowedActions agrees with what actually succeeds, in every status.
AGREEMENT = [
    Situation("REGISTERED", "township-own"),
    Situation("REGISTERED", "village-own"),
    Situation("DISPATCHED", "township-dept"),
    Situation("IN_PROGRESS", "village"),
    Situation("IN_PROGRESS", "county"),
    Situation("RESOLVED", "county-dept", "RED"),
    Situation("CLOSED", "township", "RED"),
    # Owned cases: RELEASE_OWNERSHIP instead of TAKE_OWNERSHIP, for the owner only.
    Situation("IN_PROGRESS", "village", owner="county.leader"),
    Situation("RESOLVED", "township", owner="county.leader"),
    # A pending extension (by the worker, who may not decide it) and a paused case.
    Situation("IN_PROGRESS", "county", extension_requested=True),
    Situation("DISPATCHED", "township-dept", extension_requested=True),
    Situation("IN_PROGRESS", "village", paused=True),
    # 吹哨报到: the summoned units report in, then contribute; nobody else answers.
    Situation("IN_PROGRESS", "county", summoned=True),
    Situation("DISPATCHED", "township", summoned=True, reported=True),
]


@pytest.mark.parametrize("situation", AGREEMENT, ids=str)
async def test_allowed_actions_are_exactly_what_succeeds(
    world: World, situation: Situation
) -> None:
    mismatches: list[str] = []
    # Only a REGISTERED case can be merged: elsewhere the case itself stands in as target.
    copies = Copies(world, situation, with_merge_target=situation.status == "REGISTERED")
    facts = situation.facts
    for username in USERS:
        case_id, into = await copies.current()
        listed = await allowed_actions(world, username, case_id)
        if listed is None:
            if expected(username, "VIEW", facts) != "NOT_FOUND":
                mismatches.append(f"{username}: cannot see the case")
            continue
        assert len(listed) == len(set(listed)), listed
        succeeded = {"VIEW"}
        for action in MUTATING:
            case_id, into = await copies.current()
            got = await run_attempt(world, username, action, situation, case_id, into)
            want = expected(username, action, facts)
            if got != want:
                mismatches.append(f"{username} {action}: expected {want}, got {got}")
            if got == "OK":
                succeeded.add(action)
                copies.spent()
        if set(listed) != succeeded:
            mismatches.append(
                f"{username}: allowedActions {sorted(listed)} but succeeded {sorted(succeeded)}"
            )
        if set(listed) != expected_allowed(username, facts):
            mismatches.append(
                f"{username}: allowedActions {sorted(listed)}, "
                f"the table says {sorted(expected_allowed(username, facts))}"
            )
    assert not mismatches, "\n".join(mismatches)


# ---------------------------------------------------------------------------------------
# 3. Structural rules: dispatch and reassign stay inside the actor's own subtree.
@dataclass(frozen=True)
class Move:
    username: str
    action: str
    situation: Situation
    target: str
    co_handling: tuple[str, ...] = ()
    want: str = "FORBIDDEN"


REGISTERED_AT_T1 = Situation("REGISTERED", "township-own")
IN_PROGRESS_IN_T1 = Situation("IN_PROGRESS", "village")
REGISTERED_AT_V11 = Situation("REGISTERED", "village-own")
MOVES = [
    pytest.param(
        Move("t1.leader", "DISPATCH", REGISTERED_AT_T1, "990100002001"),
        id="t1.leader-dispatch-to-xiling-village",
    ),
    pytest.param(
        Move("t1.leader", "DISPATCH", REGISTERED_AT_T1, "990100901"),
        id="t1.leader-dispatch-to-county-department",
    ),
    pytest.param(
        Move("t1.leader", "DISPATCH", REGISTERED_AT_T1, "990100001003", ("990100002001",)),
        id="t1.leader-co-handling-in-xiling",
    ),
    pytest.param(
        Move("t1.leader", "DISPATCH", REGISTERED_AT_T1, "990100001003", ("990100001002",), "OK"),
        id="t1.leader-dispatch-inside-donghu",
    ),
    pytest.param(
        Move("t1.leader", "REASSIGN", IN_PROGRESS_IN_T1, "990100002001"),
        id="t1.leader-reassign-to-xiling-village",
    ),
    pytest.param(
        Move("t1.leader", "REASSIGN", IN_PROGRESS_IN_T1, "990100001003", want="OK"),
        id="t1.leader-reassign-inside-donghu",
    ),
    pytest.param(
        Move("v11.handler", "DISPATCH", REGISTERED_AT_V11, "990100001002"),
        id="village-dispatch-to-sibling",
    ),
    pytest.param(
        Move("v11.handler", "DISPATCH", REGISTERED_AT_V11, "990100001"),
        id="village-dispatch-to-its-township",
    ),
]


@pytest.mark.parametrize("move", MOVES)
async def test_targets_must_lie_in_the_actors_subtree(world: World, move: Move) -> None:
    case_id = await make_case(world, move.situation)
    before = await version_of(world, case_id)
    case = to_global_id("Case", case_id)
    variables = action_input(move.action, case, target=world.gid(move.target))
    if move.co_handling:
        variables["coHandlingUnitIds"] = [world.gid(c) for c in move.co_handling]
    assert await attempt(world.api, move.username, move.action, variables) == move.want
    if move.want != "OK":
        assert await version_of(world, case_id) == before


async def test_a_target_in_another_county_looks_like_no_unit_at_all(world: World) -> None:
    """Nothing crosses counties: 白水县's unit is answered exactly like a unit that does
    not exist, so its existence is not revealed."""
    case_id = await make_case(world, Situation("REGISTERED", "county"))
    case = to_global_id("Case", case_id)
    answers = []
    for unit in (world.gid("990200001001"), to_global_id("Unit", 2**31 - 1)):
        error = await world.api.error(
            mutation("DISPATCH"),
            {"input": action_input("DISPATCH", case, target=unit)},
            user="county.leader",
        )
        answers.append((error["message"], error["extensions"]))
    assert answers[0] == answers[1]
    assert answers[0][1]["code"] not in ("OK", "FORBIDDEN")
    assert await version_of(world, case_id) == 1


# ---------------------------------------------------------------------------------------
# 4. RED-risk cases are closed and reopened by a county LEADER only.
@pytest.mark.parametrize(
    ("action", "situation", "username", "want"),
    [
        ("CLOSE", Situation("RESOLVED", "township", "RED"), "t1.leader", "FORBIDDEN"),
        ("CLOSE", Situation("RESOLVED", "village", "RED"), "t1.leader", "FORBIDDEN"),
        ("CLOSE", Situation("RESOLVED", "township", "RED"), "county.leader", "OK"),
        ("CLOSE", Situation("RESOLVED", "township", "ORANGE"), "t1.leader", "OK"),
        ("REOPEN", Situation("CLOSED", "township", "RED"), "t1.leader", "FORBIDDEN"),
        ("REOPEN", Situation("RESOLVED", "village", "RED"), "t1.leader", "FORBIDDEN"),
        ("REOPEN", Situation("CLOSED", "village", "RED"), "county.leader", "OK"),
        ("REOPEN", Situation("CLOSED", "township", "ORANGE"), "t1.leader", "OK"),
    ],
    ids=str,
)
async def test_red_risk_close_and_reopen(
    world: World, action: str, situation: Situation, username: str, want: str
) -> None:
    assert expected(username, action, situation.facts) == want  # the table says so too
    case_id = await make_case(world, situation)
    listed = await allowed_actions(world, username, case_id)
    assert listed is not None
    assert (action in listed) == (want == "OK")
    assert await run_attempt(world, username, action, situation, case_id, case_id) == want


# ---------------------------------------------------------------------------------------
# 5. Cross-county isolation, and NOT_FOUND before FORBIDDEN.
async def other_county_cases(world: World) -> dict[str, str]:
    """Cases of 白水县 in each status, made through GraphQL by its own leader."""
    api = world.api
    village = world.gid(OTHER_VILLAGE)
    by_status: dict[str, str] = {}
    for status in ("REGISTERED", "DISPATCHED", "IN_PROGRESS", "RESOLVED", "CLOSED"):
        registered = await register(
            api,
            "other.leader",
            OTHER_VILLAGE,
            category="DISPUTE",
            title="白水县事项",
            description="另一个县的事项。",
            reporter={"name": "李四", "phone": PHONE},
        )
        case = registered["id"]
        steps: list[tuple[str, dict[str, Any]]] = []
        if status == "DISPATCHED":
            steps.append(("DISPATCH", {"unitId": village}))
        if status in ("IN_PROGRESS", "RESOLVED", "CLOSED"):
            steps.append(("ACCEPT", {}))
        if status in ("RESOLVED", "CLOSED"):
            steps.append(("RESOLVE", {"outcome": "SOLVED", "summary": "已解决"}))
        if status == "CLOSED":
            steps.append(("CLOSE", {}))
        for action, extra in steps:
            got = await attempt(api, "other.leader", action, {"caseId": case, **extra})
            assert got == "OK", (status, action, got)
        by_status[status] = case
    return by_status


async def test_a_case_of_another_county_is_not_found_for_every_user_and_action(
    world: World,
) -> None:
    cases = await other_county_cases(world)
    mismatches: list[str] = []
    for username in (u for u in USERS if u != "other.leader"):
        for status, case in cases.items():
            view = await world.api.ok(CASE_VIEW, {"id": case}, user=username)
            if view["case"] is not None:
                mismatches.append(f"{username} sees the {status} case of 990200")
        found = await world.api.ok(
            '{ cases(filter: {search: "白水县事项"}) { totalCount } }', user=username
        )
        if found["cases"]["totalCount"] != 0:
            mismatches.append(f"{username} lists cases of 990200")
        target = world.gid(target_for(USERS[username], Situation("IN_PROGRESS", "county").facts)[0])
        for action in MUTATING:
            case = cases[TRIED_IN[action]]
            variables = action_input(
                action, case, target=target, into=cases["REGISTERED"], summoned=world.gid(LABOUR)
            )
            got = await attempt(world.api, username, action, variables)
            if got != "NOT_FOUND":
                mismatches.append(f"{username} {action} on 990200: {got}")
    # Its own county's leader does see them: the cases are real, not merely missing.
    for case in cases.values():
        view = await world.api.ok(CASE_VIEW, {"id": case}, user="other.leader")
        assert view["case"] is not None
    found = await world.api.ok(
        '{ cases(filter: {search: "白水县事项"}) { totalCount } }', user="other.leader"
    )
    assert found["cases"]["totalCount"] == len(cases)
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("username", ["other.leader", "t2.leader"], ids=str)
async def test_an_invisible_case_answers_like_no_case_at_all(world: World, username: str) -> None:
    """NOT_FOUND never reveals that the case exists: same answer as for a made-up id."""
    situation = Situation("IN_PROGRESS", "village-own")
    case_id = await make_case(world, situation)
    assert expected(username, "VIEW", situation.facts) == "NOT_FOUND"
    answers = []
    for case in (to_global_id("Case", case_id), to_global_id("Case", 2**31 - 1)):
        error = await world.api.error(
            mutation("COMMENT"),
            {"input": action_input("COMMENT", case)},
            user=username,
        )
        answers.append((error["message"], error["extensions"]))
    assert answers[0] == answers[1]
    assert answers[0][1] == {"code": "NOT_FOUND"}


# ---------------------------------------------------------------------------------------
# 6. VIEWER and ADMIN view, and do nothing else.
@pytest.mark.parametrize("username", ["county.viewer", "county.admin"], ids=str)
async def test_viewer_and_admin_can_only_view(world: World, username: str) -> None:
    mismatches: list[str] = []
    for situation in (
        Situation("REGISTERED", "county"),
        Situation("DISPATCHED", "township-dept"),
        Situation("RESOLVED", "village"),
        Situation("CLOSED", "county-dept"),
    ):
        case_id = await make_case(world, situation)
        listed = await allowed_actions(world, username, case_id)
        if listed != ["VIEW"]:
            mismatches.append(f"{situation}: allowedActions {listed}")
        for action in MUTATING:
            got = await run_attempt(world, username, action, situation, case_id, case_id)
            if got != "FORBIDDEN":
                mismatches.append(f"{situation} {action}: {got}")
    assert not mismatches, "\n".join(mismatches)


# ---------------------------------------------------------------------------------------
# 7. REGISTER: INTAKE and LEADER, for a location in their own subtree.
REGISTER = """
mutation($input: RegisterCaseInput!) { registerCase(input: $input) { case { id number } } }
"""


@pytest.mark.parametrize(
    "location",
    ["990100", "990100001001", "990100002002", "990100001901", "990200001001"],
    ids=str,
)
async def test_who_may_register_where(world: World, location: str) -> None:
    mismatches: list[str] = []
    categories = {county: world.categories[world.units[county]] for county in ("990100", "990200")}
    for username, user in USERS.items():
        county = lineage(user.unit)[-1]
        variables = {
            "title": "登记测试",
            "description": "谁可以在哪里登记。",
            "categoryId": to_global_id("Category", categories[county]),
            "channel": "VISIT",
            "reporter": {"name": "王五", "phone": PHONE},
        }
        body = await world.api.raw(
            REGISTER, {"input": {**variables, "locationUnitId": world.gid(location)}}, user=username
        )
        got = str(body["errors"][0]["extensions"]["code"]) if body.get("errors") else "OK"
        if lineage(location)[-1] != county:
            # Another county's unit must be answered like a unit that does not exist.
            missing = await world.api.raw(
                REGISTER,
                {"input": {**variables, "locationUnitId": to_global_id("Unit", 2**31 - 1)}},
                user=username,
            )
            if body.get("errors") != missing.get("errors"):
                mismatches.append(f"{username}: {body.get('errors')} vs {missing.get('errors')}")
            continue
        may = bool(user.roles & {"INTAKE", "LEADER"}) and user.unit in lineage(location)
        want = "OK" if may else "FORBIDDEN"
        if got != want:
            mismatches.append(f"{username} at {location}: expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)


# ---------------------------------------------------------------------------------------
# 8. Personal data: in clear for SAME, ANCESTOR and the intake unit's staff; masked for
#    viewers, admins, co-handling units and anyone merely INVOLVED.
CLEAR, MASKED = (PHONE, ID_NUMBER), (PHONE_MASKED, ID_MASKED)


@dataclass(frozen=True)
class Disclosure:
    registrar: str
    location: str
    dispatcher: str
    handling: str
    co_handling: tuple[str, ...]
    # Who sees what (None: the case is not visible at all).
    want: dict[str, tuple[str, str] | None]


DISCLOSURES = [
    pytest.param(
        # 东湖村 registers; 东湖镇 hands it to its 司法所 with 柳林村 (v12) co-handling.
        Disclosure(
            "v11.handler",
            "990100001001",
            "t1.leader",
            "990100001901",
            ("990100001002",),
            {
                "county.leader": CLEAR,  # ANCESTOR
                "county.intake": CLEAR,  # ANCESTOR
                "county.viewer": MASKED,  # VIEWER never
                "county.admin": MASKED,  # nor ADMIN: not a staff role
                "t1.leader": CLEAR,  # ANCESTOR
                "t1.handler": CLEAR,  # ANCESTOR
                "t2.leader": None,
                "v11.handler": CLEAR,  # the intake unit
                "v12.handler": MASKED,  # a co-handling unit
                "v21.handler": None,
                "dept.housing": None,
                "t1.office": CLEAR,  # SAME
                "other.leader": None,
            },
        ),
        id="co-handling-village",
    ),
    pytest.param(
        # 西岭村 registers; the county hands it to 县住建局.
        Disclosure(
            "v21.handler",
            "990100002001",
            "county.leader",
            "990100901",
            (),
            {
                "county.leader": CLEAR,  # ANCESTOR
                "county.intake": CLEAR,  # ANCESTOR
                "county.viewer": MASKED,
                "county.admin": MASKED,
                "t1.leader": None,
                "t1.handler": None,
                "t2.leader": MASKED,  # above the intake unit: INVOLVED, not the intake unit
                "v11.handler": None,
                "v12.handler": None,
                "v21.handler": CLEAR,  # the intake unit, after the case has left it
                "dept.housing": CLEAR,  # SAME
                "t1.office": None,
                "other.leader": None,
            },
        ),
        id="above-the-intake-unit",
    ),
]


@pytest.mark.parametrize("disclosure", DISCLOSURES)
async def test_reporter_personal_data_is_masked_by_relation(
    world: World, disclosure: Disclosure
) -> None:
    api = world.api
    title = f"邻里纠纷 {next(_titles)}"
    registered = await register(
        api,
        disclosure.registrar,
        disclosure.location,
        title=title,
        description="相邻两户因排水起争执。",
        reporter={"name": "张三", "phone": PHONE, "idNumber": ID_NUMBER},
    )
    case = registered["id"]
    dispatched = await attempt(
        api,
        disclosure.dispatcher,
        "DISPATCH",
        {
            "caseId": case,
            "unitId": world.gid(disclosure.handling),
            "coHandlingUnitIds": [world.gid(c) for c in disclosure.co_handling],
        },
    )
    assert dispatched == "OK"
    single = "query($id: ID!) { case(id: $id) { reporter { phone idNumber } } }"
    listing = (
        "query($s: String!) { cases(filter: {search: $s}) { edges { node { id "
        "reporter { phone idNumber } } } } }"
    )
    got: dict[str, tuple[str, str] | None] = {}
    for username in USERS:
        view = (await api.ok(single, {"id": case}, user=username))["case"]
        got[username] = (
            None if view is None else (view["reporter"]["phone"], view["reporter"]["idNumber"])
        )
        # The list answers exactly as the single case does.
        edges = (await api.ok(listing, {"s": title}, user=username))["cases"]["edges"]
        in_list = [
            (e["node"]["reporter"]["phone"], e["node"]["reporter"]["idNumber"])
            for e in edges
            if e["node"]["id"] == case
        ]
        assert in_list == ([] if got[username] is None else [got[username]]), username
    assert got == disclosure.want
