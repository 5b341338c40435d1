"""A county's own settings (county_settings)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.persistence.models import CountySetting


async def follow_up_risks(session: AsyncSession, county_id: int) -> list[str] | None:
    """The county's risk levels that need a follow-up before a substantive close; None when
    the county has not set them (the default applies)."""
    return await session.scalar(
        select(CountySetting.follow_up_before_closure).where(CountySetting.county_id == county_id)
    )


async def store_follow_up_risks(
    session: AsyncSession, county_id: int, risks: list[str], now: datetime
) -> None:
    stmt = insert(CountySetting).values(
        county_id=county_id, follow_up_before_closure=risks, updated_at=now
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[CountySetting.county_id],
            set_={"follow_up_before_closure": risks, "updated_at": now},
        )
    )
