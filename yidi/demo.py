"""The demo data of DESIGN.md ("Demo data"): two counties, their tree, users, categories
and a few hundred past cases. Loaded by `yidi serve --demo` and by the test database."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from yidi.authz.actor import Actor
from yidi.domain import commands as c
from yidi.domain.enums import (
    Channel,
    MediationKind,
    MediationOutcome,
    MediatorRole,
    Outcome,
    RiskLevel,
    Role,
    Satisfaction,
    UnitKind,
    UnitLevel,
)
from yidi.domain.responsibility import Duty, Responsible, RuleInput
from yidi.persistence.cases import cases_of_county
from yidi.persistence.models import Category, Unit, User
from yidi.persistence.session import Session
from yidi.persistence.units import unit_by_code
from yidi.sample_texts import CASE_TEMPLATES, CATEGORIES
from yidi.services import org
from yidi.services.auth import load_actor
from yidi.services.intake import RegisterCommand, ReporterInput, register_case
from yidi.services.responsibilities import replace_list
from yidi.services.transitions import transition
from yidi.services.unit_of_work import UnitOfWork

DEMO_PASSWORD = "demo-password"
PAST_CASES = 300

TOWNSHIPS = [
    ("990100001", "东湖镇", ["东湖村", "柳林村", "湖滨社区"]),
    ("990100002", "西岭镇", ["西岭村", "石桥村", "岭南村"]),
    ("990100003", "城关街道", ["城东社区", "城西社区", "南门社区"]),
]
COUNTY_DEPARTMENTS = [
    ("990100901", "县住建局"),
    ("990100902", "县人社局"),
    ("990100903", "县司法局"),
]

USERS: list[tuple[str, str, str, list[Role]]] = [
    ("county.leader", "王县长", "990100", [Role.LEADER]),
    ("county.intake", "李受理", "990100", [Role.INTAKE]),
    ("county.viewer", "赵观察", "990100", [Role.VIEWER]),
    ("county.admin", "钱管理", "990100", [Role.ADMIN]),
    ("t1.leader", "孙镇长", "990100001", [Role.LEADER]),
    ("t1.handler", "周办事", "990100001", [Role.HANDLER]),
    ("t2.leader", "吴镇长", "990100002", [Role.LEADER]),
    ("v11.handler", "郑网格", "990100001001", [Role.INTAKE, Role.HANDLER]),
    ("v12.handler", "冯网格", "990100001002", [Role.INTAKE, Role.HANDLER]),
    ("v21.handler", "陈网格", "990100002001", [Role.INTAKE, Role.HANDLER]),
    ("dept.housing", "褚住建", "990100901", [Role.HANDLER]),
    ("t1.office", "卫司法", "990100001901", [Role.HANDLER]),
    ("other.leader", "蒋县长", "990200", [Role.LEADER]),
]

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
# The channels staff register past cases through; spelled out, so the demo data stays the
# same when a channel is added (e.g. HOTLINE_12345, which only the hotline bridge uses).
DEMO_CHANNELS = (
    Channel.VISIT,
    Channel.HOTLINE,
    Channel.ONLINE,
    Channel.WECHAT,
    Channel.QR_CODE,
    Channel.GRID_PATROL,
    Channel.CADRE_VISIT,
    Channel.LETTER,
    Channel.EMAIL,
    Channel.REFERRAL,
    Channel.OTHER,
)


@dataclass(frozen=True)
class DemoIds:
    county: int
    units: dict[str, int]
    users: dict[str, int]


async def demo_loaded(session: Session) -> bool:
    return await unit_by_code(session, "990100") is not None


async def _org(session: Session) -> tuple[dict[str, Unit], list[Category]]:
    units: dict[str, Unit] = {}
    county = await org.create_county(session, "990100", "青山县")
    units[county.code] = county
    for code, name, villages in TOWNSHIPS:
        township = await org.create_unit(session, code, name, UnitLevel.TOWNSHIP, parent=county)
        units[code] = township
        for i, village in enumerate(villages, start=1):
            vcode = f"{code}{i:03d}"
            units[vcode] = await org.create_unit(
                session, vcode, village, UnitLevel.VILLAGE, parent=township
            )
    for code, name in COUNTY_DEPARTMENTS:
        units[code] = await org.create_unit(
            session, code, name, UnitLevel.COUNTY, UnitKind.DEPARTMENT, county
        )
    units["990100001901"] = await org.create_unit(
        session,
        "990100001901",
        "东湖镇司法所",
        UnitLevel.TOWNSHIP,
        UnitKind.DEPARTMENT,
        units["990100001"],
    )
    other = await org.create_county(session, "990200", "白水县")
    units[other.code] = other
    units["990200001"] = await org.create_unit(
        session, "990200001", "白水镇", UnitLevel.TOWNSHIP, parent=other
    )
    units["990200001001"] = await org.create_unit(
        session, "990200001001", "白水村", UnitLevel.VILLAGE, parent=units["990200001"]
    )
    categories: list[Category] = []
    for county_unit in (county, other):
        parents: dict[str, Category] = {}
        for code, name, days in CATEGORIES:
            parent = parents.get(code.split(".")[0]) if "." in code else None
            category = await org.create_category(session, county_unit, code, name, days, parent)
            parents[code] = category
            if county_unit is county:
                categories.append(category)
    return units, categories


# 青山县's responsibility list (责任清单, docs/INTAKE.md): (category, level of the unit holding
# the case, who answers — a department's code or the location's township / village —, duty).
RESPONSIBILITIES: list[tuple[str, str, str, Duty]] = [
    ("DISPUTE", "COUNTY", "LOCATION_TOWNSHIP", Duty.TOWNSHIP_OWN),
    ("DISPUTE.LABOR", "COUNTY", "990100902", Duty.SHARED),
    ("DISPUTE.LABOR", "COUNTY", "LOCATION_TOWNSHIP", Duty.SHARED),
    ("LIVELIHOOD", "COUNTY", "LOCATION_TOWNSHIP", Duty.TOWNSHIP_OWN),
    ("LIVELIHOOD.ROAD", "COUNTY", "990100901", Duty.DEPARTMENT),
    ("PETITION", "COUNTY", "LOCATION_TOWNSHIP", Duty.TOWNSHIP_OWN),
    ("DISPUTE", "TOWNSHIP", "LOCATION_VILLAGE", Duty.TOWNSHIP_OWN),
    ("DISPUTE.FAMILY", "TOWNSHIP", "990100001901", Duty.DEPARTMENT),
]


def _responsibilities(units: dict[str, Unit], categories: list[Category]) -> list[RuleInput]:
    by_code = {category.code: category for category in categories}
    found: list[RuleInput] = []
    for category, level, who, duty in RESPONSIBILITIES:
        department = units.get(who)
        found.append(
            RuleInput(
                category_id=by_code[category].id,
                level=level,
                responsible=Responsible.DEPARTMENT if department else Responsible(who),
                department_id=department.id if department else None,
                duty=duty,
            )
        )
    return found


async def load_demo(uow: UnitOfWork, now: datetime) -> bool:
    """Load the demo data once, all or nothing; False when it is already there. Past cases
    are registered and moved along through the real use cases, as the staff of each unit
    would have, each a savepoint of the one loading transaction."""
    async with uow.all_or_nothing() as loading:
        async with loading.begin(now=now) as work:
            if await demo_loaded(work.session):
                return False
            units, categories = await _org(work.session)
            users: dict[str, User] = {}
            for username, display, unit_code, roles in USERS:
                users[username] = await org.create_user(
                    work.session, username, display, units[unit_code], roles, DEMO_PASSWORD
                )
            actors = {n: await load_actor(work.session, user.id) for n, user in users.items()}
        async with loading.begin(actors["county.admin"], now=now) as work:
            await replace_list(work, _responsibilities(units, categories), None)
        await _past_cases(loading, now, units, categories, actors)
        await _advance_cases(loading, now, units, actors)
    return True


async def _past_cases(
    uow: UnitOfWork,
    now: datetime,
    units: dict[str, Unit],
    categories: list[Category],
    actors: dict[str, Actor],
) -> None:
    """Past cases registered by the demo's intake staff over the last six months."""
    rng = random.Random(990100)
    by_code = {category.code: category for category in categories}
    registrars = ["v11.handler", "v12.handler", "v21.handler", "county.intake", "t1.leader"]
    villages = [
        u
        for u in units.values()
        if u.level == UnitLevel.VILLAGE.value and u.county_id == units["990100"].id
    ]
    # Registered in date order, so case numbers rise with registration time.
    dates = sorted(now - timedelta(days=rng.uniform(1, 180)) for _ in range(PAST_CASES))
    for i, registered_at in enumerate(dates):
        actor = actors[rng.choice(registrars)]
        choices = [v for v in villages if actor.unit_id in v.path]
        location = rng.choice(choices)
        category_code = rng.choice(list(CASE_TEMPLATES))
        title = rng.choice(CASE_TEMPLATES[category_code])
        name = rng.choice(SURNAMES) + rng.choice(["某", "先生", "女士", "大爷"])
        command = RegisterCommand(
            title=f"{location.name}{title}",
            description=f"群众反映：{location.name}{title}，请尽快核实处理。",
            category_id=by_code[category_code].id,
            channel=rng.choice(DEMO_CHANNELS),
            location_unit_id=location.id,
            address=f"{location.name}{rng.randint(1, 99)}号",
            occurred_at=registered_at - timedelta(hours=rng.randint(1, 72)),
            parties_count=rng.randint(1, 6),
            reporter=ReporterInput(
                name=name,
                phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                id_number=None,
                anonymous=i % 17 == 0,
            ),
            risk_level=rng.choices(list(RiskLevel), weights=[60, 25, 10, 5])[0],
            idempotency_key=None,
        )
        async with uow.begin(actor, now=registered_at) as work:
            await register_case(work, command)


# Who acts for each handling unit when the demo moves a case along (the SAME relation).
_UNIT_HANDLERS = {
    "990100001001": "v11.handler",
    "990100001002": "v12.handler",
    "990100002001": "v21.handler",
    "990100001": "t1.handler",
    "990100002": "t2.leader",
    "990100": "county.leader",
    "990100901": "dept.housing",
    "990100001901": "t1.office",
}
LEADER = "county.leader"  # acts where the handling unit's own staff would not
# Where the county leader dispatches: a department, two townships, a township's office.
_DISPATCH_TARGETS = ("990100901", "990100001", "990100002", "990100001901")
_OUTCOMES = list(Outcome)
_SATISFACTION_WEIGHTS = [70, 20, 10]


def _demo_mediation(case_id: int, mediator: Actor, at: datetime) -> c.RecordMediation:
    """A people's mediation by the handling unit's own staff with a 乡贤, settled."""
    return c.RecordMediation(
        case_id=case_id,
        kind=MediationKind.PEOPLES,
        held_at=at,
        place="调解室",
        staff_mediator_ids=(mediator.user_id,),
        outside_mediators=(c.OutsideMediator(name="老村长", role=MediatorRole.RESPECTED_LOCAL),),
        parties_present=("当事人甲", "当事人乙"),
        transcript="双方陈述争议经过，调解员释法明理，双方自愿协商。",
        outcome=MediationOutcome.AGREEMENT,
        agreement="双方自愿达成和解，按约履行。",
    )


async def _advance_cases(
    uow: UnitOfWork, now: datetime, units: dict[str, Unit], actors: dict[str, Actor]
) -> None:
    """Move most past cases along the lifecycle with the real use cases, so statuses,
    events and derived fields are exactly what the service itself would have written."""
    rng = random.Random(990101)
    code_of = {u.id: code for code, u in units.items()}
    dispatch_targets = [
        units[code] for code in ("990100901", "990100001", "990100002", "990100001901")
    ]
    async with uow.begin(now=now) as work:
        cases = [
            (case.id, case.registered_at, case.handling_unit_id, len(case.handling_path))
            for case in await cases_of_county(work.session, units["990100"].id)
        ]
    for case_id, registered_at, handling_unit_id, depth in cases:
        at = registered_at

        async def step(actor_name: str, command: c.CaseCommand) -> None:
            nonlocal at
            at = min(at + timedelta(hours=rng.uniform(2, 60)), now - timedelta(minutes=5))
            async with uow.begin(actors[actor_name], now=at) as work:
                await transition(work, command)

        roll = rng.random()
        if roll < 0.15:
            continue  # still waiting at intake
        if roll < 0.19:
            await step(
                LEADER,
                c.Redirect(
                    case_id=case_id, reason="已进入诉讼程序", guidance="请向县人民法院咨询诉讼进展"
                ),
            )
            continue
        handler_name = _UNIT_HANDLERS.get(code_of[handling_unit_id])
        if handler_name is None or rng.random() < 0.3:
            target = rng.choice(dispatch_targets)
            if target.id == handling_unit_id:
                continue
            await step(LEADER, c.Dispatch(case_id=case_id, unit_id=target.id))
            handler_name = _UNIT_HANDLERS[target.code]
        elif roll < 0.28 and depth > 1:
            await step(handler_name, c.Escalate(case_id=case_id, reason="需上级协调"))
            continue
        if rng.random() < 0.1:
            continue  # dispatched, not yet accepted
        await step(handler_name, c.Accept(case_id=case_id))
        if rng.random() < 0.25:
            continue  # being handled
        summary = "经调查核实，已与当事人沟通并妥善处理。"
        outcome = rng.choice(_OUTCOMES)
        if outcome is Outcome.MEDIATED:
            # MEDIATED needs a mediation that reached agreement. Recorded when the case was
            # accepted, drawing nothing from `rng`: the rest of the demo stays as it was.
            async with uow.begin(actors[handler_name], now=at) as work:
                await transition(work, _demo_mediation(case_id, actors[handler_name], at))
        await step(handler_name, c.Resolve(case_id=case_id, outcome=outcome, summary=summary))
        if rng.random() < 0.6:
            satisfaction = rng.choices(list(Satisfaction), weights=_SATISFACTION_WEIGHTS)[0]
            await step(LEADER, c.Evaluate(case_id=case_id, satisfaction=satisfaction))
        if rng.random() < 0.7:
            await step(LEADER, c.Close(case_id=case_id, note="审核通过，予以结案"))
