"""The Open311 endpoints' SQL: api keys, and the county's services and places."""

from datetime import datetime

from sqlalchemy import select, update

from yidi.domain.enums import UnitKind, UnitLevel
from yidi.persistence.models import Unit
from yidi.persistence.open311_models import Open311Key
from yidi.persistence.session import Session


async def add_key(
    session: Session, county_id: int, name: str, key_hash: str, now: datetime
) -> Open311Key:
    key = Open311Key(county_id=county_id, name=name, key_hash=key_hash, created_at=now)
    session.add(key)
    await session.flush()
    return key


async def live_key(session: Session, key_hash: str) -> Open311Key | None:
    """The unrevoked key with this hash."""
    return await session.scalar(
        select(Open311Key).where(Open311Key.key_hash == key_hash, Open311Key.revoked_at.is_(None))
    )


async def keys_of_county(session: Session, county_id: int) -> list[Open311Key]:
    rows = await session.scalars(
        select(Open311Key).where(Open311Key.county_id == county_id).order_by(Open311Key.id)
    )
    return list(rows)


async def revoke_key(session: Session, key_id: int, now: datetime) -> bool:
    """Revoke a live key; False when there is no such live key."""
    result = await session.execute(
        update(Open311Key)
        .where(Open311Key.id == key_id, Open311Key.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(Open311Key.id)
    )
    return result.scalar_one_or_none() is not None


async def places_of_county(session: Session, county_id: int) -> list[tuple[Unit, Unit | None]]:
    """The county's villages and townships (where a request may be placed), each with its
    township (None for a township itself), in code order."""
    areas = list(
        await session.scalars(
            select(Unit)
            .where(
                Unit.county_id == county_id,
                Unit.kind == UnitKind.AREA.value,
                Unit.level.in_([UnitLevel.TOWNSHIP.value, UnitLevel.VILLAGE.value]),
            )
            .order_by(Unit.code)
        )
    )
    by_id = {unit.id: unit for unit in areas}
    return [
        (unit, by_id.get(unit.parent_id) if unit.level == UnitLevel.VILLAGE.value else None)
        for unit in areas
        if unit.parent_id is not None
    ]
