"""Queries over the org tree, users and categories."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ARRAY, BigInteger, any_, bindparam, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from yidi.persistence.models import Category, IntakeSetting, Unit, User

# Built once (every registration and every page of cases runs them), the ids one array
# parameter: the statement's cache key and compiled form are reused as they are, where an
# IN list is rendered anew, one placeholder per id, on every execution.
_IDS = bindparam("ids", type_=ARRAY(BigInteger))
_UNITS = select(Unit).where(Unit.id == any_(_IDS))
_USERS = select(User).where(User.id == any_(_IDS))


async def units_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Unit]:
    rows = await session.scalars(_UNITS, {"ids": list(ids)})
    return {u.id: u for u in rows}


# The location's and the intake unit's paths: two scalar parameters, not an array, so
# PostgreSQL plans the statement once for all registrations (for an array of unknown
# length it kept planning anew, 0.2 ms of its CPU each time: docs/BENCHMARKS.md).
_TWO_UNITS = [bindparam(name, type_=BigInteger()) for name in ("location_id", "intake_id")]
_PATHS = select(func.unnest(Unit.path)).where(Unit.id.in_(_TWO_UNITS)).scalar_subquery()
_CATEGORIES = select(Category).where(Category.id == any_(_IDS))
# The new case's id, taken from its sequence once per statement (an uncorrelated subquery)
# so that a registration without a transaction can have its seal insert the case.
_NEXT_CASE_ID = select(
    func.nextval(func.pg_get_serial_sequence(literal_column("'cases'"), literal_column("'id'")))
).scalar_subquery()
# A registration's reads in one: its category rides on every unit row (joined by its id;
# none for an unknown id or none given), and so do whether the unit's county routes new
# cases automatically (no settings row: it does not) and the new case's id.
_WITH_ANCESTORS_AND_CATEGORY = (
    select(Unit, Category, func.coalesce(IntakeSetting.auto_route, False), _NEXT_CASE_ID)
    .select_from(Unit)
    .outerjoin(Category, Category.id == bindparam("category_id", type_=BigInteger()))
    .outerjoin(IntakeSetting, IntakeSetting.county_id == Unit.county_id)
    .where(Unit.id.in_(_PATHS))
)


@dataclass(frozen=True)
class RegistrationReads:
    units: dict[int, Unit]  # the units asked for and every unit above them
    category: Category | None
    routing_counties: frozenset[int]  # those of the units' counties that route automatically
    case_id: int | None  # the new case's, taken from its sequence (None: no unit was found)


async def units_with_ancestors_and_category(
    session: AsyncSession, location_id: int, intake_id: int, category_id: int | None
) -> RegistrationReads:
    """The two units and every unit above them (a path ends with its unit), the category
    of that id if there is one, which of their counties route new cases automatically,
    and an id for the new case: what a registration reads, in one statement."""
    parameters = {"location_id": location_id, "intake_id": intake_id, "category_id": category_id}
    rows = (await session.execute(_WITH_ANCESTORS_AND_CATEGORY, parameters)).all()
    return RegistrationReads(
        units={unit.id: unit for unit, _, _, _ in rows},
        category=next((category for _, category, _, _ in rows if category is not None), None),
        routing_counties=frozenset(unit.county_id for unit, _, routes, _ in rows if routes),
        case_id=rows[0][3] if rows else None,
    )


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.code == code))


async def children_of(session: AsyncSession, parent_ids: Sequence[int]) -> dict[int, list[Unit]]:
    rows = await session.scalars(
        select(Unit).where(Unit.parent_id.in_(parent_ids)).order_by(Unit.code)
    )
    result: dict[int, list[Unit]] = {pid: [] for pid in parent_ids}
    for unit in rows:
        assert unit.parent_id is not None
        result[unit.parent_id].append(unit)
    return result


async def users_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, User]:
    rows = await session.scalars(_USERS, {"ids": list(ids)})
    return {u.id: u for u in rows}


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username == username))


async def user_with_unit(session: AsyncSession, user_id: int) -> tuple[User, Unit, bool] | None:
    """The user, their unit, and whether any unit lies below it (one statement)."""
    child = aliased(Unit)
    has_children = select(child.id).where(child.parent_id == Unit.id).exists()
    row = (
        await session.execute(
            select(User, Unit, has_children)
            .join(Unit, Unit.id == User.unit_id)
            .where(User.id == user_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], bool(row[2]))


async def categories_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Category]:
    rows = await session.scalars(_CATEGORIES, {"ids": list(ids)})
    return {c.id: c for c in rows}


async def categories_of_county(session: AsyncSession, county_id: int) -> list[Category]:
    rows = await session.scalars(
        select(Category).where(Category.county_id == county_id).order_by(Category.code)
    )
    return list(rows)


async def category_by_code(session: AsyncSession, county_id: int, code: str) -> Category | None:
    return await session.scalar(
        select(Category).where(Category.county_id == county_id, Category.code == code)
    )


async def add(session: AsyncSession, row: Unit | User | Category) -> None:
    """Insert an org row and give it its id."""
    session.add(row)
    await session.flush()
