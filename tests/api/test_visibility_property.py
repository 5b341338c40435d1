"""Property: the `cases` list, filtered in SQL, and the enforcer's answer for one case never
disagree (DESIGN.md: "A list ... is filtered in SQL by the same policy that `enforce`
applies to one case — the two must never disagree").

Each example builds a new county with a random tree, random users and random cases, some
dispatched and reassigned with co-handling units, then asks, for every user: is the set of
cases `cases` pages through, and the set `case(id:)` answers, exactly the set the enforcer
lets that user VIEW? The second test first swaps the county's VIEW rules for random ones,
so the SQL scope is compared with Casbin under policies other than the default.
"""

import functools
import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.clock import Clock
from tests.support.driver import Api
from yidi.authz.default_policy import DEFAULT_POLICY
from yidi.authz.guard import can_view
from yidi.authz.rules import Rule, validate_rules
from yidi.authz.vocabulary import ACTOR_LEVELS, RELATIONS, RISKS, ROLES
from yidi.domain import commands as c
from yidi.domain.enums import CaseAction, Channel, RiskLevel, Role, UnitKind, UnitLevel
from yidi.persistence.models import Case, Category, Unit, User
from yidi.persistence.policies import replace_rules
from yidi.resolvers.ids import to_global_id
from yidi.services import org
from yidi.services.auth import ISSUER, hash_password, load_actor
from yidi.services.case_facts import authz_facts
from yidi.services.intake import RegisterCommand, ReporterInput, register_case
from yidi.services.transitions import transition

PASSWORD = "property-password"
# County codes no demo unit uses; one new county per example, unique across the run.
_county_numbers = itertools.count(1)


@functools.cache
def password_hash() -> str:
    """One real Argon2 hash for every generated user: hashing costs ~0.3 s each."""
    return hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # org.create_user still stores a valid hash of PASSWORD, only computed once.
    monkeypatch.setattr(org, "hash_password", lambda _password: password_hash())


# ---------------------------------------------------------------------------------------
# What an example is made of. Indices are taken modulo the list they pick from, so every
# drawn value is valid whatever the tree turned out to be, and shrinking stays simple.
@dataclass(frozen=True)
class TreeSpec:
    villages: tuple[int, ...]  # villages per township, one entry per township
    township_departments: tuple[bool, ...]
    county_departments: int


@dataclass(frozen=True)
class UserSpec:
    unit: int
    roles: frozenset[str]


@dataclass(frozen=True)
class CaseSpec:
    registrar: int
    location: int
    risk: str
    dispatch_to: int | None
    co_handling: tuple[int, ...]
    reassign_to: int | None


index = st.integers(min_value=0, max_value=63)
trees = st.integers(min_value=1, max_value=3).flatmap(
    lambda n: st.builds(
        TreeSpec,
        villages=st.tuples(*[st.integers(min_value=0, max_value=3)] * n),
        township_departments=st.tuples(*[st.booleans()] * n),
        county_departments=st.integers(min_value=0, max_value=2),
    )
)
user_specs = st.lists(
    st.builds(UserSpec, unit=index, roles=st.frozensets(st.sampled_from(ROLES), min_size=1)),
    min_size=1,
    max_size=4,
)
case_specs = st.lists(
    st.builds(
        CaseSpec,
        registrar=index,
        location=index,
        risk=st.sampled_from(RISKS),
        dispatch_to=st.none() | index,
        co_handling=st.lists(index, max_size=2).map(tuple),
        reassign_to=st.none() | index,
    ),
    min_size=1,
    max_size=7,
)


def pattern(words: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A rule field: "*" or some of the vocabulary joined by "|"."""
    some = st.sets(st.sampled_from(words), min_size=1).map(
        lambda chosen: "|".join(w for w in words if w in chosen)
    )
    return st.just("*") | some


view_rules = st.lists(
    st.builds(
        Rule,
        role=st.sampled_from(ROLES),
        level=pattern(ACTOR_LEVELS),
        relation=pattern(RELATIONS),
        action=st.just(CaseAction.VIEW.value),
        risk=pattern(RISKS),
    ),
    max_size=6,
)

PROPERTY_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# ---------------------------------------------------------------------------------------
@dataclass
class County:
    county: Unit
    units: list[Unit]
    users: list[User]
    cases: list[int]


async def build_tree(session: AsyncSession, spec: TreeSpec) -> list[Unit]:
    code = f"97{next(_county_numbers):04d}"
    county = await org.create_county(session, code, f"测试县{code}")
    units = [county]
    for t, (villages, has_office) in enumerate(
        zip(spec.villages, spec.township_departments, strict=True), start=1
    ):
        township = await org.create_unit(
            session, f"{code}{t:03d}", f"测试镇{t}", UnitLevel.TOWNSHIP, parent=county
        )
        units.append(township)
        for v in range(1, villages + 1):
            units.append(
                await org.create_unit(
                    session,
                    f"{township.code}{v:03d}",
                    f"测试村{v}",
                    UnitLevel.VILLAGE,
                    parent=township,
                )
            )
        if has_office:
            units.append(
                await org.create_unit(
                    session,
                    f"{township.code}901",
                    "测试所",
                    UnitLevel.TOWNSHIP,
                    UnitKind.DEPARTMENT,
                    township,
                )
            )
    for d in range(1, spec.county_departments + 1):
        units.append(
            await org.create_unit(
                session,
                f"{code}9{d:02d}",
                f"测试局{d}",
                UnitLevel.COUNTY,
                UnitKind.DEPARTMENT,
                county,
            )
        )
    return units


async def build_county(
    app: Any, clock: Clock, tree: TreeSpec, people: list[UserSpec], cases: list[CaseSpec]
) -> County:
    state = app.state.yidi
    async with state.sessions.begin() as session:
        units = await build_tree(session, tree)
        county = units[0]
        users = [
            await org.create_user(
                session,
                f"p{county.code}.{n}",
                f"用户{n}",
                units[spec.unit % len(units)],
                [Role(r) for r in sorted(spec.roles)],
                PASSWORD,
            )
            for n, spec in enumerate(people)
        ]
        # A county leader who registers, dispatches and reassigns; a user like the others.
        leader = await org.create_user(
            session,
            f"p{county.code}.leader",
            "县领导",
            county,
            [Role.LEADER, Role.INTAKE],
            PASSWORD,
        )
        users.append(leader)
    registrars = [u for u in users if {"INTAKE", "LEADER"} & set(u.roles)]
    made: list[int] = []
    for spec in cases:
        registrar = registrars[spec.registrar % len(registrars)]
        made.append(await place_case(app, clock, units, registrar, leader, spec))
    return County(county, units, users, made)


async def run(app: Any, clock: Clock, user: User, command: c.CaseCommand) -> None:
    state = app.state.yidi
    async with state.sessions() as session:
        actor = await load_actor(session, user.id)
    async with state.uow.begin(actor, now=clock()) as work:
        await transition(work, command)


async def place_case(
    app: Any, clock: Clock, units: list[Unit], registrar: User, leader: User, spec: CaseSpec
) -> int:
    """Register at the registrar's unit, located in its subtree; then maybe dispatch
    (with co-handling units) and reassign, as the county leader."""
    state = app.state.yidi
    home = next(u for u in units if u.id == registrar.unit_id)
    subtree = [u for u in units if home.id in u.path]
    location = subtree[spec.location % len(subtree)]
    async with state.sessions() as session:
        actor = await load_actor(session, registrar.id)
        category_id = await uncategorised(session, home.county_id)
    async with state.uow.begin(actor, now=clock()) as work:
        registered = await register_case(
            work,
            RegisterCommand(
                title="随机事项",
                description="可见性性质测试。",
                category_id=category_id,
                channel=Channel.VISIT,
                location_unit_id=location.id,
                address=None,
                occurred_at=None,
                parties_count=1,
                reporter=ReporterInput("张三", "13812345678", None, False),
                risk_level=RiskLevel(spec.risk),
                idempotency_key=None,
            ),
        )
        case_id, handling = registered.case.id, registered.case.handling_unit_id
    if spec.dispatch_to is None:
        return case_id
    target = units[spec.dispatch_to % len(units)]
    if target.id == handling:
        return case_id
    co = [units[i % len(units)].id for i in spec.co_handling]
    dispatch = c.Dispatch(case_id=case_id, unit_id=target.id, co_handling_unit_ids=tuple(co))
    await run(app, clock, leader, dispatch)
    if spec.reassign_to is not None:
        again = units[spec.reassign_to % len(units)]
        if again.id != target.id:
            await run(
                app, clock, leader, c.Reassign(case_id=case_id, unit_id=again.id, reason="改派")
            )
    return case_id


async def uncategorised(session: AsyncSession, county_id: int) -> int:
    found = await session.scalar(
        select(Category.id).where(Category.county_id == county_id, Category.code == "UNCLASSIFIED")
    )
    assert found is not None
    return found


# ---------------------------------------------------------------------------------------
LIST = """
query($after: String) { cases(first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }
"""


def token_for(app: Any, clock: Clock, user_id: int) -> str:
    """A bearer token as `login` issues it, minted in-process to skip Argon2 per user."""
    now = clock()
    claims = {"sub": str(user_id), "iss": ISSUER, "iat": now, "exp": now + timedelta(hours=1)}
    return jwt.encode(claims, app.state.yidi.settings.signing_key(), algorithm="HS256")


async def listed(api: Api, username: str) -> list[str]:
    ids: list[str] = []
    totals: list[int] = []
    async for page in api.pages(LIST, user=username):
        ids += [e["node"]["id"] for e in page["edges"]]
        totals.append(page["totalCount"])
    assert totals[-1] == len(ids), username
    return ids


async def looked_up(api: Api, username: str, ids: list[str]) -> dict[str, set[str]]:
    """Which of `ids` `case(id:)` and `node(id:)` return, many per request."""
    seen: dict[str, set[str]] = {"case": set(), "node": set()}
    # Two aliases per id; the server allows 30 in one operation.
    for start in range(0, len(ids), 12):
        chunk = ids[start : start + 12]
        fields = [
            f'{field}{i}: {field}(id: "{cid}") {{ id }}'
            for i, cid in enumerate(chunk)
            for field in ("case", "node")
        ]
        data = await api.ok("{ " + " ".join(fields) + " }", user=username)
        for field in ("case", "node"):
            answers = (data[f"{field}{i}"] for i in range(len(chunk)))
            seen[field] |= {a["id"] for a in answers if a is not None}
    return seen


async def check_every_user(api: Api, app: Any, clock: Clock, county: County) -> None:
    state = app.state.yidi
    enforcer = await state.uow.registry.enforcer(county.county.id)
    async with state.sessions() as session:
        every_case = list(await session.scalars(select(Case)))
        actors = {u.username: await load_actor(session, u.id) for u in county.users}
    # Cases of other counties too: a few, to be looked up one by one.
    foreign = [to_global_id("Case", c.id) for c in every_case if c.county_id != county.county.id][
        :3
    ]
    own = [to_global_id("Case", c) for c in county.cases]
    for user in county.users:
        actor = actors[user.username]
        viewable = {
            to_global_id("Case", c.id)
            for c in every_case
            if can_view(enforcer, actor, authz_facts(c))
        }
        api.tokens[user.username] = token_for(app, clock, user.id)
        in_list = await listed(api, user.username)
        assert len(in_list) == len(set(in_list)), f"{user.username}: a case listed twice"
        assert set(in_list) == viewable, (user.username, sorted(user.roles))
        probes = own + foreign
        found = await looked_up(api, user.username, probes)
        assert found["case"] == viewable & set(probes), f"case(id:) for {user.username}"
        assert found["node"] == viewable & set(probes), f"node(id:) for {user.username}"


@PROPERTY_SETTINGS
@given(tree=trees, people=user_specs, cases=case_specs)
async def test_cases_list_matches_enforcer_under_default_policy(
    api: Api, app: Any, clock: Clock, tree: TreeSpec, people: list[UserSpec], cases: list[CaseSpec]
) -> None:
    county = await build_county(app, clock, tree, people, cases)
    await check_every_user(api, app, clock, county)


@PROPERTY_SETTINGS
@given(tree=trees, people=user_specs, cases=case_specs, rules=view_rules)
async def test_cases_list_matches_enforcer_under_a_random_view_policy(
    api: Api,
    app: Any,
    clock: Clock,
    tree: TreeSpec,
    people: list[UserSpec],
    cases: list[CaseSpec],
    rules: list[Rule],
) -> None:
    county = await build_county(app, clock, tree, people, cases)
    # Every default rule but VIEW stays (ADMIN's MANAGE_POLICY among them); VIEW is random.
    policy = validate_rules([r for r in DEFAULT_POLICY if r.action != CaseAction.VIEW] + rules)
    state = app.state.yidi
    async with state.sessions.begin() as session:
        await replace_rules(session, county.county.id, policy)
    state.uow.registry.invalidate(county.county.id)
    # The random rules are what the county's enforcer now applies: without this the
    # comparison below could pass against a stale default policy.
    enforcer = await state.uow.registry.enforcer(county.county.id)
    for role, level, relation, risk in itertools.product(ROLES, ACTOR_LEVELS, RELATIONS, RISKS):
        granted = any(
            rule.role == role
            and all(
                pattern == "*" or value in pattern.split("|")
                for value, pattern in (
                    (level, rule.level),
                    (relation, rule.relation),
                    (risk, rule.risk),
                )
            )
            for rule in rules
        )
        assert enforcer.allows(role, level, relation, "VIEW", risk) == granted
    await check_every_user(api, app, clock, county)
