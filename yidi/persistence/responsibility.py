"""Storage of each county's responsibility list (责任清单) and its intake settings."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.domain.responsibility import Duty, Responsible, Rule
from yidi.persistence.intake_models import IntakeSetting, ResponsibilityRevision
from yidi.persistence.intake_models import ResponsibilityRule as RuleRow
from yidi.persistence.models import Category, Unit


def _rule(row: RuleRow) -> Rule:
    return Rule(
        row.position,
        row.category_id,
        row.level,
        Responsible(row.responsible),
        row.department_id,
        Duty(row.duty),
    )


async def load_list(session: AsyncSession, county_id: int) -> tuple[int, list[Rule]]:
    """The county's revision (0 before any list) and rules, in the list's order."""
    revision = await session.scalar(
        select(ResponsibilityRevision.revision).where(ResponsibilityRevision.county_id == county_id)
    )
    rows = await session.scalars(
        select(RuleRow).where(RuleRow.county_id == county_id).order_by(RuleRow.position)
    )
    return int(revision or 0), [_rule(r) for r in rows]


async def lock_revision(session: AsyncSession, county_id: int) -> int:
    """The list's revision, locked until the transaction ends (0 before any)."""
    revision = await session.scalar(
        select(ResponsibilityRevision.revision)
        .where(ResponsibilityRevision.county_id == county_id)
        .with_for_update()
    )
    return int(revision or 0)


async def replace_list(
    session: AsyncSession, county_id: int, rules: list[Rule], by_id: int | None
) -> int:
    """Swap the county's whole list in the caller's transaction; the new revision."""
    await session.execute(delete(RuleRow).where(RuleRow.county_id == county_id))
    if rules:
        await session.execute(
            insert(RuleRow),
            [
                {
                    "county_id": county_id,
                    "position": r.position,
                    "category_id": r.category_id,
                    "level": r.level,
                    "responsible": r.responsible.value,
                    "department_id": r.department_id,
                    "duty": r.duty.value,
                }
                for r in rules
            ],
        )
    revision = await session.scalar(
        text(
            "INSERT INTO responsibility_revisions (county_id, revision, updated_by_id) "
            "VALUES (:c, 1, :u) ON CONFLICT (county_id) DO UPDATE SET "
            "revision = responsibility_revisions.revision + 1, updated_at = now(), "
            "updated_by_id = :u RETURNING revision"
        ),
        {"c": county_id, "u": by_id},
    )
    return int(revision or 0)


async def rules_of_counties(session: AsyncSession, county_ids: list[int]) -> dict[int, list[Rule]]:
    """Several counties' lists in one statement (a DataLoader's batch)."""
    rows = await session.scalars(
        select(RuleRow)
        .where(RuleRow.county_id.in_(county_ids))
        .order_by(RuleRow.county_id, RuleRow.position)
    )
    found: dict[int, list[Rule]] = {c: [] for c in county_ids}
    for r in rows:
        found[r.county_id].append(_rule(r))
    return found


async def nameable(session: AsyncSession, county_id: int) -> tuple[set[int], set[int]]:
    """Ids of the county's categories and departments: what a rule may name."""
    categories = await session.scalars(select(Category.id).where(Category.county_id == county_id))
    departments = await session.scalars(
        select(Unit.id).where(Unit.county_id == county_id, Unit.kind == "DEPARTMENT")
    )
    return set(categories), set(departments)


@dataclass(frozen=True)
class StoredSettings:
    auto_route: bool
    repeat_window_days: int
    repeat_similarity: float


# Built once (every registration reads it): the statement's compiled form is reused, and
# plain columns skip the ORM's identity map.
_SETTINGS = select(
    IntakeSetting.auto_route, IntakeSetting.repeat_window_days, IntakeSetting.repeat_similarity
).where(IntakeSetting.county_id == bindparam("county_id"))


async def intake_settings(session: AsyncSession, county_id: int) -> StoredSettings | None:
    row = (await session.execute(_SETTINGS, {"county_id": county_id})).first()
    if row is None:
        return None
    return StoredSettings(row.auto_route, row.repeat_window_days, row.repeat_similarity)


async def store_intake_settings(
    session: AsyncSession, county_id: int, settings: StoredSettings, now: datetime
) -> None:
    values = {
        "auto_route": settings.auto_route,
        "repeat_window_days": settings.repeat_window_days,
        "repeat_similarity": settings.repeat_similarity,
        "updated_at": now,
    }
    stmt = upsert(IntakeSetting).values(county_id=county_id, **values)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[IntakeSetting.county_id], set_=values)
    )
