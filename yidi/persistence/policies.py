"""Storage of each county's Casbin rules and the revision counter processes watch."""

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yidi.authz.enforcer import RuleLoader
from yidi.authz.rules import Rule
from yidi.persistence.models import PolicyRevision, PolicyRule


async def load_rules(session: AsyncSession, county_id: int) -> tuple[int, list[Rule]]:
    revision = await session.scalar(
        select(PolicyRevision.revision).where(PolicyRevision.county_id == county_id)
    )
    rows = await session.scalars(
        select(PolicyRule).where(PolicyRule.county_id == county_id).order_by(PolicyRule.id)
    )
    rules = [Rule(r.role, r.level, r.relation, r.action, r.risk) for r in rows]
    return int(revision or 0), rules


def rule_loader(sessions: async_sessionmaker[AsyncSession]) -> RuleLoader:
    """Loads a county's rules in a session of its own (for the PolicyRegistry)."""

    async def load(county_id: int) -> tuple[int, list[Rule]]:
        async with sessions() as session:
            return await load_rules(session, county_id)

    return load


async def replace_rules(session: AsyncSession, county_id: int, rules: list[Rule]) -> int:
    """Swap a county's whole rule set in the caller's transaction; returns the new revision.

    The revision bump commits with the rules, so processes polling the revision never
    load half a rule set.
    """
    await session.execute(delete(PolicyRule).where(PolicyRule.county_id == county_id))
    if rules:
        await session.execute(
            insert(PolicyRule),
            [
                {
                    "county_id": county_id,
                    "role": r.role,
                    "level": r.level,
                    "relation": r.relation,
                    "action": r.action,
                    "risk": r.risk,
                }
                for r in rules
            ],
        )
    revision = await session.scalar(
        text(
            "INSERT INTO policy_revisions (county_id, revision) VALUES (:c, 1) "
            "ON CONFLICT (county_id) DO UPDATE SET revision = policy_revisions.revision + 1, "
            "updated_at = now() RETURNING revision"
        ),
        {"c": county_id},
    )
    return int(revision or 0)


async def lock_revision(session: AsyncSession, county_id: int) -> int:
    """The county's policy revision, locked until the transaction ends (0 before any)."""
    revision = await session.scalar(
        select(PolicyRevision.revision)
        .where(PolicyRevision.county_id == county_id)
        .with_for_update()
    )
    return int(revision or 0)


async def all_revisions(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(select(PolicyRevision.county_id, PolicyRevision.revision))
    return {int(c): int(r) for c, r in rows}
