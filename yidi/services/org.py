"""Creating the org tree, categories and users (used by demo data, tests and admin tooling)."""

from yidi.authz.default_policy import DEFAULT_POLICY
from yidi.domain.enums import Role, UnitKind, UnitLevel
from yidi.persistence.models import Category, Unit, User
from yidi.persistence.policies import replace_rules
from yidi.persistence.session import Session
from yidi.persistence.units import add
from yidi.services.auth import hash_password

UNCLASSIFIED = ("UNCLASSIFIED", "待分类", 15)


async def create_unit(
    session: Session,
    code: str,
    name: str,
    level: UnitLevel,
    kind: UnitKind = UnitKind.AREA,
    parent: Unit | None = None,
) -> Unit:
    """A unit below `parent` (a county when there is none); its path and county follow."""
    if parent is None and (level is not UnitLevel.COUNTY or kind is not UnitKind.AREA):
        raise ValueError("only a county stands at the root")
    unit = Unit(
        code=code,
        name=name,
        level=level.value,
        kind=kind.value,
        parent_id=parent.id if parent else None,
        county_id=parent.county_id if parent else 0,
        path=[],
    )
    await add(session, unit)
    unit.path = [*parent.path, unit.id] if parent else [unit.id]
    if parent is None:
        unit.county_id = unit.id
    await session.flush()
    return unit


async def create_county(session: Session, code: str, name: str) -> Unit:
    """A county (tenant) with the default policy and the UNCLASSIFIED category every
    deployment has."""
    county = await create_unit(session, code, name, UnitLevel.COUNTY)
    await replace_rules(session, county.id, list(DEFAULT_POLICY))
    await create_category(session, county, *UNCLASSIFIED)
    return county


async def create_category(
    session: Session,
    county: Unit,
    code: str,
    name: str,
    time_limit_days: int,
    parent: Category | None = None,
) -> Category:
    category = Category(
        county_id=county.county_id,
        code=code,
        name=name,
        time_limit_days=time_limit_days,
        parent_id=parent.id if parent else None,
        path=[],
    )
    await add(session, category)
    category.path = [*parent.path, category.id] if parent else [category.id]
    await session.flush()
    return category


async def create_user(
    session: Session,
    username: str,
    display_name: str,
    unit: Unit,
    roles: list[Role],
    password: str,
) -> User:
    user = User(
        county_id=unit.county_id,
        unit_id=unit.id,
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=[r.value for r in roles],
    )
    await add(session, user)
    return user
